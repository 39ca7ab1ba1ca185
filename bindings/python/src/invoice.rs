//! Invoices: reading (UBL XML, OCR output) and compliance findings. Invoices cross as JSON
//! text (amounts as decimal strings); `bmc_core.invoice` turns it into dataclasses with
//! `decimal.Decimal` amounts.

use bmc_core::compliance::{self, Context};
use bmc_core::dian::{Environment, NumberingKeys};
use bmc_core::invoice::ocr::{self, OcrFormat, OcrOptions};
use bmc_core::invoice::{self, Invoice};
use pyo3::prelude::*;

use crate::catalog::Catalog;
use crate::errors::to_py;
use crate::numbers::Whole;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_invoice_json, m)?)?;
    m.add_function(wrap_pyfunction!(invoice_from_ocr_json, m)?)?;
    m.add_function(wrap_pyfunction!(validate_json, m)?)?;
    m.add_function(wrap_pyfunction!(is_registrable_severities, m)?)?;
    m.add_function(wrap_pyfunction!(correct_invoice_json, m)?)?;
    m.add_function(wrap_pyfunction!(invoice_field_text, m)?)?;
    Ok(())
}

fn options(technical_key: Option<String>, threshold: Option<f32>) -> OcrOptions<'static> {
    OcrOptions {
        threshold,
        technical_key,
        ..OcrOptions::default()
    }
}

/// Reads UBL XML, Tesseract TSV or hOCR, or Textract JSON (recognised by content) and
/// returns the invoice as JSON.
#[pyfunction]
#[pyo3(signature = (data, *, technical_key=None, threshold=None))]
fn read_invoice_json(
    py: Python<'_>,
    data: &[u8],
    technical_key: Option<String>,
    threshold: Option<f32>,
) -> PyResult<String> {
    let options = options(technical_key, threshold);
    py.detach(|| invoice::read_document(data, &options))
        .map(|i| i.to_json())
        .map_err(|e| to_py(py, e))
}

/// Reads OCR output of a named format (and the page's QR text, if any) and returns the
/// invoice as JSON.
#[pyfunction]
#[pyo3(signature = (text, format, *, qr=None, technical_key=None, threshold=None))]
fn invoice_from_ocr_json(
    py: Python<'_>,
    text: &str,
    format: &str,
    qr: Option<&str>,
    technical_key: Option<String>,
    threshold: Option<f32>,
) -> PyResult<String> {
    let format = OcrFormat::parse(format).map_err(|e| to_py(py, e))?;
    let options = options(technical_key, threshold);
    py.detach(|| ocr::from_ocr(text, format, qr, &options))
        .map(|i| i.to_json())
        .map_err(|e| to_py(py, e))
}

/// Validates an invoice given as JSON and returns the findings as JSON.
#[pyfunction]
#[pyo3(signature = (invoice_json, registration_date, *, max_age_days=None, technical_key=None, software_pin=None, technical_keys=None, environment=None, catalog=None))]
#[allow(clippy::too_many_arguments)]
fn validate_json(
    py: Python<'_>,
    invoice_json: &str,
    registration_date: chrono::NaiveDate,
    max_age_days: Option<Whole<i64>>,
    technical_key: Option<String>,
    software_pin: Option<String>,
    technical_keys: Option<std::path::PathBuf>,
    environment: Option<String>,
    catalog: Option<PyRef<'_, Catalog>>,
) -> PyResult<String> {
    let invoice = Invoice::from_json(invoice_json).map_err(|e| to_py(py, e))?;
    let index = catalog.map(|c| c.shared().get());
    let keys = technical_keys
        .map(|path| NumberingKeys::read(&path))
        .transpose()
        .map_err(|e| to_py(py, e))?;
    let mut context = Context::new(registration_date);
    if let Some(Whole(days)) = max_age_days {
        context.max_age_days = days;
    }
    if let Some(environment) = environment {
        context.environment = Environment::parse(&environment).map_err(|e| to_py(py, e))?;
    }
    context.numbering_keys = keys.as_ref();
    context.technical_key = technical_key;
    context.software_pin = software_pin;
    context.catalog = index
        .as_deref()
        .map(|c| c as &dyn compliance::ProductLookup);
    let findings = py.detach(|| compliance::validate(&invoice, &context));
    serde_json::to_string(&findings)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
}

/// True when no finding's severity is an error (core's rule), given the severities.
#[pyfunction]
fn is_registrable_severities(severities: Vec<String>) -> PyResult<bool> {
    let parsed = severities
        .iter()
        .map(|s| {
            compliance::Severity::parse(s).ok_or_else(|| {
                crate::errors::invalid_input(
                    "INVALID_ARGUMENT",
                    format!("severity {s:?} is not error, warning or info"),
                )
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(compliance::registrable_with(parsed))
}

/// Applies a reviewer's corrections (`(path, value)` pairs) to an invoice given as JSON, all
/// or none; returns the corrected invoice's JSON and the corrections as applied (JSON: path,
/// before, after).
#[pyfunction]
fn correct_invoice_json(
    py: Python<'_>,
    invoice_json: &str,
    corrections: Vec<(String, String)>,
) -> PyResult<(String, String)> {
    let mut invoice = Invoice::from_json(invoice_json).map_err(|e| to_py(py, e))?;
    let corrections: Vec<invoice::Correction> = corrections
        .into_iter()
        .map(|(path, value)| invoice::Correction { path, value })
        .collect();
    let done = invoice.correct(&corrections).map_err(|e| to_py(py, e))?;
    let done = serde_json::to_string(&done)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    Ok((invoice.to_json(), done))
}

/// The value of an invoice's field at `path` as a correction writes it, or None.
#[pyfunction]
fn invoice_field_text(py: Python<'_>, invoice_json: &str, path: &str) -> PyResult<Option<String>> {
    let invoice = Invoice::from_json(invoice_json).map_err(|e| to_py(py, e))?;
    Ok(invoice.field_text(path))
}

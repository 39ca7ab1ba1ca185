//! Invoices: reading (UBL XML, OCR output) and compliance findings. An invoice crosses as a
//! plain object in the core's JSON shape: amounts are decimal strings, dates ISO 8601.

use bmc_core::compliance::{self, Context};
use bmc_core::dian::{Environment, NumberingKeys};
use bmc_core::invoice::ocr::{self, OcrFormat, OcrOptions};
use bmc_core::invoice::{self, Invoice};
use napi::Env;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde_json::Value;

use crate::catalog::Catalog;
use crate::errors::{Result, invalid_argument, to_js};

/// Options of `readInvoice`.
#[derive(Debug, Default)]
#[napi(object)]
pub struct ReadOptions {
    /// The numbering range's technical key: an OCR'd CUFE is recomputed, confirming (or
    /// refuting) the fields it covers.
    pub technical_key: Option<String>,
    /// Confidence threshold (0–100) overriding the engine's default.
    pub threshold: Option<f64>,
}

/// Options of `invoiceFromOcr`.
#[derive(Debug, Default)]
#[napi(object)]
pub struct OcrReadOptions {
    /// The text of the page's DIAN QR code, when it was decoded.
    pub qr: Option<String>,
    /// See `ReadOptions.technicalKey`.
    pub technical_key: Option<String>,
    /// See `ReadOptions.threshold`.
    pub threshold: Option<f64>,
}

/// What a validation needs besides the invoice.
#[derive(Debug)]
#[napi(object)]
pub struct ValidationContext {
    /// The registration date, `YYYY-MM-DD`.
    pub registration_date: String,
    /// Oldest invoice that can be registered, in days (core's default when absent).
    pub max_age_days: Option<i64>,
    /// One technical key, to recompute the invoice's CUFE.
    pub technical_key: Option<String>,
    /// One software PIN, to recompute a note's CUDE.
    pub software_pin: Option<String>,
    /// The path of the numbering ranges' keys table (`nit,prefix,technical_key,software_pin`).
    pub technical_keys: Option<String>,
    /// The DIAN environment registered for: `production` (the default; test documents are
    /// refused) or `test`.
    #[napi(ts_type = "'production' | 'test'")]
    pub environment: Option<String>,
}

fn to_value(env: &Env, invoice: &Invoice) -> Result<Value> {
    serde_json::to_value(invoice).map_err(|e| invalid_argument(env, e.to_string()))
}

fn options(technical_key: Option<String>, threshold: Option<f64>) -> OcrOptions<'static> {
    OcrOptions {
        technical_key,
        threshold: threshold.map(|t| t as f32),
        ..OcrOptions::default()
    }
}

/// Reads UBL XML (Invoice, CreditNote, DebitNote, AttachedDocument), Tesseract TSV or hOCR,
/// or a Textract JSON response, recognised by content. Hostile XML throws
/// `INVOICE_XML_REFUSED`; PDFs and images `INVOICE_UNRECOGNIZED_FORMAT`.
#[napi(ts_return_type = "Invoice")]
pub fn read_invoice(env: Env, data: Buffer, options: Option<ReadOptions>) -> Result<Value> {
    let o = options.unwrap_or_default();
    let invoice = invoice::read_document(&data, &self::options(o.technical_key, o.threshold))
        .map_err(|e| to_js(&env, e))?;
    to_value(&env, &invoice)
}

/// Reads OCR output: `format` is `tesseract-tsv`, `pdftotext-tsv`, `hocr` or `textract`.
#[napi(ts_return_type = "Invoice")]
pub fn invoice_from_ocr(
    env: Env,
    text: String,
    format: String,
    options: Option<OcrReadOptions>,
) -> Result<Value> {
    let o = options.unwrap_or_default();
    let format = OcrFormat::parse(&format).map_err(|e| to_js(&env, e))?;
    let invoice = ocr::from_ocr(
        &text,
        format,
        o.qr.as_deref(),
        &self::options(o.technical_key, o.threshold),
    )
    .map_err(|e| to_js(&env, e))?;
    to_value(&env, &invoice)
}

/// Everything DIAN and the exchange check before registering `invoice`, most severe first;
/// with `catalog`, every line's product is looked up.
#[napi(
    ts_args_type = "invoice: Invoice, context: ValidationContext, catalog?: Catalog | undefined | null",
    ts_return_type = "Finding[]"
)]
pub fn validate(
    env: Env,
    invoice: Value,
    context: ValidationContext,
    catalog: Option<&Catalog>,
) -> Result<Value> {
    let invoice = Invoice::from_json(&invoice.to_string()).map_err(|e| to_js(&env, e))?;
    let date = context
        .registration_date
        .parse::<chrono::NaiveDate>()
        .map_err(|_| {
            invalid_argument(
                &env,
                format!(
                    "registrationDate is {:?}; expected YYYY-MM-DD",
                    context.registration_date
                ),
            )
        })?;
    let index = catalog.map(|c| c.shared().get());
    let keys = context
        .technical_keys
        .as_deref()
        .map(|path| NumberingKeys::read(std::path::Path::new(path)))
        .transpose()
        .map_err(|e| to_js(&env, e))?;
    let mut core = Context::new(date);
    if let Some(days) = context.max_age_days {
        core.max_age_days = days;
    }
    if let Some(environment) = &context.environment {
        core.environment = Environment::parse(environment).map_err(|e| to_js(&env, e))?;
    }
    core.numbering_keys = keys.as_ref();
    core.technical_key = context.technical_key;
    core.software_pin = context.software_pin;
    core.catalog = index
        .as_deref()
        .map(|c| c as &dyn compliance::ProductLookup);
    let findings = compliance::validate(&invoice, &core);
    serde_json::to_value(findings).map_err(|e| invalid_argument(&env, e.to_string()))
}

/// True when no finding is an error (the core's registrability rule).
#[napi(ts_args_type = "findings: Finding[]")]
pub fn is_registrable(env: Env, findings: Vec<Value>) -> Result<bool> {
    let severities = findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = f.get("severity").and_then(Value::as_str).unwrap_or("");
            compliance::Severity::parse(name).ok_or_else(|| {
                invalid_argument(
                    &env,
                    format!("findings[{i}].severity is {name:?}; expected error, warning or info"),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(compliance::registrable_with(severities))
}

/// One field as a person read it on the page (see `correctInvoice`).
#[derive(Debug)]
#[napi(object)]
pub struct Correction {
    /// The field's path: `cufe`, `issue_date`, `lines[2].base`, `totals.payable`, ...
    pub path: String,
    /// The value as text: dates `YYYY-MM-DD`, amounts with a full stop and no thousands
    /// separators.
    pub value: String,
}

/// Applies a reviewer's corrections of fields read from a page, all or none: answers the
/// corrected invoice (the amounts that follow worked out again, the fields marked `operator`
/// and no longer doubtful) and each correction as applied (`path`, `before`, `after`). A path
/// that cannot be corrected or a value not of the field's type throws
/// `INVOICE_CORRECTION_INVALID`.
#[napi(
    ts_args_type = "invoice: Invoice, corrections: Correction[]",
    ts_return_type = "CorrectedInvoice"
)]
pub fn correct_invoice(env: Env, invoice: Value, corrections: Vec<Correction>) -> Result<Value> {
    let mut invoice = Invoice::from_json(&invoice.to_string()).map_err(|e| to_js(&env, e))?;
    let corrections: Vec<invoice::Correction> = corrections
        .into_iter()
        .map(|c| invoice::Correction {
            path: c.path,
            value: c.value,
        })
        .collect();
    let done = invoice.correct(&corrections).map_err(|e| to_js(&env, e))?;
    Ok(serde_json::json!({
        "invoice": to_value(&env, &invoice)?,
        "corrected": done,
    }))
}

/// The value of an invoice's field at `path` as a correction writes it, or null when the
/// invoice has no such field.
#[napi(ts_args_type = "invoice: Invoice, path: string")]
pub fn invoice_field_text(env: Env, invoice: Value, path: String) -> Result<Option<String>> {
    let invoice = Invoice::from_json(&invoice.to_string()).map_err(|e| to_js(&env, e))?;
    Ok(invoice.field_text(&path))
}

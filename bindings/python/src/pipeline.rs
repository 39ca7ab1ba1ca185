//! `Pipeline` and `Registration`: registration end to end, and the certificate PDF.

use std::path::PathBuf;

use bmc_core::catalog::Catalog;
use bmc_core::dian::{Environment, NumberingKeys};
use bmc_core::pipeline::{
    BatchOptions, Event, Pipeline as CorePipeline, PipelineOptions,
    Registration as CoreRegistration,
};
use bmc_core::rules::RuleBook;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::to_py;
use crate::numbers::Whole;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Pipeline>()?;
    m.add_class::<Registration>()?;
    Ok(())
}

/// A catalog index and a rule book, ready to register invoices (thread-safe; the GIL is
/// released while it works).
#[derive(Debug)]
#[pyclass(frozen, module = "bmc_core")]
pub struct Pipeline {
    inner: CorePipeline,
}

#[pymethods]
impl Pipeline {
    /// Opens the catalog index at `index_dir` and the rule sets at `rules` (the embedded ones
    /// when None).
    #[new]
    #[pyo3(signature = (index_dir, rules=None, *, technical_key=None, software_pin=None, technical_keys=None, environment=None, max_age_days=None, match_threshold=None, trace=true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        index_dir: PathBuf,
        rules: Option<PathBuf>,
        technical_key: Option<String>,
        software_pin: Option<String>,
        technical_keys: Option<PathBuf>,
        environment: Option<String>,
        max_age_days: Option<Whole<i64>>,
        match_threshold: Option<f32>,
        trace: bool,
    ) -> PyResult<Pipeline> {
        let catalog = Catalog::open(&index_dir).map_err(|e| to_py(py, e))?;
        let book = match rules {
            Some(dir) => RuleBook::load(&dir),
            None => RuleBook::embedded(),
        }
        .map_err(|e| to_py(py, e))?;
        let defaults = PipelineOptions::default();
        let numbering_keys = technical_keys
            .map(|path| NumberingKeys::read(&path))
            .transpose()
            .map_err(|e| to_py(py, e))?
            .map(std::sync::Arc::new);
        let environment = environment
            .map(|e| Environment::parse(&e))
            .transpose()
            .map_err(|e| to_py(py, e))?
            .unwrap_or(defaults.environment);
        let options = PipelineOptions {
            technical_key,
            software_pin,
            numbering_keys,
            environment,
            max_age_days: max_age_days.map_or(defaults.max_age_days, |d| d.0),
            match_threshold: match_threshold.unwrap_or(defaults.match_threshold),
            trace,
            ..defaults
        };
        Ok(Pipeline {
            inner: CorePipeline::new(catalog, book, options),
        })
    }

    /// Registers a document (UBL XML, Tesseract TSV or hOCR, Textract JSON) on
    /// `registration_date`. `events`, when given, is called with each event as a dict
    /// (`name`, `source`, `detail_type`, `detail` as JSON text).
    #[pyo3(signature = (document, registration_date, events=None))]
    fn register(
        &self,
        py: Python<'_>,
        document: &[u8],
        registration_date: chrono::NaiveDate,
        events: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Registration> {
        let mut emitted: Vec<Event> = Vec::new();
        let result = py.detach(|| {
            self.inner
                .register(document, registration_date, &mut emitted)
        });
        if let Some(callback) = events {
            for event in &emitted {
                callback.call1((event_dict(py, event)?,))?;
            }
        }
        let inner = result.map_err(|e| to_py(py, e))?;
        Ok(Registration { inner })
    }

    /// Registers many documents on `registration_date` on every core (or `threads`),
    /// without the GIL. Returns exactly one item per document, in order: its
    /// `Registration`, or the `bmc_core.errors.BmcError` (not raised) saying why it could not
    /// be registered. `events`, when given, is called with each event as in `register`, plus
    /// `document`, the document's position.
    #[pyo3(
        signature = (documents, registration_date, *, threads=Whole(0), events=None),
        text_signature = "(self, documents, registration_date, *, threads=0, events=None)"
    )]
    fn register_many(
        &self,
        py: Python<'_>,
        documents: Vec<Vec<u8>>,
        registration_date: chrono::NaiveDate,
        threads: Whole<usize>,
        events: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let options = BatchOptions {
            threads: threads.0,
            certificates: false,
        };
        let outcomes = py.detach(|| {
            self.inner
                .register_many(&documents, registration_date, &options)
        });
        let mut out = Vec::with_capacity(outcomes.len());
        for (i, outcome) in outcomes.into_iter().enumerate() {
            if let Some(callback) = &events {
                for event in &outcome.events {
                    let dict = event_dict(py, event)?;
                    dict.set_item("document", i)?;
                    callback.call1((dict,))?;
                }
            }
            out.push(match outcome.result {
                Ok(inner) => Py::new(py, Registration { inner })?.into_any(),
                Err(e) => to_py(py, e).into_value(py).into_any(),
            });
        }
        Ok(out)
    }
}

/// An event as the Python callbacks receive it.
fn event_dict<'py>(py: Python<'py>, event: &Event) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("name", event.name)?;
    dict.set_item("source", event.source)?;
    dict.set_item("detail_type", event.detail_type)?;
    dict.set_item("detail", event.detail.to_string())?;
    Ok(dict)
}

/// The outcome of registering an invoice.
#[derive(Debug)]
#[pyclass(frozen, module = "bmc_core")]
pub struct Registration {
    inner: CoreRegistration,
}

#[pymethods]
impl Registration {
    /// `RF-YYYYMMDD-XXXXXXXXXX`.
    #[getter]
    fn registration_id(&self) -> &str {
        &self.inner.registration_id
    }
    /// SHA-256 (hex) of the registration's canonical content.
    #[getter]
    fn verification_code(&self) -> &str {
        &self.inner.verification_code
    }
    /// True when registered: no error finding and an eligible commission.
    #[getter]
    fn registrable(&self) -> bool {
        self.inner.registrable
    }
    /// The registration date.
    #[getter]
    fn registration_date(&self) -> chrono::NaiveDate {
        self.inner.registration_date
    }
    /// The whole registration as JSON (amounts as decimal strings).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    /// The certificate PDF ("Comprobante de registro de factura").
    fn certificate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let pdf = py
            .detach(|| bmc_core::certificate::render(&self.inner))
            .map_err(|e| to_py(py, e))?;
        Ok(PyBytes::new(py, &pdf))
    }
    fn __repr__(&self) -> String {
        format!(
            "Registration({}, registrable={})",
            self.inner.registration_id, self.inner.registrable
        )
    }
}

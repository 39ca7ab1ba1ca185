//! `Pipeline`: registration end to end, and the certificate PDF.

use bmc_core::catalog::Catalog;
use bmc_core::dian::{Environment, NumberingKeys};
use bmc_core::pipeline::{
    BatchOptions, BatchOutcome, Event, Pipeline as CorePipeline, PipelineOptions,
};
use bmc_core::rules::RuleBook;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;

use crate::errors::{Result, invalid_argument, to_js};

/// Options of a `Pipeline`.
#[derive(Debug, Default)]
#[napi(object)]
pub struct PipelineOpenOptions {
    /// A rule set folder (the embedded rule sets by default).
    pub rules: Option<String>,
    /// The numbering range's technical key, to recompute CUFEs.
    pub technical_key: Option<String>,
    /// The software PIN, to recompute notes' CUDEs.
    pub software_pin: Option<String>,
    /// The path of the numbering ranges' keys table (`nit,prefix,technical_key,software_pin`):
    /// each document's CUFE is recomputed with its seller's key.
    pub technical_keys: Option<String>,
    /// The DIAN environment registered for: `production` (the default; test documents are
    /// refused) or `test`.
    #[napi(ts_type = "'production' | 'test'")]
    pub environment: Option<String>,
    /// Oldest invoice that can be registered, in days (core's default when absent).
    pub max_age_days: Option<i64>,
    /// Name-search score under which a line's product match needs review (core's default
    /// when absent).
    pub match_threshold: Option<f64>,
}

/// Options of `Pipeline.register`.
#[derive(Debug, Default)]
#[napi(object)]
pub struct RegisterOptions {
    /// Also render the certificate PDF.
    pub certificate: Option<bool>,
}

/// What `Pipeline.register` returns.
#[napi(object)]
#[allow(missing_debug_implementations)] // napi's Buffer has no Debug.
pub struct RegisterResult {
    /// The registration, in the core's JSON shape (amounts as decimal strings).
    #[napi(ts_type = "Registration")]
    pub registration: Value,
    /// The events emitted, in order: `{ name, source, detail_type, detail }`.
    #[napi(ts_type = "PipelineEvent[]")]
    pub events: Value,
    /// The certificate PDF, when asked for.
    pub certificate: Option<Buffer>,
}

/// A catalog index and a rule book, ready to register invoices.
#[derive(Debug)]
#[napi]
pub struct Pipeline {
    inner: Arc<CorePipeline>,
}

/// One registration's outcome before it becomes JS values.
type Outcome = std::result::Result<(Value, Value, Option<Vec<u8>>), bmc_core::Error>;

/// Registers one document: the registration and events as JSON values, and the PDF if asked.
fn register_one(
    pipeline: &CorePipeline,
    document: &[u8],
    date: chrono::NaiveDate,
    pdf: bool,
) -> Outcome {
    let mut events: Vec<Event> = Vec::new();
    let registration = pipeline.register(document, date, &mut events)?;
    let certificate = if pdf {
        Some(bmc_core::certificate::render(&registration)?)
    } else {
        None
    };
    Ok((
        serde_json::to_value(&registration).unwrap_or(Value::Null),
        serde_json::to_value(&events).unwrap_or(Value::Null),
        certificate,
    ))
}

fn parse_date(env: &Env, text: &str) -> Result<chrono::NaiveDate> {
    text.parse::<chrono::NaiveDate>().map_err(|_| {
        invalid_argument(
            env,
            format!("registrationDate is {text:?}; expected YYYY-MM-DD"),
        )
    })
}

fn result(env: &Env, outcome: Outcome) -> Result<RegisterResult> {
    let (registration, events, certificate) = outcome.map_err(|e| to_js(env, e))?;
    Ok(RegisterResult {
        registration,
        events,
        certificate: certificate.map(Buffer::from),
    })
}

/// The work of `registerAsync`.
#[derive(Debug)]
pub struct RegisterOneTask {
    pipeline: Arc<CorePipeline>,
    document: Vec<u8>,
    date: chrono::NaiveDate,
    pdf: bool,
}

impl Task for RegisterOneTask {
    type Output = Outcome;
    type JsValue = RegisterResult;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(register_one(
            &self.pipeline,
            &self.document,
            self.date,
            self.pdf,
        ))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        result(&env, output)
    }
}

/// A document of a batch that could not be registered.
#[derive(Debug)]
#[napi(object)]
pub struct BatchError {
    /// The stable error code (`INVOICE_XML_REFUSED`, `PIPELINE_INTERNAL_ERROR`, ...).
    pub code: String,
    /// What was wrong and where.
    pub message: String,
}

/// One document's outcome in `registerManyAsync`: the registration, or the error.
#[napi(object)]
#[allow(missing_debug_implementations)] // napi's Buffer has no Debug.
pub struct BatchResult {
    /// The registration, when the document was registered (registrable or not).
    #[napi(ts_type = "Registration | undefined")]
    pub registration: Option<Value>,
    /// Why the document could not be registered.
    pub error: Option<BatchError>,
    /// The events emitted, in order.
    #[napi(ts_type = "PipelineEvent[]")]
    pub events: Value,
    /// The certificate PDF, when asked for.
    pub certificate: Option<Buffer>,
}

/// The work of `registerManyAsync`: core's batch registration, on every core.
#[derive(Debug)]
pub struct RegisterTask {
    pipeline: Arc<CorePipeline>,
    documents: Vec<Vec<u8>>,
    date: chrono::NaiveDate,
    pdf: bool,
}

impl Task for RegisterTask {
    type Output = Vec<BatchOutcome>;
    type JsValue = Vec<BatchResult>;

    fn compute(&mut self) -> Result<Self::Output> {
        let options = BatchOptions {
            threads: 0,
            certificates: self.pdf,
        };
        Ok(self
            .pipeline
            .register_many(&self.documents, self.date, &options))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output
            .into_iter()
            .map(|outcome| {
                let events = serde_json::to_value(&outcome.events).unwrap_or(Value::Null);
                match outcome.result {
                    Ok(registration) => BatchResult {
                        registration: Some(
                            serde_json::to_value(&registration).unwrap_or(Value::Null),
                        ),
                        error: None,
                        events,
                        certificate: outcome.certificate.map(Buffer::from),
                    },
                    Err(e) => BatchResult {
                        registration: None,
                        error: Some(BatchError {
                            code: e.code().to_owned(),
                            message: e.to_string(),
                        }),
                        events,
                        certificate: None,
                    },
                }
            })
            .collect())
    }
}

#[napi]
impl Pipeline {
    /// Opens the catalog index at `indexDir` with the rule sets (embedded by default).
    #[napi(factory)]
    pub fn open(
        env: Env,
        index_dir: String,
        options: Option<PipelineOpenOptions>,
    ) -> Result<Pipeline> {
        let o = options.unwrap_or_default();
        let catalog =
            Catalog::open(std::path::Path::new(&index_dir)).map_err(|e| to_js(&env, e))?;
        let book = match &o.rules {
            Some(dir) => RuleBook::load(std::path::Path::new(dir)),
            None => RuleBook::embedded(),
        }
        .map_err(|e| to_js(&env, e))?;
        let defaults = PipelineOptions::default();
        let numbering_keys = o
            .technical_keys
            .as_deref()
            .map(|path| NumberingKeys::read(std::path::Path::new(path)))
            .transpose()
            .map_err(|e| to_js(&env, e))?
            .map(Arc::new);
        let environment = o
            .environment
            .as_deref()
            .map(Environment::parse)
            .transpose()
            .map_err(|e| to_js(&env, e))?
            .unwrap_or(defaults.environment);
        let options = PipelineOptions {
            technical_key: o.technical_key,
            software_pin: o.software_pin,
            numbering_keys,
            environment,
            max_age_days: o.max_age_days.unwrap_or(defaults.max_age_days),
            match_threshold: o
                .match_threshold
                .map_or(defaults.match_threshold, |t| t as f32),
            ..defaults
        };
        Ok(Pipeline {
            inner: Arc::new(CorePipeline::new(catalog, book, options)),
        })
    }

    /// Registers a document (UBL XML, Tesseract TSV or hOCR, Textract JSON) on
    /// `registrationDate` (`YYYY-MM-DD`).
    #[napi]
    pub fn register(
        &self,
        env: Env,
        document: Buffer,
        registration_date: String,
        options: Option<RegisterOptions>,
    ) -> Result<RegisterResult> {
        let date = parse_date(&env, &registration_date)?;
        let pdf = options.and_then(|o| o.certificate).unwrap_or(false);
        result(&env, register_one(&self.inner, &document, date, pdf))
    }

    /// `register` off the JS thread.
    #[napi(ts_return_type = "Promise<RegisterResult>")]
    pub fn register_async(
        &self,
        env: Env,
        document: Buffer,
        registration_date: String,
        options: Option<RegisterOptions>,
    ) -> Result<AsyncTask<RegisterOneTask>> {
        Ok(AsyncTask::new(RegisterOneTask {
            pipeline: Arc::clone(&self.inner),
            document: document.to_vec(),
            date: parse_date(&env, &registration_date)?,
            pdf: options.and_then(|o| o.certificate).unwrap_or(false),
        }))
    }

    /// Registers many documents off the JS thread, on every core; resolves to exactly one
    /// result per document, in order: result `i` is document `i`'s, with `registration` or,
    /// for a document that could not be registered, `error` (`{ code, message }`).
    #[napi(ts_return_type = "Promise<BatchResult[]>")]
    pub fn register_many_async(
        &self,
        env: Env,
        documents: Vec<Buffer>,
        registration_date: String,
        options: Option<RegisterOptions>,
    ) -> Result<AsyncTask<RegisterTask>> {
        Ok(AsyncTask::new(RegisterTask {
            pipeline: Arc::clone(&self.inner),
            documents: documents.iter().map(|d| d.to_vec()).collect(),
            date: parse_date(&env, &registration_date)?,
            pdf: options.and_then(|o| o.certificate).unwrap_or(false),
        }))
    }
}

//! `Pipeline`: registration end to end, and the certificate PDF.

use bmc_core::catalog::Catalog;
use bmc_core::pipeline::{Event, Pipeline as CorePipeline, PipelineOptions};
use bmc_core::rules::RuleBook;
use napi::Env;
use napi::bindgen_prelude::Buffer;
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
    /// Oldest invoice that can be registered, in days (180).
    pub max_age_days: Option<i64>,
    /// Name-search score under which a line's product match needs review (8).
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
    inner: CorePipeline,
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
        let options = PipelineOptions {
            technical_key: o.technical_key,
            software_pin: o.software_pin,
            max_age_days: o.max_age_days.unwrap_or(defaults.max_age_days),
            match_threshold: o
                .match_threshold
                .map_or(defaults.match_threshold, |t| t as f32),
            ..defaults
        };
        Ok(Pipeline {
            inner: CorePipeline::new(catalog, book, options),
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
        let date = registration_date
            .parse::<chrono::NaiveDate>()
            .map_err(|_| {
                invalid_argument(
                    &env,
                    format!("registrationDate is {registration_date:?}; expected YYYY-MM-DD"),
                )
            })?;
        let mut events: Vec<Event> = Vec::new();
        let registration = self
            .inner
            .register(&document, date, &mut events)
            .map_err(|e| to_js(&env, e))?;
        let certificate = if options.and_then(|o| o.certificate).unwrap_or(false) {
            Some(
                bmc_core::certificate::render(&registration)
                    .map_err(|e| to_js(&env, e))?
                    .into(),
            )
        } else {
            None
        };
        Ok(RegisterResult {
            registration: serde_json::to_value(&registration)
                .map_err(|e| invalid_argument(&env, e.to_string()))?,
            events: serde_json::to_value(&events)
                .map_err(|e| invalid_argument(&env, e.to_string()))?,
            certificate,
        })
    }
}

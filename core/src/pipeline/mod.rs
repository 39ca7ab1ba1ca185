//! Registration end to end: a document in, a [`Registration`] out. The steps are the
//! platform's: read the invoice (exact XML, or OCR output), match every line's product in the
//! catalog, validate, compute the commission, and sign the result with a verification code;
//! each step emits its event ([`Event`]).
//!
//! ```
//! use bmc_core::catalog::{self, Catalog};
//! use bmc_core::pipeline::{Pipeline, PipelineOptions};
//! use bmc_core::rules::RuleBook;
//!
//! let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
//! let index = std::env::temp_dir().join(format!("bmc-doc-pipeline-{}", std::process::id()));
//! catalog::build_from_path(&root.join("data/sample-catalog.csv.gz"), &index, &Default::default(), &mut |_| {})?;
//! // The samples are DIAN test-environment documents; their sellers' keys are in a table.
//! let keys = bmc_core::dian::NumberingKeys::read(&root.join("data/invoices/technical-keys.csv"))?;
//! let options = PipelineOptions {
//!     environment: bmc_core::dian::Environment::Test,
//!     numbering_keys: Some(keys.into()),
//!     ..PipelineOptions::default()
//! };
//! let pipeline = Pipeline::new(Catalog::open(&index)?, RuleBook::embedded()?, options);
//!
//! let xml = std::fs::read(root.join("data/invoices/FEV-0005.xml"))?;
//! let mut events = Vec::new();
//! let registration = pipeline.register(&xml, "2026-09-10".parse()?, &mut events)?;
//! assert!(registration.registrable);
//! assert!(registration.registration_id.starts_with("RF-20260910-"));
//! assert_eq!(events.iter().map(|e| e.name).collect::<Vec<_>>(),
//!            ["invoice.uploaded", "invoice.validated", "commission.calculated"]);
//! # std::fs::remove_dir_all(&index)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod batch;
mod decision;
mod events;
mod looked_up;
mod matching;
mod registration;

pub use batch::{BatchOptions, BatchOutcome, PipelineError};
pub use decision::Decision;
pub use events::{Event, EventSink, NoEvents};
pub use matching::{LineMatch, MatchKind};
pub use registration::Registration;

use chrono::NaiveDate;
use serde_json::json;
use sha2::{Digest, Sha256};

use self::looked_up::LookedUp;
use crate::catalog::{Catalog, CatalogError, SharedCatalog};
use crate::commission::{self, CommissionInvoice};
use crate::compliance::{self, Context};
use crate::dian::{Environment, NumberingKeys};
use crate::invoice::ocr::OcrOptions;
use crate::invoice::{self, Invoice};
use crate::rules::{RuleBook, SharedRuleBook};

/// The settings of a pipeline.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// The numbering range's technical key: when set, CUFEs are recomputed.
    pub technical_key: Option<String>,
    /// The software PIN, to recompute notes' CUDEs.
    pub software_pin: Option<String>,
    /// The keys of the sellers' numbering ranges (see [`Context::numbering_keys`]).
    pub numbering_keys: Option<std::sync::Arc<NumberingKeys>>,
    /// The DIAN environment the platform registers for (production by default).
    pub environment: Environment,
    /// The oldest invoice that can be registered, in days.
    pub max_age_days: i64,
    /// The name-search score under which a line's match needs review.
    pub match_threshold: f32,
    /// The OCR confidence threshold, overriding the engine's default.
    pub ocr_threshold: Option<f32>,
    /// Record the commission's trace.
    pub trace: bool,
}

impl Default for PipelineOptions {
    fn default() -> PipelineOptions {
        PipelineOptions {
            technical_key: None,
            software_pin: None,
            numbering_keys: None,
            environment: Environment::Production,
            max_age_days: crate::compliance::DEFAULT_MAX_AGE_DAYS,
            match_threshold: 8.0,
            ocr_threshold: None,
            trace: true,
        }
    }
}

/// An open catalog and rule book, ready to register documents; shared by threads (each call
/// takes the catalog and rules current at its start, so either can be reloaded meanwhile).
#[derive(Debug)]
pub struct Pipeline {
    catalog: SharedCatalog,
    rules: SharedRuleBook,
    options: PipelineOptions,
}

impl Pipeline {
    /// A pipeline over `catalog` and `rules`.
    pub fn new(catalog: Catalog, rules: RuleBook, options: PipelineOptions) -> Pipeline {
        Pipeline {
            catalog: SharedCatalog::new(catalog),
            rules: SharedRuleBook::new(rules),
            options,
        }
    }

    /// The shared catalog (to reload or replace it).
    pub fn catalog(&self) -> &SharedCatalog {
        &self.catalog
    }

    /// The shared rule book (to reload or replace it).
    pub fn rules(&self) -> &SharedRuleBook {
        &self.rules
    }

    /// Registers a document (UBL XML, Tesseract TSV or hOCR, Textract JSON, recognised by
    /// content) on `registration_date`. Fails only when the document cannot be read; an
    /// invoice that cannot be registered is a [`Registration`] with `registrable: false`
    /// and the findings that say why.
    pub fn register(
        &self,
        document: &[u8],
        registration_date: NaiveDate,
        events: &mut dyn EventSink,
    ) -> Result<Registration, crate::Error> {
        self.register_scanned(document, None, registration_date, events)
    }

    /// Registers a document as [`Pipeline::register`] does, with the text of DIAN's QR code
    /// found on the scanned page (`qr`): the fields the code carries confirm or correct what
    /// OCR read ([`confirm_with_qr`](crate::invoice::ocr::confirm_with_qr)). The QR code is
    /// ignored for exact (XML) documents.
    pub fn register_scanned(
        &self,
        document: &[u8],
        qr: Option<&str>,
        registration_date: NaiveDate,
        events: &mut dyn EventSink,
    ) -> Result<Registration, crate::Error> {
        let digest = crate::hex::lower(&Sha256::digest(document));
        let format = invoice::detect(document);
        events.emit(Event::uploaded(json!({
            "document_sha256": digest,
            "document_bytes": document.len(),
            "format": format,
        })));
        let invoice = self.read_scanned(document, qr)?;
        self.finish(invoice, registration_date, events)
    }

    /// Reads a document as [`Pipeline::register_scanned`] does, without registering it: the
    /// invoice with each field's confidence, the catalog confirming product codes and
    /// descriptions, DIAN's QR code (`qr`) confirming what it carries. A reviewer's
    /// corrections ([`Invoice::correct`]) go on this invoice before
    /// [`Pipeline::register_invoice`].
    pub fn read_scanned(&self, document: &[u8], qr: Option<&str>) -> Result<Invoice, crate::Error> {
        let catalog = self.catalog.get();
        // The OCR reader asks for names by code; a catalog failure is kept and reported
        // after reading, never taken for an unknown code.
        let failed: std::sync::Mutex<Option<CatalogError>> = std::sync::Mutex::new(None);
        let keep = |e: CatalogError| {
            if let Ok(mut slot) = failed.lock() {
                slot.get_or_insert(e);
            }
        };
        let names = |code: &str| match catalog.get(code) {
            Ok(product) => product.map(|p| p.product_name),
            Err(e) => {
                keep(e);
                None
            }
        };
        // A word the catalog cannot be asked about is not held against the description.
        let known = |word: &str| match catalog.knows_word(word) {
            Ok(known) => known,
            Err(e) => {
                keep(e);
                true
            }
        };
        let ocr = OcrOptions {
            threshold: self.options.ocr_threshold,
            technical_key: self.options.technical_key.clone(),
            product_name: Some(&names),
            known_word: Some(&known),
        };
        let mut invoice = invoice::read_document(document, &ocr)?;
        if let Some(qr) = qr.filter(|_| !invoice.source.kind.is_exact()) {
            crate::invoice::ocr::confirm_with_qr(&mut invoice, qr);
        }
        if let Some(e) = failed.into_inner().ok().flatten() {
            return Err(e.into());
        }
        Ok(invoice)
    }

    /// Registers an invoice already read (from OCR output with its QR code, say).
    pub fn register_invoice(
        &self,
        invoice: Invoice,
        registration_date: NaiveDate,
        events: &mut dyn EventSink,
    ) -> Result<Registration, crate::Error> {
        self.finish(invoice, registration_date, events)
    }

    fn finish(
        &self,
        invoice: Invoice,
        registration_date: NaiveDate,
        events: &mut dyn EventSink,
    ) -> Result<Registration, crate::Error> {
        let catalog = self.catalog.get();
        if !invoice.source.kind.is_exact() {
            let doubtful = invoice.source.doubtful_fields();
            events.emit(Event::ocr_completed(json!({
                "invoice_number": invoice.number,
                "engine": invoice.source.kind,
                "fields": invoice.source.confidence.len(),
                "doubtful_fields": doubtful,
            })));
        }
        let lines = invoice
            .lines
            .iter()
            .map(|line| matching::match_line(&catalog, line, self.options.match_threshold))
            .collect::<Result<Vec<LineMatch>, _>>()?;
        let mut context = Context::new(registration_date);
        context.max_age_days = self.options.max_age_days;
        context.technical_key = self.options.technical_key.clone();
        context.software_pin = self.options.software_pin.clone();
        context.numbering_keys = self.options.numbering_keys.as_deref();
        context.environment = self.options.environment;
        let looked_up = LookedUp::new(&catalog, &invoice, &lines);
        context.catalog = Some(&looked_up);
        let findings = compliance::validate(&invoice, &context);
        let valid = compliance::is_registrable(&findings);
        events.emit(Event::validated(json!({
            "invoice_number": invoice.number,
            "issue_date": invoice.issue_date,
            "seller_nit": invoice.seller.id,
            "valid": valid,
            "findings": findings.iter().map(|f| &f.code).collect::<Vec<_>>(),
            "lines_needing_review": lines.iter().filter(|l| l.needs_review).count(),
        })));
        // A credit or debit note adjusts a registration; it is not charged as a new one.
        let commission = if valid && invoice.kind == crate::invoice::DocumentKind::Invoice {
            let book = self.rules.get();
            let input = CommissionInvoice::in_pesos(&invoice)?;
            let options = commission::Options {
                as_of: None,
                trace: self.options.trace,
                classifier: Some(&looked_up),
            };
            let result = commission::calculate(&book, &input, &options)?;
            events.emit(Event::commission_calculated(json!({
                "invoice_number": invoice.number,
                "eligible": result.eligible,
                "fee": result.fee.to_string(),
                "iva": result.iva.to_string(),
                "total": result.total.to_string(),
                "rule_set": result.rule_set,
            })));
            Some(result)
        } else {
            None
        };
        Ok(Registration::new(
            registration_date,
            invoice,
            lines,
            findings,
            commission,
        ))
    }
}

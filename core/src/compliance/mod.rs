//! Compliance: everything DIAN and the exchange check on an invoice before it is registered,
//! as a list of [`Finding`]s with stable codes, a severity, the field and a message in
//! Spanish and English.
//!
//! ```
//! use std::collections::HashMap;
//! use bmc_core::{catalog, compliance, invoice};
//!
//! let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
//! let products: HashMap<_, _> = catalog::read_products(&root.join("data/sample-catalog.csv.gz"), 5_000)?
//!     .into_iter()
//!     .map(|p| (p.product_code.clone(), p))
//!     .collect();
//! let invoice = invoice::read_xml(&std::fs::read(root.join("data/invoices/FEV-0001.xml"))?)?;
//!
//! let mut context = compliance::Context::new(invoice.issue_date);
//! context.technical_key = Some(invoice::generate::TEST_TECHNICAL_KEY.into());
//! context.environment = bmc_core::dian::Environment::Test; // the samples are test documents
//! context.catalog = Some(&products);
//! let findings = compliance::validate(&invoice, &context);
//! assert!(compliance::is_registrable(&findings), "{findings:?}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod amounts;
mod context;
mod dates;
mod document_code;
mod finding;
mod identity;
mod ocr;
mod products;

pub use context::{Context, DEFAULT_MAX_AGE_DAYS, ProductLookup, ProductStatus};
pub(crate) use finding::Findings;
pub use finding::{Finding, Severity, is_registrable, registrable_with};

use crate::invoice::Invoice;

/// Every finding code, for documentation and for callers that switch on them.
pub const CODES: &[&str] = &[
    "SELLER_NOT_NIT",
    "ID_TYPE_UNKNOWN",
    "ID_INVALID",
    "NIT_CHECK_DIGIT",
    "NIT_CHECK_DIGIT_MISSING",
    "BUYER_NOT_IDENTIFIED",
    "POS_DOCUMENT",
    "DOCUMENT_TYPE_UNKNOWN",
    "NOTE_DOCUMENT",
    "CURRENCY_NOT_COP",
    "EXCHANGE_RATE_MISSING",
    "DOCUMENT_TEST_ENVIRONMENT",
    "NO_LINES",
    "LINE_AMOUNT_MISMATCH",
    "TAX_MISMATCH",
    "TAX_RATE_UNKNOWN",
    "TOTALS_MISMATCH",
    "AMOUNT_NEGATIVE",
    "AMOUNT_OUT_OF_RANGE",
    "ISSUE_DATE_IN_FUTURE",
    "INVOICE_TOO_OLD",
    "DUE_DATE_BEFORE_ISSUE",
    "ISSUE_TIME_FORMAT",
    "CUFE_MISSING",
    "CUFE_MALFORMED",
    "CUFE_MISMATCH",
    "CUFE_UNVERIFIABLE",
    "PRODUCT_CODE_INVALID",
    "PRODUCT_CODE_SCHEME_UNKNOWN",
    "PRODUCT_CODE_MISSING",
    "PRODUCT_NOT_IN_CATALOG",
    "CATALOG_LOOKUP_FAILED",
    "PRODUCT_INACTIVE",
    "PRODUCT_CLASSIFICATION_MISMATCH",
    "PRODUCT_UNCLASSIFIED",
    "CHAPTER_NOT_ELIGIBLE",
    "NO_ELIGIBLE_PRODUCTS",
    "OCR_LOW_CONFIDENCE",
];

/// Checks `invoice` and returns what was found, most severe first (document order within a
/// severity). An empty list means nothing to report.
pub fn validate(invoice: &Invoice, context: &Context<'_>) -> Vec<Finding> {
    let mut out = Findings::default();
    identity::check(invoice, context, &mut out);
    dates::check(invoice, context, &mut out);
    amounts::check(invoice, &mut out);
    document_code::check(invoice, context, &mut out);
    products::check(invoice, context, &mut out);
    ocr::check(invoice, &mut out);
    let mut findings = out.0;
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings
}

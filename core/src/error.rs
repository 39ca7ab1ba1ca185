//! The error shared by every module, and the stable codes the bindings expose.
//!
//! Each module has its own `thiserror` enum ([`NitError`],
//! [`ProductCodeError`], ...). [`Error`] wraps them all so a
//! caller that does not care which module failed can hold one type, and so the Python and Node
//! bindings map every failure the same way: by [`Error::code`] (a stable SCREAMING_SNAKE string,
//! never reworded) and by [`Error::kind`] (which exception class it becomes).

pub use crate::error_kind::ErrorKind;

use crate::catalog::CatalogError;
use crate::certificate::CertificateError;
use crate::commission::CommissionError;
use crate::dian::{CufeError, IdError, NitError, ProductCodeError};
use crate::invoice::InvoiceError;
use crate::pipeline::PipelineError;
use crate::rules::RuleError;

/// Every error code of bmc-core, as [`Error::code`] gives them: the one list the Python and
/// Node packages and `docs/errors.md` are tested against (a test reads each module's
/// `code()` to keep this list whole).
pub const ERROR_CODES: &[&str] = &[
    "NIT_INVALID_LENGTH",
    "NIT_INVALID_FORMAT",
    "NIT_INVALID_CHECKSUM",
    "ID_TYPE_UNKNOWN",
    "PRODUCT_CODE_UNKNOWN_SCHEME",
    "PRODUCT_CODE_INVALID_LENGTH",
    "PRODUCT_CODE_INVALID_FORMAT",
    "PRODUCT_CODE_INVALID_CHECKSUM",
    "TARIFF_CHAPTER_UNKNOWN",
    "TARIFF_SUBHEADING_UNKNOWN",
    "UNSPSC_SEGMENT_UNKNOWN",
    "UNSPSC_INVALID_HIERARCHY",
    "CUFE_INVALID_AMOUNT",
    "CUFE_INVALID_FIELD",
    "CUFE_INVALID_FORMAT",
    "CUFE_MISMATCH",
    "CUFE_KEYS_INVALID",
    "RULES_IO",
    "RULES_INVALID_FILE",
    "RULES_INVALID_TABLE",
    "RULES_SCRIPT_SYNTAX",
    "RULES_SCRIPT_LIMIT",
    "RULES_SCRIPT_FAILED",
    "RULES_SCRIPT_RESULT",
    "RULES_EMPTY",
    "RULESET_NOT_IN_FORCE",
    "RULESET_UNKNOWN_VERSION",
    "COMMISSION_INVALID_LINE",
    "COMMISSION_OUT_OF_RANGE",
    "COMMISSION_CURRENCY_UNCONVERTIBLE",
    "CATALOG_IO",
    "CATALOG_SOURCE_INVALID",
    "CATALOG_BUILD_REJECTED",
    "CATALOG_FORMAT",
    "CATALOG_TRUNCATED",
    "CATALOG_CORRUPT",
    "CATALOG_SEARCH",
    "CATALOG_QUERY_INVALID",
    "INVOICE_TOO_LARGE",
    "INVOICE_XML_REFUSED",
    "INVOICE_NOT_UTF8",
    "INVOICE_XML_MALFORMED",
    "INVOICE_UNKNOWN_DOCUMENT",
    "INVOICE_MISSING_FIELD",
    "INVOICE_INVALID_FIELD",
    "INVOICE_UNRECOGNIZED_FORMAT",
    "INVOICE_INVALID_JSON",
    "INVOICE_CORRECTION_INVALID",
    "OCR_INPUT_INVALID",
    "OCR_FORMAT_UNKNOWN",
    "OCR_NO_INVOICE",
    "CERTIFICATE_PDF",
    "PIPELINE_INTERNAL_ERROR",
];

/// Any error of bmc-core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A NIT failed to parse or validate.
    #[error(transparent)]
    Nit(#[from] NitError),
    /// An identity document type or number is not valid.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A product code failed to parse under its scheme.
    #[error(transparent)]
    ProductCode(#[from] ProductCodeError),
    /// A CUFE or CUDE could not be computed or did not verify.
    #[error(transparent)]
    Cufe(#[from] CufeError),
    /// Rule sets could not be loaded or run.
    #[error(transparent)]
    Rules(#[from] RuleError),
    /// A commission could not be computed.
    #[error(transparent)]
    Commission(#[from] CommissionError),
    /// A catalog could not be built, opened or queried.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// An invoice could not be read.
    #[error(transparent)]
    Invoice(#[from] InvoiceError),
    /// A certificate could not be produced.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    /// The pipeline failed on a document (a caught panic).
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
}

impl Error {
    /// The stable code of this error, such as `NIT_INVALID_CHECKSUM`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Nit(e) => e.code(),
            Error::Id(e) => e.code(),
            Error::ProductCode(e) => e.code(),
            Error::Cufe(e) => e.code(),
            Error::Rules(e) => e.code(),
            Error::Commission(e) => e.code(),
            Error::Catalog(e) => e.code(),
            Error::Invoice(e) => e.code(),
            Error::Certificate(e) => e.code(),
            Error::Pipeline(e) => e.code(),
        }
    }

    /// The broad kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Nit(e) => e.kind(),
            Error::Id(e) => e.kind(),
            Error::ProductCode(e) => e.kind(),
            Error::Cufe(e) => e.kind(),
            Error::Rules(e) => e.kind(),
            Error::Commission(e) => e.kind(),
            Error::Catalog(e) => e.kind(),
            Error::Invoice(e) => e.kind(),
            Error::Certificate(e) => e.kind(),
            Error::Pipeline(e) => e.kind(),
        }
    }
}

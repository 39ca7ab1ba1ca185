//! What can go wrong reading an invoice.

use crate::error_kind::ErrorKind;

/// An invoice could not be read: the document is refused, malformed, or lacks a field.
///
/// Every variant says where: a line (and column) of the XML, a field path such as
/// `lines[3].base`, or a row of OCR output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvoiceError {
    /// The input is larger than its reader takes.
    #[error("the {format} input has {bytes} bytes; at most {limit} are read")]
    TooLarge {
        /// What was being read (`xml`, `textract`, `tesseract-tsv`, `hocr`, `json`).
        format: &'static str,
        /// Its size.
        bytes: usize,
        /// The most that reader takes.
        limit: usize,
    },
    /// The XML uses a construct refused for safety: a DTD or entity declaration, an entity
    /// other than the five predefined ones, nesting, attributes or size beyond the limits.
    #[error("XML refused at line {line}, column {column}: {reason}")]
    Refused {
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What was refused.
        reason: String,
    },
    /// The bytes are not UTF-8 (DIAN documents are UTF-8).
    #[error("not UTF-8 at line {line}, column {column} (byte {offset})")]
    NotUtf8 {
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// 0-based byte offset of the first bad byte.
        offset: usize,
    },
    /// The XML is not well formed.
    #[error("malformed XML at line {line}, column {column}: {message}")]
    Malformed {
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// The root element is not a document this library reads.
    #[error(
        "{root} is not an Invoice, CreditNote, DebitNote or AttachedDocument of UBL 2.1 (namespace {namespace:?})"
    )]
    UnknownDocument {
        /// The root element's local name.
        root: String,
        /// The root element's namespace.
        namespace: String,
    },
    /// A required field is missing.
    #[error("{path} is missing (line {line})")]
    MissingField {
        /// The field, as a path of UBL elements (`cac:LegalMonetaryTotal/cbc:PayableAmount`).
        path: String,
        /// The line of the element that should contain it.
        line: usize,
    },
    /// A field's value cannot be read.
    #[error("{path} at line {line} is {value:?}: {reason}")]
    InvalidField {
        /// The field path.
        path: String,
        /// 1-based line of the element.
        line: usize,
        /// The value as written (shortened).
        value: String,
        /// Why it cannot be read.
        reason: String,
    },
    /// The input is none of the formats this library reads.
    #[error("unrecognised input: {reason}")]
    UnrecognizedFormat {
        /// What the input looked like.
        reason: String,
    },
    /// OCR output (Tesseract TSV or hOCR, Textract JSON) is malformed.
    #[error("{format} input at {location}: {message}")]
    OcrInput {
        /// `tesseract-tsv`, `hocr`, `textract`, ...
        format: &'static str,
        /// Where: `line 12`, `Blocks[3].Geometry`, ...
        location: String,
        /// What is wrong.
        message: String,
    },
    /// An invoice given as JSON (by a binding, or a file) does not match the model.
    #[error("invoice JSON at line {line}, column {column}: {message}")]
    InvalidJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// An OCR format name that is not one of `tesseract-tsv`, `pdftotext-tsv`, `hocr`,
    /// `textract`.
    #[error("unknown OCR format {name:?}; expected tesseract-tsv, pdftotext-tsv, hocr or textract")]
    UnknownOcrFormat {
        /// The name given.
        name: String,
    },
    /// A correction of a field read from a page cannot be applied: the field is not one
    /// that can be corrected, or the value is not of its type.
    #[error("correction of {path} to {value:?}: {reason}")]
    InvalidCorrection {
        /// The field's path (`lines[2].base`).
        path: String,
        /// The value given (shortened).
        value: String,
        /// Why it cannot be applied.
        reason: String,
    },
    /// The text of a page does not contain an invoice that can be told apart.
    #[error("no invoice found in the text: {missing} not found")]
    NoInvoiceInText {
        /// The fields that could not be found, comma-separated.
        missing: String,
    },
}

impl InvoiceError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            InvoiceError::TooLarge { .. } => "INVOICE_TOO_LARGE",
            InvoiceError::Refused { .. } => "INVOICE_XML_REFUSED",
            InvoiceError::NotUtf8 { .. } => "INVOICE_NOT_UTF8",
            InvoiceError::Malformed { .. } => "INVOICE_XML_MALFORMED",
            InvoiceError::UnknownDocument { .. } => "INVOICE_UNKNOWN_DOCUMENT",
            InvoiceError::MissingField { .. } => "INVOICE_MISSING_FIELD",
            InvoiceError::InvalidField { .. } => "INVOICE_INVALID_FIELD",
            InvoiceError::UnrecognizedFormat { .. } => "INVOICE_UNRECOGNIZED_FORMAT",
            InvoiceError::OcrInput { .. } => "OCR_INPUT_INVALID",
            InvoiceError::NoInvoiceInText { .. } => "OCR_NO_INVOICE",
            InvoiceError::InvalidJson { .. } => "INVOICE_INVALID_JSON",
            InvoiceError::UnknownOcrFormat { .. } => "OCR_FORMAT_UNKNOWN",
            InvoiceError::InvalidCorrection { .. } => "INVOICE_CORRECTION_INVALID",
        }
    }

    /// The broad kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            InvoiceError::TooLarge { .. } => ErrorKind::InvalidLength,
            InvoiceError::MissingField { .. } | InvoiceError::NoInvoiceInText { .. } => {
                ErrorKind::InvalidInput
            }
            InvoiceError::InvalidField { .. }
            | InvoiceError::InvalidJson { .. }
            | InvoiceError::InvalidCorrection { .. } => ErrorKind::InvalidInput,
            InvoiceError::UnknownOcrFormat { .. } => ErrorKind::InvalidComponent,
            _ => ErrorKind::InvalidFormat,
        }
    }
}

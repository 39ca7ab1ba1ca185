//! Invoices: the model, the exact UBL reader, the sample generator, and the reader of OCR
//! output (Tesseract, Textract, a PDF's text layer).
//!
//! ```
//! use bmc_core::invoice;
//!
//! let xml = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/invoices/FEV-0001.xml"))?;
//! let invoice = invoice::read_xml(&xml)?;
//! assert_eq!(invoice.seller.id_type, "31");
//! assert!(invoice.source.kind.is_exact());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod column;
mod correction;
mod detect;
mod error;
#[cfg(feature = "samples")]
pub mod generate;
#[cfg(feature = "samples")]
pub mod layouts;
mod model;
pub mod ocr;
#[cfg(feature = "samples")]
pub mod page;
pub mod qr;
pub mod ubl;
mod xml;
pub use xml::Limits;

pub use column::Column;
pub use correction::{Corrected, Correction, MAX_CORRECTIONS, OPERATOR};
pub use detect::{Format, detect, read_document};
pub use error::InvoiceError;
/// The largest document [`read_document`] and the XML reader take, and the largest invoice
/// JSON: 64 MiB.
pub const MAX_DOCUMENT_BYTES: usize = 64 << 20;

/// The largest OCR output the OCR readers take (Tesseract TSV or hOCR, Textract JSON): 16 MiB,
/// dozens of pages; a Textract response is parsed whole, at about ten times its size.
pub const MAX_OCR_BYTES: usize = 16 << 20;

/// Refuses `bytes` of `format` over `limit`, before anything is parsed.
pub(crate) fn check_size(
    format: &'static str,
    bytes: usize,
    limit: usize,
) -> Result<(), InvoiceError> {
    if bytes > limit {
        return Err(InvoiceError::TooLarge {
            format,
            bytes,
            limit,
        });
    }
    Ok(())
}

pub use model::{
    DocumentKind, ExchangeRate, FieldConfidence, Invoice, InvoiceLine, ItemCode, MonetaryTotals,
    NOT_FOUND, Party, Source, SourceKind, TaxSubtotal, TaxTotal, subtotals_by_rate, type_code,
};
pub use ubl::read_xml;

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

mod detect;
mod error;
pub mod generate;
mod model;
pub mod ocr;
pub mod page;
pub mod qr;
pub mod ubl;
mod xml;
pub use xml::Limits;

pub use detect::{Format, detect, read_document};
pub use error::InvoiceError;
pub use model::{
    DocumentKind, FieldConfidence, Invoice, InvoiceLine, ItemCode, MonetaryTotals, Party, Source,
    SourceKind, TaxSubtotal, TaxTotal, subtotals_by_rate, type_code,
};
pub use ubl::read_xml;

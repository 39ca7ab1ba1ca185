//! Scanned invoice pages: straightening them and running Tesseract, DIAN's QR code through
//! zbar, and the PDF text layer and page images through poppler. This is host work (outside
//! programs, image files): bmc-core itself reads only what these produce. Both the `bmc`
//! command and the reference host use it.

pub mod deskew;
mod error;
pub mod graphics;
pub mod page_image;
pub mod strokes;
pub mod tools;

pub use error::ScanError;
pub use tools::{
    ScanRead, join_pages, pdf_text_tsv, read_bytes, read_image, read_scan, render_pages,
};

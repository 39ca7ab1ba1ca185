//! Scanned pages: straightening them and running Tesseract, and the PDF text layer through
//! poppler's `pdftotext`. This is host work (external programs, image files); bmc-core
//! reads what these produce.

pub mod deskew;
pub mod graphics;
pub mod perturb;
pub mod strokes;
pub mod tools;

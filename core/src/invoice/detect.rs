//! Telling what a document is by its content, and reading whatever it is.

use super::ocr::{self, OcrOptions};
use super::{Invoice, InvoiceError, read_xml};

/// What kind of input a byte string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// UBL XML (an invoice, a note, or an `AttachedDocument`).
    Ubl,
    /// Tesseract TSV, or `pdftotext -tsv` output.
    Tsv,
    /// Tesseract hOCR.
    Hocr,
    /// An Amazon Textract JSON response.
    Textract,
    /// A PDF: its text layer must be extracted (`pdftotext -tsv`) or the page OCR'd first.
    Pdf,
    /// A PNG image: it must be OCR'd first.
    Png,
    /// A JPEG image: it must be OCR'd first.
    Jpeg,
    /// A TIFF image: it must be OCR'd first.
    Tiff,
    /// None of these.
    Unknown,
}

/// Recognises the format from the first bytes.
pub fn detect(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(4096)];
    let trimmed = {
        let start = head
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
            .unwrap_or(head.len());
        &head[start..]
    };
    if trimmed.starts_with(b"%PDF-") {
        Format::Pdf
    } else if trimmed.starts_with(b"\x89PNG\r\n\x1a\n") {
        Format::Png
    } else if trimmed.starts_with(b"\xFF\xD8\xFF") {
        Format::Jpeg
    } else if trimmed.starts_with(b"II*\0") || trimmed.starts_with(b"MM\0*") {
        Format::Tiff
    } else if trimmed.starts_with(b"level\t") {
        Format::Tsv
    } else if trimmed.starts_with(b"{") {
        Format::Textract
    } else if trimmed.starts_with(b"<") {
        let text = String::from_utf8_lossy(trimmed);
        if text.contains("ocr_page") || text.contains("<html") {
            Format::Hocr
        } else {
            Format::Ubl
        }
    } else {
        Format::Unknown
    }
}

/// Reads an invoice from UBL XML, Tesseract TSV or hOCR, or a Textract response, recognised
/// by content. PDFs and images are refused with a message saying what to do first: this
/// library does no OCR and no PDF rendering itself.
pub fn read_document(bytes: &[u8], options: &OcrOptions<'_>) -> Result<Invoice, InvoiceError> {
    super::check_size("document", bytes.len(), super::MAX_DOCUMENT_BYTES)?;
    let text = || {
        std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = super::xml::line_column(bytes, e.valid_up_to());
            InvoiceError::NotUtf8 {
                line,
                column,
                offset: e.valid_up_to(),
            }
        })
    };
    match detect(bytes) {
        Format::Ubl => read_xml(bytes),
        Format::Tsv => ocr::from_tesseract_tsv(text()?, options),
        Format::Hocr => ocr::from_hocr(text()?, options),
        Format::Textract => ocr::from_textract(text()?, options),
        Format::Pdf => Err(InvoiceError::UnrecognizedFormat {
            reason: "a PDF: extract its text layer with `pdftotext -tsv` (or OCR its pages) and read that".into(),
        }),
        Format::Png | Format::Jpeg | Format::Tiff => Err(InvoiceError::UnrecognizedFormat {
            reason: "an image: OCR it (Tesseract TSV or hOCR, Textract) and read the OCR output".into(),
        }),
        Format::Unknown => Err(InvoiceError::UnrecognizedFormat {
            reason: "not UBL XML, Tesseract TSV or hOCR, Textract JSON, PDF or an image".into(),
        }),
    }
}

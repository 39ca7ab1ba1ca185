//! How a scanned document becomes text.

use async_trait::async_trait;

use super::CapabilityError;

/// The text read from a scanned document.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScannedText {
    /// The words with their boxes and confidences, as Tesseract TSV (or Textract JSON).
    pub text: String,
    /// The text of DIAN's QR code found on a page, when one was.
    pub qr: Option<String>,
    /// What read it: `pdf-text-layer`, `tesseract`, `textract`.
    pub engine: String,
}

/// An OCR engine.
#[async_trait]
pub trait TextSource: Send + Sync + std::fmt::Debug {
    /// The text of a PDF or a PNG, JPEG or TIFF image.
    async fn read(&self, document: &[u8]) -> Result<ScannedText, CapabilityError>;
}

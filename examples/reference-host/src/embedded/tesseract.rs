//! Text from scans with Tesseract, poppler and zbar on this machine (`bmc-scan`).

use async_trait::async_trait;
use bmc_core::invoice::ocr::OcrOptions;

use crate::capability::{CapabilityError, ScannedText, TextSource};

/// Tesseract, run on the blocking pool.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tesseract;

#[async_trait]
impl TextSource for Tesseract {
    async fn read(&self, document: &[u8]) -> Result<ScannedText, CapabilityError> {
        let document = document.to_vec();
        tokio::task::spawn_blocking(move || {
            let read = bmc_scan::read_bytes(&document, &OcrOptions::default()).map_err(|e| {
                let message = format!("{}: {e}", e.code());
                match e {
                    bmc_scan::ScanError::Read { .. } => CapabilityError::permanent("text", message),
                    _ => CapabilityError::transient("text", message),
                }
            })?;
            Ok(ScannedText {
                text: read.tsv,
                qr: read.qr,
                engine: "tesseract".to_string(),
            })
        })
        .await
        .map_err(|e| CapabilityError::transient("text", e))?
    }
}

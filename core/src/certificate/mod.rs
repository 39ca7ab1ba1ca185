//! The registration certificate: a one-page PDF "Comprobante de registro de factura" in
//! Spanish, with the parties, the invoice, a summary of its lines, the commission breakdown,
//! the rule set version, the registration id, the verification code and a QR code carrying
//! both. Deterministic: the same registration gives a byte-identical PDF.
//!
//! The text is set in DejaVu Sans (embedded as a subset; its licence is in
//! `data/fonts/LICENSE`), so accents and the peso amounts are text that `pdftotext` and
//! screen readers get back exactly.
//!
//! ```no_run
//! # fn demo(registration: &bmc_core::pipeline::Registration) -> Result<(), bmc_core::certificate::CertificateError> {
//! let pdf = bmc_core::certificate::render(registration)?;
//! std::fs::write("comprobante.pdf", pdf).ok();
//! # Ok(()) }
//! ```

mod canvas;
mod font;
mod layout;
mod qr;

pub use layout::render;

use crate::error_kind::ErrorKind;

/// The text the certificate's QR code carries: the registration id and its verification code.
pub fn qr_payload(registration: &crate::pipeline::Registration) -> String {
    format!(
        "BMC-RF|{}|{}",
        registration.registration_id, registration.verification_code
    )
}

/// A certificate could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The PDF writer failed.
    #[error("the certificate PDF could not be written: {message}")]
    Pdf {
        /// The writer's message.
        message: String,
    },
}

impl CertificateError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            CertificateError::Pdf { .. } => "CERTIFICATE_PDF",
        }
    }

    /// The broad kind.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}

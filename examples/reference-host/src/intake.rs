//! A document taken in, by the API or the SFTP exchange: its format checked, a document that
//! needs no OCR read to refuse one that is not an invoice, then stored, recorded with its
//! `invoice.uploaded` event and queued. The same bytes again answer the invoice already there.

use std::sync::Arc;

use axum::http::StatusCode;
use bmc_core::invoice::{self, Format};
use serde_json::json;

use crate::capability::{Actor, InvoiceRecord, NewInvoice, ObjectKind, OutboxEvent};
use crate::host::Host;
use crate::problem::Problem;

/// True for a document that is read by OCR first.
pub fn needs_ocr(format: Format) -> bool {
    matches!(
        format,
        Format::Pdf | Format::Png | Format::Jpeg | Format::Tiff
    )
}

/// The format's name (`ubl`, `pdf`, ...).
pub fn format_name(format: Format) -> String {
    serde_json::to_value(format)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{format:?}").to_ascii_lowercase())
}

/// Checks a document's format, and reads a document that needs no OCR to refuse one that
/// is not an invoice before anything is written: its seller's NIT groups its processing.
pub async fn accept(bytes: Vec<u8>) -> Result<(Vec<u8>, Format, Option<String>), Problem> {
    let format = invoice::detect(&bytes);
    if format == Format::Unknown {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "HOST_UNSUPPORTED_MEDIA_TYPE",
            "the document is not UBL XML, an AttachedDocument, a PDF, a PNG/JPEG/TIFF image, Tesseract TSV or hOCR, or Textract JSON",
        ));
    }
    if needs_ocr(format) {
        return Ok((bytes, format, None));
    }
    crate::api::library(move || {
        invoice::read_document(&bytes, &invoice::ocr::OcrOptions::default())
            .map(|invoice| (bytes, format, Some(invoice.seller.id)))
    })
    .await
}

/// Takes `bytes` in for `actor`, mailing its certificate to `email` when given: the invoice
/// and true when it is new, or the invoice already made of the same bytes and false.
pub async fn submit(
    host: &Arc<Host>,
    bytes: Vec<u8>,
    email: Option<String>,
    actor: Actor,
) -> Result<(InvoiceRecord, bool), Problem> {
    let (bytes, format, seller_nit) = accept(bytes).await?;
    let sha256 = crate::ids::sha256_hex(&bytes);
    let id = crate::ids::invoice_id(&sha256);
    if let Some(existing) = host.caps.state.invoice(&id).await? {
        return Ok((existing, false));
    }
    let document_key = host.caps.storage.put(ObjectKind::Document, &bytes).await?;
    let ocr = needs_ocr(format);
    let event = OutboxEvent {
        id: crate::ids::random_id("evt"),
        name: "invoice.uploaded".into(),
        source: "bmc.invoice.service".into(),
        detail_type: "Invoice Uploaded".into(),
        detail: json!({
            "invoice_id": id,
            "document_sha256": sha256,
            "document_bytes": bytes.len(),
            "format": format_name(format),
            "needs_ocr": ocr,
            "seller_nit": seller_nit,
            "job_id": ocr.then(|| crate::work::job_id_for(&id)),
        }),
        time: crate::ids::now_rfc3339(),
    };
    let new = NewInvoice {
        id,
        sha256,
        format: format_name(format),
        document_key,
        needs_ocr: ocr,
        seller_nit,
        notify_email: email,
        uploaded_by: actor,
    };
    let (record, created) = host.caps.state.create_invoice(new, event).await?;
    if created {
        host.outbox.notify_one();
        tracing::info!(invoice_id = %record.invoice_id, format = %record.document_type, "invoice uploaded");
    }
    Ok((record, created))
}

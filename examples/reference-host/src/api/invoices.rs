//! `/invoices`: upload, status, details, list.

use std::sync::Arc;

use axum::extract::{Extension, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use bmc_core::invoice::{self, Format};
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::capability::{Actor, InvoiceFilter, NewInvoice, ObjectKind, OutboxEvent, Status};
use crate::host::Host;
use crate::problem::Problem;

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    email: Option<String>,
}

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
    super::library(move || {
        invoice::read_document(&bytes, &invoice::ocr::OcrOptions::default())
            .map(|invoice| (bytes, format, Some(invoice.seller.id)))
    })
    .await
}

/// `POST /invoices/upload`.
pub async fn upload(
    State(host): State<Arc<Host>>,
    Query(query): Query<UploadQuery>,
    Extension(actor): Extension<Actor>,
    request: Request,
) -> Result<Response, Problem> {
    let upload = super::body::document(request, host.config.max_upload_bytes).await?;
    let email = upload
        .email
        .or(query.email)
        .filter(|e| !e.is_empty())
        .map(|e| super::body::email(&e))
        .transpose()?;
    let (bytes, format, seller_nit) = accept(upload.bytes).await?;
    let sha256 = crate::ids::sha256_hex(&bytes);
    let id = crate::ids::invoice_id(&sha256);
    if let Some(existing) = host.caps.state.invoice(&id).await? {
        return Ok(answer(&existing, false));
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
    Ok(answer(&record, created))
}

fn answer(record: &crate::capability::InvoiceRecord, created: bool) -> Response {
    let id = &record.invoice_id;
    json(
        if created {
            StatusCode::ACCEPTED
        } else {
            StatusCode::OK
        },
        json!({
            "invoice_id": id,
            "status": record.processing_status,
            "document_sha256": record.document_sha256,
            "duplicate": !created,
            "links": {
                "status": format!("/invoices/{id}/status"),
                "details": format!("/invoices/{id}/details"),
            },
        }),
    )
}

async fn find(host: &Host, id: &str) -> Result<crate::capability::InvoiceRecord, Problem> {
    host.caps
        .state
        .invoice(id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("invoice {id:?}")))
}

/// `GET /invoices/{id}/status`.
pub async fn status(
    State(host): State<Arc<Host>>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let record = find(&host, &id).await?;
    Ok(json(
        StatusCode::OK,
        json!({
            "invoice_id": record.invoice_id,
            "status": record.processing_status,
            "error": record.error,
            "invoice_number": record.invoice_number,
            "registration_id": record.registration_id,
            "certificate_id": record.certificate_id,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
        }),
    ))
}

/// `GET /invoices/{id}/details`.
pub async fn details(
    State(host): State<Arc<Host>>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let record = find(&host, &id).await?;
    let registration = host.caps.state.registration(&id).await?;
    Ok(json(
        StatusCode::OK,
        json!({"invoice": record, "registration": registration}),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    seller_nit: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<usize>,
    after: Option<String>,
}

/// `GET /invoices`.
pub async fn list(
    State(host): State<Arc<Host>>,
    Query(query): Query<ListQuery>,
) -> Result<Response, Problem> {
    let status = query
        .status
        .as_deref()
        .map(|s| Status::parse(&s.to_ascii_uppercase()).ok_or_else(|| Problem::parameter(format!("status {s:?} is not one of PENDING, OCR, NEEDS_REVIEW, REJECTED, REGISTERED, FAILED"))))
        .transpose()?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Problem::parameter(format!(
            "limit {limit} is not between 1 and 500"
        )));
    }
    for (name, value) in [("from", &query.from), ("to", &query.to)] {
        if let Some(value) = value
            && chrono::DateTime::parse_from_rfc3339(value).is_err()
            && value.parse::<chrono::NaiveDate>().is_err()
        {
            return Err(Problem::parameter(format!(
                "{name} {value:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"
            )));
        }
    }
    let filter = InvoiceFilter {
        status,
        seller_nit: query.seller_nit,
        from: query.from,
        to: query.to,
        after: query.after,
        limit: limit + 1,
    };
    let mut items = host.caps.state.list_invoices(&filter).await?;
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|i| i.invoice_id.clone())
    } else {
        None
    };
    Ok(json(StatusCode::OK, json!({"items": items, "next": next})))
}

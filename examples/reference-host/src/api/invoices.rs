//! `/invoices`: upload, status, details, list.

use std::sync::Arc;

use axum::extract::{Extension, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::capability::{Actor, InvoiceFilter, Status};
use crate::host::Host;
use crate::problem::Problem;

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    email: Option<String>,
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
    let (record, created) = crate::intake::submit(&host, upload.bytes, email, actor).await?;
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

/// `GET /invoices/{id}/details`: the record, its registration, and for an invoice read from
/// a page the fields the reader doubted (`doubtful`: path, value as text, confidence, checks,
/// and whether it can be corrected), for a reviewer.
pub async fn details(
    State(host): State<Arc<Host>>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let record = find(&host, &id).await?;
    let registration = host.caps.state.registration(&id).await?;
    let doubtful = registration.as_ref().map_or_else(Vec::new, doubtful_fields);
    Ok(json(
        StatusCode::OK,
        json!({"invoice": record, "registration": registration, "doubtful": doubtful}),
    ))
}

/// The fields of a registration's invoice that the reader doubted, each with its value as
/// text (as a correction gives it); none for an invoice read from XML.
fn doubtful_fields(registration: &serde_json::Value) -> Vec<serde_json::Value> {
    let Ok(invoice) =
        serde_json::from_value::<bmc_core::invoice::Invoice>(registration["invoice"].clone())
    else {
        return Vec::new();
    };
    invoice
        .source
        .doubtful_fields()
        .into_iter()
        .map(|path| {
            let confidence = &invoice.source.confidence[path];
            let value = invoice.field_text(path);
            json!({
                "path": path,
                "value": value,
                "correctable": value.is_some(),
                "confidence": confidence.confidence,
                "checks": confidence.checks,
            })
        })
        .collect()
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

//! `POST /invoices/{id}/review`: a person settles an invoice in NEEDS_REVIEW.
//!
//! - `approve`: registered despite what sent it to review (a warning, a doubtful product
//!   match, DIAN down); the registration runs again and keeps the approval (`review`: who,
//!   role, reason, when). An invoice the library finds not registrable stays REJECTED.
//! - `recheck`: the registration runs again, DIAN's check included (once DIAN is back).
//! - `reject`: REJECTED with the reason.
//!
//! Each decision is audited with who made it; approve and recheck go through the outbox and
//! the invoice-processing queue like an upload.

use std::sync::Arc;

use axum::extract::{Extension, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::capability::{Actor, OutboxEvent, Status};
use crate::host::Host;
use crate::problem::Problem;

/// What the reviewer decided.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Register it.
    Approve,
    /// Register it again, checking again.
    Recheck,
    /// Do not register it.
    Reject,
}

/// The request's body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    decision: Decision,
    /// Why (required to approve or reject).
    #[serde(default)]
    reason: Option<String>,
}

/// The longest reason kept.
const MAX_REASON: usize = 1000;

/// `POST /invoices/{id}/review`.
pub async fn review(
    State(host): State<Arc<Host>>,
    Path(id): Path<String>,
    Extension(actor): Extension<Actor>,
    request: Request,
) -> Result<Response, Problem> {
    let body: ReviewRequest = super::body::json(request).await?;
    let reason = body
        .reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON)
    {
        return Err(Problem::parameter(format!(
            "reason: at most {MAX_REASON} characters"
        )));
    }
    let invoice = host
        .caps
        .state
        .invoice(&id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("invoice {id:?}")))?;
    if invoice.processing_status != Status::NeedsReview {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "HOST_CONFLICT",
            format!(
                "invoice {id} is {}: only an invoice in NEEDS_REVIEW is reviewed",
                invoice.processing_status.name()
            ),
        ));
    }
    let needs_reason =
        |what: &str| Problem::parameter(format!("reason: say why the invoice is {what}"));
    let (status, error, events) = match body.decision {
        Decision::Reject => {
            let reason = reason.ok_or_else(|| needs_reason("rejected"))?;
            (
                Status::Rejected,
                Some(format!("REVIEW_REJECTED: {reason}")),
                Vec::new(),
            )
        }
        Decision::Approve | Decision::Recheck => {
            let approval = match body.decision {
                Decision::Approve => {
                    let reason = reason.clone().ok_or_else(|| needs_reason("approved"))?;
                    Some(json!({
                        "approved_by": actor.who,
                        "role": actor.role,
                        "reason": reason,
                        "at": crate::ids::now_rfc3339(),
                    }))
                }
                _ => None,
            };
            // A scan is registered again from the text its OCR job stored.
            let job = if invoice.needs_ocr {
                host.caps.state.job(&crate::work::job_id_for(&id)).await?
            } else {
                None
            };
            let event = OutboxEvent {
                id: crate::ids::random_id("evt"),
                name: "invoice.review.requeued".into(),
                source: "bmc.invoice.service".into(),
                detail_type: "Invoice Review Requeued".into(),
                detail: json!({
                    "invoice_id": id,
                    "document_sha256": invoice.document_sha256,
                    "seller_nit": invoice.seller_nit,
                    "text_key": job.as_ref().and_then(|j| j.text_key.clone()),
                    "qr": job.as_ref().and_then(|j| j.result.as_ref()).and_then(|r| r["qr"].as_str().map(str::to_string)),
                    "approval": approval,
                    "reason": reason,
                }),
                time: crate::ids::now_rfc3339(),
            };
            (Status::Pending, None, vec![event])
        }
    };
    host.caps
        .state
        .set_status(&id, status, error, events, &actor)
        .await?;
    host.outbox.notify_one();
    tracing::info!(invoice_id = %id, decision = ?body.decision, by = %actor.who, "review decided");
    Ok(json(
        StatusCode::ACCEPTED,
        json!({
            "invoice_id": id,
            "status": status,
            "links": {"status": format!("/invoices/{id}/status")},
        }),
    ))
}

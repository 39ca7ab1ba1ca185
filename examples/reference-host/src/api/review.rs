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
use crate::capability::{Actor, InvoiceRecord, OutboxEvent, Status};
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
    let reason = reason_of(body.reason)?;
    let invoice = in_review(&host, &id).await?;
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
                    refuse_unregistrable(&host, &id).await?;
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
            let requeue = Requeue {
                approval,
                reason,
                corrections: Vec::new(),
            };
            (
                Status::Pending,
                None,
                vec![requeued(&host, &invoice, requeue).await?],
            )
        }
    };
    host.caps
        .state
        .set_status(&id, status, error, events, Vec::new(), &actor)
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

/// 409 when the invoice's registration found errors: approving does not register an invoice
/// that cannot be registered (its fields are corrected, or it is rejected).
async fn refuse_unregistrable(host: &Host, id: &str) -> Result<(), Problem> {
    let registration = host.caps.state.registration(id).await?;
    if registration.is_some_and(|r| r["registrable"] == false) {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "HOST_CONFLICT",
            format!(
                "invoice {id} has errors that keep it from being registered: correct the fields \
                 (POST /invoices/{id}/corrections) or reject it"
            ),
        ));
    }
    Ok(())
}

/// A reviewer's reason, trimmed; none when empty; 400 when longer than [`MAX_REASON`].
pub(super) fn reason_of(reason: Option<String>) -> Result<Option<String>, Problem> {
    let reason = reason
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
    Ok(reason)
}

/// Invoice `id`, which must be in NEEDS_REVIEW (409 otherwise).
pub(super) async fn in_review(host: &Host, id: &str) -> Result<InvoiceRecord, Problem> {
    let invoice = host
        .caps
        .state
        .invoice(id)
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
    Ok(invoice)
}

/// What a reviewer's decision sends to registration again.
pub(super) struct Requeue {
    /// The approval kept in the registration.
    pub approval: Option<serde_json::Value>,
    /// Why.
    pub reason: Option<String>,
    /// Every field a reviewer corrected so far (`bmc_core::invoice::Correction`s).
    pub corrections: Vec<bmc_core::invoice::Correction>,
}

/// The event that sends an invoice in review to registration again: a scan from the text
/// its OCR job stored, with its QR code.
pub(super) async fn requeued(
    host: &Host,
    invoice: &InvoiceRecord,
    requeue: Requeue,
) -> Result<OutboxEvent, Problem> {
    let id = &invoice.invoice_id;
    let job = if invoice.needs_ocr {
        host.caps.state.job(&crate::work::job_id_for(id)).await?
    } else {
        None
    };
    let qr = job
        .as_ref()
        .and_then(|j| j.result.as_ref())
        .and_then(|r| r["qr"].as_str().map(str::to_string));
    Ok(OutboxEvent {
        id: crate::ids::random_id("evt"),
        name: "invoice.review.requeued".into(),
        source: "bmc.invoice.service".into(),
        detail_type: "Invoice Review Requeued".into(),
        detail: json!({
            "invoice_id": id,
            "document_sha256": invoice.document_sha256,
            "seller_nit": invoice.seller_nit,
            "text_key": job.as_ref().and_then(|j| j.text_key.clone()),
            "qr": qr,
            "approval": requeue.approval,
            "reason": requeue.reason,
            "corrections": (!requeue.corrections.is_empty()).then_some(requeue.corrections),
        }),
        time: crate::ids::now_rfc3339(),
    })
}

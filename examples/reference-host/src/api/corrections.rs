//! `POST /invoices/{id}/corrections`: a reviewer corrects, beside the page, the fields OCR
//! doubted, and the invoice is registered again with them.
//!
//! The corrections are checked against the invoice as it was read before anything changes
//! (422 `INVOICE_CORRECTION_INVALID` naming the field; an invoice read from XML is exact and
//! has none to correct); each one's value before and after is
//! kept in the audit trail (`invoice.corrected`), in the transaction that sends the invoice
//! back to registration. Registration reads the stored text again and applies every
//! correction made so far (`bmc_core::invoice::Invoice::correct`), so a second round keeps
//! the first.

use std::sync::Arc;

use axum::extract::{Extension, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use bmc_core::invoice::{Correction, Invoice};
use serde::Deserialize;
use serde_json::json;

use super::json;
use super::review::{Requeue, in_review, reason_of, requeued};
use crate::capability::{Actor, NewAudit, Status};
use crate::host::Host;
use crate::problem::Problem;

/// The request's body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionsRequest {
    /// The fields as the page shows them: a doubtful field confirmed is given as read.
    corrections: Vec<Correction>,
    /// Why, when there is more to say.
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /invoices/{id}/corrections`.
pub async fn correct(
    State(host): State<Arc<Host>>,
    Path(id): Path<String>,
    Extension(actor): Extension<Actor>,
    request: Request,
) -> Result<Response, Problem> {
    let body: CorrectionsRequest = super::body::json(request).await?;
    let reason = reason_of(body.reason)?;
    if body.corrections.is_empty() {
        return Err(Problem::parameter("corrections: give at least one field"));
    }
    let invoice = in_review(&host, &id).await?;
    let conflict = |why: &str| {
        Problem::new(
            StatusCode::CONFLICT,
            "HOST_CONFLICT",
            format!("invoice {id}: {why}"),
        )
    };
    let registration = host
        .caps
        .state
        .registration(&id)
        .await?
        .ok_or_else(|| conflict("it has no registration to correct"))?;
    let mut read: Invoice =
        serde_json::from_value(registration["invoice"].clone()).map_err(|e| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "HOST_INTERNAL",
                format!("the stored invoice of {id}: {e}"),
            )
        })?;
    let earlier = read.corrections();
    let done = read
        .correct(&body.corrections)
        .map_err(|e| Problem::core(&e.into()))?;
    let mut all = earlier;
    all.retain(|c| done.iter().all(|d| d.path != c.path));
    all.extend(done.iter().map(|d| Correction {
        path: d.path.clone(),
        value: d.after.clone(),
    }));
    let audit = NewAudit::new(
        &actor,
        "invoice.corrected",
        &id,
        json!({"corrections": done, "reason": reason}),
    );
    let requeue = Requeue {
        approval: None,
        reason,
        corrections: all,
    };
    let event = requeued(&host, &invoice, requeue).await?;
    host.caps
        .state
        .set_status(&id, Status::Pending, None, vec![event], vec![audit], &actor)
        .await?;
    host.outbox.notify_one();
    tracing::info!(invoice_id = %id, fields = done.len(), by = %actor.who, "fields corrected");
    Ok(json(
        StatusCode::ACCEPTED,
        json!({
            "invoice_id": id,
            "status": Status::Pending,
            "corrected": done,
            "links": {"status": format!("/invoices/{id}/status")},
        }),
    ))
}

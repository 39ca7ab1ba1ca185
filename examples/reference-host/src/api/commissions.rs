//! `/commissions`: computing commissions and the rules in force.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use bmc_core::commission::{self, CommissionInvoice};
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::host::Host;
use crate::problem::Problem;

/// What `POST /commissions/calculate` takes.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum CalculateRequest {
    /// A registered invoice's commission.
    Registered {
        /// The invoice.
        invoice_id: String,
    },
    /// A commission computed from lines.
    Lines(CommissionInvoice),
}

/// `POST /commissions/calculate`.
pub async fn calculate(
    State(host): State<Arc<Host>>,
    request: Request,
) -> Result<Response, Problem> {
    let body: serde_json::Value = super::body::json(request).await?;
    let parsed: CalculateRequest = serde_json::from_value(body).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "HOST_INVALID_JSON",
            format!(
                "the body is neither {{\"invoice_id\"}} nor {{\"issue_date\", \"lines\"}}: {e}"
            ),
        )
    })?;
    match parsed {
        CalculateRequest::Registered { invoice_id } => stored(&host, &invoice_id).await,
        CalculateRequest::Lines(invoice) => {
            let engine = host.engine()?;
            let commission = super::library(move || {
                let catalog = engine.pipeline.catalog().get();
                let book = engine.pipeline.rules().get();
                let options = commission::Options {
                    as_of: None,
                    trace: true,
                    classifier: Some(&*catalog),
                };
                commission::calculate(&book, &invoice, &options)
            })
            .await?;
            Ok(json(StatusCode::OK, json!(commission)))
        }
    }
}

async fn stored(host: &Host, invoice_id: &str) -> Result<Response, Problem> {
    let registration = host
        .caps
        .state
        .registration(invoice_id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("a registration of invoice {invoice_id:?}")))?;
    match registration.get("commission") {
        Some(commission) => Ok(json(
            StatusCode::OK,
            json!({
                "invoice_id": invoice_id,
                "registration_id": registration.get("registration_id"),
                "commission": commission,
            }),
        )),
        None => Err(Problem::not_found(format!(
            "a commission of invoice {invoice_id:?} (it did not pass validation)"
        ))),
    }
}

/// `GET /commissions/{invoice_id}`.
pub async fn by_invoice(
    State(host): State<Arc<Host>>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    stored(&host, &id).await
}

/// `GET /commissions/rules/current`.
pub async fn rules_current(State(host): State<Arc<Host>>) -> Result<Response, Problem> {
    let engine = host.engine()?;
    let book = engine.pipeline.rules().get();
    let today = engine.registration_date();
    let set = book.in_force(today).map_err(|e| Problem::core(&e.into()))?;
    Ok(json(
        StatusCode::OK,
        json!({
            "as_of": today,
            "id": set.id(),
            "label": set.label(),
            "valid_from": set.valid_from(),
            "description": set.description(),
            "hash": set.hash(),
            "branches": set.branches(),
            "table": set.table_rows(),
            "versions": book.versions().iter().map(|v| json!({"label": v.label(), "valid_from": v.valid_from()})).collect::<Vec<_>>(),
        }),
    ))
}

//! `/admin`: reloading rules and catalog, and the dead-letter queues.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::json;
use crate::capability::{QueueName, Status};
use crate::host::Host;
use crate::problem::Problem;

/// `POST /admin/rules/reload`.
pub async fn reload_rules(State(host): State<Arc<Host>>) -> Result<Response, Problem> {
    let engine = host.engine()?;
    let current = super::library(move || engine.reload_rules()).await?;
    tracing::info!(current = %current, "rules reloaded");
    Ok(json(
        StatusCode::OK,
        json!({"reloaded": "rules", "current": current}),
    ))
}

/// `POST /admin/catalog/reload`.
pub async fn reload_catalog(State(host): State<Arc<Host>>) -> Result<Response, Problem> {
    let engine = host.engine()?;
    let products = super::library(move || engine.reload_catalog()).await?;
    tracing::info!(products, "catalog reloaded");
    Ok(json(
        StatusCode::OK,
        json!({"reloaded": "catalog", "products": products}),
    ))
}

/// `GET /admin/queues`.
pub async fn queues(State(host): State<Arc<Host>>) -> Result<Response, Problem> {
    let mut out = Vec::new();
    for queue in QueueName::ALL {
        let stats = host.caps.queue.stats(queue).await?;
        let dead = host.caps.queue.dead_letters(queue, 100).await?;
        out.push(json!({
            "queue": queue.name(),
            "dead_letter_queue": queue.dead_letter_name(),
            "stats": stats,
            "dead_letters": dead,
        }));
    }
    Ok(json(StatusCode::OK, json!({"queues": out})))
}

/// `POST /admin/queues/{queue}/redrive`: the dead letters go back to their queue, and their
/// invoices back to PENDING.
pub async fn redrive(
    State(host): State<Arc<Host>>,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let queue =
        QueueName::parse(&name).ok_or_else(|| Problem::not_found(format!("queue {name:?}")))?;
    let moved = host.caps.queue.redrive(queue).await?;
    for message in &moved {
        let body: serde_json::Value = serde_json::from_str(&message.body).unwrap_or_default();
        if let Some(invoice) = body.get("invoice_id").and_then(|v| v.as_str())
            && let Some(record) = host.caps.state.invoice(invoice).await?
            && record.processing_status == Status::Failed
        {
            host.caps
                .state
                .set_status(invoice, Status::Pending, None, Vec::new())
                .await?;
        }
    }
    tracing::info!(queue = queue.name(), moved = moved.len(), "redriven");
    Ok(json(
        StatusCode::OK,
        json!({"queue": queue.name(), "redriven": moved.len(), "messages": moved}),
    ))
}

//! `/admin`: reloading rules and catalog, the dead-letter queues, and the audit log. Every
//! action here is written to the audit log with who asked and from where.

use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::capability::{Actor, NewAudit, QueueName, Status};
use crate::host::Host;
use crate::problem::Problem;

/// `POST /admin/rules/reload`.
pub async fn reload_rules(
    State(host): State<Arc<Host>>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, Problem> {
    let engine = host.engine()?;
    let current = super::library(move || engine.reload_rules()).await?;
    tracing::info!(current = %current, "rules reloaded");
    let entry = NewAudit::new(
        &actor,
        "admin.rules.reload",
        "rules",
        json!({"current": current}),
    );
    host.caps.state.audit(entry).await?;
    Ok(json(
        StatusCode::OK,
        json!({"reloaded": "rules", "current": current}),
    ))
}

/// `POST /admin/catalog/reload`.
pub async fn reload_catalog(
    State(host): State<Arc<Host>>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, Problem> {
    let engine = host.engine()?;
    let products = super::library(move || engine.reload_catalog()).await?;
    tracing::info!(products, "catalog reloaded");
    let entry = NewAudit::new(
        &actor,
        "admin.catalog.reload",
        "catalog",
        json!({"products": products}),
    );
    host.caps.state.audit(entry).await?;
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
    Extension(actor): Extension<Actor>,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let queue =
        QueueName::parse(&name).ok_or_else(|| Problem::not_found(format!("queue {name:?}")))?;
    let moved = host.caps.queue.redrive(queue).await?;
    let entry = NewAudit::new(
        &actor,
        "admin.queue.redrive",
        queue.name(),
        json!({"redriven": moved.len(), "message_ids": moved.iter().map(|m| &m.message_id).collect::<Vec<_>>()}),
    );
    host.caps.state.audit(entry).await?;
    for message in &moved {
        let body: serde_json::Value = serde_json::from_str(&message.body).unwrap_or_default();
        if let Some(invoice) = body.get("invoice_id").and_then(|v| v.as_str())
            && let Some(record) = host.caps.state.invoice(invoice).await?
            && record.processing_status == Status::Failed
        {
            host.caps
                .state
                .set_status(
                    invoice,
                    Status::Pending,
                    None,
                    Vec::new(),
                    Vec::new(),
                    &actor,
                )
                .await?;
        }
    }
    tracing::info!(queue = queue.name(), moved = moved.len(), "redriven");
    Ok(json(
        StatusCode::OK,
        json!({"queue": queue.name(), "redriven": moved.len(), "messages": moved}),
    ))
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    /// Entries after this one (the previous page's `next`).
    after: Option<i64>,
    /// At most this many (default 100, at most 1,000).
    limit: Option<usize>,
    /// Only those on this invoice, job or queue.
    subject: Option<String>,
}

/// `GET /admin/audit`: the audit log, oldest first, in pages.
pub async fn audit(
    State(host): State<Arc<Host>>,
    Query(query): Query<AuditQuery>,
) -> Result<Response, Problem> {
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let after = query.after.unwrap_or(0).max(0);
    let entries = host
        .caps
        .state
        .audit_entries(after, limit, query.subject.as_deref())
        .await?;
    let next = (entries.len() == limit).then(|| entries.last().map(|e| e.seq));
    Ok(json(
        StatusCode::OK,
        json!({"entries": entries, "next": next.flatten()}),
    ))
}

/// `GET /admin/audit/verify`: walks the whole chain and says whether it is intact.
pub async fn verify_audit(State(host): State<Arc<Host>>) -> Result<Response, Problem> {
    let report = crate::audit::verify(host.caps.state.as_ref(), None).await?;
    Ok(json(
        StatusCode::OK,
        serde_json::to_value(report).unwrap_or_default(),
    ))
}

/// `GET /admin/dian`: the authority's mode, breaker and counters.
pub async fn dian(State(host): State<Arc<Host>>) -> Result<Response, Problem> {
    Ok(json(
        StatusCode::OK,
        json!({"mode": host.dian.mode(), "stats": host.dian.stats()}),
    ))
}

//! Health, readiness, metrics and the API description.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde_json::json;

use super::json;
use crate::capability::QueueName;
use crate::host::Host;
use crate::problem::Problem;

/// `GET /health`: the process answers.
pub async fn health(State(host): State<Arc<Host>>) -> Response {
    json(
        StatusCode::OK,
        json!({"status": "ok", "uptime_seconds": host.started.elapsed().as_secs()}),
    )
}

/// `GET /ready`: the catalog and rules are open and the state and queues answer.
pub async fn ready(State(host): State<Arc<Host>>) -> Result<Response, Problem> {
    if host.is_stopping() {
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "HOST_NOT_READY",
            "shutting down",
        ));
    }
    if let Some(error) = host.engine_error.get() {
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "HOST_NOT_READY",
            error.clone(),
        ));
    }
    let engine = host.engine()?;
    host.caps.state.status_counts().await?;
    host.caps.queue.stats(QueueName::InvoiceProcessing).await?;
    let catalog = engine.pipeline.catalog().get();
    Ok(json(
        StatusCode::OK,
        json!({"status": "ready", "products": catalog.len()}),
    ))
}

/// `GET /metrics`.
pub async fn metrics(State(host): State<Arc<Host>>) -> Result<Response, Problem> {
    let mut gauges: Vec<(&str, &str, String, f64)> = Vec::new();
    for queue in QueueName::ALL {
        let stats = host.caps.queue.stats(queue).await?;
        let name = queue.name();
        #[allow(clippy::cast_precision_loss)]
        {
            gauges.push((
                "bmc_queue_messages",
                "Messages in a queue, by state.",
                crate::metrics::labels(&[("queue", name), ("state", "visible")]),
                stats.visible as f64,
            ));
            gauges.push((
                "bmc_queue_messages",
                "",
                crate::metrics::labels(&[("queue", name), ("state", "in_flight")]),
                stats.in_flight as f64,
            ));
        }
        gauges.push((
            "bmc_queue_oldest_message_age_seconds",
            "Age of a queue's oldest message.",
            crate::metrics::labels(&[("queue", name)]),
            stats.oldest_age_seconds.unwrap_or(0.0),
        ));
        #[allow(clippy::cast_precision_loss)]
        gauges.push((
            "bmc_queue_dead_letters",
            "Messages in a queue's dead-letter queue.",
            crate::metrics::labels(&[("queue", queue.dead_letter_name())]),
            stats.dead_letters as f64,
        ));
    }
    for (status, count) in host.caps.state.status_counts().await? {
        #[allow(clippy::cast_precision_loss)]
        gauges.push((
            "bmc_invoices",
            "Invoices by status.",
            crate::metrics::labels(&[("status", status.name())]),
            count as f64,
        ));
    }
    let dian = host.dian.stats();
    let mode = host.dian.mode();
    #[allow(clippy::cast_precision_loss)]
    for (name, help, value) in [
        (
            "bmc_dian_breaker_state",
            "DIAN client's circuit breaker: 0 closed, 1 half-open, 2 open.",
            dian.breaker.level(),
        ),
        (
            "bmc_dian_cache_hits_total",
            "DIAN answers taken from the cache without a request.",
            dian.cache_hits as f64,
        ),
        (
            "bmc_dian_fallbacks_total",
            "Cached DIAN answers used because the service was down.",
            dian.fallbacks as f64,
        ),
        (
            "bmc_dian_requests_total",
            "Requests sent to DIAN's service (each attempt).",
            dian.requests as f64,
        ),
        (
            "bmc_dian_failures_total",
            "Requests to DIAN's service that failed (each attempt).",
            dian.failures as f64,
        ),
    ] {
        gauges.push((name, help, crate::metrics::labels(&[("mode", mode)]), value));
    }
    // Sorted by name (stably: the first of each name carries its help text).
    gauges.sort_by(|a, b| a.0.cmp(b.0));
    let text = host.metrics.render(&gauges);
    let mut response = (StatusCode::OK, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}

/// `GET /openapi.json`.
pub async fn openapi(State(host): State<Arc<Host>>) -> Response {
    json(StatusCode::OK, super::openapi::document(&host))
}

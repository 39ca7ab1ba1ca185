//! `/products`: the catalog.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::host::Host;
use crate::problem::Problem;

fn observe(host: &Host, kind: &str, started: Instant) {
    host.metrics.observe(
        "bmc_product_lookup_seconds",
        crate::metrics::labels(&[("kind", kind)]),
        started.elapsed().as_secs_f64(),
    );
}

/// `GET /products/{code}`.
pub async fn by_code(
    State(host): State<Arc<Host>>,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let engine = host.engine()?;
    let started = Instant::now();
    let found = engine.pipeline.catalog().get().get(&code);
    observe(&host, "code", started);
    match found.map_err(|e| Problem::core(&e.into()))? {
        Some(product) => Ok(json(StatusCode::OK, json!(product))),
        None => Err(Problem::not_found(format!("product {code:?}"))),
    }
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    limit: Option<usize>,
}

/// `GET /products/search`.
pub async fn search(
    State(host): State<Arc<Host>>,
    Query(query): Query<SearchQuery>,
) -> Result<Response, Problem> {
    let engine = host.engine()?;
    let text = query
        .q
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| Problem::parameter("q is required"))?;
    let limit = query.limit.unwrap_or(20);
    if limit == 0 {
        return Err(Problem::parameter("limit must be at least 1"));
    }
    let started = Instant::now();
    let hits = super::library(move || {
        engine.pipeline.catalog().get().search(
            &text,
            limit,
            &bmc_core::catalog::SearchFilters::default(),
        )
    })
    .await;
    observe(&host, "search", started);
    let hits = hits?;
    Ok(json(StatusCode::OK, json!({"items": hits})))
}

#[derive(Debug, Deserialize)]
pub struct ClassQuery {
    offset: Option<usize>,
    limit: Option<usize>,
    active_only: Option<bool>,
}

/// `GET /products/classification/{dian_code}`.
pub async fn by_classification(
    State(host): State<Arc<Host>>,
    Path(code): Path<String>,
    Query(query): Query<ClassQuery>,
) -> Result<Response, Problem> {
    let engine = host.engine()?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Problem::parameter(format!(
            "limit {limit} is not between 1 and 1000"
        )));
    }
    let started = Instant::now();
    let page = super::library(move || {
        engine.pipeline.catalog().get().by_classification(
            &code,
            query.active_only.unwrap_or(false),
            query.offset.unwrap_or(0),
            limit,
        )
    })
    .await;
    observe(&host, "classification", started);
    let page = page?;
    Ok(json(StatusCode::OK, json!(page)))
}

//! `GET /stats/daily`: what the console charts: uploads a day by status and the commission of
//! those registered (from the state, every process's), and this process's processing time and
//! OCR accuracy (from its metrics).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::host::Host;
use crate::problem::Problem;

/// The query.
#[derive(Debug, Deserialize)]
pub struct DailyQuery {
    /// Days back, today included (14 by default, at most 366).
    days: Option<u32>,
}

/// `GET /stats/daily`.
pub async fn daily(
    State(host): State<Arc<Host>>,
    Query(query): Query<DailyQuery>,
) -> Result<Response, Problem> {
    let days = query.days.unwrap_or(14);
    if !(1..=366).contains(&days) {
        return Err(Problem::parameter("days: 1 to 366"));
    }
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Duration::days(i64::from(days) - 1);
    let found = host
        .caps
        .state
        .daily_summary(&from.to_string(), &today.to_string())
        .await?;
    // Every day of the range, those without uploads at zero.
    let mut series = Vec::new();
    let mut day = from;
    while day <= today {
        let name = day.to_string();
        series.push(
            found
                .iter()
                .find(|d| d.day == name)
                .cloned()
                .unwrap_or_else(|| crate::capability::DaySummary {
                    day: name,
                    ..Default::default()
                }),
        );
        day += chrono::Duration::days(1);
    }
    let (processed, seconds) = host
        .metrics
        .histogram_total("bmc_invoice_processing_seconds");
    let fields = host.metrics.total("bmc_ocr_fields_total");
    let trusted = host.metrics.total("bmc_ocr_fields_trusted_total");
    #[allow(clippy::cast_precision_loss)]
    let mean = (processed > 0).then(|| seconds / processed as f64);
    Ok(json(
        StatusCode::OK,
        json!({
            "days": series,
            "processing": {"count": processed, "mean_seconds": mean},
            "ocr": {
                "fields": fields,
                "trusted": trusted,
                "accuracy_percent": (fields > 0.0).then(|| trusted * 100.0 / fields),
            },
        }),
    ))
}

//! `GET /invoices/{id}/pages/{page}`: a page of an uploaded scan as a PNG image, for a
//! reviewer to read beside the fields OCR doubted.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use bmc_scan::ScanError;
use serde::Deserialize;

use crate::host::Host;
use crate::problem::Problem;

/// The width of a page image when none is asked for.
const DEFAULT_WIDTH: u32 = 1200;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    width: Option<u32>,
}

/// `GET /invoices/{id}/pages/{page}`.
pub async fn page(
    State(host): State<Arc<Host>>,
    Path((id, page)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Result<Response, Problem> {
    let number: usize = page
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| Problem::parameter(format!("page {page:?} is not a number from 1")))?;
    let width = query.width.unwrap_or(DEFAULT_WIDTH);
    if !bmc_scan::page_image::WIDTHS.contains(&width) {
        return Err(Problem::parameter(format!(
            "width {width} is not between 200 and 2400"
        )));
    }
    let invoice = host
        .caps
        .state
        .invoice(&id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("invoice {id:?}")))?;
    if !invoice.needs_ocr {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "HOST_CONFLICT",
            format!("invoice {id} was not uploaded as a scan: it has no page image"),
        ));
    }
    let document = host
        .caps
        .storage
        .get(&invoice.document_path)
        .await?
        .ok_or_else(|| Problem::not_found(format!("the document of invoice {id:?}")))?;
    let png = tokio::task::spawn_blocking(move || {
        bmc_scan::page_image::page_png(&document, number, width)
    })
    .await
    .map_err(|e| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "HOST_INTERNAL",
            e.to_string(),
        )
    })?
    .map_err(|e| scan_problem(&id, number, &e))?;
    let mut response = (StatusCode::OK, png).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    // The document of an invoice never changes.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}

/// A page that could not be made: 404 for a page the document does not have, 503 when
/// poppler is missing or fails, 422 for a document that is not an image or PDF.
fn scan_problem(id: &str, number: usize, e: &ScanError) -> Problem {
    let (status, detail) = match e {
        ScanError::NoPage => (
            StatusCode::NOT_FOUND,
            format!("the document of invoice {id} has no page {number}"),
        ),
        ScanError::Read { .. } => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        _ => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    };
    Problem {
        status,
        code: e.code().to_string(),
        detail,
    }
}

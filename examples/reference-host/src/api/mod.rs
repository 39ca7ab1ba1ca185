//! The HTTP API: one table of routes ([`routes`]) from which the router, the authorization
//! of every route and the OpenAPI description are all built.

mod admin;
mod body;
mod certificates;
mod commissions;
mod console;
mod corrections;
mod invoices;
mod ocr;
mod openapi;
mod ops;
mod pages;
mod products;
mod review;
mod session;
mod stats;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use crate::auth::{Permission, TokenError};
use crate::capability::Actor;
use crate::host::Host;
use crate::problem::Problem;

/// One route: what it is, who may use it, and its handler.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path, with `{parameters}`.
    pub path: &'static str,
    /// Who may use it.
    pub permission: Permission,
    /// Its group in the API description.
    pub tag: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Its query parameters: name and description.
    pub query: &'static [(&'static str, &'static str)],
    /// What its request body is, when it takes one.
    pub body: Option<&'static str>,
    /// What a success answers: status and media type.
    pub answers: (u16, &'static str),
}

const JSON: &str = "application/json";

macro_rules! route {
    ($method:literal, $path:literal, $permission:ident, $tag:literal, $summary:literal, query: $query:expr, body: $body:expr, answers: $answers:expr) => {
        RouteSpec {
            method: $method,
            path: $path,
            permission: Permission::$permission,
            tag: $tag,
            summary: $summary,
            query: $query,
            body: $body,
            answers: $answers,
        }
    };
}

/// Every route of the API with its handler.
pub fn routes(host: &Arc<Host>) -> Vec<(RouteSpec, MethodRouter<Arc<Host>>)> {
    let upload_limit = axum::extract::DefaultBodyLimit::max(host.config.max_upload_bytes);
    vec![
        (
            route!("POST", "/invoices/upload", Write, "invoices",
            "Upload an invoice (UBL XML or AttachedDocument, PDF, PNG/JPEG/TIFF, Tesseract TSV/hOCR, Textract JSON) as multipart `file` or as the raw body; the same bytes again answer the same invoice.",
            query: &[("email", "where to mail the certificate once registered")],
            body: Some("the document, or multipart/form-data with `file` (and `email`)"),
            answers: (202, JSON)),
            post(invoices::upload).layer(upload_limit),
        ),
        (
            route!("GET", "/invoices", Read, "invoices", "List invoices, newest first, with filters and paging.",
            query: &[("status", "PENDING, OCR, NEEDS_REVIEW, REJECTED, REGISTERED or FAILED"), ("seller_nit", "the seller's NIT"), ("from", "uploaded at or after (RFC 3339 or YYYY-MM-DD)"), ("to", "uploaded before"), ("limit", "1 to 500, 50 by default"), ("after", "the `next` of the previous page")],
            body: None, answers: (200, JSON)),
            get(invoices::list),
        ),
        (
            route!("GET", "/invoices/{id}/status", Read, "invoices", "An invoice's status (and its error, when it failed).",
            query: &[], body: None, answers: (200, JSON)),
            get(invoices::status),
        ),
        (
            route!("GET", "/invoices/{id}/details", Read, "invoices", "An invoice's registration: the invoice read, its lines with their products, its findings in Spanish and English, and the commission with its trace.",
            query: &[], body: None, answers: (200, JSON)),
            get(invoices::details),
        ),
        (
            route!("POST", "/invoices/{id}/review", Write, "invoices", "Settle an invoice in NEEDS_REVIEW: `{\"decision\": \"approve\"|\"recheck\"|\"reject\", \"reason\"}` (a reason to approve or reject). Approve and recheck register it again (approve keeps the approval in the registration); reject makes it REJECTED. Audited.",
            query: &[], body: Some("application/json"), answers: (202, JSON)),
            post(review::review),
        ),
        (
            route!("POST", "/invoices/{id}/corrections", Write, "invoices", "Correct the fields OCR doubted of a scanned invoice in NEEDS_REVIEW: `{\"corrections\": [{\"path\", \"value\"}], \"reason\"}` (paths as in the invoice's `source.doubtful`; a field confirmed is given as read). 422 `INVOICE_CORRECTION_INVALID` names a field that cannot take the value; otherwise it is registered again with every correction made so far, and each field's value before and after is audited (`invoice.corrected`).",
            query: &[], body: Some("application/json"), answers: (202, JSON)),
            post(corrections::correct),
        ),
        (
            route!("GET", "/invoices/{id}/pages/{page}", Read, "invoices", "A page of the uploaded document as a PNG image (page 1 of an image; a PDF's page rendered), for reading beside the fields OCR doubted.",
            query: &[("width", "the image's width in pixels, 200 to 2,400 (1,200 by default)")], body: None, answers: (200, "image/png")),
            get(pages::page),
        ),
        (
            route!("POST", "/ocr/process", Write, "ocr", "Read a scan (PDF or image) into fields, without registering it.",
            query: &[], body: Some("the PDF or image, or multipart/form-data with `file`"), answers: (202, JSON)),
            post(ocr::process).layer(axum::extract::DefaultBodyLimit::max(
                host.config.max_upload_bytes,
            )),
        ),
        (
            route!("GET", "/ocr/{job_id}/status", Read, "ocr", "An OCR job's status.",
            query: &[], body: None, answers: (200, JSON)),
            get(ocr::status),
        ),
        (
            route!("GET", "/ocr/{job_id}/results", Read, "ocr", "An OCR job's fields with their confidence, and the doubtful ones.",
            query: &[], body: None, answers: (200, JSON)),
            get(ocr::results),
        ),
        (
            route!("GET", "/products/search", Read, "products", "Search the catalog by name or code.",
            query: &[("q", "the words or code to find"), ("limit", "1 to 100, 20 by default")],
            body: None, answers: (200, JSON)),
            get(products::search),
        ),
        (
            route!("GET", "/products/{code}", Read, "products", "A product by its code.",
            query: &[], body: None, answers: (200, JSON)),
            get(products::by_code),
        ),
        (
            route!("GET", "/products/classification/{dian_code}", Read, "products", "Products under a DIAN classification (chapter, heading, HS-6 or subpartida).",
            query: &[("offset", "products to skip"), ("limit", "1 to 1000, 100 by default"), ("active_only", "true to leave out inactive products")],
            body: None, answers: (200, JSON)),
            get(products::by_classification),
        ),
        (
            route!("POST", "/commissions/calculate", Write, "commissions", "Compute a commission: for `{\"invoice_id\"}` the registered one, or for `{\"issue_date\", \"lines\": [{\"base\", \"tariff_code\" | \"product_code\"}]}` with the rules in force.",
            query: &[], body: Some("application/json"), answers: (200, JSON)),
            post(commissions::calculate),
        ),
        (
            route!("GET", "/commissions/rules/current", Read, "commissions", "The rule set in force today.",
            query: &[], body: None, answers: (200, JSON)),
            get(commissions::rules_current),
        ),
        (
            route!("GET", "/commissions/{invoice_id}", Read, "commissions", "A registered invoice's commission with its trace.",
            query: &[], body: None, answers: (200, JSON)),
            get(commissions::by_invoice),
        ),
        (
            route!("POST", "/certificates/generate", Write, "certificates", "The certificate of a registered invoice (`{\"invoice_id\"}`).",
            query: &[], body: Some("application/json"), answers: (200, JSON)),
            post(certificates::generate),
        ),
        (
            route!("GET", "/certificates/{id}/download", Read, "certificates", "A certificate's PDF.",
            query: &[], body: None, answers: (200, "application/pdf")),
            get(certificates::download),
        ),
        (
            route!("POST", "/certificates/{id}/email", Write, "certificates", "Mail a certificate (`{\"to\"}`) through the notification queue.",
            query: &[], body: Some("application/json"), answers: (202, JSON)),
            post(certificates::email),
        ),
        (
            route!("POST", "/admin/rules/reload", Admin, "admin", "Reload the rules without a restart.",
            query: &[], body: None, answers: (200, JSON)),
            post(admin::reload_rules),
        ),
        (
            route!("POST", "/admin/catalog/reload", Admin, "admin", "Reopen the catalog index without a restart.",
            query: &[], body: None, answers: (200, JSON)),
            post(admin::reload_catalog),
        ),
        (
            route!("GET", "/admin/queues", Admin, "admin", "Every queue's depth and its dead-letter queue's messages.",
            query: &[], body: None, answers: (200, JSON)),
            get(admin::queues),
        ),
        (
            route!("POST", "/admin/queues/{queue}/redrive", Admin, "admin", "Move a dead-letter queue's messages back to its queue.",
            query: &[], body: None, answers: (200, JSON)),
            post(admin::redrive),
        ),
        (
            route!("GET", "/admin/audit", Admin, "admin", "The audit log, oldest first: who did what, when and from where, for every state change and admin action.",
            query: &[("after", "the `next` of the previous page (an entry number)"), ("limit", "1 to 1,000, 100 by default"), ("subject", "only the entries on this invoice, OCR job or queue")], body: None, answers: (200, JSON)),
            get(admin::audit),
        ),
        (
            route!("GET", "/admin/audit/verify", Admin, "admin", "Walk the audit log's hash chain and say whether any entry was edited, removed or reordered.",
            query: &[], body: None, answers: (200, JSON)),
            get(admin::verify_audit),
        ),
        (
            route!("GET", "/admin/dian", Admin, "admin", "DIAN's service as the host sees it: offline or http, the circuit breaker, requests, failures, cache hits and fallbacks.",
            query: &[], body: None, answers: (200, JSON)),
            get(admin::dian),
        ),
        (
            route!("GET", "/stats/daily", Read, "statistics", "Uploads a day (UTC) by status and the commission of those registered, for the last `days` (14 by default); this process's mean processing time and OCR accuracy.",
            query: &[("days", "1 to 366, 14 by default")], body: None, answers: (200, JSON)),
            get(stats::daily),
        ),
        (
            route!("POST", "/auth/dev-token", Public, "session", "The console's development sign-in: a token for `{\"role\", \"name\"}` (viewer by default), 8 hours. Offered only with the host's own HS256 secret, `[auth] dev_sign_in` and a loopback listener; 404 otherwise.",
            query: &[], body: Some("application/json"), answers: (200, JSON)),
            post(session::dev_token),
        ),
        (
            route!("GET", "/auth/me", Read, "session", "The caller: the token's subject, its role and what the role may do (read, write, admin).",
            query: &[], body: None, answers: (200, JSON)),
            get(session::me),
        ),
        (
            route!("GET", "/health", Public, "operations", "Alive.",
            query: &[], body: None, answers: (200, JSON)),
            get(ops::health),
        ),
        (
            route!("GET", "/ready", Public, "operations", "Ready to take work: the catalog and rules are open and the state answers.",
            query: &[], body: None, answers: (200, JSON)),
            get(ops::ready),
        ),
        (
            route!("GET", "/metrics", Public, "operations", "Prometheus metrics.",
            query: &[], body: None, answers: (200, "text/plain; version=0.0.4")),
            get(ops::metrics),
        ),
        (
            route!("GET", "/openapi.json", Public, "operations", "This API's OpenAPI 3.1 description.",
            query: &[], body: None, answers: (200, JSON)),
            get(ops::openapi),
        ),
    ]
}

/// The API's router.
pub fn router(host: Arc<Host>) -> Router {
    let mut router = Router::new();
    for (spec, handler) in routes(&host) {
        let guarded = handler.route_layer(middleware::from_fn_with_state(
            (Arc::clone(&host), spec),
            guard,
        ));
        router = router.route(spec.path, guarded);
    }
    router
        .route("/", get(console::index))
        .route("/assets/console.js", get(console::script))
        .fallback(|| async { Problem::not_found("this route") })
        .method_not_allowed_fallback(|| async {
            Problem {
                status: StatusCode::METHOD_NOT_ALLOWED,
                code: "HOST_NOT_FOUND".into(),
                detail: "this route does not take this method".into(),
            }
        })
        .with_state(host)
}

/// Checks the token against the route's permission, and records the request's latency and
/// outcome under its request id.
async fn guard(
    State((host, spec)): State<(Arc<Host>, RouteSpec)>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map_or_else(|| crate::ids::random_id("req"), str::to_string);
    let span = tracing::info_span!("request", request_id = %request_id, method = spec.method, route = spec.path);
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string());
    let allowed =
        tracing::Instrument::instrument(authorize(&host, spec.permission, bearer), span.clone())
            .await;
    let mut request = request;
    let mut response = match allowed {
        Ok(claims) => {
            let actor = actor_of(&request, claims.as_ref());
            request.extensions_mut().insert(actor);
            tracing::Instrument::instrument(next.run(request), span.clone()).await
        }
        Err(problem) => problem.into_response(),
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let status = response.status();
    let elapsed = started.elapsed().as_secs_f64();
    host.metrics.add(
        "bmc_http_requests_total",
        crate::metrics::labels(&[
            ("route", spec.path),
            ("method", spec.method),
            ("status", status.as_str()),
        ]),
        1.0,
    );
    host.metrics.observe(
        "bmc_http_request_duration_seconds",
        crate::metrics::labels(&[("route", spec.path)]),
        elapsed,
    );
    if status.is_server_error() {
        tracing::warn!(parent: &span, status = status.as_u16(), seconds = elapsed, "request failed");
    } else {
        tracing::debug!(parent: &span, status = status.as_u16(), seconds = elapsed, "request");
    }
    response
}

/// Who is calling, for the audit log: the token's subject and role, and the client's address
/// (with the address a proxy says it forwarded for, when one does).
fn actor_of(request: &Request, claims: Option<&crate::auth::Claims>) -> Actor {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let forwarded = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 64);
    let from = match (forwarded, peer) {
        (Some(client), Some(peer)) => Some(format!("{client} via {peer}")),
        (Some(client), None) => Some(client.to_string()),
        (None, peer) => peer,
    };
    match claims {
        Some(c) => Actor::person(&c.subject, c.role.map(|r| r.name()), from),
        None => Actor::person("anonymous", None, from),
    }
}

/// Checks the bearer token (if any) against what the route needs, and answers its claims.
async fn authorize(
    host: &Host,
    permission: Permission,
    bearer: Option<String>,
) -> Result<Option<crate::auth::Claims>, Problem> {
    if permission == Permission::Public {
        return Ok(None);
    }
    let token = bearer.ok_or(TokenError::Missing);
    let unauthorized =
        |e: TokenError| Problem::new(StatusCode::UNAUTHORIZED, "HOST_UNAUTHORIZED", e.to_string());
    let token = token.map_err(unauthorized)?;
    let claims = host
        .keys
        .verify(&token, chrono::Utc::now().timestamp())
        .await
        .map_err(unauthorized)?;
    match claims.role {
        Some(role) if role.allows(permission) => Ok(Some(claims)),
        role => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "HOST_FORBIDDEN",
            format!(
                "the role {} may not use this route (it needs {})",
                role.map_or("(none)", |r| r.name()),
                permission.least_role().map_or("none", |r| r.name())
            ),
        )),
    }
}

pub use openapi::document as openapi_document;

/// Runs `work` on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "HOST_INTERNAL",
            e.to_string(),
        )
    })
}

/// Runs library `work` on the blocking pool; its error becomes the problem with its code.
pub async fn library<T, E>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, Problem>
where
    T: Send + 'static,
    E: Into<bmc_core::Error> + Send + 'static,
{
    blocking(work).await?.map_err(|e| Problem::core(&e.into()))
}

/// JSON with a status.
pub fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (status, axum::Json(value)).into_response()
}

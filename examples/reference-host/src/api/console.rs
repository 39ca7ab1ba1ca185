//! The operator console (`console/`, React): its build, committed in `console/dist`, embedded
//! in the binary and served at `/` (the page) and `/assets/console.js` (its script, gzip when
//! the browser takes it), so a fresh clone serves it without a Node.js step.

use std::io::Write as _;
use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const INDEX: &str = include_str!("../../console/dist/index.html");
const SCRIPT: &[u8] = include_bytes!("../../console/dist/assets/console.js");

/// What the page may load: itself, and the styles Material UI writes at run time.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

fn headers(content_type: &'static str) -> [(header::HeaderName, HeaderValue); 4] {
    [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ]
}

/// `GET /`: the console's page.
pub async fn index() -> Response {
    (StatusCode::OK, headers("text/html; charset=utf-8"), INDEX).into_response()
}

/// The script gzipped, once.
fn gzipped() -> &'static [u8] {
    static GZIPPED: OnceLock<Vec<u8>> = OnceLock::new();
    GZIPPED.get_or_init(|| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = encoder.write_all(SCRIPT);
        encoder.finish().unwrap_or_default()
    })
}

/// `GET /assets/console.js`: the console's script.
pub async fn script(request: HeaderMap) -> Response {
    let gzip = request
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut response = if gzip {
        let mut response = (
            StatusCode::OK,
            headers("text/javascript; charset=utf-8"),
            gzipped(),
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else {
        (
            StatusCode::OK,
            headers("text/javascript; charset=utf-8"),
            SCRIPT,
        )
            .into_response()
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

//! Errors as `application/problem+json` (RFC 9457), each with a stable `code`: core's codes
//! (`INVOICE_XML_MALFORMED`, `CATALOG_QUERY_INVALID`, ...) or the host's own (`HOST_*`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::capability::CapabilityError;

/// The host's own codes.
pub const HOST_CODES: &[&str] = &[
    "HOST_UNAUTHORIZED",
    "HOST_FORBIDDEN",
    "HOST_NOT_FOUND",
    "HOST_BODY_MISSING",
    "HOST_BODY_TOO_LARGE",
    "HOST_UNSUPPORTED_MEDIA_TYPE",
    "HOST_INVALID_JSON",
    "HOST_INVALID_PARAMETER",
    "HOST_CONFLICT",
    "HOST_NOT_READY",
    "HOST_UNAVAILABLE",
    "HOST_INTERNAL",
];

/// A failed request.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code.
    pub code: String,
    /// What was wrong, for a person.
    pub detail: String,
}

impl Problem {
    /// A problem with one of the host's codes.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Problem {
        debug_assert!(HOST_CODES.contains(&code), "{code}");
        Problem {
            status,
            code: code.to_string(),
            detail: detail.into(),
        }
    }

    /// 404: `what` does not exist.
    pub fn not_found(what: impl std::fmt::Display) -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "HOST_NOT_FOUND",
            format!("{what} does not exist"),
        )
    }

    /// 400: a parameter is wrong.
    pub fn parameter(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "HOST_INVALID_PARAMETER", detail)
    }

    /// 503: the catalog is still being opened or indexed.
    pub fn not_ready() -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "HOST_NOT_READY",
            "the catalog and rules are still loading; try again shortly",
        )
    }

    /// A core error: 422 for bad input, 404 for what does not exist, 500 otherwise.
    pub fn core(e: &bmc_core::Error) -> Problem {
        use bmc_core::ErrorKind as K;
        let status = match e.kind() {
            K::NotFound => StatusCode::NOT_FOUND,
            K::Io | K::InvalidRules | K::InvalidIndex | K::Internal => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Problem {
            status,
            code: e.code().to_string(),
            detail: e.to_string(),
        }
    }

    fn title(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("Error")
    }
}

impl From<CapabilityError> for Problem {
    fn from(e: CapabilityError) -> Problem {
        tracing::warn!(error = %e, "capability failed");
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "HOST_UNAVAILABLE",
            e.to_string(),
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "type": format!("https://bmc.example/problems/{}", self.code.to_ascii_lowercase().replace('_', "-")),
            "title": self.title(),
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        });
        let mut response = (self.status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

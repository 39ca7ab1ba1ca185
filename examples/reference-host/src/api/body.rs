//! Request bodies: a document as the raw body or a multipart `file`, and JSON, each refused
//! with a problem naming what was wrong.

use axum::extract::{FromRequest as _, Multipart, Request};
use axum::http::{StatusCode, header};

use crate::problem::Problem;

/// The largest JSON body, in bytes.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// An uploaded document and the form's other fields.
#[derive(Debug, Default)]
pub struct Upload {
    /// The document's bytes.
    pub bytes: Vec<u8>,
    /// The form's `email` field, when sent.
    pub email: Option<String>,
}

fn too_large(limit: usize) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "HOST_BODY_TOO_LARGE",
        format!("the body is over the limit of {limit} bytes"),
    )
}

fn content_type(request: &Request) -> String {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The document of an upload: the multipart field `file`, or the whole body.
pub async fn document(request: Request, limit: usize) -> Result<Upload, Problem> {
    let upload = if content_type(&request).starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(request, &()).await.map_err(|e| {
            Problem::new(StatusCode::BAD_REQUEST, "HOST_BODY_MISSING", e.body_text())
        })?;
        let mut upload = Upload::default();
        let mut found = false;
        loop {
            let field = match form.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(too_large(limit));
                }
                Err(e) => {
                    return Err(Problem::new(
                        StatusCode::BAD_REQUEST,
                        "HOST_BODY_MISSING",
                        e.body_text(),
                    ));
                }
            };
            let name = field.name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large(limit)
                } else {
                    Problem::new(StatusCode::BAD_REQUEST, "HOST_BODY_MISSING", e.body_text())
                }
            })?;
            match name.as_str() {
                "file" => {
                    upload.bytes = bytes.to_vec();
                    found = true;
                }
                "email" => upload.email = Some(String::from_utf8_lossy(&bytes).trim().to_string()),
                _ => {}
            }
        }
        if !found {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "HOST_BODY_MISSING",
                "the form has no field named `file`",
            ));
        }
        upload
    } else {
        let bytes = axum::body::to_bytes(request.into_body(), limit)
            .await
            .map_err(|_| too_large(limit))?;
        Upload {
            bytes: bytes.to_vec(),
            email: None,
        }
    };
    if upload.bytes.is_empty() {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "HOST_BODY_MISSING",
            "the document is empty",
        ));
    }
    Ok(upload)
}

/// A JSON body as `T`: 415 for another content type, 400 naming the line and column of
/// malformed JSON or the field that is wrong.
pub async fn json<T: serde::de::DeserializeOwned>(request: Request) -> Result<T, Problem> {
    let kind = content_type(&request);
    if !kind.starts_with("application/json") {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "HOST_UNSUPPORTED_MEDIA_TYPE",
            format!("the body must be application/json, not {:?}", kind),
        ));
    }
    let bytes = axum::body::to_bytes(request.into_body(), MAX_JSON_BYTES)
        .await
        .map_err(|_| too_large(MAX_JSON_BYTES))?;
    if bytes.is_empty() {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "HOST_BODY_MISSING",
            "the body is empty",
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "HOST_INVALID_JSON",
            format!("the body: {e}"),
        )
    })
}

/// An e-mail address as given, or a problem: one `@`, no spaces or line breaks.
pub fn email(address: &str) -> Result<String, Problem> {
    let address = address.trim();
    let ok = address.len() <= 254
        && address.matches('@').count() == 1
        && !address.starts_with('@')
        && !address.ends_with('@')
        && !address
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c));
    if ok {
        Ok(address.to_string())
    } else {
        Err(Problem::parameter(format!(
            "{address:?} is not an e-mail address"
        )))
    }
}

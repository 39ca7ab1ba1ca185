//! `/certificates`: issuing, downloading and mailing certificates.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::capability::{Outgoing, QueueName, Status};
use crate::host::Host;
use crate::problem::Problem;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    invoice_id: String,
}

/// `POST /certificates/generate`: the certificate of a registered invoice (issued with its
/// registration; this answers it).
pub async fn generate(
    State(host): State<Arc<Host>>,
    request: Request,
) -> Result<Response, Problem> {
    let body: GenerateRequest = super::body::json(request).await?;
    let invoice = host
        .caps
        .state
        .invoice(&body.invoice_id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("invoice {:?}", body.invoice_id)))?;
    match (&invoice.certificate_id, invoice.processing_status) {
        (Some(id), Status::Registered) => {
            let certificate = host.caps.state.certificate(id).await?;
            Ok(json(
                StatusCode::OK,
                json!({
                    "certificate": certificate,
                    "links": {"download": format!("/certificates/{id}/download")},
                }),
            ))
        }
        (_, status) => Err(Problem::new(
            StatusCode::CONFLICT,
            "HOST_CONFLICT",
            format!(
                "invoice {} is {}: only a REGISTERED invoice has a certificate",
                invoice.invoice_id,
                status.name()
            ),
        )),
    }
}

/// `GET /certificates/{id}/download`.
pub async fn download(
    State(host): State<Arc<Host>>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let certificate = host
        .caps
        .state
        .certificate(&id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("certificate {id:?}")))?;
    let pdf = host
        .caps
        .storage
        .get(&certificate.object_key)
        .await?
        .ok_or_else(|| Problem::not_found(format!("the PDF of certificate {id:?}")))?;
    let mut response = (StatusCode::OK, pdf).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{id}.pdf\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    to: String,
}

/// `POST /certificates/{id}/email`.
pub async fn email(
    State(host): State<Arc<Host>>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, Problem> {
    let body: EmailRequest = super::body::json(request).await?;
    let to = super::body::email(&body.to)?;
    if host.caps.state.certificate(&id).await?.is_none() {
        return Err(Problem::not_found(format!("certificate {id:?}")));
    }
    host.caps
        .queue
        .send(
            QueueName::Notification,
            Outgoing {
                body: json!({"certificate_id": id, "to": to}).to_string(),
                group_id: None,
                dedup_id: None,
            },
        )
        .await?;
    Ok(json(
        StatusCode::ACCEPTED,
        json!({"certificate_id": id, "to": to, "queued": true}),
    ))
}

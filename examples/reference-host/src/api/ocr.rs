//! `/ocr`: reading a scan into fields without registering it.

use std::sync::Arc;

use axum::extract::{Extension, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::json;
use crate::capability::{Actor, JobRecord, JobStatus, ObjectKind, Outgoing, QueueName};
use crate::host::Host;
use crate::problem::Problem;

/// `POST /ocr/process`.
pub async fn process(
    State(host): State<Arc<Host>>,
    Extension(actor): Extension<Actor>,
    request: Request,
) -> Result<Response, Problem> {
    let upload = super::body::document(request, host.config.max_upload_bytes).await?;
    let format = bmc_core::invoice::detect(&upload.bytes);
    if !crate::intake::needs_ocr(format) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "HOST_UNSUPPORTED_MEDIA_TYPE",
            "OCR reads a PDF or a PNG, JPEG or TIFF image",
        ));
    }
    let document_key = host
        .caps
        .storage
        .put(ObjectKind::Document, &upload.bytes)
        .await?;
    let now = crate::ids::now_rfc3339();
    let job = JobRecord {
        job_id: crate::ids::random_id("ocr"),
        invoice_id: None,
        document_key,
        status: JobStatus::Pending,
        text_key: None,
        result: None,
        error: None,
        created_at: now.clone(),
        updated_at: now,
    };
    host.caps.state.create_job(job.clone(), &actor).await?;
    host.caps
        .queue
        .send(
            QueueName::OcrProcessing,
            Outgoing {
                body: json!({"job_id": job.job_id}).to_string(),
                group_id: None,
                dedup_id: None,
            },
        )
        .await?;
    Ok(json(
        StatusCode::ACCEPTED,
        json!({
            "job_id": job.job_id,
            "status": job.status,
            "links": {
                "status": format!("/ocr/{}/status", job.job_id),
                "results": format!("/ocr/{}/results", job.job_id),
            },
        }),
    ))
}

async fn find(host: &Host, id: &str) -> Result<JobRecord, Problem> {
    host.caps
        .state
        .job(id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("OCR job {id:?}")))
}

/// `GET /ocr/{job_id}/status`.
pub async fn status(
    State(host): State<Arc<Host>>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let job = find(&host, &id).await?;
    Ok(json(
        StatusCode::OK,
        json!({
            "job_id": job.job_id,
            "invoice_id": job.invoice_id,
            "status": job.status,
            "error": job.error,
            "created_at": job.created_at,
            "updated_at": job.updated_at,
        }),
    ))
}

/// `GET /ocr/{job_id}/results`.
pub async fn results(
    State(host): State<Arc<Host>>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let job = find(&host, &id).await?;
    match (job.status, job.result) {
        (JobStatus::Completed, Some(result)) => Ok(json(
            StatusCode::OK,
            json!({"job_id": job.job_id, "status": job.status, "results": result}),
        )),
        (status, _) => Err(Problem::new(
            StatusCode::CONFLICT,
            "HOST_CONFLICT",
            format!("the job is {status:?}, not completed; see its status"),
        )),
    }
}

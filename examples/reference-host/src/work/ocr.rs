//! The ocr-processing worker: reads a scan into text with the configured OCR engine, keeps
//! the text, and announces `invoice.ocr.completed` (which routes an upload's text on to
//! registration).

use std::sync::Arc;

use bmc_core::invoice::ocr::{OcrFormat, OcrOptions};
use serde::Deserialize;
use serde_json::json;

use super::WorkError;
use crate::capability::{Actor, JobRecord, JobStatus, ObjectKind, OutboxEvent, Received, Status};
use crate::host::Host;

#[derive(Debug, Deserialize)]
struct Message {
    job_id: Option<String>,
    invoice_id: Option<String>,
}

/// The job id of an upload's scan.
pub fn job_id_for(invoice_id: &str) -> String {
    format!("ocr_{}", invoice_id.trim_start_matches("inv_"))
}

/// Handles one message of `ocr-processing-queue`.
pub async fn handle(
    host: Arc<Host>,
    message: Received,
    last_attempt: bool,
) -> Result<(), WorkError> {
    let msg: Message = serde_json::from_str(&message.body)
        .map_err(|e| WorkError::from(format!("HOST_INVALID_MESSAGE: {e}")))?;
    let job = match job_of(&host, &msg).await? {
        Some(job) => job,
        None => return Ok(()),
    };
    let result = read(&host, job.clone()).await;
    if let Err(e) = &result
        && last_attempt
    {
        fail(&host, job, &e.message, Status::Failed).await?;
    }
    result
}

/// Records a job failed with `error`, and its invoice with `status`.
async fn fail(host: &Host, job: JobRecord, error: &str, status: Status) -> Result<(), WorkError> {
    let failed = JobRecord {
        status: JobStatus::Failed,
        error: Some(error.to_string()),
        ..job
    };
    host.caps
        .state
        .finish_job(failed, Some(status), Vec::new(), &Actor::system("ocr"))
        .await?;
    Ok(())
}

async fn job_of(host: &Host, msg: &Message) -> Result<Option<JobRecord>, WorkError> {
    let id = match (&msg.job_id, &msg.invoice_id) {
        (Some(id), _) => id.clone(),
        (None, Some(invoice)) => job_id_for(invoice),
        (None, None) => {
            return Err(WorkError::from(
                "HOST_INVALID_MESSAGE: no job_id or invoice_id",
            ));
        }
    };
    if let Some(job) = host.caps.state.job(&id).await? {
        return Ok(Some(job));
    }
    let Some(invoice_id) = &msg.invoice_id else {
        return Ok(None);
    };
    let Some(invoice) = host.caps.state.invoice(invoice_id).await? else {
        return Ok(None);
    };
    let job = JobRecord {
        job_id: id,
        invoice_id: Some(invoice.invoice_id),
        document_key: invoice.document_path,
        status: JobStatus::Pending,
        text_key: None,
        result: None,
        error: None,
        created_at: crate::ids::now_rfc3339(),
        updated_at: crate::ids::now_rfc3339(),
    };
    host.caps
        .state
        .create_job(job.clone(), &Actor::system("ocr"))
        .await?;
    Ok(Some(job))
}

async fn read(host: &Arc<Host>, job: JobRecord) -> Result<(), WorkError> {
    // A failed job runs again when its message is redriven.
    if job.status == JobStatus::Completed {
        return Ok(());
    }
    if let Some(invoice) = &job.invoice_id {
        host.caps
            .state
            .set_status(
                invoice,
                Status::Ocr,
                None,
                Vec::new(),
                Vec::new(),
                &Actor::system("ocr"),
            )
            .await?;
    }
    let document = host
        .caps
        .storage
        .get(&job.document_key)
        .await?
        .ok_or_else(|| WorkError::from(format!("HOST_DOCUMENT_MISSING: {}", job.document_key)))?;
    let sha = crate::ids::sha256_hex(&document);
    let text = match host.caps.text.read(&document).await {
        Ok(text) => text,
        Err(e) if !e.transient => {
            // Not an image or PDF that can be read: the upload is rejected, not retried.
            fail(host, job, &e.message, Status::Rejected).await?;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let text_key = host
        .caps
        .storage
        .put(ObjectKind::Text, text.text.as_bytes())
        .await?;
    let mut result = fields(&text.text, text.qr.as_deref(), &text.engine);
    // Kept for a registration run again after a review.
    if let Some(object) = result.as_object_mut() {
        object.insert("qr".into(), json!(text.qr));
    }
    let event = OutboxEvent {
        id: crate::ids::random_id("evt"),
        name: "invoice.ocr.completed".into(),
        source: "bmc.ocr.service".into(),
        detail_type: "OCR Processing Complete".into(),
        detail: json!({
            "invoice_id": job.invoice_id,
            "job_id": job.job_id,
            "document_sha256": sha,
            "text_key": text_key,
            "qr": text.qr,
            "engine": text.engine,
            "fields": result.get("fields").and_then(|f| f.as_object()).map_or(0, serde_json::Map::len),
            "doubtful_fields": result.get("doubtful_fields"),
        }),
        time: crate::ids::now_rfc3339(),
    };
    let done = JobRecord {
        status: JobStatus::Completed,
        text_key: Some(text_key),
        result: Some(result),
        ..job
    };
    host.caps
        .state
        .finish_job(done, None, vec![event], &Actor::system("ocr"))
        .await?;
    host.outbox.notify_one();
    Ok(())
}

/// The fields read from OCR text with their confidence, and the doubtful ones.
pub fn fields(text: &str, qr: Option<&str>, engine: &str) -> serde_json::Value {
    let format = if engine == "textract" {
        OcrFormat::Textract
    } else {
        OcrFormat::TesseractTsv
    };
    match bmc_core::invoice::ocr::from_ocr(text, format, qr, &OcrOptions::default()) {
        Ok(invoice) => {
            json!({
                "engine": engine,
                "qr_found": qr.is_some(),
                "fields": invoice.source.confidence,
                "doubtful_fields": invoice.source.doubtful_fields(),
                "invoice": invoice,
            })
        }
        Err(e) => json!({
            "engine": engine,
            "qr_found": qr.is_some(),
            "fields": {},
            "doubtful_fields": [],
            "error": {"code": e.code(), "message": e.to_string()},
        }),
    }
}

//! The invoice-processing worker: registers an uploaded invoice (or the text its scan was
//! read into) with the library, issues the certificate of a registered one, and records the
//! outcome with its events in one transaction.

use std::sync::Arc;

use bmc_core::invoice::Correction;
use bmc_core::pipeline::{Decision, Registration};
use serde::Deserialize;

use super::WorkError;
use crate::capability::{
    Actor, CertificateRecord, InvoiceRecord, ObjectKind, OutboxEvent, Outcome, Received, Status,
};
use crate::host::Host;

#[derive(Debug, Deserialize)]
struct Job {
    invoice_id: String,
    /// The OCR text's key, for a scan.
    #[serde(default)]
    text_key: Option<String>,
    /// DIAN's QR code found on the scan.
    #[serde(default)]
    qr: Option<String>,
    /// A reviewer's approval: registered even when it would go to review again.
    #[serde(default)]
    approval: Option<serde_json::Value>,
    /// A reviewer's corrections of the fields read from the scan (every one made so far).
    #[serde(default)]
    corrections: Option<Vec<Correction>>,
}

/// Handles one message of `invoice-processing-queue`.
pub async fn handle(
    host: Arc<Host>,
    message: Received,
    last_attempt: bool,
) -> Result<(), WorkError> {
    let job: Job = serde_json::from_str(&message.body)
        .map_err(|e| WorkError::from(format!("HOST_INVALID_MESSAGE: {e}")))?;
    let result = register(&host, &job).await;
    if let Err(e) = &result
        && last_attempt
    {
        tracing::error!(invoice_id = %job.invoice_id, error = %e.message, "registration failed on its last attempt");
        host.caps
            .state
            .set_status(
                &job.invoice_id,
                Status::Failed,
                Some(e.message.clone()),
                Vec::new(),
                Vec::new(),
                &Actor::system("registration"),
            )
            .await?;
        observe_final(&host, &job.invoice_id, Status::Failed).await;
    }
    result
}

async fn register(host: &Arc<Host>, job: &Job) -> Result<(), WorkError> {
    let Some(invoice) = host.caps.state.invoice(&job.invoice_id).await? else {
        tracing::warn!(invoice_id = %job.invoice_id, "no such invoice; message dropped");
        return Ok(());
    };
    let status = invoice.processing_status;
    if status.is_final() && status != Status::Failed {
        return Ok(());
    }
    let key = job.text_key.as_deref().unwrap_or(&invoice.document_path);
    let document = host.caps.storage.get(key).await?.ok_or_else(|| {
        WorkError::from(format!("HOST_DOCUMENT_MISSING: {key} is not in storage"))
    })?;
    let engine = host.engine().map_err(|p| WorkError::from(p.detail))?;
    let date = engine.registration_date();
    let qr = job.qr.clone();
    let corrections = job.corrections.clone().unwrap_or_default();
    let read = tokio::task::spawn_blocking(move || {
        let mut events = Vec::new();
        let pipeline = &engine.pipeline;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if corrections.is_empty() {
                return pipeline.register_scanned(&document, qr.as_deref(), date, &mut events);
            }
            let mut invoice = pipeline.read_scanned(&document, qr.as_deref())?;
            invoice.correct(&corrections)?;
            pipeline.register_invoice(invoice, date, &mut events)
        }));
        (result, events)
    })
    .await?;
    let (result, core_events) = read;
    let result = result.map_err(|_| {
        WorkError::from("PIPELINE_INTERNAL_ERROR: the library panicked on this document")
    })?;
    let (outcome, events) = match result {
        Ok(registration) => {
            registered(
                host,
                &invoice,
                &registration,
                &core_events,
                job.approval.as_ref(),
            )
            .await?
        }
        Err(e) => unreadable(&invoice, &e),
    };
    let record = host
        .caps
        .state
        .record_outcome(
            &invoice.invoice_id,
            outcome,
            events,
            &Actor::system("registration"),
        )
        .await?;
    host.outbox.notify_one();
    tracing::info!(
        invoice_id = %record.invoice_id,
        status = record.processing_status.name(),
        registration_id = record.registration_id.as_deref().unwrap_or("-"),
        "processed"
    );
    observe(host, &record.created_at, record.processing_status);
    Ok(())
}

/// The outcome of a document that could not be read as an invoice: rejected with the code.
fn unreadable(invoice: &InvoiceRecord, e: &bmc_core::Error) -> (Outcome, Vec<OutboxEvent>) {
    let event = OutboxEvent {
        id: crate::ids::random_id("evt"),
        name: "invoice.validated".into(),
        source: "bmc.invoice.service".into(),
        detail_type: "Invoice Validated".into(),
        detail: serde_json::json!({
            "invoice_id": invoice.invoice_id,
            "document_sha256": invoice.document_sha256,
            "valid": false,
            "findings": [e.code()],
        }),
        time: crate::ids::now_rfc3339(),
    };
    let outcome = Outcome {
        status: Status::Rejected,
        seller_nit: None,
        invoice_number: None,
        invoice_date: None,
        cufe: None,
        total_amount: None,
        ocr_confidence: None,
        registration: None,
        certificate: None,
        error: Some(format!("{}: {e}", e.code())),
    };
    (outcome, vec![event])
}

/// The status a registration gets: the library's decision
/// ([`Registration::decision`](bmc_core::pipeline::Registration::decision)).
pub fn status_of(registration: &Registration) -> Status {
    match registration.decision() {
        Decision::Registered => Status::Registered,
        Decision::NeedsReview => Status::NeedsReview,
        Decision::Rejected => Status::Rejected,
    }
}

async fn registered(
    host: &Arc<Host>,
    invoice: &InvoiceRecord,
    registration: &Registration,
    core_events: &[bmc_core::pipeline::Event],
    approval: Option<&serde_json::Value>,
) -> Result<(Outcome, Vec<OutboxEvent>), WorkError> {
    let mut status = status_of(registration);
    let mut review_reason = None;
    let dian = if !registration.registrable {
        None
    } else {
        let check = crate::dian::check(host.dian.as_ref(), registration).await;
        if let Some(reason) = check.review_reason() {
            tracing::warn!(invoice_id = %invoice.invoice_id, %reason, "DIAN did not confirm the invoice: it goes to review");
            host.metrics.add(
                "bmc_dian_review_total",
                crate::metrics::labels(&[("verdict", check.verdict.name())]),
                1.0,
            );
            status = Status::NeedsReview;
            review_reason = Some(reason);
        }
        Some(check)
    };
    // A reviewer approved it: what would send it to review again does not; an invoice
    // that cannot be registered is not registered by an approval.
    let approval = approval.filter(|_| status == Status::NeedsReview && registration.registrable);
    if approval.is_some() {
        status = Status::Registered;
        review_reason = None;
    }
    let read = &registration.invoice;
    let certificate = if status == Status::Registered {
        let to_render = registration.clone();
        let pdf = tokio::task::spawn_blocking(move || bmc_core::certificate::render(&to_render))
            .await?
            .map_err(|e| WorkError::from(format!("{}: {e}", e.code())))?;
        let object_key = host.caps.storage.put(ObjectKind::Certificate, &pdf).await?;
        Some(CertificateRecord {
            certificate_id: certificate_id(&registration.registration_id),
            invoice_id: invoice.invoice_id.clone(),
            registration_id: registration.registration_id.clone(),
            object_key,
            created_at: crate::ids::now_rfc3339(),
        })
    } else {
        None
    };
    let source = &read.source;
    let ocr_confidence = (!source.kind.is_exact() && !source.confidence.is_empty()).then(|| {
        let fields = source.confidence.len();
        let trusted = fields - source.doubtful_fields().len();
        host.metrics
            .add("bmc_ocr_fields_total", String::new(), fields as f64);
        host.metrics.add(
            "bmc_ocr_fields_trusted_total",
            String::new(),
            trusted as f64,
        );
        rust_decimal::Decimal::from(trusted * 100)
            .checked_div(rust_decimal::Decimal::from(fields))
            .unwrap_or_default()
            .round_dp(2)
            .to_string()
    });
    let events = core_events
        .iter()
        .filter(|e| matches!(e.name, "invoice.validated" | "commission.calculated"))
        .map(|e| {
            let mut event = OutboxEvent::from_core(e);
            if let Some(detail) = event.detail.as_object_mut() {
                detail.insert("invoice_id".into(), invoice.invoice_id.clone().into());
                detail.insert(
                    "document_sha256".into(),
                    invoice.document_sha256.clone().into(),
                );
                detail.insert("seller_nit".into(), read.seller.id.clone().into());
                detail.insert("status".into(), status.name().into());
                if e.name == "commission.calculated" {
                    if let Some(c) = &certificate {
                        detail.insert("certificate_id".into(), c.certificate_id.clone().into());
                    }
                    if let Some(to) = &invoice.notify_email {
                        detail.insert("notify_email".into(), to.clone().into());
                    }
                }
            }
            event
        })
        .collect();
    let outcome = Outcome {
        status,
        seller_nit: Some(read.seller.id.clone()),
        invoice_number: Some(read.number.clone()),
        invoice_date: Some(read.issue_date.to_string()),
        cufe: read.cufe.clone(),
        total_amount: Some(read.totals.payable.to_string()),
        ocr_confidence,
        registration: Some(registration_json(registration, dian.as_ref(), approval)?),
        certificate,
        error: review_reason,
    };
    Ok((outcome, events))
}

/// The registration as it is kept: the library's, with DIAN's check beside it (`dian`) and
/// a reviewer's approval (`review`).
fn registration_json(
    registration: &Registration,
    dian: Option<&crate::dian::DianCheck>,
    approval: Option<&serde_json::Value>,
) -> Result<serde_json::Value, WorkError> {
    let internal = |e: serde_json::Error| WorkError::from(format!("HOST_INTERNAL: {e}"));
    let mut value = serde_json::to_value(registration).map_err(internal)?;
    if let Some(object) = value.as_object_mut() {
        if let Some(check) = dian {
            object.insert(
                "dian".into(),
                serde_json::to_value(check).map_err(internal)?,
            );
        }
        if let Some(approval) = approval {
            object.insert("review".into(), approval.clone());
        }
    }
    Ok(value)
}

/// `CERT-YYYYMMDD-XXXXXXXXXX` for registration `RF-YYYYMMDD-XXXXXXXXXX`.
pub fn certificate_id(registration_id: &str) -> String {
    format!(
        "CERT-{}",
        registration_id
            .strip_prefix("RF-")
            .unwrap_or(registration_id)
    )
}

/// Records the time from upload to a final status.
async fn observe_final(host: &Host, invoice_id: &str, status: Status) {
    if let Ok(Some(invoice)) = host.caps.state.invoice(invoice_id).await {
        observe(host, &invoice.created_at, status);
    }
}

/// Records the time from `created_at` (the upload) to now, a final `status`.
fn observe(host: &Host, created_at: &str, status: Status) {
    if let Ok(created) = chrono::DateTime::parse_from_rfc3339(created_at) {
        let seconds = (chrono::Utc::now() - created.with_timezone(&chrono::Utc)).num_milliseconds()
            as f64
            / 1000.0;
        host.metrics.observe(
            "bmc_invoice_processing_seconds",
            crate::metrics::labels(&[("status", status.name())]),
            seconds.max(0.0),
        );
    }
}

//! The seed's EventBridge rules: which queue each event goes to, and with what message.
//! The embedded bus applies them itself; on AWS they are the deployment's rules.
//!
//! | event | target |
//! |---|---|
//! | `invoice.uploaded` (a scan) | `ocr-processing-queue`: read it |
//! | `invoice.uploaded` (XML) | `invoice-processing-queue`: register it |
//! | `invoice.ocr.completed` (of an upload) | `invoice-processing-queue`: register the text |
//! | `invoice.validated` | the event log (analytics) |
//! | `commission.calculated` (with a mail address) | `notification-queue`: mail the certificate |
//! | `invoice.review.requeued` | `invoice-processing-queue`: register it again (approved, rechecked or corrected) |

use serde_json::{Value, json};

use crate::capability::{CapabilityError, OutboxEvent, Outgoing, Queue, QueueName};

/// Sends each of `events`' messages to its queue, one batch a queue.
pub async fn deliver(queue: &dyn Queue, events: &[OutboxEvent]) -> Result<(), CapabilityError> {
    let mut batches: Vec<(QueueName, Vec<Outgoing>)> = Vec::new();
    for (name, message) in events.iter().flat_map(targets) {
        match batches.iter_mut().find(|(q, _)| *q == name) {
            Some((_, batch)) => batch.push(message),
            None => batches.push((name, vec![message])),
        }
    }
    for (name, batch) in batches {
        queue.send_batch(name, batch).await?;
    }
    Ok(())
}

/// The messages an event routes to.
pub fn targets(event: &OutboxEvent) -> Vec<(QueueName, Outgoing)> {
    let detail = &event.detail;
    let text = |key: &str| detail.get(key).and_then(Value::as_str);
    let Some(invoice_id) = text("invoice_id") else {
        return Vec::new();
    };
    // A FIFO group per seller (registrations of one seller in upload order); a scan's seller
    // is unknown until it is read.
    let group = text("seller_nit").unwrap_or(invoice_id).to_string();
    match event.name.as_str() {
        "invoice.uploaded" if detail.get("needs_ocr") == Some(&Value::Bool(true)) => vec![(
            QueueName::OcrProcessing,
            Outgoing {
                body: json!({"invoice_id": invoice_id, "job_id": text("job_id")}).to_string(),
                group_id: None,
                dedup_id: None,
            },
        )],
        "invoice.uploaded" => vec![(
            QueueName::InvoiceProcessing,
            Outgoing {
                body: json!({"invoice_id": invoice_id}).to_string(),
                group_id: Some(group),
                dedup_id: text("document_sha256").map(str::to_string),
            },
        )],
        "invoice.ocr.completed" => vec![(
            QueueName::InvoiceProcessing,
            Outgoing {
                body: json!({
                    "invoice_id": invoice_id,
                    "text_key": text("text_key"),
                    "qr": text("qr"),
                })
                .to_string(),
                group_id: Some(group),
                dedup_id: Some(format!(
                    "{}:ocr",
                    text("document_sha256").unwrap_or(invoice_id)
                )),
            },
        )],
        "invoice.review.requeued" => vec![(
            QueueName::InvoiceProcessing,
            Outgoing {
                body: json!({
                    "invoice_id": invoice_id,
                    "text_key": text("text_key"),
                    "qr": text("qr"),
                    "approval": detail.get("approval"),
                    "corrections": detail.get("corrections"),
                })
                .to_string(),
                group_id: Some(group),
                // Each decision is its own message.
                dedup_id: Some(event.id.clone()),
            },
        )],
        "commission.calculated" => match (text("notify_email"), text("certificate_id")) {
            (Some(to), Some(certificate_id)) => vec![(
                QueueName::Notification,
                Outgoing {
                    body: json!({"certificate_id": certificate_id, "to": to}).to_string(),
                    group_id: None,
                    dedup_id: None,
                },
            )],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

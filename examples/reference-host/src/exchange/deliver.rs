//! The outcome of each invoice a participant sent, given back once it is final: the
//! certificate of a registered one, or a file saying why it was not registered.

use std::sync::Arc;

use serde_json::json;

use super::folders;
use super::{Exchange, ExchangeError};
use crate::capability::Status;
use crate::host::Host;

/// Gives back every outcome that became final since the last look.
pub async fn deliver(host: &Arc<Host>, exchange: &Exchange) -> Result<usize, ExchangeError> {
    let mut delivered = 0;
    for file in exchange.ledger.undelivered().await? {
        let Some(invoice_id) = &file.invoice_id else {
            continue;
        };
        let Some(invoice) = host.caps.state.invoice(invoice_id).await? else {
            continue;
        };
        let status = invoice.processing_status;
        if !status.is_final() {
            continue;
        }
        let out = |name: String| format!("{}/{name}", folders::COMPLIANCE_DOCUMENTS);
        if status == Status::Registered {
            let certificate_id = invoice.certificate_id.clone().unwrap_or_default();
            let Some(certificate) = host.caps.state.certificate(&certificate_id).await? else {
                return Err(ExchangeError::Later(format!(
                    "{invoice_id}: its certificate {certificate_id} is not recorded yet"
                )));
            };
            let pdf = host
                .caps
                .storage
                .get(&certificate.object_key)
                .await?
                .ok_or_else(|| {
                    ExchangeError::Later(format!("{}: not in storage", certificate.object_key))
                })?;
            exchange
                .files
                .write(
                    &file.participant,
                    &out(format!("{certificate_id}.pdf")),
                    &pdf,
                )
                .await?;
        } else {
            let registration = host.caps.state.registration(invoice_id).await?;
            let findings: Vec<serde_json::Value> = registration
                .as_ref()
                .and_then(|r| r["findings"].as_array().cloned())
                .unwrap_or_default()
                .into_iter()
                .map(|f| {
                    json!({
                        "code": f["code"], "severity": f["severity"],
                        "message_es": f["message_es"], "message_en": f["message_en"],
                    })
                })
                .collect();
            let suffix = if status == Status::NeedsReview {
                "needs-review"
            } else {
                "rejected"
            };
            let body = json!({
                "file": file.name,
                "folder": file.folder,
                "invoice_id": invoice_id,
                "invoice_number": invoice.invoice_number,
                "status": status.name(),
                "accepted": false,
                "code": invoice.error.as_deref().and_then(|e| e.split(':').next()),
                "message": invoice.error,
                "findings": findings,
            });
            exchange
                .files
                .write(
                    &file.participant,
                    &out(format!("{}.{suffix}.json", file.name)),
                    &serde_json::to_vec_pretty(&body).unwrap_or_default(),
                )
                .await?;
        }
        exchange
            .ledger
            .delivered(
                file.id,
                &status.name().to_ascii_lowercase(),
                invoice.registration_id.clone(),
            )
            .await?;
        delivered += 1;
    }
    Ok(delivered)
}

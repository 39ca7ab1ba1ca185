//! The notification worker: mails a certificate.

use std::sync::Arc;

use serde::Deserialize;

use super::WorkError;
use crate::capability::{Attachment, Mail, Received};
use crate::host::Host;

#[derive(Debug, Deserialize)]
struct Message {
    certificate_id: String,
    to: String,
}

/// Handles one message of `notification-queue`.
pub async fn handle(
    host: Arc<Host>,
    message: Received,
    _last_attempt: bool,
) -> Result<(), WorkError> {
    let msg: Message = serde_json::from_str(&message.body)
        .map_err(|e| WorkError::from(format!("HOST_INVALID_MESSAGE: {e}")))?;
    let Some(certificate) = host.caps.state.certificate(&msg.certificate_id).await? else {
        tracing::warn!(certificate_id = %msg.certificate_id, "no such certificate; mail dropped");
        return Ok(());
    };
    let pdf = host
        .caps
        .storage
        .get(&certificate.object_key)
        .await?
        .ok_or_else(|| {
            WorkError::from(format!("HOST_DOCUMENT_MISSING: {}", certificate.object_key))
        })?;
    let invoice = host.caps.state.invoice(&certificate.invoice_id).await?;
    let number = invoice.and_then(|i| i.invoice_number).unwrap_or_default();
    let mail = Mail {
        // The same certificate to the same address is the same mail.
        message_id: format!(
            "{}.{}@bmc-host",
            certificate.certificate_id,
            &crate::ids::sha256_hex(msg.to.as_bytes())[..12]
        ),
        from: host.config.mail.from.clone(),
        to: msg.to.clone(),
        subject: format!(
            "Certificado de registro {} — factura {number}",
            certificate.registration_id
        ),
        body: format!(
            "Adjuntamos el certificado de registro {} de la factura {number} en la Bolsa Mercantil de Colombia.\r\n\
             Attached is the registration certificate {} of invoice {number}.\r\n",
            certificate.registration_id, certificate.registration_id
        ),
        attachments: vec![Attachment {
            filename: format!("{}.pdf", certificate.certificate_id),
            content_type: "application/pdf".into(),
            bytes: pdf,
        }],
    };
    host.caps.mailer.send(&mail).await?;
    tracing::info!(certificate_id = %certificate.certificate_id, to = %msg.to, "certificate mailed");
    Ok(())
}

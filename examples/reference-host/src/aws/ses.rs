//! Mail through Amazon SES (the SESv2 API): the same MIME message the SMTP mailer sends,
//! attachments included, as raw content.

use async_trait::async_trait;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};

use super::sdk_error;
use crate::capability::{CapabilityError, Mail, Mailer};

/// Sends through SES.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// Mail through `client`, tracked by the configuration set `configuration_set` when one
    /// is given (bounces and complaints go where it says).
    pub fn new(client: aws_sdk_sesv2::Client, configuration_set: Option<String>) -> SesMailer {
        SesMailer {
            client,
            configuration_set,
        }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, mail: &Mail) -> Result<(), CapabilityError> {
        let message = crate::mime::render(mail);
        let raw = RawMessage::builder()
            .data(Blob::new(message.into_bytes()))
            .build()
            .map_err(|e| CapabilityError::permanent("mailer", e))?;
        self.client
            .send_email()
            .from_email_address(&mail.from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().raw(raw).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|e| sdk_error("mailer", e))?;
        Ok(())
    }
}

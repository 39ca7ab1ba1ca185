//! How mail leaves the host.

use async_trait::async_trait;

use super::CapabilityError;

/// A file attached to a mail.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Its file name.
    pub filename: String,
    /// Its media type.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// One mail.
#[derive(Debug, Clone)]
pub struct Mail {
    /// A stable id (`<id@host>`): sending the same mail twice sends the same Message-ID.
    pub message_id: String,
    /// The sender.
    pub from: String,
    /// The recipient.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// Attachments.
    pub attachments: Vec<Attachment>,
}

/// Sends mail.
#[async_trait]
pub trait Mailer: Send + Sync + std::fmt::Debug {
    /// Sends `mail`.
    async fn send(&self, mail: &Mail) -> Result<(), CapabilityError>;
}

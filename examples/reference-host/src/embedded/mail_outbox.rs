//! Mail as `.eml` files in an outbox folder, for a mail relay (or a person) to pick up.

use std::path::PathBuf;

use async_trait::async_trait;

use crate::capability::{CapabilityError, Mail, Mailer};

/// Writes each mail to `<dir>/<message-id>.eml` (atomically; the same mail twice is one file).
#[derive(Debug, Clone)]
pub struct MailOutbox {
    dir: PathBuf,
}

impl MailOutbox {
    /// An outbox in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> MailOutbox {
        MailOutbox { dir: dir.into() }
    }
}

#[async_trait]
impl Mailer for MailOutbox {
    async fn send(&self, mail: &Mail) -> Result<(), CapabilityError> {
        let message = crate::mime::render(mail);
        let name: String = mail
            .message_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.dir.join(format!("{name}.eml"));
        let temporary = self.dir.join(format!(".{name}.tmp"));
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || {
            let fail = |e: std::io::Error| {
                CapabilityError::transient("mailer", format!("{}: {e}", path.display()))
            };
            std::fs::create_dir_all(&dir).map_err(fail)?;
            {
                use std::io::Write as _;
                let mut file = std::fs::File::create(&temporary).map_err(fail)?;
                file.write_all(message.as_bytes()).map_err(fail)?;
                file.sync_all().map_err(fail)?;
            }
            std::fs::rename(&temporary, &path).map_err(fail)
        })
        .await
        .map_err(|e| CapabilityError::transient("mailer", e))?
    }
}

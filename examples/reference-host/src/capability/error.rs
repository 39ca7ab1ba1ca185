//! What a capability fails with.

/// A capability that failed: which one, why, and whether trying again may succeed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{capability}: {message}")]
pub struct CapabilityError {
    /// `storage`, `queue`, `events`, `text`, `mailer` or `state`.
    pub capability: &'static str,
    /// What went wrong.
    pub message: String,
    /// True when the same call may succeed later (a timeout, a busy database, a full disk
    /// being cleaned); false when it never will as it is (a corrupt record).
    pub transient: bool,
}

impl CapabilityError {
    /// A failure that may pass.
    pub fn transient(capability: &'static str, message: impl std::fmt::Display) -> Self {
        CapabilityError {
            capability,
            message: message.to_string(),
            transient: true,
        }
    }

    /// A failure that will not pass by itself.
    pub fn permanent(capability: &'static str, message: impl std::fmt::Display) -> Self {
        CapabilityError {
            capability,
            message: message.to_string(),
            transient: false,
        }
    }
}

//! What becomes of a registration: registered, reviewed by a person, or rejected.

use crate::compliance::Severity;

use super::Registration;

/// What a registration asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Registrable, and nothing asks for a person: registered.
    Registered,
    /// A person looks first: a warning, a line's product match to confirm, or (for an
    /// invoice read from a page) errors only on fields the reader doubted, which may be the
    /// reader's and not the seller's.
    NeedsReview,
    /// Not registrable: its errors say why.
    Rejected,
}

impl Registration {
    /// What this registration asks for. An invoice read from a page whose every error is on
    /// a field the reader doubted (a misread CUFE is malformed, say) goes to a person, who
    /// corrects the field ([`Invoice::correct`](crate::invoice::Invoice::correct)) or
    /// rejects it.
    pub fn decision(&self) -> Decision {
        if !self.registrable {
            if self.errors_on_doubtful_fields() {
                Decision::NeedsReview
            } else {
                Decision::Rejected
            }
        } else if self
            .findings
            .iter()
            .any(|f| f.severity == Severity::Warning)
            || self.lines.iter().any(|l| l.needs_review)
        {
            Decision::NeedsReview
        } else {
            Decision::Registered
        }
    }

    /// Whether there are errors and every one is on a field the reader doubted, or within
    /// one (`lines[2].taxes[0].amount` is within `lines[2].taxes`).
    fn errors_on_doubtful_fields(&self) -> bool {
        let doubtful = self.invoice.source.doubtful_fields();
        let mut errors = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .peekable();
        errors.peek().is_some()
            && errors.all(|f| {
                doubtful.iter().any(|d| {
                    f.path == *d
                        || f.path
                            .strip_prefix(d)
                            .is_some_and(|rest| rest.starts_with(['.', '[']))
                })
            })
    }
}

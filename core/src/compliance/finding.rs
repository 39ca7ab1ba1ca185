//! A finding: one thing wrong (or worth a look) in an invoice.

/// How much a finding matters for registration.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; changes nothing.
    Info,
    /// Needs a person's review; does not by itself stop registration.
    Warning,
    /// The invoice cannot be registered as it is.
    Error,
}

impl Severity {
    /// Parses `info`, `warning` or `error`.
    pub fn parse(name: &str) -> Option<Severity> {
        match name {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }

    /// `info`, `warning` or `error`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding of [`validate`](super::validate).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// The stable code, such as `NIT_CHECK_DIGIT` (never reworded; see [`CODES`](super::CODES)).
    pub code: String,
    /// How much it matters.
    pub severity: Severity,
    /// The field it is about, as a path into the invoice (`seller.check_digit`,
    /// `lines[2].base`, `totals.payable`); empty for the document as a whole.
    pub path: String,
    /// The message in Spanish.
    pub message_es: String,
    /// The message in English.
    pub message_en: String,
}

/// True when no finding is an [`Severity::Error`].
pub fn is_registrable(findings: &[Finding]) -> bool {
    registrable_with(findings.iter().map(|f| f.severity))
}

/// The registrability rule on the findings' severities alone (for callers that hold
/// findings in another form): true when none is [`Severity::Error`].
pub fn registrable_with(severities: impl IntoIterator<Item = Severity>) -> bool {
    severities.into_iter().all(|s| s != Severity::Error)
}

/// Collects findings as the checks run.
#[derive(Debug, Default)]
pub(crate) struct Findings(pub(crate) Vec<Finding>);

impl Findings {
    pub(crate) fn push(
        &mut self,
        code: &str,
        severity: Severity,
        path: impl Into<String>,
        message_es: impl Into<String>,
        message_en: impl Into<String>,
    ) {
        self.0.push(Finding {
            code: code.to_string(),
            severity,
            path: path.into(),
            message_es: message_es.into(),
            message_en: message_en.into(),
        });
    }
}

use crate::error::ErrorKind;
use crate::rules::RuleError;

/// Why a commission could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommissionError {
    /// A line's data is wrong (negative base, bad subpartida).
    #[error("line {line} ({field}): {message}")]
    InvalidLine {
        /// The line's position, 1-based.
        line: usize,
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The rules could not be applied (no version in force, script failure).
    #[error(transparent)]
    Rules(#[from] RuleError),
}

impl CommissionError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            CommissionError::InvalidLine { .. } => "COMMISSION_INVALID_LINE",
            CommissionError::Rules(e) => e.code(),
        }
    }

    /// The broad kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CommissionError::InvalidLine { .. } => ErrorKind::InvalidInput,
            CommissionError::Rules(e) => e.kind(),
        }
    }
}

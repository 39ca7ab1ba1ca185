use crate::catalog::CatalogError;
use crate::error_kind::ErrorKind;
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
    /// A sum or product of the invoice's amounts leaves the 28-digit decimal range.
    #[error("{what} leaves the 28-digit decimal range")]
    OutOfRange {
        /// What was being computed.
        what: String,
    },
    /// The invoice is not in pesos and gives no usable exchange rate.
    #[error("the invoice is in {currency}: {message}; the commission is computed in pesos")]
    Currency {
        /// The document's currency.
        currency: String,
        /// What is missing or wrong.
        message: String,
    },
    /// A line's product could not be classified because the catalog failed to answer.
    #[error("line {line}: the catalog could not classify the product: {source}")]
    Catalog {
        /// The line's position, 1-based.
        line: usize,
        /// The catalog's error.
        source: Box<CatalogError>,
    },
}

impl CommissionError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            CommissionError::InvalidLine { .. } => "COMMISSION_INVALID_LINE",
            CommissionError::Rules(e) => e.code(),
            CommissionError::OutOfRange { .. } => "COMMISSION_OUT_OF_RANGE",
            CommissionError::Currency { .. } => "COMMISSION_CURRENCY_UNCONVERTIBLE",
            CommissionError::Catalog { source, .. } => source.code(),
        }
    }

    /// The broad kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CommissionError::InvalidLine { .. }
            | CommissionError::OutOfRange { .. }
            | CommissionError::Currency { .. } => ErrorKind::InvalidInput,
            CommissionError::Rules(e) => e.kind(),
            CommissionError::Catalog { source, .. } => source.kind(),
        }
    }
}

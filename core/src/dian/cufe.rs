//! CUFE and CUDE: the SHA-384 codes that identify an electronic invoice (CUFE) or a credit or
//! debit note (CUDE), per DIAN's Anexo Técnico de Factura Electrónica.
//!
//! The code is the lowercase hex SHA-384 of a plain concatenation of the document's fields.
//! Amounts take exactly two decimals with `.` and no thousands separator; they come in as
//! [`Decimal`] and are never formatted through a float. A verifier can recompute a received
//! code only when it knows the key (the numbering range's technical key for a CUFE, the
//! software PIN for a CUDE).
//!
//! ```
//! use bmc_core::dian::cufe::{self, CufeFields, Environment};
//! use rust_decimal::Decimal;
//!
//! // The example of DIAN's technical annex.
//! let fields = CufeFields {
//!     number: "323200000129".into(),
//!     issue_date: "2019-01-16".parse().unwrap(),
//!     issue_time: "10:53:10-05:00".into(),
//!     subtotal: Decimal::new(150000000, 2),
//!     iva: Decimal::new(28500000, 2),
//!     inc: Decimal::ZERO,
//!     ica: Decimal::ZERO,
//!     total: Decimal::new(178500000, 2),
//!     seller_nit: "700085371".into(),
//!     buyer_id: "800199436".into(),
//!     key: "693ff6f2a553c3646a063436fd4dd9ded0311471".into(),
//!     environment: Environment::Production,
//! };
//! let code = cufe::compute(&fields)?;
//! assert!(code.as_str().starts_with("8bb918b19ba22a694f1da11c643b5e9d"));
//! cufe::verify(&fields, code.as_str())?;
//! # Ok::<(), bmc_core::dian::CufeError>(())
//! ```

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha384};

use crate::error_kind::ErrorKind;

/// DIAN's environment (`cbc:ProfileExecutionID`, TipoAmbiente).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Environment {
    /// `1`: production.
    #[serde(rename = "1")]
    Production,
    /// `2`: test (habilitación).
    #[serde(rename = "2")]
    Test,
}

impl Environment {
    /// Parses `"1"` or `"2"`, or the names `"production"` and `"test"`.
    pub fn parse(code: &str) -> Result<Environment, CufeError> {
        match code.trim() {
            "1" | "production" => Ok(Environment::Production),
            "2" | "test" => Ok(Environment::Test),
            other => Err(CufeError::Field {
                field: "environment",
                reason: format!("is {other:?}; it must be 1 (production) or 2 (test)"),
            }),
        }
    }

    /// `"production"` or `"test"`.
    pub fn name(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Test => "test",
        }
    }

    /// DIAN's code, `"1"` or `"2"`.
    pub fn code(self) -> &'static str {
        match self {
            Environment::Production => "1",
            Environment::Test => "2",
        }
    }
}

/// The fields a CUFE or CUDE is computed from, named as DIAN's annex names them in the
/// comments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CufeFields {
    /// NumFac: the document number with its prefix (`"SETP990000002"`).
    pub number: String,
    /// FecFac: the issue date.
    pub issue_date: NaiveDate,
    /// HorFac: the issue time with its offset, `HH:MM:SS-05:00`.
    pub issue_time: String,
    /// ValFac: the amount before taxes (`LineExtensionAmount`).
    #[serde(with = "rust_decimal::serde::str")]
    pub subtotal: Decimal,
    /// ValImp1: the IVA (tax `01`) amount.
    #[serde(with = "rust_decimal::serde::str")]
    pub iva: Decimal,
    /// ValImp2: the INC (tax `04`) amount.
    #[serde(with = "rust_decimal::serde::str")]
    pub inc: Decimal,
    /// ValImp3: the ICA (tax `03`) amount.
    #[serde(with = "rust_decimal::serde::str")]
    pub ica: Decimal,
    /// ValTot: the amount payable (`PayableAmount`).
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    /// NitOFE: the seller's NIT without check digit.
    pub seller_nit: String,
    /// NumAdq: the buyer's id number (without check digit when it is a NIT).
    pub buyer_id: String,
    /// ClTec for a CUFE (the numbering range's technical key), or the software PIN for a CUDE.
    pub key: String,
    /// TipoAmbiente.
    pub environment: Environment,
}

/// A CUFE or CUDE: 96 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cufe(String);

impl Cufe {
    /// Parses a received code: 96 hex digits, either case, surrounding white space ignored.
    pub fn parse(input: &str) -> Result<Cufe, CufeError> {
        let code = input.trim();
        if code.len() != 96 || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CufeError::Malformed {
                value: truncate(code, 120),
            });
        }
        Ok(Cufe(code.to_ascii_lowercase()))
    }

    /// The 96 lowercase hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cufe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The exact text that is hashed: useful to show a sender why a code does not match.
pub fn preimage(fields: &CufeFields) -> Result<String, CufeError> {
    require_text("number", &fields.number)?;
    check_time(&fields.issue_time)?;
    require_digits("seller_nit", &fields.seller_nit)?;
    require_text("buyer_id", &fields.buyer_id)?;
    require_text("key", &fields.key)?;
    Ok([
        fields.number.as_str(),
        &fields.issue_date.format("%Y-%m-%d").to_string(),
        &fields.issue_time,
        &amount("subtotal", fields.subtotal)?,
        "01",
        &amount("iva", fields.iva)?,
        "04",
        &amount("inc", fields.inc)?,
        "03",
        &amount("ica", fields.ica)?,
        &amount("total", fields.total)?,
        &fields.seller_nit,
        &fields.buyer_id,
        &fields.key,
        fields.environment.code(),
    ]
    .concat())
}

/// Computes the CUFE of an invoice (`key` is the technical key).
pub fn compute(fields: &CufeFields) -> Result<Cufe, CufeError> {
    let digest = Sha384::digest(preimage(fields)?.as_bytes());
    let hex = crate::hex::lower(&digest);
    Ok(Cufe(hex))
}

/// Computes the CUDE of a credit or debit note (`key` is the software PIN). The formula is
/// the CUFE's; only the key differs.
pub fn compute_cude(fields: &CufeFields) -> Result<Cufe, CufeError> {
    compute(fields)
}

/// Recomputes the code from `fields` and compares it with `received`.
///
/// Returns the code when they match, [`CufeError::Mismatch`] (with both codes) when they do
/// not, [`CufeError::Malformed`] when `received` is not 96 hex digits.
pub fn verify(fields: &CufeFields, received: &str) -> Result<Cufe, CufeError> {
    let received = Cufe::parse(received)?;
    let expected = compute(fields)?;
    if expected == received {
        Ok(expected)
    } else {
        Err(CufeError::Mismatch {
            expected: expected.0,
            found: received.0,
        })
    }
}

/// Formats an amount with exactly two decimals, refusing what two decimals cannot hold.
fn amount(field: &'static str, value: Decimal) -> Result<String, CufeError> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(CufeError::Amount {
            field,
            value: value.to_string(),
            reason: "is negative",
        });
    }
    let mut two = value.round_dp(2);
    if two != value {
        return Err(CufeError::Amount {
            field,
            value: value.to_string(),
            reason: "has more than two decimals",
        });
    }
    two.rescale(2);
    // A negative zero would print as "-0.00".
    two.set_sign_positive(true);
    Ok(two.to_string())
}

fn require_text(field: &'static str, value: &str) -> Result<(), CufeError> {
    if value.is_empty() {
        return Err(CufeError::Field {
            field,
            reason: "is empty".to_owned(),
        });
    }
    if let Some(c) = value.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(CufeError::Field {
            field,
            reason: format!("contains {c:?}; it is hashed as written, so it may hold no space"),
        });
    }
    Ok(())
}

fn require_digits(field: &'static str, value: &str) -> Result<(), CufeError> {
    require_text(field, value)?;
    if let Some(c) = value.chars().find(|c| !c.is_ascii_digit()) {
        return Err(CufeError::Field {
            field,
            reason: format!("contains {c:?}; it must be the NIT's digits without check digit"),
        });
    }
    Ok(())
}

/// `HH:MM:SS` followed by an offset `±HH:MM`, as DIAN writes `10:53:10-05:00`.
fn check_time(value: &str) -> Result<(), CufeError> {
    let bad = || CufeError::Field {
        field: "issue_time",
        reason: format!("is {value:?}; it must be HH:MM:SS with an offset, such as 10:53:10-05:00"),
    };
    let b = value.as_bytes();
    if b.len() != 14 || !matches!(b[8], b'+' | b'-') {
        return Err(bad());
    }
    let two = |i: usize| -> Option<u32> {
        let (h, l) = (b[i], b[i + 1]);
        (h.is_ascii_digit() && l.is_ascii_digit())
            .then(|| u32::from(h - b'0') * 10 + u32::from(l - b'0'))
    };
    let ok = b[2] == b':'
        && b[5] == b':'
        && b[11] == b':'
        && two(0).is_some_and(|h| h < 24)
        && two(3).is_some_and(|m| m < 60)
        && two(6).is_some_and(|s| s < 60)
        && two(9).is_some_and(|h| h <= 14)
        && two(12).is_some_and(|m| m < 60);
    if ok { Ok(()) } else { Err(bad()) }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Why a CUFE or CUDE could not be computed or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CufeError {
    /// An amount cannot be written with two decimals, or is negative.
    #[error("CUFE field {field} = {value} {reason}")]
    Amount {
        /// The field.
        field: &'static str,
        /// The amount as given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A text field is empty or shaped wrongly.
    #[error("CUFE field {field} {reason}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A received code is not 96 hex digits.
    #[error("a CUFE or CUDE is 96 hex digits; received {value:?}")]
    Malformed {
        /// The received value (at most 120 characters of it).
        value: String,
    },
    /// A table of numbering ranges' keys is wrong.
    #[error("{source_name}:{line}: {message}")]
    KeysTable {
        /// The table's name (its file).
        source_name: String,
        /// The line (1-based; the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The received code differs from the one computed from the fields.
    #[error("CUFE mismatch: the fields give {expected} but the document says {found}")]
    Mismatch {
        /// The code computed from the fields.
        expected: String,
        /// The code received.
        found: String,
    },
}

impl CufeError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            CufeError::Amount { .. } => "CUFE_INVALID_AMOUNT",
            CufeError::Field { .. } => "CUFE_INVALID_FIELD",
            CufeError::Malformed { .. } => "CUFE_INVALID_FORMAT",
            CufeError::Mismatch { .. } => "CUFE_MISMATCH",
            CufeError::KeysTable { .. } => "CUFE_KEYS_INVALID",
        }
    }

    /// The broad kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CufeError::Amount { .. } | CufeError::Field { .. } | CufeError::Malformed { .. } => {
                ErrorKind::InvalidFormat
            }
            CufeError::Mismatch { .. } => ErrorKind::Mismatch,
            CufeError::KeysTable { .. } => ErrorKind::InvalidInput,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annex() -> CufeFields {
        CufeFields {
            number: "323200000129".into(),
            issue_date: NaiveDate::from_ymd_opt(2019, 1, 16).unwrap(),
            issue_time: "10:53:10-05:00".into(),
            subtotal: Decimal::new(1_500_000, 0),
            iva: Decimal::new(285_000, 0),
            inc: Decimal::ZERO,
            ica: Decimal::ZERO,
            total: Decimal::new(17_850_000, 1),
            seller_nit: "700085371".into(),
            buyer_id: "800199436".into(),
            key: "693ff6f2a553c3646a063436fd4dd9ded0311471".into(),
            environment: Environment::Production,
        }
    }

    #[test]
    fn reproduces_the_annex_vector() {
        assert_eq!(
            preimage(&annex()).unwrap(),
            "3232000001292019-01-1610:53:10-05:001500000.0001285000.00040.00030.001785000.00700085371800199436693ff6f2a553c3646a063436fd4dd9ded03114711"
        );
        assert_eq!(
            compute(&annex()).unwrap().as_str(),
            "8bb918b19ba22a694f1da11c643b5e9de39adf60311cf179179e9b33381030bcd4c3c3f156c506ed5908f9276f5bd9b4"
        );
    }

    #[test]
    fn amounts_need_two_decimals_at_most() {
        let mut f = annex();
        f.iva = Decimal::new(2_850_001, 3);
        assert_eq!(compute(&f).unwrap_err().code(), "CUFE_INVALID_AMOUNT");
        f.iva = Decimal::new(2_850_000_000, 4); // 285000.0000 is fine
        assert_eq!(compute(&f).unwrap(), compute(&annex()).unwrap());
    }

    #[test]
    fn verify_reports_both_codes() {
        let mut f = annex();
        let good = compute(&f).unwrap();
        f.total = Decimal::new(1_785_001, 0);
        match verify(&f, &good.as_str().to_uppercase()) {
            Err(CufeError::Mismatch { found, .. }) => assert_eq!(found, good.as_str()),
            other => panic!("{other:?}"),
        }
        assert_eq!(verify(&f, "abc").unwrap_err().code(), "CUFE_INVALID_FORMAT");
    }

    #[test]
    fn times_are_checked() {
        let mut f = annex();
        for bad in [
            "10:53:10",
            "25:00:00-05:00",
            "10:53:10 05:00",
            "10:53:10-05:00 ",
        ] {
            f.issue_time = bad.into();
            assert_eq!(
                compute(&f).unwrap_err().code(),
                "CUFE_INVALID_FIELD",
                "{bad}"
            );
        }
    }
}

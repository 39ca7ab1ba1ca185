//! Scheme `010`: GTIN (GS1 Global Trade Item Number), with its mod-10 check digit.

use std::fmt;

use super::digits::{collect_digits, expect_length};
use super::{ProductCodeError, Scheme};

/// A GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14, with a valid check digit.
///
/// ```
/// use bmc_core::dian::Gtin;
///
/// let gtin = Gtin::parse("7702004003508")?;
/// assert_eq!(gtin.check_digit(), 8);
/// assert_eq!(gtin.to_gtin14(), "07702004003508");
/// assert!(Gtin::parse("7702004003509").is_err());
/// # Ok::<(), bmc_core::dian::ProductCodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gtin(String);

/// The GS1 mod-10 check digit of `digits` (a GTIN without its check digit), refusing
/// anything but ASCII digits.
pub fn gs1_check_digit_of(digits: &str) -> Result<u8, ProductCodeError> {
    if let Some((position, character)) = digits
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(ProductCodeError::InvalidCharacter {
            scheme: Scheme::Gtin,
            character,
            position,
            allowed: "a GTIN has only digits",
        });
    }
    Ok(gs1_check_digit(digits))
}

/// The GS1 mod-10 check digit of `digits` (the code without its check digit).
///
/// From the right, digits are weighted 3, 1, 3, 1, ...; the check digit brings the sum to a
/// multiple of 10. `digits` must be ASCII digits ([`gs1_check_digit_of`] checks them).
pub fn gs1_check_digit(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    // Below 10, so it fits a u8.
    ((10 - sum % 10) % 10) as u8
}

impl Gtin {
    /// Parses a GTIN of 8, 12, 13 or 14 digits and checks its check digit.
    pub fn parse(input: &str) -> Result<Gtin, ProductCodeError> {
        let digits = collect_digits(Scheme::Gtin, input, &[], "a GTIN has only digits")?;
        expect_length(
            Scheme::Gtin,
            &digits,
            &[8, 12, 13, 14],
            "8, 12, 13 or 14 digits",
        )?;
        let (body, check) = digits.split_at(digits.len() - 1);
        let expected = gs1_check_digit(body);
        let found = check.as_bytes()[0] - b'0';
        if expected != found {
            return Err(ProductCodeError::Checksum { expected, found });
        }
        Ok(Gtin(digits))
    }

    /// The digits as written (8, 12, 13 or 14).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The check digit (the last digit).
    pub fn check_digit(&self) -> u8 {
        self.0.as_bytes()[self.0.len() - 1] - b'0'
    }

    /// The GTIN padded to 14 digits with leading zeros, the form that compares equal across
    /// GTIN lengths.
    pub fn to_gtin14(&self) -> String {
        format!("{:0>14}", self.0)
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_check_digits() {
        assert_eq!(gs1_check_digit("400638133393"), 1); // GS1's example 4006381333931
        assert_eq!(gs1_check_digit("9638507"), 4); // GTIN-8 96385074
        assert!(Gtin::parse("96385074").is_ok());
        assert!(Gtin::parse("036000291452").is_ok()); // UPC-A
    }

    #[test]
    fn wrong_lengths_are_refused() {
        let err = Gtin::parse("1234567890").unwrap_err();
        assert_eq!(err.code(), "PRODUCT_CODE_INVALID_LENGTH");
    }
}

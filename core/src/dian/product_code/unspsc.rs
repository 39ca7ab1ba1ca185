//! Scheme `001`: UNSPSC (United Nations Standard Products and Services Code).

use std::fmt;

use super::digits::{collect_digits, expect_length};
use super::{ProductCodeError, Scheme};

/// A UNSPSC code: 8 digits, segment / family / class / commodity, two digits each, with the
/// levels below the one meant right-padded with `00`.
///
/// ```
/// use bmc_core::dian::{Unspsc, UnspscLevel};
///
/// let coffee = Unspsc::parse("50201706")?;
/// assert_eq!(coffee.segment(), "50");
/// assert_eq!(coffee.level(), UnspscLevel::Commodity);
/// assert_eq!(Unspsc::parse("50200000")?.level(), UnspscLevel::Family);
/// assert!(Unspsc::parse("50000100").is_err()); // a commodity under no family
/// # Ok::<(), bmc_core::dian::ProductCodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unspsc([u8; 8]);

/// The most specific level a UNSPSC code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnspscLevel {
    /// Only the segment is set (`50000000`).
    Segment,
    /// Segment and family (`50200000`).
    Family,
    /// Down to the class (`50201700`).
    Class,
    /// Down to the commodity (`50201706`).
    Commodity,
}

impl Unspsc {
    /// Parses an 8-digit UNSPSC code. The segment must be 10 to 95 and no level may be set
    /// below one that is `00`.
    pub fn parse(input: &str) -> Result<Unspsc, ProductCodeError> {
        let digits = collect_digits(Scheme::Unspsc, input, &[], "a UNSPSC code has only digits")?;
        expect_length(Scheme::Unspsc, &digits, &[8], "8 digits")?;
        let segment = &digits[..2];
        if !("10"..="95").contains(&segment) {
            return Err(ProductCodeError::UnknownSegment {
                segment: segment.to_owned(),
                code: digits,
            });
        }
        let pairs = [&digits[2..4], &digits[4..6], &digits[6..8]];
        let names = ["family", "class", "commodity"];
        if let Some(first_zero) = pairs.iter().position(|p| *p == "00")
            && let Some(set) = pairs[first_zero..].iter().rposition(|p| *p != "00")
        {
            return Err(ProductCodeError::Hierarchy {
                level: names[first_zero + set],
                code: digits,
            });
        }
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(digits.as_bytes());
        Ok(Unspsc(bytes))
    }

    /// The 8 digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The segment, digits 1–2.
    pub fn segment(&self) -> &str {
        &self.as_str()[..2]
    }

    /// The family, digits 1–4.
    pub fn family(&self) -> &str {
        &self.as_str()[..4]
    }

    /// The class, digits 1–6.
    pub fn class(&self) -> &str {
        &self.as_str()[..6]
    }

    /// The most specific level this code names.
    pub fn level(&self) -> UnspscLevel {
        match (&self.0[2..4], &self.0[4..6], &self.0[6..8]) {
            (b"00", _, _) => UnspscLevel::Segment,
            (_, b"00", _) => UnspscLevel::Family,
            (_, _, b"00") => UnspscLevel::Class,
            _ => UnspscLevel::Commodity,
        }
    }
}

impl fmt::Display for Unspsc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_hierarchy() {
        let code = |s| Unspsc::parse(s).unwrap_err().code();
        assert_eq!(code("09000000"), "UNSPSC_SEGMENT_UNKNOWN");
        assert_eq!(code("96101500"), "UNSPSC_SEGMENT_UNKNOWN");
        assert_eq!(code("10000001"), "UNSPSC_INVALID_HIERARCHY");
        assert_eq!(code("10100015"), "UNSPSC_INVALID_HIERARCHY");
        assert_eq!(code("1010150"), "PRODUCT_CODE_INVALID_LENGTH");
        assert_eq!(
            Unspsc::parse("10000000").unwrap().level(),
            UnspscLevel::Segment
        );
        assert_eq!(
            Unspsc::parse("10101500").unwrap().level(),
            UnspscLevel::Class
        );
    }
}

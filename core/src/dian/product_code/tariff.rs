//! Scheme `020`: the subpartida arancelaria, the 10-digit Colombian customs tariff code.

use std::fmt;

use super::digits::{collect_digits, expect_length};
use super::{ProductCodeError, Scheme};
use crate::dian::hs2022::{self, HsEntry};

/// A subpartida arancelaria (Decreto 1881 de 2021, NANDINA on HS 2022): 10 digits, shown as
/// `0901.11.90.00`.
///
/// Digits 1–2 are the chapter, 1–4 the heading (partida), 1–6 the HS subheading, 1–8 the
/// NANDINA subheading, 9–10 the national one. Valid by construction: the chapter is one of
/// 01–97 (77 is reserved) and the first six digits are an HS 2022 subheading. No public table
/// holds the national 10-digit list, so digits 7–10 are not checked against one.
///
/// ```
/// use bmc_core::dian::TariffCode;
///
/// let code = TariffCode::parse("0901.11.90.00")?;
/// assert_eq!(code.as_str(), "0901119000");
/// assert_eq!(code.chapter(), "09");
/// assert_eq!(code.heading(), "0901");
/// assert_eq!(code.to_string(), "0901.11.90.00");
/// assert!(TariffCode::parse("7701.00.00.00").is_err()); // chapter 77 is reserved
/// # Ok::<(), bmc_core::dian::ProductCodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TariffCode([u8; 10]);

/// The chapter, heading and subheading of a [`TariffCode`] in the HS 2022 nomenclature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TariffDescription {
    /// The chapter (2 digits).
    pub chapter: HsEntry,
    /// The heading (4 digits).
    pub heading: HsEntry,
    /// The HS subheading (6 digits).
    pub subheading: HsEntry,
}

impl TariffCode {
    /// Parses a subpartida written with or without dots (`0901.11.90.00`, `0901119000`).
    pub fn parse(input: &str) -> Result<TariffCode, ProductCodeError> {
        let digits = collect_digits(
            Scheme::Tariff,
            input,
            &['.'],
            "a subpartida has 10 digits, optionally with dots",
        )?;
        expect_length(Scheme::Tariff, &digits, &[10], "10 digits")?;
        let chapter = &digits[..2];
        let reason = match chapter {
            "77" => Some("is reserved"),
            "00" | "98" | "99" => Some("does not exist (chapters are 01 to 97)"),
            _ => None,
        };
        if let Some(reason) = reason {
            return Err(ProductCodeError::UnknownChapter {
                code: digits.clone(),
                chapter: chapter.to_owned(),
                reason,
            });
        }
        if hs2022::lookup(&digits[..6]).is_none() {
            return Err(ProductCodeError::UnknownSubheading {
                subheading: digits[..6].to_owned(),
                code: digits,
            });
        }
        let mut bytes = [0u8; 10];
        bytes.copy_from_slice(digits.as_bytes());
        Ok(TariffCode(bytes))
    }

    /// The 10 digits, no dots.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The chapter, digits 1–2 (`"09"`).
    pub fn chapter(&self) -> &str {
        &self.as_str()[..2]
    }

    /// The chapter as a number (9 for `09`).
    pub fn chapter_number(&self) -> u8 {
        (self.0[0] - b'0') * 10 + (self.0[1] - b'0')
    }

    /// The heading (partida), digits 1–4 (`"0901"`).
    pub fn heading(&self) -> &str {
        &self.as_str()[..4]
    }

    /// The HS subheading, digits 1–6 (`"090111"`).
    pub fn subheading(&self) -> &str {
        &self.as_str()[..6]
    }

    /// The NANDINA subheading, digits 1–8 (`"09011190"`).
    pub fn nandina(&self) -> &str {
        &self.as_str()[..8]
    }

    /// The chapter, heading and subheading descriptions from HS 2022.
    pub fn describe(&self) -> Option<TariffDescription> {
        Some(TariffDescription {
            chapter: hs2022::lookup(self.chapter())?,
            heading: hs2022::lookup(self.heading())?,
            subheading: hs2022::lookup(self.subheading())?,
        })
    }
}

impl fmt::Display for TariffCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.as_str();
        write!(f, "{}.{}.{}.{}", &s[..4], &s[4..6], &s[6..8], &s[8..])
    }
}

impl std::str::FromStr for TariffCode {
    type Err = ProductCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TariffCode::parse(s)
    }
}

impl serde::Serialize for TariffCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for TariffCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        TariffCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_specific() {
        let code = |s| TariffCode::parse(s).unwrap_err().code();
        assert_eq!(code("0901.11.90"), "PRODUCT_CODE_INVALID_LENGTH");
        assert_eq!(code("0901-11-90-00"), "PRODUCT_CODE_INVALID_FORMAT");
        assert_eq!(code("7700000000"), "TARIFF_CHAPTER_UNKNOWN");
        assert_eq!(code("9900000000"), "TARIFF_CHAPTER_UNKNOWN");
        assert_eq!(code("0901190000"), "TARIFF_SUBHEADING_UNKNOWN");
    }

    #[test]
    fn describes_coffee() {
        let d = TariffCode::parse("0901119000").unwrap().describe().unwrap();
        assert_eq!(d.chapter.code, "09");
        assert_eq!(
            d.subheading.description,
            "Coffee; not roasted or decaffeinated"
        );
    }

    #[test]
    fn position_of_a_bad_character_counts_leading_space() {
        let err = TariffCode::parse("  0901x119000").unwrap_err();
        assert!(matches!(
            err,
            ProductCodeError::InvalidCharacter {
                position: 6,
                character: 'x',
                ..
            }
        ));
    }
}

use super::Scheme;
use crate::error_kind::ErrorKind;

/// Why a product code is not valid under its scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProductCodeError {
    /// The scheme code is not one DIAN defines for items (`020`, `001`, `010`, `999`).
    #[error(
        "unknown product code scheme {scheme:?}; DIAN's item schemes are 020 (subpartida arancelaria), 001 (UNSPSC), 010 (GTIN) and 999 (own code)"
    )]
    UnknownScheme {
        /// The scheme as given.
        scheme: String,
    },
    /// Wrong number of digits or characters for the scheme.
    #[error("{scheme} code has {length} {unit}; it must have {expected}")]
    Length {
        /// The scheme.
        scheme: Scheme,
        /// How many digits or characters were found.
        length: usize,
        /// What was found: "digits" or "characters".
        unit: &'static str,
        /// What the scheme requires, in words ("10 digits").
        expected: &'static str,
    },
    /// A character that the scheme does not allow.
    #[error("{scheme} code contains {character:?} at position {position}; {allowed}")]
    InvalidCharacter {
        /// The scheme.
        scheme: Scheme,
        /// The character found.
        character: char,
        /// Its position (0-based, in characters) in the input.
        position: usize,
        /// What the scheme allows, in words.
        allowed: &'static str,
    },
    /// The GTIN check digit does not match.
    #[error("GTIN check digit is {found} but the other digits give {expected}")]
    Checksum {
        /// The check digit computed from the other digits.
        expected: u8,
        /// The check digit written.
        found: u8,
    },
    /// The chapter (first two digits) of a subpartida does not exist or is reserved.
    #[error("subpartida {code} is in chapter {chapter}, which {reason}")]
    UnknownChapter {
        /// The code, compact.
        code: String,
        /// The chapter, two digits.
        chapter: String,
        /// Why: "is reserved" or "does not exist (chapters are 01 to 97)".
        reason: &'static str,
    },
    /// The first six digits of a subpartida are not an HS 2022 subheading.
    #[error("subpartida {code}: {subheading} is not a subheading of the HS 2022 nomenclature")]
    UnknownSubheading {
        /// The code, compact.
        code: String,
        /// The six-digit HS prefix.
        subheading: String,
    },
    /// The UNSPSC segment (first two digits) does not exist.
    #[error(
        "UNSPSC code {code} is in segment {segment}, which does not exist (segments are 10 to 95)"
    )]
    UnknownSegment {
        /// The code.
        code: String,
        /// The segment, two digits.
        segment: String,
    },
    /// A UNSPSC level is set below one that is `00` (such as `10000100`).
    #[error(
        "UNSPSC code {code} sets the {level} below a level that is 00; codes are right-padded with 00"
    )]
    Hierarchy {
        /// The code.
        code: String,
        /// The level that is set: "class" or "commodity".
        level: &'static str,
    },
}

impl ProductCodeError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ProductCodeError::UnknownScheme { .. } => "PRODUCT_CODE_UNKNOWN_SCHEME",
            ProductCodeError::Length { .. } => "PRODUCT_CODE_INVALID_LENGTH",
            ProductCodeError::InvalidCharacter { .. } => "PRODUCT_CODE_INVALID_FORMAT",
            ProductCodeError::Checksum { .. } => "PRODUCT_CODE_INVALID_CHECKSUM",
            ProductCodeError::UnknownChapter { .. } => "TARIFF_CHAPTER_UNKNOWN",
            ProductCodeError::UnknownSubheading { .. } => "TARIFF_SUBHEADING_UNKNOWN",
            ProductCodeError::UnknownSegment { .. } => "UNSPSC_SEGMENT_UNKNOWN",
            ProductCodeError::Hierarchy { .. } => "UNSPSC_INVALID_HIERARCHY",
        }
    }

    /// The broad kind of this error (the exception class in Python and Node).
    pub fn kind(&self) -> ErrorKind {
        match self {
            ProductCodeError::Length { .. } => ErrorKind::InvalidLength,
            ProductCodeError::InvalidCharacter { .. } => ErrorKind::InvalidFormat,
            ProductCodeError::Checksum { .. } => ErrorKind::InvalidChecksum,
            ProductCodeError::UnknownScheme { .. }
            | ProductCodeError::UnknownChapter { .. }
            | ProductCodeError::UnknownSubheading { .. }
            | ProductCodeError::UnknownSegment { .. }
            | ProductCodeError::Hierarchy { .. } => ErrorKind::InvalidComponent,
        }
    }
}

use crate::error_kind::ErrorKind;

/// Why a NIT is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NitError {
    /// A NIT with its check digit has 8 to 16 characters once separators are removed.
    #[error(
        "NIT has {length} characters without separators; a NIT with its check digit has 8 to 16"
    )]
    Length {
        /// Characters left after removing separators.
        length: usize,
    },
    /// A NIT base (without check digit) has 1 to 15 digits (7 to 15 for a real NIT).
    #[error(
        "NIT base number has {length} digits; it must have 7 to 15 (1 to 15 to compute a check digit)"
    )]
    BaseLength {
        /// Characters in the base.
        length: usize,
    },
    /// Something other than a digit is left once separators are removed.
    #[error(
        "NIT contains {character:?} at position {position}; only digits and the separators . , - and space are allowed"
    )]
    InvalidCharacter {
        /// The character found.
        character: char,
        /// Its position (0-based, in characters) in the compact form.
        position: usize,
    },
    /// The dígito de verificación does not match the base.
    #[error("NIT check digit is {found} but the base number gives {expected}")]
    Checksum {
        /// The check digit computed from the base.
        expected: u8,
        /// The check digit written.
        found: u8,
    },
}

impl NitError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            NitError::Length { .. } | NitError::BaseLength { .. } => "NIT_INVALID_LENGTH",
            NitError::InvalidCharacter { .. } => "NIT_INVALID_FORMAT",
            NitError::Checksum { .. } => "NIT_INVALID_CHECKSUM",
        }
    }

    /// The broad kind of this error (the exception class in Python and Node).
    pub fn kind(&self) -> ErrorKind {
        match self {
            NitError::Length { .. } | NitError::BaseLength { .. } => ErrorKind::InvalidLength,
            NitError::InvalidCharacter { .. } => ErrorKind::InvalidFormat,
            NitError::Checksum { .. } => ErrorKind::InvalidChecksum,
        }
    }
}

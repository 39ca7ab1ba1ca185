//! The broad kinds of failure, which decide the exception class in Python: each module's
//! error enum names its kind here, and [`Error`](crate::Error) gathers the enums (so this module
//! depends on none of them).

/// The broad kind of a failure, which decides the exception class in Python and Node.
///
/// The first four mirror python-stdnum's exceptions (`InvalidLength`, `InvalidFormat`,
/// `InvalidChecksum`, `InvalidComponent`) so that code written against stdnum keeps working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The value has too few or too many characters or digits.
    InvalidLength,
    /// The value contains characters that do not belong, or is shaped wrongly.
    InvalidFormat,
    /// The value's check digit does not match the rest of it.
    InvalidChecksum,
    /// A part of the value (a chapter, a segment, a type code) does not exist.
    InvalidComponent,
    /// A computed value (such as a CUFE) differs from the one received.
    Mismatch,
    /// A file could not be read.
    Io,
    /// Rule set files are wrong, or a rule script failed.
    InvalidRules,
    /// What was asked for does not exist (no rule set in force on a date, unknown version).
    NotFound,
    /// Input data is wrong (a negative line base, a bad field).
    InvalidInput,
    /// A catalog index is missing, truncated, corrupted or of another format version.
    InvalidIndex,
    /// A defect in the library (a caught panic): report it with the input.
    Internal,
}

impl ErrorKind {
    /// The name of the kind, as used for the exception class in the bindings.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidLength => "InvalidLength",
            ErrorKind::InvalidFormat => "InvalidFormat",
            ErrorKind::InvalidChecksum => "InvalidChecksum",
            ErrorKind::InvalidComponent => "InvalidComponent",
            ErrorKind::Mismatch => "Mismatch",
            ErrorKind::Io => "FileError",
            ErrorKind::InvalidRules => "RuleError",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::InvalidInput => "InvalidInput",
            ErrorKind::InvalidIndex => "IndexError",
            ErrorKind::Internal => "InternalError",
        }
    }
}

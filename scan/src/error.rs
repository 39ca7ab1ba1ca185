//! What reading a scan fails with.

use std::path::PathBuf;

/// A scan that could not be read: an outside program missing or failing, or a file that
/// could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// An outside program is not installed.
    #[error("{program} is not installed; on Debian or Ubuntu: apt-get install {install}")]
    ToolMissing {
        /// The program.
        program: &'static str,
        /// The Debian packages that install it.
        install: &'static str,
    },
    /// An outside program failed or wrote something unusable.
    #[error("{program}: {message}")]
    ToolFailed {
        /// The program.
        program: &'static str,
        /// What went wrong.
        message: String,
    },
    /// A file could not be read (or is not an image).
    #[error("cannot read {}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A scratch file could not be written.
    #[error("cannot write {}: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// No page was given.
    #[error("no page to read")]
    NoPage,
}

impl ScanError {
    /// The stable code: `SCAN_TOOL_MISSING`, `SCAN_TOOL_FAILED`, `SCAN_READ_FAILED`,
    /// `SCAN_WRITE_FAILED` or `SCAN_NO_PAGE`.
    pub fn code(&self) -> &'static str {
        match self {
            ScanError::ToolMissing { .. } => "SCAN_TOOL_MISSING",
            ScanError::ToolFailed { .. } => "SCAN_TOOL_FAILED",
            ScanError::Read { .. } => "SCAN_READ_FAILED",
            ScanError::Write { .. } => "SCAN_WRITE_FAILED",
            ScanError::NoPage => "SCAN_NO_PAGE",
        }
    }

    pub(crate) fn read(path: &std::path::Path, e: &dyn std::fmt::Display) -> ScanError {
        ScanError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }

    pub(crate) fn write(path: &std::path::Path, e: &dyn std::fmt::Display) -> ScanError {
        ScanError::Write {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }

    pub(crate) fn failed(program: &'static str, message: impl Into<String>) -> ScanError {
        ScanError::ToolFailed {
            program,
            message: message.into(),
        }
    }
}

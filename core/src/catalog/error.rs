use std::path::{Path, PathBuf};

use crate::error_kind::ErrorKind;

/// Why a catalog could not be built, opened or queried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// A file could not be read or written.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The input could not be read as the seed's product CSV.
    #[error("{source_name}: {message}")]
    Source {
        /// The input's name (a path, or `stdin`).
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// The build was asked to reject bad input and found some.
    #[error(
        "the input has {invalid} invalid rows and {duplicates} duplicate codes; first: line {first_line}: {first_message}"
    )]
    Rejected {
        /// The full report of the problems found.
        report: Box<super::BuildReport>,
        /// Rows that could not be read.
        invalid: u64,
        /// Rows whose code appeared before.
        duplicates: u64,
        /// The first problem's line.
        first_line: u64,
        /// The first problem.
        first_message: String,
    },
    /// The folder is not a catalog index, or one of another format version.
    #[error("{}: {message}", path.display())]
    Format {
        /// The index folder or file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An index file is shorter or longer than its manifest says.
    #[error("{}: {actual} bytes, the manifest says {expected}: the index is truncated or was changed", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the manifest records.
        expected: u64,
        /// Bytes found.
        actual: u64,
    },
    /// An index file's content does not match its checksum, or points outside itself.
    #[error("{}: {message}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The search part of the index failed.
    #[error("search index: {message}")]
    Search {
        /// What failed.
        message: String,
    },
    /// A query's arguments are wrong.
    #[error("{message}")]
    Query {
        /// What is wrong.
        message: String,
    },
}

impl CatalogError {
    pub(crate) fn io(path: &Path, e: &std::io::Error) -> CatalogError {
        CatalogError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }

    pub(crate) fn corrupt(path: &Path, message: impl Into<String>) -> CatalogError {
        CatalogError::Corrupt {
            path: path.to_owned(),
            message: message.into(),
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            CatalogError::Io { .. } => "CATALOG_IO",
            CatalogError::Source { .. } => "CATALOG_SOURCE_INVALID",
            CatalogError::Rejected { .. } => "CATALOG_BUILD_REJECTED",
            CatalogError::Format { .. } => "CATALOG_FORMAT",
            CatalogError::Truncated { .. } => "CATALOG_TRUNCATED",
            CatalogError::Corrupt { .. } => "CATALOG_CORRUPT",
            CatalogError::Search { .. } => "CATALOG_SEARCH",
            CatalogError::Query { .. } => "CATALOG_QUERY_INVALID",
        }
    }

    /// The broad kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CatalogError::Io { .. } => ErrorKind::Io,
            CatalogError::Source { .. }
            | CatalogError::Rejected { .. }
            | CatalogError::Query { .. } => ErrorKind::InvalidInput,
            _ => ErrorKind::InvalidIndex,
        }
    }
}

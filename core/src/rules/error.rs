use std::path::PathBuf;

use chrono::NaiveDate;

use crate::error_kind::ErrorKind;

/// Why a rule book or rule set could not be loaded, or a rule script failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// A file or folder could not be read.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// A TOML file (ruleset.toml or a case file) does not parse or lacks a field.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    File {
        /// The file.
        path: PathBuf,
        /// The line, when known (1-based).
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A row of a data table is wrong.
    #[error("{}:{line}: field {field}: {message}", path.display())]
    Table {
        /// The CSV file.
        path: PathBuf,
        /// The line (1-based; the header is line 1).
        line: u64,
        /// The column.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The Rhai script does not compile.
    #[error("{}: script does not compile: {message}", path.display())]
    ScriptSyntax {
        /// The script.
        path: PathBuf,
        /// Rhai's message, with line and column.
        message: String,
    },
    /// The Rhai script failed while running (including hitting a sandbox limit).
    #[error("rule set {rule_set}: script failed on subpartida {code}: {message}")]
    ScriptFailed {
        /// The rule set version, `id@valid_from`.
        rule_set: String,
        /// The subpartida being classified.
        code: String,
        /// Rhai's message.
        message: String,
        /// Whether it stopped on a sandbox limit (operations, depth, size).
        limit: bool,
    },
    /// The script returned something that is not a decision.
    #[error("rule set {rule_set}: classify({code}) returned {message}")]
    ScriptResult {
        /// The rule set version, `id@valid_from`.
        rule_set: String,
        /// The subpartida being classified.
        code: String,
        /// What is wrong with the result.
        message: String,
    },
    /// A folder holds no rule set version.
    #[error("{}: no rule set version found (expected folders named YYYY-MM-DD with a ruleset.toml)", path.display())]
    Empty {
        /// The folder.
        path: PathBuf,
    },
    /// No rule set version is in force on the date asked for.
    #[error("no rule set is in force on {date}; the earliest takes effect on {earliest}")]
    NotInForce {
        /// The date asked for.
        date: NaiveDate,
        /// The earliest `valid_from`.
        earliest: NaiveDate,
    },
    /// A version asked for by its `valid_from` does not exist.
    #[error("rule set version {version} does not exist; versions: {available}")]
    UnknownVersion {
        /// The version asked for.
        version: String,
        /// The versions there are.
        available: String,
    },
}

impl RuleError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            RuleError::Io { .. } => "RULES_IO",
            RuleError::File { .. } => "RULES_INVALID_FILE",
            RuleError::Table { .. } => "RULES_INVALID_TABLE",
            RuleError::ScriptSyntax { .. } => "RULES_SCRIPT_SYNTAX",
            RuleError::ScriptFailed { limit: true, .. } => "RULES_SCRIPT_LIMIT",
            RuleError::ScriptFailed { .. } => "RULES_SCRIPT_FAILED",
            RuleError::ScriptResult { .. } => "RULES_SCRIPT_RESULT",
            RuleError::Empty { .. } => "RULES_EMPTY",
            RuleError::NotInForce { .. } => "RULESET_NOT_IN_FORCE",
            RuleError::UnknownVersion { .. } => "RULESET_UNKNOWN_VERSION",
        }
    }

    /// The broad kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            RuleError::Io { .. } => ErrorKind::Io,
            RuleError::NotInForce { .. } | RuleError::UnknownVersion { .. } => ErrorKind::NotFound,
            _ => ErrorKind::InvalidRules,
        }
    }
}

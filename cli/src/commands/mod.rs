//! One module a subcommand.

pub mod catalog;
pub mod code;
pub mod commission;
pub mod corpus;
pub mod cufe;
pub mod invoice;
pub mod nit;
pub mod process;
pub mod rules;
pub mod validate;

use std::fmt;

/// What a command failed with: a core error (shown with its stable code), or a problem with
/// the command's own input or output, with one of [`CLI_CODES`].
#[derive(Debug)]
pub enum Failure {
    /// An error from bmc-core.
    Core(bmc_core::Error),
    /// A core error about a named file.
    At(std::path::PathBuf, bmc_core::Error),
    /// A problem of the command itself: `code` is one of [`CLI_CODES`].
    Cli {
        /// The stable code.
        code: &'static str,
        /// What was wrong and where.
        message: String,
    },
}

/// The codes of the command's own failures (core's are [`bmc_core::ERROR_CODES`]).
pub const CLI_CODES: &[&str] = &[
    "CLI_READ_FAILED",
    "CLI_WRITE_FAILED",
    "CLI_INPUT_TOO_LARGE",
    "CLI_INVALID_ARGUMENT",
    "CLI_INVALID_JSON",
    "CLI_INVALID_CSV",
    "CLI_TOOL_FAILED",
    "CLI_TOOL_MISSING",
    "CLI_BUILD_REJECTED",
];

impl Failure {
    fn cli(code: &'static str, message: String) -> Failure {
        debug_assert!(CLI_CODES.contains(&code), "{code}");
        Failure::Cli { code, message }
    }

    /// A file or folder that could not be read.
    pub fn read(path: impl AsRef<std::path::Path>, e: &std::io::Error) -> Failure {
        let path = path.as_ref().display();
        Failure::cli("CLI_READ_FAILED", format!("cannot read {path}: {e}"))
    }

    /// A file or folder that could not be written or created.
    pub fn write(path: impl AsRef<std::path::Path>, e: &dyn fmt::Display) -> Failure {
        let path = path.as_ref().display();
        Failure::cli("CLI_WRITE_FAILED", format!("cannot write {path}: {e}"))
    }

    /// A command-line argument that is wrong.
    pub fn argument(message: impl Into<String>) -> Failure {
        Failure::cli("CLI_INVALID_ARGUMENT", message.into())
    }

    /// JSON that does not parse, or cannot be written.
    pub fn json(what: impl fmt::Display, e: &serde_json::Error) -> Failure {
        Failure::cli("CLI_INVALID_JSON", format!("{what}: {e}"))
    }

    /// A CSV file that cannot be read as one.
    pub fn csv(what: impl fmt::Display, e: impl fmt::Display) -> Failure {
        Failure::cli("CLI_INVALID_CSV", format!("{what}: {e}"))
    }

    /// An outside program (tesseract, pdftotext, zbarimg) that failed.
    pub fn tool(message: impl Into<String>) -> Failure {
        Failure::cli("CLI_TOOL_FAILED", message.into())
    }

    /// An outside program that is not installed.
    pub fn tool_missing(message: impl Into<String>) -> Failure {
        Failure::cli("CLI_TOOL_MISSING", message.into())
    }

    /// A catalog build refused for its invalid rows.
    pub fn build_rejected(message: impl Into<String>) -> Failure {
        Failure::cli("CLI_BUILD_REJECTED", message.into())
    }
}

impl Failure {
    /// A scan that could not be read, with the command's code for it.
    pub fn scan(e: bmc_scan::ScanError) -> Failure {
        use bmc_scan::ScanError;
        match e {
            ScanError::ToolMissing { .. } => Failure::tool_missing(e.to_string()),
            ScanError::Read { .. } => Failure::cli("CLI_READ_FAILED", e.to_string()),
            ScanError::Write { .. } => Failure::cli("CLI_WRITE_FAILED", e.to_string()),
            ScanError::ToolFailed { .. } | ScanError::NoPage => Failure::tool(e.to_string()),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Core(e) => write!(f, "{}: {e}", e.code()),
            Failure::At(path, e) => write!(f, "{}: {}: {e}", e.code(), path.display()),
            Failure::Cli { code, message } => write!(f, "{code}: {message}"),
        }
    }
}

/// The most a command reads of one input file (a document, a JSON file): 64 MiB, as the
/// XML reader's own limit.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Reads a file of at most [`MAX_INPUT_BYTES`], refusing a larger one (or a device such as
/// `/dev/zero`) while reading, before holding it all.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| Failure::read(path, &e))?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::read(path, &e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failure::cli(
            "CLI_INPUT_TOO_LARGE",
            format!(
                "{} is larger than {} MiB, the most one input may be",
                path.display(),
                MAX_INPUT_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// Reads a UTF-8 text file, or standard input for `-`, of at most [`MAX_INPUT_BYTES`].
pub fn read_text_or_stdin(path: &str) -> Result<String, Failure> {
    if path != "-" {
        return read_text(std::path::Path::new(path));
    }
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::read("standard input", &e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failure::cli(
            "CLI_INPUT_TOO_LARGE",
            format!(
                "standard input is larger than {} MiB, the most one input may be",
                MAX_INPUT_BYTES >> 20
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        Failure::read(
            "standard input",
            &std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })
}

/// Reads a UTF-8 text file of at most [`MAX_INPUT_BYTES`].
pub fn read_text(path: &std::path::Path) -> Result<String, Failure> {
    String::from_utf8(read_file(path)?).map_err(|e| {
        Failure::read(
            path,
            &std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })
}

/// Writes a file, naming it in the failure.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| Failure::write(path, &e))
}

impl<E: Into<bmc_core::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Core(e.into())
    }
}

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

/// What a command failed with: a core error (shown with its stable code) or a plain message
/// about the command's own input (a file that cannot be read, JSON that does not parse).
#[derive(Debug)]
pub enum Failure {
    /// An error from bmc-core.
    Core(bmc_core::Error),
    /// Any other problem, already worded.
    Message(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Core(e) => write!(f, "{}: {e}", e.code()),
            Failure::Message(m) => f.write_str(m),
        }
    }
}

/// Writes a file, naming it in the failure.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| Failure::Message(format!("cannot write {}: {e}", path.display())))
}

impl<E: Into<bmc_core::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Core(e.into())
    }
}

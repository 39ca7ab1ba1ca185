//! The exchange's folders: one a participant (an External user, chrooted there by the SFTP
//! server), each with the seed's five.

use std::path::{Path, PathBuf};

/// Invoices sent in, one document a file.
pub const DAILY_REPORTS: &str = "incoming/daily-reports";
/// Regulatory filings sent in (PDF or XML), kept and acknowledged.
pub const REGULATORY_FILINGS: &str = "incoming/regulatory-filings";
/// The daily commission reports (CSV).
pub const COMMISSION_REPORTS: &str = "outgoing/commission-reports";
/// Certificates, acknowledgements and rejections.
pub const COMPLIANCE_DOCUMENTS: &str = "outgoing/compliance-documents";
/// Files taken in, by the day they were taken, until purged.
pub const PROCESSED_FILES: &str = "archive/processed-files";

/// Every folder of a participant.
pub const ALL: [&str; 5] = [
    DAILY_REPORTS,
    REGULATORY_FILINGS,
    COMMISSION_REPORTS,
    COMPLIANCE_DOCUMENTS,
    PROCESSED_FILES,
];

/// A participant's folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// The participant's name (its folder's).
    pub name: String,
    /// Its folder (the SFTP server's chroot).
    pub dir: PathBuf,
}

impl Participant {
    /// One of its folders ([`DAILY_REPORTS`], ...).
    pub fn folder(&self, which: &str) -> PathBuf {
        self.dir.join(which)
    }
}

/// True for a participant's name: 1 to 64 letters, digits, `-` or `_`.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks that `path` of `participant` stays inside the participant's folder (no empty,
/// `.` or `..` part).
pub fn check_path(participant: &str, path: &str) -> Result<(), super::ExchangeError> {
    if !valid_name(participant)
        || path
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(super::ExchangeError::Io(format!(
            "{participant}/{path}: not a path of the exchange"
        )));
    }
    Ok(())
}

/// The participants under `root`: its folders with a valid name that hold an `incoming`.
pub fn participants(root: &Path) -> std::io::Result<Vec<Participant>> {
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if valid_name(&name) && entry.path().join("incoming").is_dir() {
            found.push(Participant {
                name,
                dir: entry.path(),
            });
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// Makes participant `name`'s folders under `root` (those missing).
pub fn create(root: &Path, name: &str) -> std::io::Result<Participant> {
    if !valid_name(name) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{name:?} is not a participant's name (1 to 64 letters, digits, - or _)"),
        ));
    }
    let participant = Participant {
        name: name.to_string(),
        dir: root.join(name),
    };
    for folder in ALL {
        std::fs::create_dir_all(participant.folder(folder))?;
    }
    Ok(participant)
}

/// Writes `bytes` to `path` whole: to a hidden name first, then renamed, so that a
/// participant never downloads half a file.
pub fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let hidden = path.with_file_name(format!(".{name}.writing"));
    std::fs::write(&hidden, bytes)?;
    std::fs::rename(&hidden, path)
}

//! Where the exchange's folders are: a local folder the SFTP server writes to ([`LocalFiles`]),
//! or, on AWS, an S3 prefix behind Transfer Family (`crate::aws::S3ExchangeFiles`). Paths are
//! relative to a participant's folder (`incoming/daily-reports/FEV-1.xml`).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use async_trait::async_trait;

use super::ExchangeError;
use super::folders;

/// A file in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path, relative to the participant's folder.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it last changed.
    pub modified: SystemTime,
}

impl Entry {
    /// The file's name (the path's last part).
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// The participants' folders.
#[async_trait]
pub trait ExchangeFiles: Send + Sync + std::fmt::Debug {
    /// Where they are, for messages.
    fn location(&self) -> String;

    /// True when a file is whole the moment it is listed (an S3 object), so it is taken at
    /// first sight rather than once it has stopped changing.
    fn whole_on_arrival(&self) -> bool {
        false
    }

    /// The participants.
    async fn participants(&self) -> Result<Vec<String>, ExchangeError>;

    /// The files directly in `folder` of `participant`; with `deep`, those below it too.
    async fn list(
        &self,
        participant: &str,
        folder: &str,
        deep: bool,
    ) -> Result<Vec<Entry>, ExchangeError>;

    /// The bytes of `path`.
    async fn read(&self, participant: &str, path: &str) -> Result<Vec<u8>, ExchangeError>;

    /// Writes `bytes` to `path` whole: a participant never sees half a file.
    async fn write(&self, participant: &str, path: &str, bytes: &[u8])
    -> Result<(), ExchangeError>;

    /// True when `path` is there.
    async fn exists(&self, participant: &str, path: &str) -> Result<bool, ExchangeError>;

    /// Moves `from` to `to`.
    async fn rename(&self, participant: &str, from: &str, to: &str) -> Result<(), ExchangeError>;

    /// Removes `path`.
    async fn remove(&self, participant: &str, path: &str) -> Result<(), ExchangeError>;
}

/// The folders under a local root, one a participant (the SFTP server's chroots).
#[derive(Debug, Clone)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    /// The folders under `root`.
    pub fn new(root: PathBuf) -> LocalFiles {
        LocalFiles { root }
    }

    fn path(&self, participant: &str, path: &str) -> Result<PathBuf, ExchangeError> {
        folders::check_path(participant, path)?;
        Ok(self.root.join(participant).join(path))
    }
}

fn io(path: &Path, e: std::io::Error) -> ExchangeError {
    ExchangeError::Io(format!("{}: {e}", path.display()))
}

fn walk(dir: &Path, base: &Path, deep: bool, out: &mut Vec<Entry>) -> Result<(), ExchangeError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| io(dir, e))?;
        let path = entry.path();
        let meta = entry.metadata().map_err(|e| io(&path, e))?;
        if meta.is_dir() {
            if deep {
                walk(&path, base, deep, out)?;
            }
            continue;
        }
        if !meta.is_file() {
            continue;
        }
        let Some(relative) = path
            .strip_prefix(base)
            .ok()
            .and_then(|p| p.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        out.push(Entry {
            path: relative,
            size: meta.len(),
            modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        });
    }
    Ok(())
}

#[async_trait]
impl ExchangeFiles for LocalFiles {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    async fn participants(&self) -> Result<Vec<String>, ExchangeError> {
        Ok(folders::participants(&self.root)
            .map_err(|e| io(&self.root, e))?
            .into_iter()
            .map(|p| p.name)
            .collect())
    }

    async fn list(
        &self,
        participant: &str,
        folder: &str,
        deep: bool,
    ) -> Result<Vec<Entry>, ExchangeError> {
        let dir = self.path(participant, folder)?;
        let base = self.root.join(participant);
        let mut out = Vec::new();
        walk(&dir, &base, deep, &mut out)?;
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    async fn read(&self, participant: &str, path: &str) -> Result<Vec<u8>, ExchangeError> {
        let path = self.path(participant, path)?;
        std::fs::read(&path).map_err(|e| io(&path, e))
    }

    async fn write(
        &self,
        participant: &str,
        path: &str,
        bytes: &[u8],
    ) -> Result<(), ExchangeError> {
        let path = self.path(participant, path)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        folders::write_whole(&path, bytes).map_err(|e| io(&path, e))
    }

    async fn exists(&self, participant: &str, path: &str) -> Result<bool, ExchangeError> {
        Ok(self.path(participant, path)?.exists())
    }

    async fn rename(&self, participant: &str, from: &str, to: &str) -> Result<(), ExchangeError> {
        let (from, to) = (self.path(participant, from)?, self.path(participant, to)?);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        std::fs::rename(&from, &to).map_err(|e| io(&to, e))
    }

    async fn remove(&self, participant: &str, path: &str) -> Result<(), ExchangeError> {
        let path = self.path(participant, path)?;
        std::fs::remove_file(&path).map_err(|e| io(&path, e))?;
        let archive = self.path(participant, folders::PROCESSED_FILES)?;
        if let Some(day) = path
            .parent()
            .filter(|d| d.parent() == Some(archive.as_path()))
        {
            // The archive's day folder, when this was its last file.
            let _ = std::fs::remove_dir(day);
        }
        Ok(())
    }
}

//! Content-addressed files: each object written to a temporary name, synced, and renamed
//! into place, so a reader never sees half an object.

use std::io::Write as _;
use std::path::PathBuf;

use async_trait::async_trait;

use crate::capability::{CapabilityError, ObjectKind, Storage};

/// Objects as files under a folder: `<root>/<folder>/<sha256[..2]>/<sha256>`.
#[derive(Debug, Clone)]
pub struct FileStorage {
    root: PathBuf,
}

impl FileStorage {
    /// Storage under `root`.
    pub fn new(root: impl Into<PathBuf>) -> FileStorage {
        FileStorage { root: root.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf, CapabilityError> {
        let (folder, name) = crate::capability::split_storage_key(key)?;
        Ok(self.root.join(folder).join(&name[..2]).join(name))
    }
}

fn io(e: std::io::Error, path: &std::path::Path) -> CapabilityError {
    CapabilityError::transient("storage", format!("{}: {e}", path.display()))
}

#[async_trait]
impl Storage for FileStorage {
    async fn put(&self, kind: ObjectKind, bytes: &[u8]) -> Result<String, CapabilityError> {
        let key = crate::capability::storage_key(kind, bytes);
        let path = self.path(&key)?;
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || {
            if path.exists() {
                return Ok(());
            }
            let dir = path.parent().unwrap_or(&path).to_owned();
            std::fs::create_dir_all(&dir).map_err(|e| io(e, &dir))?;
            let temporary = dir.join(format!(".{}.tmp", crate::ids::random_id("w")));
            let written = (|| {
                let mut file = std::fs::File::create(&temporary)?;
                file.write_all(&bytes)?;
                file.sync_all()?;
                std::fs::rename(&temporary, &path)?;
                std::fs::File::open(&dir)?.sync_all()
            })();
            if written.is_err() {
                let _ = std::fs::remove_file(&temporary);
            }
            written.map_err(|e| io(e, &path))
        })
        .await
        .map_err(|e| CapabilityError::transient("storage", e))??;
        Ok(key)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CapabilityError> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e, &path)),
        }
    }

    async fn delete(&self, key: &str) -> Result<bool, CapabilityError> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io(e, &path)),
        }
    }
}

//! Where documents, OCR text and certificates are kept.

use async_trait::async_trait;

use super::CapabilityError;

/// What an object is; its key starts with the kind's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// An uploaded document, as uploaded.
    Document,
    /// The text OCR read from a document (Tesseract TSV).
    Text,
    /// A certificate PDF.
    Certificate,
}

impl ObjectKind {
    /// The key prefix: `documents`, `text` or `certificates`.
    pub fn folder(self) -> &'static str {
        match self {
            ObjectKind::Document => "documents",
            ObjectKind::Text => "text",
            ObjectKind::Certificate => "certificates",
        }
    }
}

/// Content-addressed object storage: an object's key is its kind and the SHA-256 of its
/// bytes, so writing the same bytes twice is one object, and an object never changes.
#[async_trait]
pub trait Storage: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` (a conditional create: an object already there is left as it is) and
    /// answers its key, `<folder>/<sha256>`.
    async fn put(&self, kind: ObjectKind, bytes: &[u8]) -> Result<String, CapabilityError>;

    /// The object under `key`, `None` when there is none.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CapabilityError>;

    /// Deletes the object under `key` at the end of its retention (only
    /// [`crate::retention`] calls it); true when there was one. A store that keeps objects
    /// locked (S3 Object Lock) refuses while the lock holds.
    async fn delete(&self, key: &str) -> Result<bool, CapabilityError>;
}

/// The key of `bytes` of `kind`.
pub fn key_of(kind: ObjectKind, bytes: &[u8]) -> String {
    format!("{}/{}", kind.folder(), crate::ids::sha256_hex(bytes))
}

/// Checks that `key` is `<folder>/<64 hex digits>` (so no caller reaches outside the host's
/// objects) and answers its folder and hash.
pub fn split_key(key: &str) -> Result<(&str, &str), CapabilityError> {
    key.split_once('/')
        .filter(|(f, n)| {
            !f.is_empty()
                && f.bytes().all(|b| b.is_ascii_lowercase())
                && n.len() == 64
                && n.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .ok_or_else(|| CapabilityError::permanent("storage", format!("bad key {key:?}")))
}

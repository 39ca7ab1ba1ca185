//! An S3 location, `s3://bucket/prefix`: where catalogs are published, analytics exported and
//! the SFTP exchange's folders kept.

use crate::capability::CapabilityError;

/// `s3://bucket/prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// The bucket.
    pub bucket: String,
    /// The prefix, empty or ending in `/`.
    pub prefix: String,
}

impl S3Location {
    /// Reads `s3://bucket/prefix`.
    pub fn parse(url: &str) -> Result<S3Location, CapabilityError> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            CapabilityError::permanent("storage", format!("{url:?} is not an s3://bucket/prefix"))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(CapabilityError::permanent(
                "storage",
                format!("{url:?} names no bucket"),
            ));
        }
        let prefix = prefix.trim_matches('/');
        Ok(S3Location {
            bucket: bucket.to_string(),
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
        })
    }

    /// The key of `name` under the prefix.
    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

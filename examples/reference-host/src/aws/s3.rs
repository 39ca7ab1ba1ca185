//! Documents, text and certificates on S3: content-addressed keys under an optional prefix,
//! written with a conditional create and read back checked against their hash.

use async_trait::async_trait;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;

use super::sdk_error;
use crate::capability::{CapabilityError, ObjectKind, Storage};

/// Objects in one bucket, at `<prefix><folder>/<sha256>`.
#[derive(Debug, Clone)]
pub struct S3Storage {
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
    kms_key_id: Option<String>,
}

impl S3Storage {
    /// Storage in `bucket` under `prefix` (empty, or ending in `/`), encrypted with the KMS
    /// key `kms_key_id` when one is given (the bucket's default encryption otherwise).
    pub fn new(
        client: aws_sdk_s3::Client,
        bucket: impl Into<String>,
        prefix: impl Into<String>,
        kms_key_id: Option<String>,
    ) -> S3Storage {
        S3Storage {
            client,
            bucket: bucket.into(),
            prefix: prefix.into(),
            kms_key_id,
        }
    }

    /// The S3 client for `sdk`, path-style when `path_style`.
    pub fn client(sdk: &aws_config::SdkConfig, path_style: bool) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(path_style)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The S3 key of the host's `key`.
    pub fn object_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Creates the bucket when it is not there (for a local or new deployment).
    pub async fn ensure_bucket(&self) -> Result<(), CapabilityError> {
        if self
            .client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        match self
            .client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                let code = aws_sdk_s3::error::ProvideErrorMetadata::code(&e).unwrap_or_default();
                if code == "BucketAlreadyOwnedByYou" {
                    Ok(())
                } else {
                    Err(sdk_error("storage", e))
                }
            }
        }
    }
}

fn content_type(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Document => "application/octet-stream",
        ObjectKind::Text => "text/plain; charset=utf-8",
        ObjectKind::Certificate => "application/pdf",
    }
}

#[async_trait]
impl Storage for S3Storage {
    async fn put(&self, kind: ObjectKind, bytes: &[u8]) -> Result<String, CapabilityError> {
        let key = crate::capability::storage_key(kind, bytes);
        let mut request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.object_key(&key))
            .content_type(content_type(kind))
            // A conditional create: an object already there (the same bytes) stays as it is.
            .if_none_match("*")
            .body(ByteStream::from(bytes.to_vec()));
        if let Some(kms) = &self.kms_key_id {
            request = request
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(kms);
        }
        match request.send().await {
            Ok(_) => Ok(key),
            Err(e) => {
                let code = aws_sdk_s3::error::ProvideErrorMetadata::code(&e).unwrap_or_default();
                // 412: the object exists; 409: another writer is creating it right now.
                // Either way the same bytes are (or will be) under the key.
                if code == "PreconditionFailed" || code == "ConditionalRequestConflict" {
                    Ok(key)
                } else {
                    Err(sdk_error("storage", e))
                }
            }
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CapabilityError> {
        let (_, hash) = crate::capability::split_storage_key(key)?;
        let object = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.object_key(key))
            .send()
            .await
        {
            Ok(object) => object,
            Err(e) => {
                if e.as_service_error().is_some_and(|s| s.is_no_such_key()) {
                    return Ok(None);
                }
                return Err(sdk_error("storage", e));
            }
        };
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| CapabilityError::transient("storage", format!("{key}: {e}")))?
            .into_bytes()
            .to_vec();
        if crate::ids::sha256_hex(&bytes) != hash.to_ascii_lowercase() {
            return Err(CapabilityError::permanent(
                "storage",
                format!("{key}: the object's bytes do not match its key"),
            ));
        }
        Ok(Some(bytes))
    }

    async fn delete(&self, key: &str) -> Result<bool, CapabilityError> {
        crate::capability::split_storage_key(key)?;
        let object_key = self.object_key(key);
        let there = match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(&object_key)
            .send()
            .await
        {
            Ok(_) => true,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => false,
            Err(e) => return Err(sdk_error("storage", e)),
        };
        if there {
            // Under Object Lock's retention S3 refuses (AccessDenied): the error says so.
            self.client
                .delete_object()
                .bucket(&self.bucket)
                .key(&object_key)
                .send()
                .await
                .map_err(|e| sdk_error("storage", e))?;
        }
        Ok(there)
    }
}

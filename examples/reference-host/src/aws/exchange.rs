//! The SFTP exchange on AWS: Transfer Family keeps the participants' folders as S3 prefixes
//! (`s3://bucket/prefix/<participant>/incoming/daily-reports/...`, a logical home directory
//! per user), and S3 announces each arrival on an SQS queue with an event notification. The
//! host lists, reads and writes objects ([`S3ExchangeFiles`]) and looks at the folders when
//! an arrival is announced ([`ExchangeEvents`]) as well as every poll.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_s3::primitives::ByteStream;

use super::{S3Location, sdk_error};
use crate::capability::CapabilityError;
use crate::exchange::{Entry, ExchangeError, ExchangeFiles, folders};

/// The participants' folders under an S3 prefix.
#[derive(Debug, Clone)]
pub struct S3ExchangeFiles {
    client: aws_sdk_s3::Client,
    location: S3Location,
}

fn failed(e: CapabilityError) -> ExchangeError {
    ExchangeError::Capability(e)
}

/// `text` escaped for a copy source (each path segment percent-encoded).
fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl S3ExchangeFiles {
    /// The folders at `location` (`s3://bucket/prefix`).
    pub fn new(client: aws_sdk_s3::Client, location: S3Location) -> S3ExchangeFiles {
        S3ExchangeFiles { client, location }
    }

    fn key(&self, participant: &str, path: &str) -> Result<String, ExchangeError> {
        folders::check_path(participant, path)?;
        Ok(self.location.key(&format!("{participant}/{path}")))
    }

    /// Every key under `prefix` (with `delimiter`, only those directly under it, and the
    /// common prefixes below).
    async fn list_all(
        &self,
        prefix: &str,
        delimiter: bool,
    ) -> Result<(Vec<aws_sdk_s3::types::Object>, Vec<String>), ExchangeError> {
        let mut objects = Vec::new();
        let mut prefixes = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut request = self
                .client
                .list_objects_v2()
                .bucket(&self.location.bucket)
                .prefix(prefix);
            if delimiter {
                request = request.delimiter("/");
            }
            if let Some(t) = &token {
                request = request.continuation_token(t);
            }
            let page = request
                .send()
                .await
                .map_err(|e| failed(sdk_error("exchange", e)))?;
            objects.extend(page.contents().iter().cloned());
            prefixes.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix().map(str::to_string)),
            );
            match page.next_continuation_token() {
                Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok((objects, prefixes))
    }
}

#[async_trait]
impl ExchangeFiles for S3ExchangeFiles {
    fn location(&self) -> String {
        format!("s3://{}/{}", self.location.bucket, self.location.prefix)
    }

    fn whole_on_arrival(&self) -> bool {
        true
    }

    async fn participants(&self) -> Result<Vec<String>, ExchangeError> {
        let (_, prefixes) = self.list_all(&self.location.prefix, true).await?;
        let mut names: Vec<String> = prefixes
            .iter()
            .filter_map(|p| {
                p.strip_prefix(&self.location.prefix)
                    .map(|n| n.trim_end_matches('/').to_string())
            })
            .filter(|n| folders::valid_name(n))
            .collect();
        names.sort();
        Ok(names)
    }

    async fn list(
        &self,
        participant: &str,
        folder: &str,
        deep: bool,
    ) -> Result<Vec<Entry>, ExchangeError> {
        let prefix = format!("{}/", self.key(participant, folder)?);
        let base = self.location.key(&format!("{participant}/"));
        let (objects, _) = self.list_all(&prefix, !deep).await?;
        let mut entries: Vec<Entry> = objects
            .iter()
            .filter_map(|o| {
                let key = o.key()?;
                // Folder markers (`incoming/`) are not files.
                if key.ends_with('/') {
                    return None;
                }
                let modified = o
                    .last_modified()
                    .and_then(|t| SystemTime::try_from(*t).ok())
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                Some(Entry {
                    path: key.strip_prefix(&base)?.to_string(),
                    size: u64::try_from(o.size().unwrap_or(0)).unwrap_or(0),
                    modified,
                })
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    async fn read(&self, participant: &str, path: &str) -> Result<Vec<u8>, ExchangeError> {
        let key = self.key(participant, path)?;
        let object = self
            .client
            .get_object()
            .bucket(&self.location.bucket)
            .key(&key)
            .send()
            .await
            .map_err(|e| failed(sdk_error("exchange", e)))?;
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| ExchangeError::Io(format!("{key}: {e}")))?;
        Ok(bytes.into_bytes().to_vec())
    }

    async fn write(
        &self,
        participant: &str,
        path: &str,
        bytes: &[u8],
    ) -> Result<(), ExchangeError> {
        // An S3 object appears whole.
        self.client
            .put_object()
            .bucket(&self.location.bucket)
            .key(self.key(participant, path)?)
            .body(ByteStream::from(bytes.to_vec()))
            .send()
            .await
            .map_err(|e| failed(sdk_error("exchange", e)))?;
        Ok(())
    }

    async fn exists(&self, participant: &str, path: &str) -> Result<bool, ExchangeError> {
        match self
            .client
            .head_object()
            .bucket(&self.location.bucket)
            .key(self.key(participant, path)?)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) => Err(failed(sdk_error("exchange", e))),
        }
    }

    async fn rename(&self, participant: &str, from: &str, to: &str) -> Result<(), ExchangeError> {
        // S3 has no rename: a copy, then the original deleted.
        let (from, to) = (self.key(participant, from)?, self.key(participant, to)?);
        self.client
            .copy_object()
            .bucket(&self.location.bucket)
            .copy_source(format!("{}/{}", self.location.bucket, escape(&from)))
            .key(&to)
            .send()
            .await
            .map_err(|e| failed(sdk_error("exchange", e)))?;
        self.client
            .delete_object()
            .bucket(&self.location.bucket)
            .key(&from)
            .send()
            .await
            .map_err(|e| failed(sdk_error("exchange", e)))?;
        Ok(())
    }

    async fn remove(&self, participant: &str, path: &str) -> Result<(), ExchangeError> {
        self.client
            .delete_object()
            .bucket(&self.location.bucket)
            .key(self.key(participant, path)?)
            .send()
            .await
            .map_err(|e| failed(sdk_error("exchange", e)))?;
        Ok(())
    }
}

/// S3's event notifications of the exchange's bucket, on an SQS queue: each announces an
/// arrival, which makes the host look at the folders at once.
#[derive(Debug, Clone)]
pub struct ExchangeEvents {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl ExchangeEvents {
    /// The notifications on the queue at `url`.
    pub fn new(client: aws_sdk_sqs::Client, url: String) -> ExchangeEvents {
        ExchangeEvents { client, url }
    }

    /// Waits up to `wait` for notifications, deletes them, and answers the object keys they
    /// announce created.
    pub async fn wait(&self, wait: Duration) -> Result<Vec<String>, ExchangeError> {
        let answer = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(10)
            .wait_time_seconds(i32::try_from(wait.as_secs().min(20)).unwrap_or(20))
            .send()
            .await
            .map_err(|e| failed(sdk_error("exchange", e)))?;
        let mut keys = Vec::new();
        for message in answer.messages() {
            if let Some(body) = message.body() {
                keys.extend(created_keys(body));
            }
            if let Some(receipt) = message.receipt_handle() {
                self.client
                    .delete_message()
                    .queue_url(&self.url)
                    .receipt_handle(receipt)
                    .send()
                    .await
                    .map_err(|e| failed(sdk_error("exchange", e)))?;
            }
        }
        Ok(keys)
    }
}

/// The keys of the objects an S3 event notification announces created (none for S3's test
/// event, or for a body that is not a notification).
pub fn created_keys(body: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
        return Vec::new();
    };
    value["Records"]
        .as_array()
        .map(|records| {
            records
                .iter()
                .filter(|r| {
                    r["eventName"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("ObjectCreated"))
                })
                .filter_map(|r| r["s3"]["object"]["key"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

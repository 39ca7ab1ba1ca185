//! Text from Amazon Textract: `DetectDocumentText` for images and one-page PDFs, the
//! asynchronous `StartDocumentTextDetection` / `GetDocumentTextDetection` for PDFs of more
//! pages (the document is put in S3 first). The blocks are kept as Textract's JSON, which
//! core's Textract reader takes (Spanish labels are read from the words; Textract's own
//! AnalyzeExpense field types are English-only and never trusted alone).

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_textract::primitives::Blob;
use aws_sdk_textract::types::{Block, Document, DocumentLocation, JobStatus, S3Object};
use serde_json::{Value, json};

use super::{S3Storage, sdk_error};
use crate::capability::{CapabilityError, ObjectKind, ScannedText, Storage, TextSource};

/// How long an asynchronous job may take before the read is given up (and retried later).
const JOB_LIMIT: Duration = Duration::from_secs(600);

/// Textract, with S3 for documents of more than one page.
#[derive(Debug, Clone)]
pub struct Textract {
    client: aws_sdk_textract::Client,
    staging: Option<S3Storage>,
    poll: Duration,
}

impl Textract {
    /// Textract through `client`; PDFs of more than one page are put in `staging` (the
    /// host's S3 storage) and read asynchronously, which needs it. `poll` is the first wait
    /// between checks on a job (doubling up to 5 s).
    pub fn new(
        client: aws_sdk_textract::Client,
        staging: Option<S3Storage>,
        poll: Duration,
    ) -> Textract {
        Textract {
            client,
            staging,
            poll,
        }
    }

    async fn detect(&self, document: &[u8]) -> Result<Vec<Block>, SyncError> {
        let answer = self
            .client
            .detect_document_text()
            .document(
                Document::builder()
                    .bytes(Blob::new(document.to_vec()))
                    .build(),
            )
            .send()
            .await;
        match answer {
            Ok(answer) => Ok(answer.blocks.unwrap_or_default()),
            Err(e) => {
                let unsupported = e
                    .as_service_error()
                    .is_some_and(|s| s.is_unsupported_document_exception());
                if unsupported {
                    Err(SyncError::Unsupported)
                } else {
                    let bad = e.as_service_error().is_some_and(|s| {
                        s.is_bad_document_exception() || s.is_invalid_parameter_exception()
                    });
                    let error = sdk_error("text", e);
                    Err(SyncError::Failed(if bad {
                        CapabilityError::permanent("text", error.message)
                    } else {
                        error
                    }))
                }
            }
        }
    }

    async fn detect_async(&self, document: &[u8]) -> Result<Vec<Block>, CapabilityError> {
        let staging = self.staging.as_ref().ok_or_else(|| {
            CapabilityError::permanent(
                "text",
                "a PDF of more than one page is read by Textract from S3, and no bucket is \
                 configured ([aws] bucket)",
            )
        })?;
        let key = staging.put(ObjectKind::Document, document).await?;
        let hash = &key[key.len() - 64..];
        let started = self
            .client
            .start_document_text_detection()
            .document_location(
                DocumentLocation::builder()
                    .s3_object(
                        S3Object::builder()
                            .bucket(staging.bucket())
                            .name(staging.object_key(&key))
                            .build(),
                    )
                    .build(),
            )
            // The same document started twice within Textract's window is one job.
            .client_request_token(&hash[..64])
            .job_tag("bmc-ocr")
            .send()
            .await
            .map_err(|e| sdk_error("text", e))?;
        let job = started
            .job_id
            .ok_or_else(|| CapabilityError::transient("text", "Textract gave no job id"))?;
        let deadline = tokio::time::Instant::now() + JOB_LIMIT;
        let mut wait = self.poll;
        let mut blocks = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .client
                .get_document_text_detection()
                .job_id(&job)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| sdk_error("text", e))?;
            match page.job_status {
                Some(JobStatus::InProgress) => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(CapabilityError::transient(
                            "text",
                            format!("Textract job {job} still running after {JOB_LIMIT:?}"),
                        ));
                    }
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(5));
                    continue;
                }
                Some(JobStatus::Succeeded) | Some(JobStatus::PartialSuccess) => {}
                other => {
                    return Err(CapabilityError::permanent(
                        "text",
                        format!(
                            "Textract job {job}: {:?}: {}",
                            other,
                            page.status_message.as_deref().unwrap_or("no message")
                        ),
                    ));
                }
            }
            blocks.extend(page.blocks.unwrap_or_default());
            match page.next_token {
                Some(token) => next = Some(token),
                None => return Ok(blocks),
            }
        }
    }
}

enum SyncError {
    /// Textract reads this document only asynchronously (a PDF of more than one page).
    Unsupported,
    Failed(CapabilityError),
}

/// How many pages a PDF has, counted from its `/Type /Page` objects (not `/Pages`); 1 when
/// none is seen (compressed object streams), and the synchronous call then says whether it
/// takes the document.
fn pdf_pages(document: &[u8]) -> usize {
    let mut pages = 0;
    let mut rest = document;
    while let Some(at) = find(rest, b"/Type") {
        rest = &rest[at + 5..];
        let name = rest.trim_ascii_start();
        if let Some(after) = name.strip_prefix(b"/Page")
            && !after.first().is_some_and(u8::is_ascii_alphanumeric)
        {
            pages += 1;
        }
    }
    pages.max(1)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Textract's blocks as its JSON response (`{"Blocks": [...]}`), as core's reader takes it.
pub fn blocks_to_json(blocks: &[Block]) -> Value {
    let blocks: Vec<Value> = blocks
        .iter()
        .map(|block| {
            let mut out = serde_json::Map::new();
            if let Some(kind) = block.block_type() {
                out.insert("BlockType".into(), json!(kind.as_str()));
            }
            if let Some(id) = block.id() {
                out.insert("Id".into(), json!(id));
            }
            if let Some(text) = block.text() {
                out.insert("Text".into(), json!(text));
            }
            if let Some(confidence) = block.confidence() {
                out.insert("Confidence".into(), json!(confidence));
            }
            if let Some(page) = block.page() {
                out.insert("Page".into(), json!(page));
            }
            if let Some(bounds) = block.geometry().and_then(|g| g.bounding_box()) {
                out.insert(
                    "Geometry".into(),
                    json!({"BoundingBox": {
                        "Width": bounds.width(),
                        "Height": bounds.height(),
                        "Left": bounds.left(),
                        "Top": bounds.top(),
                    }}),
                );
            }
            Value::Object(out)
        })
        .collect();
    json!({ "Blocks": blocks })
}

#[async_trait]
impl TextSource for Textract {
    async fn read(&self, document: &[u8]) -> Result<ScannedText, CapabilityError> {
        let is_pdf = document.starts_with(b"%PDF");
        let blocks = if is_pdf && pdf_pages(document) > 1 {
            self.detect_async(document).await?
        } else {
            match self.detect(document).await {
                Ok(blocks) => blocks,
                Err(SyncError::Unsupported) if is_pdf => self.detect_async(document).await?,
                Err(SyncError::Unsupported) => {
                    return Err(CapabilityError::permanent(
                        "text",
                        "Textract does not read this document (UnsupportedDocumentException)",
                    ));
                }
                Err(SyncError::Failed(e)) => return Err(e),
            }
        };
        Ok(ScannedText {
            text: blocks_to_json(&blocks).to_string(),
            qr: None,
            engine: "textract".to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_without_the_page_tree() {
        let two = b"%PDF-1.7\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>\n\
                    2 0 obj << /Type /Page >>\n3 0 obj <</Type/Page/Parent 1 0 R>>\n";
        assert_eq!(pdf_pages(two), 2);
        assert_eq!(pdf_pages(b"%PDF-1.4 compressed"), 1);
    }
}

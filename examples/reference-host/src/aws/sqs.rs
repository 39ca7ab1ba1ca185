//! The queues on SQS, with the seed's settings: `invoice-processing-queue.fifo` (FIFO, a group
//! per seller, a deduplication id per document), `ocr-processing-queue` and
//! `notification-queue`, each with its dead-letter queue and `maxReceiveCount`. SQS moves a
//! message to the dead-letter queue itself; a redrive receives, sends and deletes (what a
//! deployment without `StartMessageMoveTask` can do too).

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::types::{
    MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry,
};

use super::sdk_error;
use crate::capability::{
    CapabilityError, DeadLetter, Outgoing, Queue, QueueName, QueueSpec, QueueSpecs, QueueStats,
    Received,
};

/// SQS allows at most 10 messages a call.
const BATCH: usize = 10;

/// SQS waits at most 20 seconds for a message.
const MAX_WAIT_SECONDS: u64 = 20;

/// How long a message received for a look or a redrive stays hidden from others.
const HANDLING_SECONDS: i32 = 60;

/// One queue's and its dead-letter queue's URLs.
#[derive(Debug, Clone)]
struct Urls {
    queue: String,
    dead_letters: String,
}

/// The three queues and their dead-letter queues on SQS.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    urls: HashMap<QueueName, Urls>,
    specs: QueueSpecs,
}

/// The SQS name of a queue: `prefix` + the seed's name, `.fifo` for a FIFO queue (SQS
/// requires it, of the dead-letter queue too).
pub fn sqs_name(prefix: &str, name: &str, fifo: bool) -> String {
    let suffix = if fifo { ".fifo" } else { "" };
    format!("{prefix}{name}{suffix}")
}

fn fail(e: impl std::fmt::Display) -> CapabilityError {
    CapabilityError::transient("queue", e)
}

impl SqsQueue {
    /// The queues named `prefix` + the seed's names. With `create`, missing queues are created
    /// with `specs` (visibility, retention, FIFO, the dead-letter queue and its
    /// `maxReceiveCount`); otherwise they must exist, set up by the deployment with the same
    /// settings.
    pub async fn open(
        client: aws_sdk_sqs::Client,
        specs: Vec<QueueSpec>,
        prefix: &str,
        create: bool,
    ) -> Result<SqsQueue, CapabilityError> {
        let specs = QueueSpecs::new(specs);
        let mut urls = HashMap::new();
        for name in QueueName::ALL {
            let spec = specs.of(name);
            let queue_name = sqs_name(prefix, name.name(), spec.fifo);
            let dlq_name = sqs_name(prefix, name.dead_letter_name(), spec.fifo);
            let found = if create {
                let dead_letters = create_queue(&client, &dlq_name, &spec, None).await?;
                let arn = queue_arn(&client, &dead_letters).await?;
                let queue = create_queue(&client, &queue_name, &spec, Some(&arn)).await?;
                Urls {
                    queue,
                    dead_letters,
                }
            } else {
                Urls {
                    queue: queue_url(&client, &queue_name).await?,
                    dead_letters: queue_url(&client, &dlq_name).await?,
                }
            };
            urls.insert(name, found);
        }
        Ok(SqsQueue {
            client,
            urls,
            specs,
        })
    }

    fn urls(&self, queue: QueueName) -> Result<&Urls, CapabilityError> {
        self.urls
            .get(&queue)
            .ok_or_else(|| CapabilityError::permanent("queue", format!("no {}", queue.name())))
    }

    /// Sends `messages` (at most 10) to `url`, and again those SQS failed, up to 3 times.
    async fn send_chunk(
        &self,
        url: &str,
        fifo: bool,
        messages: &[Outgoing],
    ) -> Result<(), CapabilityError> {
        let mut pending: Vec<(String, &Outgoing)> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| (i.to_string(), m))
            .collect();
        for attempt in 0..3 {
            let mut entries = Vec::with_capacity(pending.len());
            for (id, message) in &pending {
                let (group, dedup) = fifo_ids(fifo, message);
                entries.push(
                    SendMessageBatchRequestEntry::builder()
                        .id(id)
                        .message_body(&message.body)
                        .set_message_group_id(group)
                        .set_message_deduplication_id(dedup)
                        .build()
                        .map_err(fail)?,
                );
            }
            let answer = self
                .client
                .send_message_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| sdk_error("queue", e))?;
            let failed = answer.failed();
            if failed.is_empty() {
                return Ok(());
            }
            if let Some(refused) = failed.iter().find(|f| f.sender_fault()) {
                return Err(CapabilityError::permanent(
                    "queue",
                    format!(
                        "SQS refused a message: {}: {}",
                        refused.code(),
                        refused.message().unwrap_or_default()
                    ),
                ));
            }
            let ids: std::collections::HashSet<&str> = failed.iter().map(|f| f.id()).collect();
            pending.retain(|(id, _)| ids.contains(id.as_str()));
            tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
        }
        Err(fail(format!(
            "SQS did not take {} message(s) after 3 attempts",
            pending.len()
        )))
    }

    /// Receives up to `max` (at most 10) messages of `url`, hidden for `visibility` seconds
    /// (the queue's own when `None`), waiting up to `wait_seconds`.
    async fn receive_from(
        &self,
        url: &str,
        max: usize,
        wait_seconds: u64,
        visibility: Option<i32>,
    ) -> Result<Vec<aws_sdk_sqs::types::Message>, CapabilityError> {
        let answer = self
            .client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max.clamp(1, BATCH) as i32)
            .wait_time_seconds(wait_seconds.min(MAX_WAIT_SECONDS) as i32)
            .set_visibility_timeout(visibility)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .map_err(|e| sdk_error("queue", e))?;
        Ok(answer.messages.unwrap_or_default())
    }
}

/// A FIFO message's group and deduplication ids: those given, else one group and a fresh id
/// (no deduplication); none for a standard queue.
fn fifo_ids(fifo: bool, message: &Outgoing) -> (Option<String>, Option<String>) {
    if !fifo {
        return (None, None);
    }
    (
        Some(
            message
                .group_id
                .clone()
                .unwrap_or_else(|| "default".to_string()),
        ),
        Some(
            message
                .dedup_id
                .clone()
                .unwrap_or_else(|| crate::ids::random_id("m")),
        ),
    )
}

async fn queue_url(client: &aws_sdk_sqs::Client, name: &str) -> Result<String, CapabilityError> {
    let answer = client
        .get_queue_url()
        .queue_name(name)
        .send()
        .await
        .map_err(|e| sdk_error("queue", e))?;
    answer
        .queue_url
        .ok_or_else(|| fail(format!("SQS gave no URL for {name}")))
}

async fn queue_arn(client: &aws_sdk_sqs::Client, url: &str) -> Result<String, CapabilityError> {
    let answer = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| sdk_error("queue", e))?;
    answer
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| fail(format!("SQS gave no ARN for {url}")))
}

/// Creates `name` with `spec`'s settings (a dead-letter queue when `dead_letters` is `None`)
/// and answers its URL; a queue already there with the same settings is kept.
async fn create_queue(
    client: &aws_sdk_sqs::Client,
    name: &str,
    spec: &QueueSpec,
    dead_letters: Option<&str>,
) -> Result<String, CapabilityError> {
    let mut request = client.create_queue().queue_name(name).attributes(
        QueueAttributeName::MessageRetentionPeriod,
        spec.retention.as_secs().to_string(),
    );
    if spec.fifo {
        request = request.attributes(QueueAttributeName::FifoQueue, "true");
    }
    if let Some(arn) = dead_letters {
        request = request
            .attributes(
                QueueAttributeName::VisibilityTimeout,
                spec.visibility.as_secs().to_string(),
            )
            .attributes(
                QueueAttributeName::RedrivePolicy,
                serde_json::json!({
                    "deadLetterTargetArn": arn,
                    "maxReceiveCount": spec.max_receive,
                })
                .to_string(),
            );
    }
    let answer = request.send().await.map_err(|e| sdk_error("queue", e))?;
    answer
        .queue_url
        .ok_or_else(|| fail(format!("SQS gave no URL for {name}")))
}

fn received(message: aws_sdk_sqs::types::Message) -> Result<Received, CapabilityError> {
    let receive_count = message
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .and_then(|c| c.parse().ok())
        .unwrap_or(1);
    Ok(Received {
        message_id: message.message_id.unwrap_or_default(),
        receipt: message
            .receipt_handle
            .ok_or_else(|| fail("SQS gave a message without a receipt handle"))?,
        body: message.body.unwrap_or_default(),
        receive_count,
    })
}

/// Whole seconds for SQS, rounded up so a wait or lease is never shorter than asked.
fn seconds(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, queue: QueueName, message: Outgoing) -> Result<(), CapabilityError> {
        self.send_batch(queue, vec![message]).await
    }

    async fn send_batch(
        &self,
        queue: QueueName,
        messages: Vec<Outgoing>,
    ) -> Result<(), CapabilityError> {
        let url = &self.urls(queue)?.queue;
        let fifo = self.specs.of(queue).fifo;
        for chunk in messages.chunks(BATCH) {
            self.send_chunk(url, fifo, chunk).await?;
        }
        Ok(())
    }

    async fn receive(
        &self,
        queue: QueueName,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Received>, CapabilityError> {
        let url = &self.urls(queue)?.queue;
        self.receive_from(url, max, seconds(wait), None)
            .await?
            .into_iter()
            .map(received)
            .collect()
    }

    async fn delete(&self, queue: QueueName, receipt: &str) -> Result<(), CapabilityError> {
        let url = &self.urls(queue)?.queue;
        self.client
            .delete_message()
            .queue_url(url)
            .receipt_handle(receipt)
            .send()
            .await
            .map_err(|e| sdk_error("queue", e))?;
        Ok(())
    }

    async fn change_visibility(
        &self,
        queue: QueueName,
        receipt: &str,
        visibility: Duration,
    ) -> Result<(), CapabilityError> {
        let url = &self.urls(queue)?.queue;
        self.client
            .change_message_visibility()
            .queue_url(url)
            .receipt_handle(receipt)
            .visibility_timeout(seconds(visibility).min(43_200) as i32)
            .send()
            .await
            .map_err(|e| sdk_error("queue", e))?;
        Ok(())
    }

    async fn stats(&self, queue: QueueName) -> Result<QueueStats, CapabilityError> {
        let urls = self.urls(queue)?;
        let count = |url: String, names: Vec<QueueAttributeName>| {
            let client = self.client.clone();
            async move {
                let answer = client
                    .get_queue_attributes()
                    .queue_url(url)
                    .set_attribute_names(Some(names.clone()))
                    .send()
                    .await
                    .map_err(|e| sdk_error("queue", e))?;
                let attributes = answer.attributes.unwrap_or_default();
                Ok::<Vec<u64>, CapabilityError>(
                    names
                        .iter()
                        .map(|n| attributes.get(n).and_then(|v| v.parse().ok()).unwrap_or(0))
                        .collect(),
                )
            }
        };
        let queue_counts = count(
            urls.queue.clone(),
            vec![
                QueueAttributeName::ApproximateNumberOfMessages,
                QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
                QueueAttributeName::ApproximateNumberOfMessagesDelayed,
            ],
        )
        .await?;
        let dead = count(
            urls.dead_letters.clone(),
            vec![
                QueueAttributeName::ApproximateNumberOfMessages,
                QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            ],
        )
        .await?;
        Ok(QueueStats {
            visible: queue_counts[0] + queue_counts[2],
            in_flight: queue_counts[1],
            // SQS reports the oldest message's age only to CloudWatch
            // (ApproximateAgeOfOldestMessage).
            oldest_age_seconds: None,
            dead_letters: dead[0] + dead[1],
        })
    }

    async fn dead_letters(
        &self,
        queue: QueueName,
        max: usize,
    ) -> Result<Vec<DeadLetter>, CapabilityError> {
        let url = &self.urls(queue)?.dead_letters;
        // Received for a moment and released at once: a look, not a take.
        let mut seen = Vec::new();
        let mut receipts = Vec::new();
        while seen.len() < max {
            let batch = self
                .receive_from(url, max - seen.len(), 0, Some(HANDLING_SECONDS))
                .await?;
            if batch.is_empty() {
                break;
            }
            for message in batch {
                let message = received(message)?;
                receipts.push(message.receipt.clone());
                seen.push(DeadLetter {
                    message_id: message.message_id,
                    body: message.body,
                    receive_count: message.receive_count,
                });
            }
        }
        for receipt in receipts {
            self.client
                .change_message_visibility()
                .queue_url(url)
                .receipt_handle(receipt)
                .visibility_timeout(0)
                .send()
                .await
                .map_err(|e| sdk_error("queue", e))?;
        }
        Ok(seen)
    }

    async fn redrive(&self, queue: QueueName) -> Result<Vec<DeadLetter>, CapabilityError> {
        let urls = self.urls(queue)?.clone();
        let fifo = self.specs.of(queue).fifo;
        let mut moved = Vec::new();
        loop {
            let batch = self
                .receive_from(&urls.dead_letters, BATCH, 0, Some(HANDLING_SECONDS))
                .await?;
            if batch.is_empty() {
                return Ok(moved);
            }
            for message in batch {
                let group = message
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::MessageGroupId))
                    .cloned();
                let message = received(message)?;
                // A fresh deduplication id: the first one may still be in SQS's five minutes.
                let outgoing = Outgoing {
                    body: message.body.clone(),
                    group_id: group,
                    dedup_id: Some(format!("redrive:{}", message.message_id)),
                };
                self.send_chunk(&urls.queue, fifo, std::slice::from_ref(&outgoing))
                    .await?;
                self.client
                    .delete_message()
                    .queue_url(&urls.dead_letters)
                    .receipt_handle(&message.receipt)
                    .send()
                    .await
                    .map_err(|e| sdk_error("queue", e))?;
                moved.push(DeadLetter {
                    message_id: message.message_id,
                    body: message.body,
                    receive_count: message.receive_count,
                });
            }
        }
    }
}

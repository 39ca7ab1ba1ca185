//! How work is queued: SQS's semantics (leases with a visibility timeout, receive counts,
//! dead-letter queues, FIFO groups and deduplication).

use std::time::Duration;

use async_trait::async_trait;

use super::CapabilityError;

/// The seed's three queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueName {
    /// `invoice-processing-queue` (FIFO): registration.
    InvoiceProcessing,
    /// `ocr-processing-queue`: reading scans.
    OcrProcessing,
    /// `notification-queue`: mail.
    Notification,
}

impl QueueName {
    /// Every queue.
    pub const ALL: [QueueName; 3] = [
        QueueName::InvoiceProcessing,
        QueueName::OcrProcessing,
        QueueName::Notification,
    ];

    /// The seed's name, such as `invoice-processing-queue`.
    pub fn name(self) -> &'static str {
        match self {
            QueueName::InvoiceProcessing => "invoice-processing-queue",
            QueueName::OcrProcessing => "ocr-processing-queue",
            QueueName::Notification => "notification-queue",
        }
    }

    /// The dead-letter queue's name, such as `invoice-dlq`.
    pub fn dead_letter_name(self) -> &'static str {
        match self {
            QueueName::InvoiceProcessing => "invoice-dlq",
            QueueName::OcrProcessing => "ocr-dlq",
            QueueName::Notification => "notification-dlq",
        }
    }

    /// The queue named `name` (its own or its dead-letter queue's name).
    pub fn parse(name: &str) -> Option<QueueName> {
        QueueName::ALL
            .into_iter()
            .find(|q| q.name() == name || q.dead_letter_name() == name)
    }
}

/// A queue's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueSpec {
    /// Which queue.
    pub name: QueueName,
    /// First in, first out within a message group, with deduplication.
    pub fifo: bool,
    /// How long a received message stays hidden from other consumers.
    pub visibility: Duration,
    /// Receives after which a message moves to the dead-letter queue.
    pub max_receive: u32,
    /// How long a message is kept.
    pub retention: Duration,
}

impl QueueSpec {
    /// The seed's settings of `name`.
    pub fn seed(name: QueueName) -> QueueSpec {
        let days = |d: u64| Duration::from_secs(d * 86_400);
        match name {
            QueueName::InvoiceProcessing => QueueSpec {
                name,
                fifo: true,
                visibility: Duration::from_secs(300),
                max_receive: 3,
                retention: days(14),
            },
            QueueName::OcrProcessing => QueueSpec {
                name,
                fifo: false,
                visibility: Duration::from_secs(900),
                max_receive: 3,
                retention: days(14),
            },
            QueueName::Notification => QueueSpec {
                name,
                fifo: false,
                visibility: Duration::from_secs(60),
                max_receive: 5,
                retention: days(7),
            },
        }
    }
}

/// Each queue's settings: those given, the seed's for a queue not given.
#[derive(Debug, Clone, Default)]
pub struct QueueSpecs(std::sync::Arc<std::collections::HashMap<QueueName, QueueSpec>>);

impl QueueSpecs {
    /// The settings `specs` (one per queue).
    pub fn new(specs: impl IntoIterator<Item = QueueSpec>) -> QueueSpecs {
        QueueSpecs(std::sync::Arc::new(
            specs.into_iter().map(|s| (s.name, s)).collect(),
        ))
    }

    /// The settings of `queue`.
    pub fn of(&self, queue: QueueName) -> QueueSpec {
        self.0
            .get(&queue)
            .copied()
            .unwrap_or_else(|| QueueSpec::seed(queue))
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    /// The body (JSON).
    pub body: String,
    /// The FIFO message group: messages of one group are received in order, one at a time.
    pub group_id: Option<String>,
    /// The FIFO deduplication id: a second message with the same id within five minutes is
    /// dropped.
    pub dedup_id: Option<String>,
}

/// A received message, leased until its visibility timeout.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// The message's id.
    pub message_id: String,
    /// The lease's handle, to delete the message or change its visibility.
    pub receipt: String,
    /// The body.
    pub body: String,
    /// How many times it has been received, this time included.
    pub receive_count: u32,
}

/// A message in a dead-letter queue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DeadLetter {
    /// The message's id.
    pub message_id: String,
    /// The body.
    pub body: String,
    /// How many times it was received.
    pub receive_count: u32,
}

/// A queue's depth.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct QueueStats {
    /// Messages waiting to be received.
    pub visible: u64,
    /// Messages received and not yet deleted.
    pub in_flight: u64,
    /// The age in seconds of the oldest message, when there is one.
    pub oldest_age_seconds: Option<f64>,
    /// Messages in the dead-letter queue.
    pub dead_letters: u64,
}

/// A set of queues with SQS's semantics.
#[async_trait]
pub trait Queue: Send + Sync + std::fmt::Debug {
    /// Sends a message.
    async fn send(&self, queue: QueueName, message: Outgoing) -> Result<(), CapabilityError>;

    /// Sends several messages to one queue (SQS's SendMessageBatch); each is sent as
    /// [`Queue::send`] sends it.
    async fn send_batch(
        &self,
        queue: QueueName,
        messages: Vec<Outgoing>,
    ) -> Result<(), CapabilityError> {
        for message in messages {
            self.send(queue, message).await?;
        }
        Ok(())
    }

    /// Receives up to `max` messages, waiting up to `wait` for the first. A message received
    /// more than its queue's `max_receive` times moves to the dead-letter queue instead.
    async fn receive(
        &self,
        queue: QueueName,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Received>, CapabilityError>;

    /// Deletes a received message (its work is done).
    async fn delete(&self, queue: QueueName, receipt: &str) -> Result<(), CapabilityError>;

    /// Sets how long a received message stays hidden from now: longer while its work goes on,
    /// shorter to retry it sooner.
    async fn change_visibility(
        &self,
        queue: QueueName,
        receipt: &str,
        visibility: Duration,
    ) -> Result<(), CapabilityError>;

    /// The queue's depth.
    async fn stats(&self, queue: QueueName) -> Result<QueueStats, CapabilityError>;

    /// Up to `max` messages of the queue's dead-letter queue.
    async fn dead_letters(
        &self,
        queue: QueueName,
        max: usize,
    ) -> Result<Vec<DeadLetter>, CapabilityError>;

    /// Moves every message of the dead-letter queue back to the queue, with a fresh receive
    /// count, and answers how many moved.
    async fn redrive(&self, queue: QueueName) -> Result<Vec<DeadLetter>, CapabilityError>;
}

/// A receive that waits: `try_receive` until it takes something or `wait` is over, asking
/// again when `arrived` is notified (a send in this process) or every `poll` (leases expire and
/// other processes send without notice).
pub async fn receive_polling<F, Fut>(
    arrived: &tokio::sync::Notify,
    poll: Duration,
    wait: Duration,
    mut try_receive: F,
) -> Result<Vec<Received>, CapabilityError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Received>, CapabilityError>>,
{
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let notified = arrived.notified();
        let taken = try_receive().await?;
        let now = tokio::time::Instant::now();
        if !taken.is_empty() || now >= deadline {
            return Ok(taken);
        }
        let _ = tokio::time::timeout(poll.min(deadline - now), notified).await;
    }
}

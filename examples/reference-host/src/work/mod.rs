//! The workers: one loop a queue consumer, leasing a message, extending its lease while the
//! work runs, deleting it when done, retrying it with a growing delay when not, and marking
//! it failed when its last attempt fails (the queue then moves it to the dead-letter queue).

mod notify;
mod ocr;
pub(crate) mod register;
mod relay;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::capability::{QueueName, QueueSpec, Received};
use crate::host::Host;

pub use ocr::job_id_for;
pub use relay::relay;

/// Why one attempt at a message failed.
#[derive(Debug, Clone)]
pub struct WorkError {
    /// `code: message`.
    pub message: String,
}

impl<E: std::fmt::Display> From<E> for WorkError {
    fn from(e: E) -> WorkError {
        WorkError {
            message: e.to_string(),
        }
    }
}

/// Starts every worker of the host; they stop taking work when shutdown begins and answer
/// when their work in flight is done.
pub fn start(host: &Arc<Host>) -> Vec<tokio::task::JoinHandle<()>> {
    let workers = &host.config.workers;
    let mut tasks = Vec::new();
    spawn(
        &mut tasks,
        host,
        workers.invoice,
        QueueName::InvoiceProcessing,
        register::handle,
    );
    spawn(
        &mut tasks,
        host,
        workers.ocr,
        QueueName::OcrProcessing,
        ocr::handle,
    );
    spawn(
        &mut tasks,
        host,
        workers.notification,
        QueueName::Notification,
        notify::handle,
    );
    tasks.push(tokio::spawn(relay(Arc::clone(host))));
    tasks
}

fn spawn<F, Fut>(
    tasks: &mut Vec<tokio::task::JoinHandle<()>>,
    host: &Arc<Host>,
    count: usize,
    queue: QueueName,
    handle: F,
) where
    F: Fn(Arc<Host>, Received, bool) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), WorkError>> + Send + 'static,
{
    for _ in 0..count {
        tasks.push(tokio::spawn(consume(
            Arc::clone(host),
            queue,
            handle.clone(),
        )));
    }
}

async fn consume<F, Fut>(host: Arc<Host>, queue: QueueName, handle: F)
where
    F: Fn(Arc<Host>, Received, bool) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), WorkError>> + Send,
{
    // Wait for the catalog and rules.
    while host.engine.get().is_none() {
        if host.is_stopping() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let spec = crate::host::queue_specs(&host.config)
        .into_iter()
        .find(|s| s.name == queue)
        .unwrap_or_else(|| QueueSpec::seed(queue));
    let mut stopping = host.stopping.subscribe();
    loop {
        if host.is_stopping() {
            return;
        }
        let received = tokio::select! {
            r = host.caps.queue.receive(queue, 1, host.poll()) => r,
            _ = stopping.changed() => return,
        };
        let messages = match received {
            Ok(messages) => messages,
            Err(e) => {
                tracing::warn!(queue = queue.name(), error = %e, "receive failed");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        for message in messages {
            process(&host, &spec, message, &handle).await;
        }
    }
}

async fn process<F, Fut>(host: &Arc<Host>, spec: &QueueSpec, message: Received, handle: &F)
where
    F: Fn(Arc<Host>, Received, bool) -> Fut,
    Fut: Future<Output = Result<(), WorkError>> + Send,
{
    let queue = spec.name;
    let started = Instant::now();
    let last_attempt = message.receive_count >= spec.max_receive;
    // Keep the lease while the work runs.
    let heartbeat = {
        let host = Arc::clone(host);
        let receipt = message.receipt.clone();
        let visibility = spec.visibility;
        tokio::spawn(async move {
            let every = (visibility / 2).max(Duration::from_millis(200));
            loop {
                tokio::time::sleep(every).await;
                if let Err(e) = host
                    .caps
                    .queue
                    .change_visibility(queue, &receipt, visibility)
                    .await
                {
                    tracing::warn!(queue = queue.name(), error = %e, "lease not extended");
                }
            }
        })
    };
    let result = handle(Arc::clone(host), message.clone(), last_attempt).await;
    heartbeat.abort();
    let outcome = match &result {
        Ok(()) => {
            if let Err(e) = host.caps.queue.delete(queue, &message.receipt).await {
                tracing::warn!(queue = queue.name(), error = %e, "delete failed; the message will be seen again");
            }
            "ok"
        }
        Err(e) => {
            tracing::warn!(queue = queue.name(), message_id = %message.message_id, attempt = message.receive_count, error = %e.message, "attempt failed");
            // Sooner than the visibility timeout: 1 s, 2 s, 4 s... (at once on the last
            // attempt, so the queue moves it to its dead-letter queue).
            let base =
                Duration::from_millis(host.config.queues.retry_milliseconds.unwrap_or(1_000));
            let delay = if last_attempt {
                Duration::ZERO
            } else {
                base * 2u32.saturating_pow(message.receive_count.saturating_sub(1))
            };
            let _ = host
                .caps
                .queue
                .change_visibility(queue, &message.receipt, delay.min(spec.visibility))
                .await;
            if last_attempt {
                "dead-lettered"
            } else {
                "retried"
            }
        }
    };
    host.metrics.add(
        "bmc_worker_attempts_total",
        crate::metrics::labels(&[("queue", queue.name()), ("result", outcome)]),
        1.0,
    );
    tracing::debug!(
        queue = queue.name(),
        seconds = started.elapsed().as_secs_f64(),
        outcome,
        "message processed"
    );
}

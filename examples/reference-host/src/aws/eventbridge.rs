//! The outbox's events to EventBridge: `PutEvents` at most 10 entries a call, entries that
//! failed sent again, each carrying its stable id in its detail. The host's own work is routed
//! to its queues as on one machine ([`crate::routes`]); the event bus's rules deliver the
//! events to everyone else (analytics, participants' integrations, the seed's four rules).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_eventbridge::primitives::{DateTime, DateTimeFormat};
use aws_sdk_eventbridge::types::PutEventsRequestEntry;

use super::sdk_error;
use crate::capability::{CapabilityError, EventBus, OutboxEvent, Queue};

/// EventBridge takes at most 10 entries a call.
const BATCH: usize = 10;

/// Attempts at the entries of one call before the relay tries again later.
const ATTEMPTS: u32 = 4;

/// Events to an EventBridge bus, work to the host's queues.
#[derive(Debug, Clone)]
pub struct EventBridgeBus {
    client: aws_sdk_eventbridge::Client,
    bus_name: String,
    queue: Arc<dyn Queue>,
}

impl EventBridgeBus {
    /// Events to the bus `bus_name` (`default` or a custom bus's name or ARN), work to
    /// `queue`.
    pub fn new(
        client: aws_sdk_eventbridge::Client,
        bus_name: impl Into<String>,
        queue: Arc<dyn Queue>,
    ) -> EventBridgeBus {
        EventBridgeBus {
            client,
            bus_name: bus_name.into(),
            queue,
        }
    }

    fn entry(&self, event: &OutboxEvent) -> Result<PutEventsRequestEntry, CapabilityError> {
        let time =
            DateTime::from_str(&event.time, DateTimeFormat::DateTimeWithOffset).map_err(|e| {
                CapabilityError::permanent("events", format!("{}: time: {e}", event.id))
            })?;
        Ok(PutEventsRequestEntry::builder()
            .source(&event.source)
            .detail_type(&event.detail_type)
            .detail(event.bus_detail())
            .event_bus_name(&self.bus_name)
            .time(time)
            .build())
    }

    /// Puts `events` (at most 10), sending again those that failed.
    async fn put_chunk(&self, events: &[OutboxEvent]) -> Result<(), CapabilityError> {
        let mut pending: Vec<&OutboxEvent> = events.iter().collect();
        for attempt in 0..ATTEMPTS {
            let entries = pending
                .iter()
                .map(|e| self.entry(e))
                .collect::<Result<Vec<_>, _>>()?;
            let answer = self
                .client
                .put_events()
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| sdk_error("events", e))?;
            if answer.failed_entry_count() == 0 {
                return Ok(());
            }
            // The answer's entries are in the request's order; a failed one has an error code.
            let results = answer.entries();
            let mut failed = Vec::new();
            for (i, event) in pending.iter().enumerate() {
                match results.get(i) {
                    Some(result) if result.error_code().is_none() => {}
                    Some(result) => {
                        tracing::warn!(
                            event_id = %event.id,
                            code = result.error_code().unwrap_or_default(),
                            message = result.error_message().unwrap_or_default(),
                            "EventBridge did not take an event; sending it again"
                        );
                        failed.push(*event);
                    }
                    None => failed.push(*event),
                }
            }
            pending = failed;
            if pending.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
        }
        Err(CapabilityError::transient(
            "events",
            format!(
                "EventBridge did not take {} event(s) after {ATTEMPTS} attempts",
                pending.len()
            ),
        ))
    }
}

#[async_trait]
impl EventBus for EventBridgeBus {
    async fn put_events(&self, events: &[OutboxEvent]) -> Result<(), CapabilityError> {
        for chunk in events.chunks(BATCH) {
            self.put_chunk(chunk).await?;
        }
        crate::routes::deliver(self.queue.as_ref(), events).await
    }
}

//! Where the platform's events go.

use async_trait::async_trait;

use super::CapabilityError;

/// An event written to the outbox with the state change it announces, then delivered at
/// least once with the same `id`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OutboxEvent {
    /// A stable id: a delivery repeated after a crash carries the same one.
    pub id: String,
    /// The seed's name: `invoice.uploaded`, `invoice.ocr.completed`, `invoice.validated`,
    /// `commission.calculated`.
    pub name: String,
    /// EventBridge `Source`.
    pub source: String,
    /// EventBridge `DetailType`.
    pub detail_type: String,
    /// The detail.
    pub detail: serde_json::Value,
    /// When it happened (RFC 3339, UTC).
    pub time: String,
}

impl OutboxEvent {
    /// A new event with a fresh id, from one of core's events.
    pub fn from_core(event: &bmc_core::pipeline::Event) -> OutboxEvent {
        OutboxEvent {
            id: crate::ids::random_id("evt"),
            name: event.name.to_string(),
            source: event.source.to_string(),
            detail_type: event.detail_type.to_string(),
            detail: event.detail.clone(),
            time: crate::ids::now_rfc3339(),
        }
    }

    /// The `Detail` of the event on an EventBridge bus: its stable id, its seed name and
    /// its detail (`{"id": ..., "name": ..., "detail": {...}}`).
    pub fn bus_detail(&self) -> String {
        serde_json::json!({"id": self.id, "name": self.name, "detail": self.detail}).to_string()
    }
}

/// An event bus: receives the outbox's events and routes them to their targets.
#[async_trait]
pub trait EventBus: Send + Sync + std::fmt::Debug {
    /// Delivers `events`; all or, on an error, some of them (they are delivered again, with
    /// their ids, until this succeeds).
    async fn put_events(&self, events: &[OutboxEvent]) -> Result<(), CapabilityError>;
}

//! The events a registration emits, named as the platform's EventBridge rules name them, so a
//! host forwards them to EventBridge or SQS unchanged.

use serde_json::Value;

/// One event: its name, EventBridge `Source` and `DetailType`, and the JSON `Detail`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Event {
    /// `invoice.uploaded`, `invoice.ocr.completed`, `invoice.validated`,
    /// `commission.calculated`.
    pub name: &'static str,
    /// EventBridge `Source`, such as `bmc.invoice.service`.
    pub source: &'static str,
    /// EventBridge `DetailType`, such as `Invoice Uploaded`.
    pub detail_type: &'static str,
    /// The event's detail.
    pub detail: Value,
}

impl Event {
    pub(crate) fn uploaded(detail: Value) -> Event {
        Event {
            name: "invoice.uploaded",
            source: "bmc.invoice.service",
            detail_type: "Invoice Uploaded",
            detail,
        }
    }

    pub(crate) fn ocr_completed(detail: Value) -> Event {
        Event {
            name: "invoice.ocr.completed",
            source: "bmc.ocr.service",
            detail_type: "OCR Processing Complete",
            detail,
        }
    }

    pub(crate) fn validated(detail: Value) -> Event {
        Event {
            name: "invoice.validated",
            source: "bmc.invoice.service",
            detail_type: "Invoice Validated",
            detail,
        }
    }

    pub(crate) fn commission_calculated(detail: Value) -> Event {
        Event {
            name: "commission.calculated",
            source: "bmc.commission.service",
            detail_type: "Commission Calculated",
            detail,
        }
    }

    /// The event as an EventBridge `PutEvents` entry: `Source`, `DetailType`, and `Detail` as
    /// a JSON string.
    pub fn to_put_events_entry(&self, event_bus_name: &str) -> Value {
        serde_json::json!({
            "Source": self.source,
            "DetailType": self.detail_type,
            "Detail": self.detail.to_string(),
            "EventBusName": event_bus_name,
        })
    }
}

/// Where events go: a host's EventBridge or SQS client, a log, a `Vec`.
pub trait EventSink {
    /// Receives one event.
    fn emit(&mut self, event: Event);
}

impl EventSink for Vec<Event> {
    fn emit(&mut self, event: Event) {
        self.push(event);
    }
}

/// Discards every event.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&mut self, _event: Event) {}
}

impl<F: FnMut(Event)> EventSink for F {
    fn emit(&mut self, event: Event) {
        self(event);
    }
}

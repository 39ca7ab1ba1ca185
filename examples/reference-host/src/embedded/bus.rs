//! The embedded event bus: appends each event to a JSON-lines log (the analytics feed) and
//! routes it as the seed's EventBridge rules do ([`crate::routes`]).

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::capability::{CapabilityError, EventBus, OutboxEvent, Queue};

/// Routes events to queues and logs them.
#[derive(Debug, Clone)]
pub struct RoutingBus {
    queue: Arc<dyn Queue>,
    log: Arc<Mutex<PathBuf>>,
}

impl RoutingBus {
    /// A bus over `queue`, logging to `log` (`events.jsonl`).
    pub fn new(queue: Arc<dyn Queue>, log: PathBuf) -> RoutingBus {
        RoutingBus {
            queue,
            log: Arc::new(Mutex::new(log)),
        }
    }

    async fn append(&self, events: &[OutboxEvent]) -> Result<(), CapabilityError> {
        let mut lines = String::new();
        for event in events {
            lines.push_str(
                &serde_json::to_string(event)
                    .map_err(|e| CapabilityError::permanent("events", e))?,
            );
            lines.push('\n');
        }
        let log = Arc::clone(&self.log);
        tokio::task::spawn_blocking(move || {
            let path = log
                .lock()
                .map_err(|_| CapabilityError::permanent("events", "log poisoned"))?;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&*path)
                .map_err(|e| {
                    CapabilityError::transient("events", format!("{}: {e}", path.display()))
                })?;
            file.write_all(lines.as_bytes()).map_err(|e| {
                CapabilityError::transient("events", format!("{}: {e}", path.display()))
            })
        })
        .await
        .map_err(|e| CapabilityError::transient("events", e))?
    }
}

#[async_trait]
impl EventBus for RoutingBus {
    async fn put_events(&self, events: &[OutboxEvent]) -> Result<(), CapabilityError> {
        self.append(events).await?;
        crate::routes::deliver(self.queue.as_ref(), events).await
    }
}

//! The outbox relay: delivers the events written with state changes to the event bus, in
//! order, at least once, each with its stable id.

use std::sync::Arc;
use std::time::Duration;

use crate::host::Host;

/// Events delivered per call of the bus (EventBridge takes at most 10 a PutEvents).
const BATCH: usize = 10;

/// Relays until shutdown, then drains what is left.
pub async fn relay(host: Arc<Host>) {
    let mut stopping = host.stopping.subscribe();
    loop {
        let delivered = match deliver(&host).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "event delivery failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                0
            }
        };
        if delivered > 0 {
            continue;
        }
        if host.is_stopping() {
            return;
        }
        tokio::select! {
            () = host.outbox.notified() => {}
            () = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = stopping.changed() => {}
        }
    }
}

/// Delivers one batch; answers how many events it delivered.
pub async fn deliver(host: &Host) -> Result<usize, crate::capability::CapabilityError> {
    let events = host.caps.state.claim_events(BATCH).await?;
    if events.is_empty() {
        return Ok(0);
    }
    host.caps.bus.put_events(&events).await?;
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    host.caps.state.mark_delivered(&ids).await?;
    for event in &events {
        host.metrics.add(
            "bmc_events_delivered_total",
            crate::metrics::labels(&[("name", &event.name)]),
            1.0,
        );
    }
    Ok(events.len())
}

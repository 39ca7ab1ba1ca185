//! Storage writes that fail: transient faults are retried until they pass; a permanent one
//! ends in the dead-letter queue after 3 receives with its error, and a redrive after the
//! fault is gone finishes the work.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use bmc_host::Capabilities;
use bmc_host::capability::{CapabilityError, ObjectKind, Storage};
use common::{TestHost, config, scratch};

/// Storage whose certificate writes fail: the next `failures` of them (negative: all, until
/// set otherwise).
#[derive(Debug)]
struct Faulty {
    inner: Arc<dyn Storage>,
    failures: AtomicI64,
    attempts: AtomicI64,
}

#[async_trait]
impl Storage for Faulty {
    async fn put(&self, kind: ObjectKind, bytes: &[u8]) -> Result<String, CapabilityError> {
        if kind == ObjectKind::Certificate {
            self.attempts.fetch_add(1, Ordering::SeqCst);
            let left = self.failures.load(Ordering::SeqCst);
            if left != 0 {
                if left > 0 {
                    self.failures.fetch_sub(1, Ordering::SeqCst);
                }
                return Err(CapabilityError::transient(
                    "storage",
                    "injected: the disk is full",
                ));
            }
        }
        self.inner.put(kind, bytes).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CapabilityError> {
        self.inner.get(key).await
    }

    async fn delete(&self, key: &str) -> Result<bool, CapabilityError> {
        self.inner.delete(key).await
    }
}

#[test]
fn failed_writes_are_retried_dead_lettered_and_redriven() {
    let data = scratch("faults");
    let settings = config(&data);
    let caps = Capabilities::embedded(&settings).unwrap();
    retried_dead_lettered_and_redriven(settings, caps);
}

#[cfg(feature = "postgres")]
#[test]
fn on_postgres_failed_writes_are_retried_dead_lettered_and_redriven() {
    let server = common::postgres::TestPostgres::start("faults");
    let settings =
        common::postgres::on_postgres(config(&scratch("faults-postgres")), server.database("bmc"));
    // The pool's first connections live on this runtime; the host's own run on its.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let caps = runtime
        .block_on(Capabilities::configured(&settings))
        .unwrap();
    retried_dead_lettered_and_redriven(settings, caps);
    let dead = server.psql("bmc", "SELECT count(*) FROM bmc_queue.messages WHERE dead");
    assert_eq!(dead, "0");
}

fn retried_dead_lettered_and_redriven(settings: bmc_host::Config, mut caps: Capabilities) {
    let faulty = Arc::new(Faulty {
        inner: Arc::clone(&caps.storage),
        failures: AtomicI64::new(2),
        attempts: AtomicI64::new(0),
    });
    caps.storage = faulty.clone();
    let host = TestHost::start_with(settings, caps);
    let invoices = common::generated_xml(2, 31);

    // Two failures, then the write passes: registered on the third receive.
    let (_, first) = host.upload(&invoices[0]);
    let done = host.final_status(first["invoice_id"].as_str().unwrap());
    assert_eq!(done["status"], "REGISTERED", "{done}");
    assert_eq!(faulty.attempts.load(Ordering::SeqCst), 3);

    // Every write fails: FAILED after 3 receives, with its error, in invoice-dlq.
    faulty.failures.store(-1, Ordering::SeqCst);
    let (_, second) = host.upload(&invoices[1]);
    let id = second["invoice_id"].as_str().unwrap().to_string();
    let failed = host.final_status(&id);
    assert_eq!(failed["status"], "FAILED", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("injected: the disk is full"),
        "{failed}"
    );
    assert_eq!(
        faulty.attempts.load(Ordering::SeqCst),
        6,
        "three attempts for the first, three for the second: {failed}"
    );
    common::wait_until(std::time::Duration::from_secs(30), || {
        let (_, queues) = host.get_json("/admin/queues");
        queues["queues"][0]["dead_letters"]
            .as_array()
            .is_some_and(|d| d.len() == 1)
    });
    let (_, queues) = host.get_json("/admin/queues");
    let dead = &queues["queues"][0];
    assert_eq!(dead["dead_letter_queue"], "invoice-dlq");
    assert_eq!(dead["dead_letters"][0]["receive_count"], 3);
    assert!(
        dead["dead_letters"][0]["body"]
            .as_str()
            .unwrap()
            .contains(&id)
    );

    // The fault gone, a redrive finishes it.
    faulty.failures.store(0, Ordering::SeqCst);
    let (status, redriven) =
        host.post("/admin/queues/invoice-dlq/redrive", "application/json", b"");
    assert_eq!(
        (status, redriven["redriven"].as_u64()),
        (200, Some(1)),
        "{redriven}"
    );
    let done = host.final_status(&id);
    assert_eq!(done["status"], "REGISTERED", "{done}");
    let (_, metrics) = host.get("/metrics", None);
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains("bmc_queue_dead_letters{queue=\"invoice-dlq\"} 0"),
        "{metrics}"
    );
}

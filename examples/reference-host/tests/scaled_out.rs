//! The host scaled out on PostgreSQL (feature `postgres`): one API process and two worker
//! processes sharing state and queues in a real PostgreSQL and one object folder. A worker is
//! killed with SIGKILL mid-run; its leases come back after the visibility timeout and the other
//! worker finishes the work: every upload ends in exactly one final status, with no registration
//! or certificate twice. Two API processes given the same document at once make one invoice.

#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::child::{ChildHost, check_nothing_lost, token};
use common::postgres::TestPostgres;
use common::{request, root, scratch, wait_until};
use serde_json::Value;

/// A configuration for one process of the deployment: `workers` registration workers (0 for
/// an API process) on the shared database and folder.
fn write_config(data: &Path, name: &str, url: &str, workers: usize) -> PathBuf {
    let path = data.join(format!("{name}.toml"));
    let text = format!(
        r#"listen = "127.0.0.1:0"
data_dir = "{data}"
catalog_csv = "{root}/data/sample-catalog.csv.gz"
catalog_index = "{index}"
technical_keys = "{root}/data/invoices/technical-keys.csv"
registration_date = "2026-12-01"

[workers]
invoice = {workers}
ocr = 0
notification = {workers}

[queues]
visibility_seconds = 3
poll_milliseconds = 20
retry_milliseconds = 100

[backends]
state = "postgres"
queue = "postgres"
postgres_url = "{url}"
postgres_max_connections = 8
"#,
        data = data.display(),
        root = root().display(),
        index = common::index().display(),
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn upload(base: &str, token: &str, document: &[u8]) -> (u16, Value) {
    let (status, body) = request(
        base,
        "POST",
        "/invoices/upload",
        Some(token),
        Some("application/octet-stream"),
        document,
    );
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[test]
fn an_api_and_two_workers_lose_nothing_when_a_worker_is_killed() {
    let server = TestPostgres::start("scaled");
    let url = server.database("bmc");
    let data = scratch("scaled-out");
    let api = ChildHost::start(&write_config(&data, "api", &url, 0));
    let token = token(&data);
    let mut workers = vec![
        Some(ChildHost::start(&write_config(&data, "worker-1", &url, 3))),
        Some(ChildHost::start(&write_config(&data, "worker-2", &url, 3))),
    ];

    let documents = Arc::new(common::generated_xml(1000, 77));
    let accepted = Arc::new(Mutex::new(BTreeSet::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let uploaders: Vec<_> = (0..4)
        .map(|_| {
            let (documents, accepted, next, token, base) = (
                Arc::clone(&documents),
                Arc::clone(&accepted),
                Arc::clone(&next),
                token.clone(),
                api.base.clone(),
            );
            std::thread::spawn(move || {
                while let Some(document) = documents.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let (status, answer) = upload(&base, &token, document);
                    assert_eq!(status, 202, "{answer}");
                    accepted
                        .lock()
                        .unwrap()
                        .insert(answer["invoice_id"].as_str().unwrap().to_string());
                }
            })
        })
        .collect();
    // Kill a worker once it has registered a good share, while it holds leases.
    wait_until(Duration::from_secs(300), || {
        server.psql(
            "bmc",
            "SELECT count(*) >= 200 FROM bmc_transactional.invoices WHERE processing_status <> 'PENDING'",
        ) == "t"
    });
    workers[0].take().unwrap().kill();
    for uploader in uploaders {
        uploader.join().unwrap();
    }
    let accepted = accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), 1000, "every document is one invoice");
    check_nothing_lost(&api.base, &token, &data, &accepted);

    // In the database: one registration a CUFE, one certificate a registered invoice.
    let duplicates = server.psql(
        "bmc",
        "SELECT count(*) FROM (SELECT cufe FROM bmc_transactional.invoices
            WHERE processing_status IN ('REGISTERED', 'NEEDS_REVIEW')
            GROUP BY cufe HAVING count(*) > 1) d",
    );
    assert_eq!(duplicates, "0");
    let (registered, certificates) = (
        server.psql(
            "bmc",
            "SELECT count(*) FROM bmc_transactional.invoices WHERE processing_status = 'REGISTERED'",
        ),
        server.psql("bmc", "SELECT count(DISTINCT invoice_id) FROM bmc_transactional.certificates"),
    );
    assert_eq!(registered, certificates);
    let left = server.psql(
        "bmc",
        "SELECT count(*) FROM bmc_queue.messages WHERE queue = 'invoice-processing-queue'",
    );
    assert_eq!(left, "0", "every message deleted once its work was done");

    // The same document to two API processes at once: one invoice.
    let second_api = ChildHost::start(&write_config(&data, "api-2", &url, 0));
    let twice = common::generated_xml(1, 78).remove(0);
    let answers: Vec<(u16, Value)> = std::thread::scope(|s| {
        let calls: Vec<_> = [&api.base, &second_api.base]
            .into_iter()
            .map(|base| {
                let (token, twice) = (&token, &twice);
                s.spawn(move || upload(base, token, twice))
            })
            .collect();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    // One is taken as new (202), the other answered as the duplicate it is (200).
    let mut statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 202], "{answers:?}");
    assert_eq!(answers[0].1["invoice_id"], answers[1].1["invoice_id"]);
    let new = answers
        .iter()
        .filter(|(_, a)| a["duplicate"] == false)
        .count();
    assert_eq!(new, 1, "{answers:?}");
    let id = answers[0].1["invoice_id"].as_str().unwrap();
    let rows = server.psql(
        "bmc",
        &format!("SELECT count(*) FROM bmc_transactional.invoices WHERE invoice_id = '{id}'"),
    );
    assert_eq!(rows, "1");

    second_api.kill();
    for worker in workers.into_iter().flatten() {
        worker.kill();
    }
    api.kill();
    std::fs::remove_dir_all(&data).unwrap();
}

//! The host scaled out (feature `postgres`): one API process and two worker processes sharing
//! state and queues in a real PostgreSQL and one object folder; and (feature `aws` too) state
//! in PostgreSQL, queues on SQS, documents on S3 and events on EventBridge (moto's server), each
//! process with its own data folder. A worker is killed with SIGKILL mid-run; its leases come
//! back after the visibility timeout and the other worker finishes the work: every upload ends
//! in exactly one final status, with no registration or certificate twice. Two API processes
//! given the same document at once make one invoice.

#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::child::{ChildHost, check_nothing_lost, events_log, token};
use common::postgres::TestPostgres;
use common::{request, scratch, wait_until};
use serde_json::Value;

/// Where the deployment keeps things beside its PostgreSQL state.
struct Deployment {
    /// TOML after `[backends] state = "postgres"` (more backends, and their sections).
    backends: String,
    /// Variables for every process.
    env: Vec<(String, String)>,
    /// Each process has its own data folder (nothing shared on disk but the token secret).
    own_folders: bool,
}

/// A configuration for one process of the deployment: `workers` registration workers (0 for
/// an API process) on the shared database.
fn write_config(
    data: &Path,
    name: &str,
    url: &str,
    workers: usize,
    deployment: &Deployment,
) -> PathBuf {
    let path = data.join(format!("{name}.toml"));
    let folder = if deployment.own_folders {
        data.join(name)
    } else {
        data.to_owned()
    };
    let rest = format!(
        r#"
[auth]
secret_file = "{data}/jwt-secret"

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
postgres_url = "{url}"
postgres_max_connections = 8
{backends}
"#,
        data = data.display(),
        backends = deployment.backends,
    );
    common::child::write_config_file(&path, &folder, &rest)
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
    let data = scratch("scaled-out");
    let deployment = Deployment {
        backends: "queue = \"postgres\"".into(),
        env: Vec::new(),
        own_folders: false,
    };
    scaled_out(&server, &data, &deployment, events_log(&data), || {
        server.psql(
            "bmc",
            "SELECT count(*) FROM bmc_queue.messages WHERE queue = 'invoice-processing-queue'",
        ) == "0"
    });
    std::fs::remove_dir_all(&data).unwrap();
}

#[cfg(feature = "aws")]
#[test]
fn on_sqs_s3_and_eventbridge_an_api_and_two_workers_lose_nothing() {
    use bmc_host::capability::{Queue as _, QueueName, QueueSpec};
    use common::aws::{Moto, log_tap, logged_events};

    let server = TestPostgres::start("scaled-aws");
    let moto = Moto::start();
    let data = scratch("scaled-out-aws");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    log_tap(&moto, "bmc-events", "/bmc/events");
    let deployment = Deployment {
        backends: r#"queue = "sqs"
storage = "s3"
events = "eventbridge"

[aws]
bucket = "bmc-scaled"
create_resources = true
event_bus = "bmc-events"
"#
        .into(),
        env: moto.env(None),
        own_folders: true,
    };
    let events = logged_events(&moto, "/bmc/events");
    scaled_out(&server, &data, &deployment, events, || {
        runtime.block_on(async {
            let specs = QueueName::ALL.into_iter().map(QueueSpec::seed).collect();
            let queue = bmc_host::aws::SqsQueue::open(
                aws_sdk_sqs::Client::new(&moto.sdk().await),
                specs,
                "",
                false,
            )
            .await
            .unwrap();
            let stats = queue.stats(QueueName::InvoiceProcessing).await.unwrap();
            (stats.visible, stats.in_flight, stats.dead_letters) == (0, 0, 0)
        })
    });
    // Nothing kept on the processes' disks: every object is in S3.
    for process in ["api", "worker-1", "worker-2", "api-2"] {
        assert!(!data.join(process).join("objects").exists(), "{process}");
    }
    std::fs::remove_dir_all(&data).unwrap();
}

/// Registers 1,000 uploads on `deployment` with a worker killed on the way; then the same
/// document to two API processes at once. `events` answers the events delivered so far;
/// `drained` tells whether the registration queue is empty.
fn scaled_out(
    server: &TestPostgres,
    data: &Path,
    deployment: &Deployment,
    events: impl FnMut() -> Vec<Value>,
    drained: impl Fn() -> bool,
) {
    let url = server.database("bmc");
    let start = |name: &str, workers: usize| {
        ChildHost::start_with_env(
            &write_config(data, name, &url, workers, deployment),
            &deployment.env,
        )
    };
    let api = start("api", 0);
    let token = token(data);
    let mut workers = vec![Some(start("worker-1", 3)), Some(start("worker-2", 3))];

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
    check_nothing_lost(&api.base, &token, &accepted, events);

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
    wait_until(Duration::from_secs(30), &drained);

    // The same document to two API processes at once: one invoice.
    let second_api = start("api-2", 0);
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
}

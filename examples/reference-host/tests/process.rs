//! The host as a process: killed with SIGKILL while it works, and stopped with SIGTERM.
//! Nothing accepted is lost or done twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bmc_host::auth::Role;
use common::{request, root, scratch, wait_until};
use serde_json::Value;

/// A `bmc-host` child process.
struct ChildHost {
    child: Child,
    base: String,
}

fn write_config(data: &Path) -> PathBuf {
    let path = data.join("host.toml");
    let text = format!(
        r#"listen = "127.0.0.1:0"
data_dir = "{data}"
catalog_csv = "{root}/data/sample-catalog.csv.gz"
catalog_index = "{index}"
technical_keys = "{root}/data/invoices/technical-keys.csv"
registration_date = "2026-12-01"
shutdown_grace_seconds = 60

[workers]
invoice = 2
ocr = 1

[queues]
visibility_seconds = 3
poll_milliseconds = 20
retry_milliseconds = 100
"#,
        data = data.display(),
        root = root().display(),
        index = common::index().display(),
    );
    std::fs::write(&path, text).unwrap();
    path
}

impl ChildHost {
    fn start(config: &Path) -> ChildHost {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bmc-host"))
            .arg("--config")
            .arg(config)
            .env("BMC_HOST_LOG_FILTER", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if !sent {
                    eprintln!("host: {line}");
                }
                if !sent && let Some(at) = line.strip_prefix("bmc-host listening on ") {
                    let _ = tx.send(at.to_string());
                    sent = true;
                }
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the host did not start");
        wait_until(Duration::from_secs(60), || {
            request(&base, "GET", "/ready", None, None, b"").0 == 200
        });
        ChildHost { child, base }
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

fn token(data: &Path) -> String {
    let secret = bmc_host::auth::load_or_create_secret(&data.join("jwt-secret")).unwrap();
    bmc_host::auth::issue_hs256(
        &secret,
        "test",
        Role::Admin,
        chrono::Utc::now().timestamp(),
        3600,
        None,
    )
}

/// The documents: generated XML invoices, the sample PDFs (text layer) and OCR TSVs.
fn documents(xml: usize) -> Vec<Vec<u8>> {
    let mut documents = common::generated_xml(xml, 41);
    for entry in std::fs::read_dir(root().join("data/invoices")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "pdf") {
            documents.push(std::fs::read(path).unwrap());
        }
    }
    for entry in std::fs::read_dir(root().join("data/invoices/ocr")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".tesseract.tsv") {
            documents.push(std::fs::read(path).unwrap());
        }
    }
    documents
}

fn get_json(base: &str, token: &str, path: &str) -> Value {
    let (_, body) = request(base, "GET", path, Some(token), None, b"");
    serde_json::from_slice(&body).unwrap_or(Value::Null)
}

/// Every accepted upload has one final status, one registration id and certificate at most,
/// and one id per event.
fn check_nothing_lost(base: &str, token: &str, data: &Path, accepted: &BTreeSet<String>) {
    let mut statuses: BTreeMap<String, Value> = BTreeMap::new();
    wait_until(Duration::from_secs(300), || {
        for id in accepted {
            if statuses.contains_key(id) {
                continue;
            }
            let status = get_json(base, token, &format!("/invoices/{id}/status"));
            if matches!(
                status["status"].as_str(),
                Some("REGISTERED" | "NEEDS_REVIEW" | "REJECTED" | "FAILED")
            ) {
                statuses.insert(id.clone(), status);
            }
        }
        statuses.len() == accepted.len()
    });
    let mut registrations = BTreeSet::new();
    let mut certificates = BTreeSet::new();
    let mut registered = 0;
    for status in statuses.values() {
        assert_ne!(status["status"], "FAILED", "{status}");
        if let Some(r) = status["registration_id"].as_str() {
            assert!(
                registrations.insert(r.to_string()),
                "registration {r} twice"
            );
        }
        if status["status"] == "REGISTERED" {
            registered += 1;
            let c = status["certificate_id"]
                .as_str()
                .expect("a registered invoice has a certificate");
            assert!(certificates.insert(c.to_string()), "certificate {c} twice");
        }
    }
    assert!(
        registered > accepted.len() / 2,
        "{registered} of {} registered",
        accepted.len()
    );
    let (status, _) = request(
        base,
        "GET",
        &format!("/certificates/{}/download", certificates.first().unwrap()),
        Some(token),
        None,
        b"",
    );
    assert_eq!(status, 200);
    // Events: wait for the outbox to drain, then one id per invoice and event.
    wait_until(Duration::from_secs(60), || {
        let log = std::fs::read_to_string(data.join("events.jsonl")).unwrap_or_default();
        let uploaded = log
            .lines()
            .filter(|l| l.contains("\"invoice.uploaded\""))
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["detail"]["invoice_id"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect::<BTreeSet<_>>();
        let validated = log
            .lines()
            .filter(|l| l.contains("\"invoice.validated\""))
            .count();
        accepted.iter().all(|id| uploaded.contains(id)) && validated >= accepted.len()
    });
    let log = std::fs::read_to_string(data.join("events.jsonl")).unwrap();
    let mut ids: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
    for line in log.lines() {
        let event: Value = serde_json::from_str(line).unwrap();
        let invoice = event["detail"]["invoice_id"]
            .as_str()
            .unwrap_or("")
            .to_string();
        ids.entry((invoice, event["name"].as_str().unwrap().to_string()))
            .or_default()
            .insert(event["id"].as_str().unwrap().to_string());
    }
    for ((invoice, name), event_ids) in &ids {
        assert_eq!(
            event_ids.len(),
            1,
            "{name} of {invoice} announced under {event_ids:?}"
        );
    }
    for (id, status) in &statuses {
        let has = |name: &str| ids.contains_key(&(id.clone(), name.to_string()));
        assert!(has("invoice.uploaded") && has("invoice.validated"), "{id}");
        if status["status"] == "REGISTERED" {
            assert!(has("commission.calculated"), "{id}");
        }
    }
}

#[test]
fn killed_twice_while_working_it_loses_nothing_and_does_nothing_twice() {
    let data = scratch("kill");
    let config = write_config(&data);
    let documents = Arc::new(documents(240));
    let total = documents.len();
    let mut host = ChildHost::start(&config);
    let token = token(&data);
    let base = Arc::new(Mutex::new(host.base.clone()));
    let accepted = Arc::new(Mutex::new(BTreeSet::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let uploaders: Vec<_> = (0..4)
        .map(|_| {
            let (documents, base, accepted, done, next, token) = (
                Arc::clone(&documents),
                Arc::clone(&base),
                Arc::clone(&accepted),
                Arc::clone(&done),
                Arc::clone(&next),
                token.clone(),
            );
            std::thread::spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(document) = documents.get(i) else {
                        return;
                    };
                    // Retried until the host answers (it is killed meanwhile).
                    loop {
                        let at = base.lock().unwrap().clone();
                        let (status, body) = request(
                            &at,
                            "POST",
                            "/invoices/upload",
                            Some(&token),
                            Some("application/octet-stream"),
                            document,
                        );
                        if status == 200 || status == 202 {
                            let answer: Value = serde_json::from_slice(&body).unwrap();
                            accepted
                                .lock()
                                .unwrap()
                                .insert(answer["invoice_id"].as_str().unwrap().to_string());
                            break;
                        }
                        assert!(
                            status == 0 || status >= 500,
                            "upload {i}: {status} {}",
                            String::from_utf8_lossy(&body)
                        );
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for kill_at in [total / 3, 2 * total / 3] {
        wait_until(Duration::from_secs(300), || {
            done.load(Ordering::SeqCst) >= kill_at
        });
        host.kill();
        host = ChildHost::start(&config);
        *base.lock().unwrap() = host.base.clone();
    }
    for uploader in uploaders {
        uploader.join().unwrap();
    }
    let accepted = accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), total, "every document is one invoice");
    check_nothing_lost(&host.base, &token, &data, &accepted);
    host.kill();
}

#[test]
fn sigterm_finishes_the_work_in_flight_and_exits_0() {
    let data = scratch("term");
    let config = write_config(&data);
    let host = ChildHost::start(&config);
    let token = token(&data);
    let mut accepted = BTreeSet::new();
    for document in common::generated_xml(30, 43) {
        let (status, body) = request(
            &host.base,
            "POST",
            "/invoices/upload",
            Some(&token),
            Some("application/xml"),
            &document,
        );
        assert_eq!(status, 202);
        let answer: Value = serde_json::from_slice(&body).unwrap();
        accepted.insert(answer["invoice_id"].as_str().unwrap().to_string());
    }
    let mut child = host.child;
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut status = None;
    wait_until(Duration::from_secs(90), || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    assert_eq!(status.unwrap().code(), Some(0));
    // Started again, it finishes what was left queued.
    let host = ChildHost::start(&config);
    check_nothing_lost(&host.base, &token, &data, &accepted);
    host.kill();
}

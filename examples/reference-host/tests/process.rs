//! The host as a process: killed with SIGKILL while it works, and stopped with SIGTERM.
//! Nothing accepted is lost or done twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::child::{ChildHost, check_nothing_lost, events_log, token};
use common::{request, root, scratch, wait_until};
use serde_json::Value;

fn write_config(data: &Path) -> PathBuf {
    let path = data.join("host.toml");
    let rest = r#"shutdown_grace_seconds = 60

[workers]
invoice = 2
ocr = 1

[queues]
visibility_seconds = 3
poll_milliseconds = 20
retry_milliseconds = 100
"#;
    common::child::write_config_file(&path, data, rest)
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
    check_nothing_lost(&host.base, &token, &accepted, events_log(&data));
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
    let mut host = host;
    let child = &mut host.child;
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
    drop(host);
    // Started again, it finishes what was left queued.
    let host = ChildHost::start(&config);
    check_nothing_lost(&host.base, &token, &accepted, events_log(&data));
    host.kill();
}

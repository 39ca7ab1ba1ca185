//! `bmc-host` as a child process, and what tests of child processes check.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bmc_host::auth::Role;
use serde_json::Value;

use super::{request, wait_until};

/// A `bmc-host` child process.
pub struct ChildHost {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:port`.
    pub base: String,
}

impl ChildHost {
    /// Starts `bmc-host --config config` and waits until it is ready.
    pub fn start(config: &Path) -> ChildHost {
        ChildHost::start_with_env(config, &[])
    }

    /// Starts `bmc-host --config config` with the variables `env` and waits until it is
    /// ready.
    pub fn start_with_env(config: &Path, env: &[(String, String)]) -> ChildHost {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bmc-host"))
            .arg("--config")
            .arg(config)
            .env("BMC_HOST_LOG_FILTER", "warn")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            // BMC_TEST_HOST_LOGS=1 shows every line, not only those before the host listens.
            let all = std::env::var_os("BMC_TEST_HOST_LOGS").is_some();
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if !sent || all {
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

    /// Kills it with SIGKILL.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for ChildHost {
    /// A test that fails leaves no process behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a child host's configuration to `path`: what every test host shares (a free port,
/// `data_dir`, the sample catalog and its index, the samples' numbering keys, a fixed
/// registration date), then `rest`.
pub fn write_config_file(path: &Path, data_dir: &Path, rest: &str) -> std::path::PathBuf {
    let root = super::root();
    let text = format!(
        r#"listen = "127.0.0.1:0"
data_dir = "{data}"
catalog_csv = "{root}/data/sample-catalog.csv.gz"
catalog_index = "{index}"
technical_keys = "{root}/data/invoices/technical-keys.csv"
registration_date = "2026-12-01"
{rest}"#,
        data = data_dir.display(),
        root = root.display(),
        index = super::index().display(),
    );
    std::fs::write(path, text).unwrap();
    path.to_owned()
}

/// An Admin token signed with the secret under `data`.
pub fn token(data: &Path) -> String {
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

/// The JSON a GET answers (null when it is not JSON).
pub fn get_json(base: &str, token: &str, path: &str) -> Value {
    let (_, body) = request(base, "GET", path, Some(token), None, b"");
    serde_json::from_slice(&body).unwrap_or(Value::Null)
}

/// The events of the embedded bus's log under `data` (`events.jsonl`), as the outbox wrote
/// them (`name`, `id`, `detail`).
pub fn events_log(data: &Path) -> impl FnMut() -> Vec<Value> {
    let log = data.join("events.jsonl");
    move || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// Every accepted upload has one final status, one registration id and certificate at most,
/// and one id per event; `events` answers every event delivered so far.
pub fn check_nothing_lost(
    base: &str,
    token: &str,
    accepted: &BTreeSet<String>,
    mut events: impl FnMut() -> Vec<Value>,
) {
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
    let mut delivered = Vec::new();
    wait_until(Duration::from_secs(60), || {
        delivered = events();
        let uploaded = delivered
            .iter()
            .filter(|e| e["name"] == "invoice.uploaded")
            .map(|e| e["detail"]["invoice_id"].as_str().unwrap_or("").to_string())
            .collect::<BTreeSet<_>>();
        let validated = delivered
            .iter()
            .filter(|e| e["name"] == "invoice.validated")
            .count();
        accepted.iter().all(|id| uploaded.contains(id)) && validated >= accepted.len()
    });
    // At least once, and more only for the batch a killed process was delivering: the relays
    // of several processes never deliver the same events.
    let distinct: BTreeSet<&str> = delivered
        .iter()
        .map(|e| e["id"].as_str().unwrap_or(""))
        .collect();
    let repeated = delivered.len() - distinct.len();
    assert!(
        repeated <= 30,
        "{repeated} of {} deliveries repeated an event",
        delivered.len()
    );
    let mut ids: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
    for event in &delivered {
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

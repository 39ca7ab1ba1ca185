//! What the host's tests share: a host started in this process on a free port of
//! 127.0.0.1, tokens, generated invoices, and a small HTTP client.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "aws")]
pub mod aws;
pub mod child;
pub mod fake_dian;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod sftp;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bmc_host::auth::Role;
use bmc_host::{Capabilities, Config, Host};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python with the test servers (aiosmtpd, moto): `BMC_TEST_PYTHON`, or the venv
/// `scripts/test-all.sh` makes.
pub fn python() -> PathBuf {
    if let Ok(python) = std::env::var("BMC_TEST_PYTHON") {
        return python.into();
    }
    let target =
        std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root().join("target"), PathBuf::from);
    target.join("venv/bin/python")
}

/// A runtime for tests that call the host's capabilities directly.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A free port of 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh folder under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bmc-host-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The sample catalog's index, built once for this test binary.
pub fn index() -> PathBuf {
    static INDEX: OnceLock<PathBuf> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let dir = scratch("index");
            bmc_core::catalog::build_from_path(
                &root().join("data/sample-catalog.csv.gz"),
                &dir,
                &Default::default(),
                &mut |_| {},
            )
            .unwrap();
            dir
        })
        .clone()
}

/// A configuration for tests: data under `data`, the shared index, a fixed registration
/// date, short leases and retries.
pub fn config(data: &Path) -> Config {
    let mut config = Config {
        listen: "127.0.0.1:0".into(),
        data_dir: data.to_owned(),
        catalog_csv: root().join("data/sample-catalog.csv.gz"),
        catalog_index: Some(index()),
        technical_keys: Some(root().join("data/invoices/technical-keys.csv")),
        registration_date: Some("2026-12-01".parse().unwrap()),
        ..Config::default()
    };
    config.queues.visibility_seconds = Some(5);
    config.queues.poll_milliseconds = Some(20);
    config.queues.retry_milliseconds = Some(50);
    config.workers.invoice = 2;
    config.workers.ocr = 1;
    config
}

/// A host running in this process.
pub struct TestHost {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// The host.
    pub host: Arc<Host>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestHost {
    /// Starts a host with `config` on the embedded capabilities.
    pub fn start(config: Config) -> TestHost {
        let caps = Capabilities::embedded(&config).unwrap();
        TestHost::start_with(config, caps)
    }

    /// Starts a host with `config` and `caps`, and waits until it is ready.
    pub fn start_with(config: Config, caps: Capabilities) -> TestHost {
        let host = Host::new(config, caps).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let running = Arc::clone(&host);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                address_tx.send(listener.local_addr().unwrap()).unwrap();
                bmc_host::run(running, listener, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        let address = address_rx.recv().unwrap();
        let test = TestHost {
            base: format!("http://{address}"),
            host,
            stop: Some(stop),
            thread: Some(thread),
        };
        wait_until(Duration::from_secs(60), || {
            test.get("/ready", None).0 == 200
        });
        test
    }

    /// A token with `role`.
    pub fn token(&self, role: Role) -> String {
        let secret = self.host.secret.as_ref().unwrap();
        bmc_host::auth::issue_hs256(
            secret,
            "test",
            role,
            chrono::Utc::now().timestamp(),
            3600,
            None,
        )
    }

    /// GET `path`: status and body.
    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
        request(&self.base, "GET", path, token, None, &[])
    }

    /// GET `path` as JSON with an operator's token.
    pub fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let token = self.token(Role::Admin);
        let (status, body) = self.get(path, Some(&token));
        (
            status,
            serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        )
    }

    /// POST `body` to `path` with `content_type`, as an operator.
    pub fn post(&self, path: &str, content_type: &str, body: &[u8]) -> (u16, serde_json::Value) {
        let token = self.token(Role::Admin);
        let (status, body) = request(
            &self.base,
            "POST",
            path,
            Some(&token),
            Some(content_type),
            body,
        );
        (
            status,
            serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Uploads `document` as the raw body: status and answer.
    pub fn upload(&self, document: &[u8]) -> (u16, serde_json::Value) {
        self.post("/invoices/upload", "application/octet-stream", document)
    }

    /// Waits until invoice `id` has a final status, and answers it.
    pub fn final_status(&self, id: &str) -> serde_json::Value {
        let mut last = serde_json::Value::Null;
        wait_until(Duration::from_secs(120), || {
            last = self.get_json(&format!("/invoices/{id}/status")).1;
            matches!(
                last["status"].as_str(),
                Some("REGISTERED" | "NEEDS_REVIEW" | "REJECTED" | "FAILED")
            )
        });
        last
    }

    /// Stops the host (as a SIGTERM would) and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TestHost {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// One HTTP request: status and body (a 4xx or 5xx is an answer, not an error).
pub fn request(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> (u16, Vec<u8>) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(bearer) = &bearer {
        headers.push(("Authorization", bearer.as_str()));
    }
    if let Some(content_type) = content_type {
        headers.push(("Content-Type", content_type));
    }
    request_with(base, method, path, &headers, body)
}

/// One HTTP request with `headers`: status and body.
pub fn request_with(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let url = format!("{base}{path}");
    let mut builder = ureq::http::Request::builder().method(method).uri(&url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder.body(body.to_vec()).unwrap();
    match agent.run(request) {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let body = response
                .body_mut()
                .with_config()
                .limit(64 * 1024 * 1024)
                .read_to_vec()
                .unwrap_or_default();
            (status, body)
        }
        Err(e) => (0, e.to_string().into_bytes()),
    }
}

/// Polls `done` until it answers true, or panics after `limit`.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "not done after {limit:?}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// `count` distinct generated invoices as UBL XML (with the samples' technical key, so their
/// CUFEs verify), from seed `seed`; credit notes left out.
pub fn generated_xml(count: usize, seed: u64) -> Vec<Vec<u8>> {
    use bmc_core::invoice::{DocumentKind, generate, ubl};
    let products =
        bmc_core::catalog::read_products(&root().join("data/sample-catalog.csv.gz"), 5_000)
            .unwrap();
    let options = generate::Options {
        seed,
        min_lines: 1,
        max_lines: 4,
        ..generate::Options::default()
    };
    generate::invoices(&products, count + count / 9 + 2, &options)
        .into_iter()
        .filter(|i| i.kind == DocumentKind::Invoice)
        .take(count)
        .map(|i| ubl::write_xml(&i, &ubl::Issuance::default()).into_bytes())
        .collect()
}

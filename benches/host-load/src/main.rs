//! Load on a `bmc-host` started here on 127.0.0.1 with its embedded defaults, in three
//! phases, each printing its figures:
//!
//! 1. throughput: N distinct XML invoices uploaded by 8 clients at once; uploads/s, and
//!    registrations/s from the first upload to the last final status (certificates included);
//! 2. `GET /products/{code}` at a fixed rate (2,000/s by default) for 10 s: latency
//!    percentiles measured from each request's scheduled time;
//! 3. uploads at a fixed rate (100/s by default) for 20 s: upload to REGISTERED, from the
//!    host's own timestamps, as percentiles.
//!
//! `bmc-host-load [HOST_BINARY] [N] [GET_RATE] [UPLOAD_RATE]`; the host binary defaults to
//! `target/release/bmc-host`. A phase given 0 is left out. The host takes its settings from
//! the environment too (`BMC_HOST_BACKENDS__STATE=postgres`, ...); with
//! `BMC_LOAD_WORKER_PROCESSES=N` the host loaded runs no workers and N more processes of
//! it, sharing its folder and backends, do the work (a scaled-out deployment on one machine).
//! With `BMC_LOAD_DATA_DIR=folder` the host's folder is that one, kept afterwards with the
//! invoices loaded (`benches/console-list/run.sh` measures the console on them).

use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bmc_core::invoice::{DocumentKind, generate, ubl};

type Failure = Box<dyn std::error::Error + Send + Sync>;

struct Host {
    child: Child,
    base: String,
    token: String,
    /// Worker processes beside it.
    workers: Vec<Host>,
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .max_idle_connections_per_host(64)
        .build()
        .into()
}

/// The worker processes asked for by `BMC_LOAD_WORKER_PROCESSES`.
fn worker_processes() -> usize {
    std::env::var("BMC_LOAD_WORKER_PROCESSES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Starts the host to load (and its worker processes, when asked for).
fn start(binary: &PathBuf, data: &std::path::Path) -> Result<Host, Failure> {
    let workers = worker_processes();
    let mut host = start_one(binary, data, workers == 0)?;
    for _ in 0..workers {
        host.workers.push(start_one(binary, data, true)?);
    }
    Ok(host)
}

fn start_one(binary: &PathBuf, data: &std::path::Path, work: bool) -> Result<Host, Failure> {
    let root = std::env::current_dir()?;
    let mut command = Command::new(binary);
    if !work {
        for queue in ["INVOICE", "OCR", "NOTIFICATION"] {
            command.env(format!("BMC_HOST_WORKERS__{queue}"), "0");
        }
    }
    let mut child = command
        .env("BMC_HOST_LISTEN", "127.0.0.1:0")
        .env("BMC_HOST_DATA_DIR", data)
        .env(
            "BMC_HOST_CATALOG_CSV",
            root.join("data/sample-catalog.csv.gz"),
        )
        .env(
            "BMC_HOST_TECHNICAL_KEYS",
            root.join("data/invoices/technical-keys.csv"),
        )
        .env("BMC_HOST_REGISTRATION_DATE", "2026-12-01")
        .env("BMC_HOST_LOG_FILTER", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut said = Vec::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(at) = line.strip_prefix("bmc-host listening on ") {
                let _ = tx.send(Ok(at.to_string()));
            } else if said.len() < 20 {
                said.push(line);
            }
        }
        // The host ended: what it said is why.
        let _ = tx.send(Err(said.join("\n")));
    });
    let base = match rx.recv_timeout(Duration::from_secs(60))? {
        Ok(base) => base,
        Err(said) => return Err(format!("the host stopped before listening:\n{said}").into()),
    };
    let token = Command::new(binary)
        .args(["token", "--role", "admin"])
        .env("BMC_HOST_DATA_DIR", data)
        .output()?;
    let token = String::from_utf8(token.stdout)?.trim().to_string();
    let host = Host {
        child,
        base,
        token,
        workers: Vec::new(),
    };
    let started = Instant::now();
    while get(&agent(), &host, "/ready").0 != 200 {
        if started.elapsed() > Duration::from_secs(120) {
            return Err("the host is not ready after 120 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(host)
}

fn get(agent: &ureq::Agent, host: &Host, path: &str) -> (u16, String) {
    match agent
        .get(format!("{}{path}", host.base))
        .header("Authorization", format!("Bearer {}", host.token))
        .call()
    {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(e) => (0, e.to_string()),
    }
}

fn upload(agent: &ureq::Agent, host: &Host, xml: &[u8]) -> Result<String, Failure> {
    let mut response = agent
        .post(format!("{}/invoices/upload", host.base))
        .header("Authorization", format!("Bearer {}", host.token))
        .header("Content-Type", "application/xml")
        .send(xml)?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string()?;
    if status != 202 && status != 200 {
        return Err(format!("upload answered {status}: {body}").into());
    }
    let answer: serde_json::Value = serde_json::from_str(&body)?;
    Ok(answer["invoice_id"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// The invoices in each final status, from `/metrics`.
fn finals(agent: &ureq::Agent, host: &Host) -> usize {
    let (_, text) = get(agent, host, "/metrics");
    text.lines()
        .filter(|l| l.starts_with("bmc_invoices{"))
        .filter(|l| !l.contains("PENDING") && !l.contains("\"OCR\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as usize
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn invoices(count: usize, seed: u64) -> Result<Vec<Vec<u8>>, Failure> {
    let products = bmc_core::catalog::read_products(
        std::path::Path::new("data/sample-catalog.csv.gz"),
        5_000,
    )?;
    let options = generate::Options {
        seed,
        min_lines: 1,
        max_lines: 4,
        ..generate::Options::default()
    };
    Ok(
        generate::invoices(&products, count + count / 9 + 2, &options)
            .into_iter()
            .filter(|i| i.kind == DocumentKind::Invoice)
            .take(count)
            .map(|i| ubl::write_xml(&i, &ubl::Issuance::default()).into_bytes())
            .collect(),
    )
}

fn throughput(host: &Host, documents: &[Vec<u8>]) -> Result<(), Failure> {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let before = finals(&agent(), host);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let agent = agent();
                while let Some(doc) = documents.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(e) = upload(&agent, host, doc) {
                        eprintln!("{e}");
                    }
                }
            });
        }
    });
    let uploaded = started.elapsed().as_secs_f64();
    let agent = agent();
    while finals(&agent, host) < before + documents.len() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let registered = started.elapsed().as_secs_f64();
    println!(
        "throughput: {} XML invoices: uploads {:.0}/s ({uploaded:.2} s); registered end to end with certificates {:.0}/s ({registered:.2} s)",
        documents.len(),
        documents.len() as f64 / uploaded,
        documents.len() as f64 / registered,
    );
    Ok(())
}

fn lookups(host: &Host, rate: usize) -> Result<(), Failure> {
    let (_, found) = get(&agent(), host, "/products/search?q=arroz&limit=50");
    let found: serde_json::Value = serde_json::from_str(&found)?;
    let codes: Vec<String> = found["items"]
        .as_array()
        .ok_or("no products")?
        .iter()
        .filter_map(|h| h["product"]["product_code"].as_str().map(str::to_string))
        .collect();
    let threads = 8;
    let per_thread = rate / threads;
    let seconds = 10;
    let latencies = Mutex::new(Vec::with_capacity(rate * seconds));
    let errors = AtomicUsize::new(0);
    let start = Instant::now() + Duration::from_millis(100);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (codes, latencies, errors) = (&codes, &latencies, &errors);
            s.spawn(move || {
                let agent = agent();
                let gap = Duration::from_secs_f64(1.0 / per_thread as f64);
                let mut mine = Vec::new();
                for i in 0..per_thread * seconds {
                    // Open loop: each request has its time; lateness counts as latency.
                    let at = start + gap * i as u32 + gap / threads as u32 * t as u32;
                    if let Some(wait) = at.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let code = &codes[(i + t) % codes.len()];
                    let (status, _) = get(&agent, host, &format!("/products/{code}"));
                    if status != 200 {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    mine.push(at.elapsed().as_secs_f64() * 1000.0);
                }
                if let Ok(mut all) = latencies.lock() {
                    all.extend(mine);
                }
            });
        }
    });
    let mut all = latencies.into_inner().map_err(|_| "poisoned")?;
    all.sort_by(f64::total_cmp);
    println!(
        "GET /products/{{code}} at {rate}/s for {seconds} s: {} requests, {} errors; latency p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        all.len(),
        errors.load(Ordering::Relaxed),
        percentile(&all, 50.0),
        percentile(&all, 95.0),
        percentile(&all, 99.0),
        all.last().copied().unwrap_or(f64::NAN),
    );
    Ok(())
}

fn paced_uploads(host: &Host, documents: &[Vec<u8>], rate: usize) -> Result<(), Failure> {
    let ids = Mutex::new(Vec::new());
    let threads = 4;
    let gap = Duration::from_secs_f64(threads as f64 / rate as f64);
    let start = Instant::now() + Duration::from_millis(100);
    std::thread::scope(|s| {
        for t in 0..threads {
            let ids = &ids;
            s.spawn(move || {
                let agent = agent();
                for (i, doc) in documents.iter().skip(t).step_by(threads).enumerate() {
                    let at = start + gap * i as u32 + gap / threads as u32 * t as u32;
                    if let Some(wait) = at.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    match upload(&agent, host, doc) {
                        Ok(id) => ids.lock().map(|mut v| v.push(id)).unwrap_or(()),
                        Err(e) => eprintln!("{e}"),
                    }
                }
            });
        }
    });
    let ids = ids.into_inner().map_err(|_| "poisoned")?;
    let agent = agent();
    let mut latencies = Vec::new();
    let mut statuses = std::collections::BTreeMap::new();
    for id in &ids {
        loop {
            let (_, text) = get(&agent, host, &format!("/invoices/{id}/details"));
            let details: serde_json::Value = serde_json::from_str(&text)?;
            let invoice = &details["invoice"];
            let status = invoice["processing_status"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if matches!(
                status.as_str(),
                "REGISTERED" | "NEEDS_REVIEW" | "REJECTED" | "FAILED"
            ) {
                let time = |k: &str| invoice[k].as_str().and_then(millis);
                if let (Some(a), Some(b), "REGISTERED") =
                    (time("created_at"), time("updated_at"), status.as_str())
                {
                    latencies.push(b - a);
                }
                *statuses.entry(status).or_insert(0) += 1;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "{} uploads at {rate}/s: {statuses:?}; upload to REGISTERED p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        ids.len(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(f64::NAN),
    );
    Ok(())
}

/// Milliseconds since the epoch of an RFC 3339 time.
fn millis(text: &str) -> Option<f64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis() as f64)
}

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let binary = args
        .get(1)
        .map_or_else(|| PathBuf::from("target/release/bmc-host"), PathBuf::from);
    let count: usize = args.get(2).map_or(Ok(3_000), |a| a.parse())?;
    let get_rate: usize = args.get(3).map_or(Ok(2_000), |a| a.parse())?;
    let upload_rate: usize = args.get(4).map_or(Ok(100), |a| a.parse())?;
    // A folder given is kept, with the invoices loaded, for what is measured on them next.
    let kept = std::env::var_os("BMC_LOAD_DATA_DIR").map(PathBuf::from);
    let data = kept.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("bmc-host-load-{}", std::process::id()))
    });
    let _ = std::fs::remove_dir_all(&data);
    eprintln!("generating {} invoices ...", count + upload_rate * 20);
    let documents = invoices(count + upload_rate * 20, 97)?;
    let host = start(&binary, &data)?;
    println!(
        "bmc-host-load: {} on {} cores{}",
        host.base,
        std::thread::available_parallelism().map_or(0, usize::from),
        match host.workers.len() {
            0 => String::new(),
            n => format!(", registering in {n} worker processes"),
        }
    );
    // A phase given 0 is left out.
    if count > 0 {
        throughput(&host, &documents[..count])?;
    }
    if get_rate > 0 {
        lookups(&host, get_rate)?;
    }
    if upload_rate > 0 {
        paced_uploads(&host, &documents[count..], upload_rate)?;
    }
    drop(host);
    if kept.is_none() {
        let _ = std::fs::remove_dir_all(&data);
    }
    Ok(())
}

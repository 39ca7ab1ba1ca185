//! Prometheus metrics for the seed's KPIs, kept in memory and written in the text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Histogram bucket bounds in seconds (1 ms to 60 s).
const BUCKETS: [f64; 14] = [
    0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// The host's counters and histograms.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, String), f64>>,
    histograms: Mutex<BTreeMap<(&'static str, String), Histogram>>,
}

/// `name` with its help text, for the exposition.
const HELP: &[(&str, &str, &str)] = &[
    (
        "bmc_http_requests_total",
        "counter",
        "API requests by route, method and status.",
    ),
    (
        "bmc_http_request_duration_seconds",
        "histogram",
        "API latency by route.",
    ),
    (
        "bmc_invoice_processing_seconds",
        "histogram",
        "Upload to final status, by final status.",
    ),
    (
        "bmc_product_lookup_seconds",
        "histogram",
        "Catalog lookups (by code, search, classification).",
    ),
    ("bmc_ocr_fields_total", "counter", "Fields read by OCR."),
    (
        "bmc_ocr_fields_trusted_total",
        "counter",
        "Fields read by OCR and trusted (not doubtful): their share of bmc_ocr_fields_total is the OCR accuracy KPI.",
    ),
    (
        "bmc_worker_attempts_total",
        "counter",
        "Queue messages processed, by queue and result.",
    ),
    (
        "bmc_events_delivered_total",
        "counter",
        "Outbox events delivered, by name.",
    ),
    (
        "bmc_catalog_swaps_total",
        "counter",
        "Published catalog releases swapped in.",
    ),
    (
        "bmc_catalog_sync_failures_total",
        "counter",
        "Published catalog releases not taken (a download, check or open failed).",
    ),
    (
        "bmc_dian_review_total",
        "counter",
        "Invoices sent to review because DIAN refused them or could not be asked, by verdict.",
    ),
];

impl Metrics {
    /// Adds `by` to the counter `name{labels}`.
    pub fn add(&self, name: &'static str, labels: String, by: f64) {
        if let Ok(mut counters) = self.counters.lock() {
            *counters.entry((name, labels)).or_default() += by;
        }
    }

    /// The counter `name` summed over its labels.
    pub fn total(&self, name: &str) -> f64 {
        self.counters.lock().map_or(0.0, |c| {
            c.iter()
                .filter(|((n, _), _)| *n == name)
                .map(|(_, v)| *v)
                .sum()
        })
    }

    /// The histogram `name` summed over its labels: observations and their sum.
    pub fn histogram_total(&self, name: &str) -> (u64, f64) {
        self.histograms.lock().map_or((0, 0.0), |h| {
            h.iter()
                .filter(|((n, _), _)| *n == name)
                .fold((0, 0.0), |(count, sum), (_, h)| {
                    (count + h.count, sum + h.sum)
                })
        })
    }

    /// Records `seconds` in the histogram `name{labels}`.
    pub fn observe(&self, name: &'static str, labels: String, seconds: f64) {
        if let Ok(mut histograms) = self.histograms.lock() {
            let h = histograms.entry((name, labels)).or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.sum += seconds;
            h.count += 1;
        }
    }

    /// The metrics in Prometheus' text format, followed by `gauges` (name, labels, value)
    /// measured at the scrape.
    pub fn render(&self, gauges: &[(&str, &str, String, f64)]) -> String {
        let mut out = String::new();
        let counters = self.counters.lock().map(|c| c.clone()).unwrap_or_default();
        let histograms = self
            .histograms
            .lock()
            .map(|h| h.clone())
            .unwrap_or_default();
        for (name, kind, help) in HELP {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for ((n, labels), value) in &counters {
                if n == name {
                    let _ = writeln!(out, "{name}{} {value}", braces(labels));
                }
            }
            for ((n, labels), h) in &histograms {
                if n != name {
                    continue;
                }
                let sep = if labels.is_empty() { "" } else { "," };
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "{name}_sum{} {}", braces(labels), h.sum);
                let _ = writeln!(out, "{name}_count{} {}", braces(labels), h.count);
            }
        }
        let mut last = "";
        for (name, help, labels, value) in gauges {
            if *name != last {
                // A value read at the scrape is a counter when its name says so.
                let kind = if name.ends_with("_total") {
                    "counter"
                } else {
                    "gauge"
                };
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
                last = name;
            }
            let _ = writeln!(out, "{name}{} {value}", braces(labels));
        }
        out
    }
}

fn braces(labels: &str) -> String {
    if labels.is_empty() {
        String::new()
    } else {
        format!("{{{labels}}}")
    }
}

/// A label set: `key="value"` pairs, values escaped.
pub fn labels(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}=\"{}\"",
                v.replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n")
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

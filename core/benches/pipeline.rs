//! Criterion benchmarks for registration end to end: the sample XML invoices (read, match
//! products in the sample catalog, validate with the CUFE recomputed, commission with trace)
//! with and without the certificate PDF, on one core and on all. Run with
//! `cargo bench -p bmc-core --bench pipeline`.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use bmc_core::catalog::{self, Catalog};
use bmc_core::invoice::generate::{TEST_SOFTWARE_PIN, TEST_TECHNICAL_KEY};
use bmc_core::pipeline::{NoEvents, Pipeline, PipelineOptions};
use bmc_core::rules::RuleBook;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn setup() -> (Pipeline, Vec<Vec<u8>>) {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let index = std::env::temp_dir().join(format!("bmc-bench-pipeline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&index);
    catalog::build_from_path(
        &root.join("data/sample-catalog.csv.gz"),
        &index,
        &catalog::BuildOptions::default(),
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let options = PipelineOptions {
        technical_key: Some(TEST_TECHNICAL_KEY.into()),
        software_pin: Some(TEST_SOFTWARE_PIN.into()),
        environment: bmc_core::dian::Environment::Test,
        ..PipelineOptions::default()
    };
    let pipeline = Pipeline::new(
        Catalog::open(&index).unwrap_or_else(|e| panic!("{e}")),
        RuleBook::embedded().unwrap_or_else(|e| panic!("{e}")),
        options,
    );
    let mut documents: Vec<Vec<u8>> = std::fs::read_dir(root.join("data/invoices"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .map(|p| std::fs::read(p).unwrap_or_default())
        .collect();
    documents.sort();
    (pipeline, documents)
}

/// Registers `documents` `rounds` times over on `threads` threads (each its share, every
/// round) and returns the time taken. The threads start once per measurement, as a service's
/// workers would, so the per-thread memo of the rule script's decisions is warm after the
/// first round.
fn run_all(
    pipeline: &Pipeline,
    documents: &[Vec<u8>],
    pdf: bool,
    threads: usize,
    rounds: u64,
) -> Duration {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
    let started = Instant::now();
    std::thread::scope(|s| {
        for part in documents.chunks(documents.len().div_ceil(threads)) {
            s.spawn(move || {
                for _ in 0..rounds {
                    for doc in part {
                        if let Ok(r) = pipeline.register(black_box(doc), date, &mut NoEvents)
                            && pdf
                        {
                            black_box(bmc_core::certificate::render(&r).ok());
                        }
                    }
                }
            });
        }
    });
    started.elapsed()
}

fn throughput(c: &mut Criterion) {
    let (pipeline, documents) = setup();
    // 20 samples repeated to 200 documents a batch.
    let batch: Vec<Vec<u8>> = documents.iter().cycle().take(200).cloned().collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.sample_size(20);
    for pdf in [false, true] {
        let with = if pdf { "with PDF" } else { "no PDF" };
        g.bench_function(format!("200 invoices, 1 core, {with}"), |b| {
            b.iter_custom(|rounds| run_all(&pipeline, &batch, pdf, 1, rounds))
        });
        g.bench_function(format!("200 invoices, {threads} cores, {with}"), |b| {
            b.iter_custom(|rounds| run_all(&pipeline, &batch, pdf, threads, rounds))
        });
    }
    g.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);

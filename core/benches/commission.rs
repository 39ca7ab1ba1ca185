//! Criterion benchmarks for commissions: one 3-line invoice with trace off and on, a batch,
//! and compiling a rule set version. Run with `cargo bench -p bmc-core --bench commission`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use bmc_core::commission::{self, CommissionInvoice, Options};
use bmc_core::rules::{RuleBook, RuleSet};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

fn invoice() -> CommissionInvoice {
    serde_json::from_str(
        r#"{"issue_date": "2026-03-01", "lines": [
            {"tariff_code": "0901119000", "base": "1250000.00"},
            {"tariff_code": "0803901200", "base": "3400000.50"},
            {"tariff_code": "1801001900", "base": "980000.25"}]}"#,
    )
    .unwrap_or_else(|e| panic!("bench invoice: {e}"))
}

fn one_invoice(c: &mut Criterion) {
    let book = RuleBook::embedded().unwrap_or_else(|e| panic!("{e}"));
    let inv = invoice();
    let mut g = c.benchmark_group("commission");
    g.throughput(Throughput::Elements(1));
    g.bench_function("3 lines, trace off", |b| {
        b.iter(|| commission::calculate(&book, black_box(&inv), &Options::default()))
    });
    let traced = Options {
        trace: true,
        ..Options::default()
    };
    g.bench_function("3 lines, full trace", |b| {
        b.iter(|| commission::calculate(&book, black_box(&inv), &traced))
    });
    g.finish();

    let many: Vec<CommissionInvoice> = (0..10_000).map(|_| invoice()).collect();
    let mut g = c.benchmark_group("commission batch");
    g.throughput(Throughput::Elements(many.len() as u64));
    g.sample_size(20);
    g.bench_function("10000 invoices, all cores", |b| {
        b.iter(|| commission::calculate_batch(&book, black_box(&many), &Options::default()))
    });
    g.finish();
}

fn compile(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/registro-facturas/2026-01-01");
    let files: BTreeMap<String, String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .map(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            (name, std::fs::read_to_string(&p).unwrap_or_default())
        })
        .collect();
    c.bench_function("rule set compile (2026-01-01)", |b| {
        b.iter_batched(
            || files.clone(),
            |f| RuleSet::from_files(&dir, f),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, one_invoice, compile);
criterion_main!(benches);

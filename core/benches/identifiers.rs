//! Criterion benchmarks for the DIAN identifiers: NIT validation and check digits, product
//! codes by scheme, and the CUFE. Run with `cargo bench -p bmc-core --bench identifiers`.

use std::hint::black_box;

use bmc_core::dian::{ProductCode, cufe, nit};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

fn nits(c: &mut Criterion) {
    let mut g = c.benchmark_group("nit");
    g.bench_function("validate formatted", |b| {
        b.iter(|| nit::validate(black_box("800.197.268-4")))
    });
    g.bench_function("check_digit 15 digits", |b| {
        b.iter(|| nit::check_digit(black_box("123456789012345")))
    });
    g.bench_function("format", |b| {
        b.iter(|| nit::format(black_box("8001972684")))
    });
    g.finish();
}

fn product_codes(c: &mut Criterion) {
    let mut g = c.benchmark_group("product_code");
    for (scheme, code) in [
        ("020", "0901.11.90.00"),
        ("001", "50201706"),
        ("010", "7702004003508"),
        ("999", "CAF-ANT-000123"),
    ] {
        g.bench_function(scheme, |b| {
            b.iter(|| ProductCode::parse(black_box(scheme), black_box(code)))
        });
    }
    g.finish();
}

fn cufes(c: &mut Criterion) {
    let fields = cufe::CufeFields {
        number: "SETP990000002".into(),
        issue_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default(),
        issue_time: "10:53:10-05:00".into(),
        subtotal: Decimal::new(125_000_000, 2),
        iva: Decimal::new(23_750_000, 2),
        inc: Decimal::ZERO,
        ica: Decimal::ZERO,
        total: Decimal::new(148_750_000, 2),
        seller_nit: "800197268".into(),
        buyer_id: "900373115".into(),
        key: "fc8eac422eba16e22ffd8c6f94b3f40a6e38162c".into(),
        environment: cufe::Environment::Test,
    };
    c.bench_function("cufe compute", |b| {
        b.iter(|| cufe::compute(black_box(&fields)))
    });
}

criterion_group!(benches, nits, product_codes, cufes);
criterion_main!(benches);

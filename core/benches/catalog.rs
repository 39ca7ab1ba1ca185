//! Criterion benchmarks for catalog queries over the sample catalog (20,000 products; the
//! scale figures at 1M–60M come from `benches/scale/run.sh`). Run with
//! `cargo bench -p bmc-core --bench catalog`.

use std::hint::black_box;
use std::path::Path;

use bmc_core::catalog::{self, BuildOptions, Catalog, SearchFilters};
use criterion::{Criterion, criterion_group, criterion_main};

fn open_sample() -> Catalog {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample-catalog.csv.gz");
    let index = std::env::temp_dir().join(format!("bmc-bench-catalog-{}", std::process::id()));
    catalog::build_from_path(&sample, &index, &BuildOptions::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    Catalog::open(&index).unwrap_or_else(|e| panic!("{e}"))
}

fn queries(c: &mut Criterion) {
    let cat = open_sample();
    let codes: Vec<String> = cat
        .prefix("", 1000)
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.product_code)
        .collect();
    let mut g = c.benchmark_group("catalog");
    let mut i = 0usize;
    g.bench_function("get (hit)", |b| {
        b.iter(|| {
            i = (i + 1) % codes.len();
            cat.get(black_box(&codes[i]))
        })
    });
    g.bench_function("get (miss)", |b| {
        b.iter(|| cat.get(black_box("NO-SUCH-CODE")))
    });
    g.bench_function("get_many (100)", |b| {
        b.iter(|| cat.get_many(black_box(&codes[..100])))
    });
    g.bench_function("prefix (20)", |b| {
        b.iter(|| cat.prefix(black_box("7701"), 20))
    });
    g.bench_function("by_classification heading, first page", |b| {
        b.iter(|| cat.by_classification(black_box("0901"), true, 0, 20))
    });
    let none = SearchFilters::default();
    for q in [
        "panela",
        "cafe tostado",
        "aceite de palma",
        "panela pulverisada",
    ] {
        g.bench_function(format!("search {q:?}"), |b| {
            b.iter(|| cat.search(black_box(q), 10, &none))
        });
    }
    let filtered = SearchFilters {
        active_only: true,
        category_id: None,
        classification_prefix: Some("09".into()),
    };
    g.bench_function("search \"cafe tostado\", active, chapter 09", |b| {
        b.iter(|| cat.search(black_box("cafe tostado"), 10, &filtered))
    });
    let whole_name = cat.prefix("7", 1).unwrap_or_else(|e| panic!("{e}"))[0]
        .product_name
        .clone();
    g.bench_function("search a whole name", |b| {
        b.iter(|| cat.search(black_box(&whole_name), 10, &none))
    });
    let _ = std::fs::remove_dir_all(cat.dir());
    g.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);

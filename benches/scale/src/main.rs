//! `bmc-scale N [N ...]`: for each N, generates N catalog rows (zstd CSV), builds the index with
//! the `bmc` binary in a child process (so its peak RSS is the build's alone), opens it and
//! times every query; prints one Markdown table. Run through `benches/scale/run.sh`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use bmc_core::catalog::generate::Generator;
use bmc_core::catalog::{Catalog, OpenOptions, SearchFilters};

/// Splitmix for sampling, independent of the generator's stream.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort_unstable();
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times.get(i).copied().unwrap_or_default()
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.1} µs")
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}

fn timed<T>(mut f: impl FnMut() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn p50_p95_p99(mut times: Vec<Duration>) -> String {
    let p50 = percentile(&mut times, 0.50);
    let p95 = percentile(&mut times, 0.95);
    let p99 = percentile(&mut times, 0.99);
    format!("{} / {} / {}", fmt(p50), fmt(p95), fmt(p99))
}

fn p50_p99(mut times: Vec<Duration>) -> String {
    let p50 = percentile(&mut times, 0.50);
    let p99 = percentile(&mut times, 0.99);
    format!("{} / {}", fmt(p50), fmt(p99))
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_size(&p)
                    } else {
                        e.metadata().map_or(0, |m| m.len())
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let work =
        PathBuf::from(std::env::var("BMC_SCALE_DIR").unwrap_or_else(|_| "target/scale".into()));
    let bmc =
        PathBuf::from(std::env::var("BMC_BIN").unwrap_or_else(|_| "target/release/bmc".into()));
    std::fs::create_dir_all(&work).unwrap_or_else(|e| panic!("{}: {e}", work.display()));
    let sizes: Vec<u64> = if args.is_empty() {
        vec![1_000_000]
    } else {
        args.iter()
            .map(|a| {
                a.replace('_', "")
                    .parse()
                    .unwrap_or_else(|_| panic!("bad size {a}"))
            })
            .collect()
    };
    let mut rows = Vec::new();
    for n in sizes {
        eprintln!("== {n} products");
        let csv = work.join(format!("catalog-{n}.csv.zst"));
        if !csv.exists() {
            let (_, took) = timed(|| {
                let file = std::fs::File::create(&csv)
                    .unwrap_or_else(|e| panic!("{}: {e}", csv.display()));
                let mut enc =
                    zstd::Encoder::new(std::io::BufWriter::with_capacity(1 << 20, file), 3)
                        .unwrap_or_else(|e| panic!("{e}"));
                Generator::new(n, 1)
                    .write_csv(&mut enc, &mut |done| {
                        if done % 5_000_000 == 0 {
                            eprintln!("generated {done}");
                        }
                    })
                    .unwrap_or_else(|e| panic!("{e}"));
                enc.finish()
                    .and_then(|mut w| w.flush())
                    .unwrap_or_else(|e| panic!("{e}"));
            });
            eprintln!("generated in {:.0} s", took.as_secs_f64());
        }
        let index = work.join(format!("index-{n}"));
        // BMC_SCALE_QUERIES_ONLY=1 reuses an index built by an earlier run (build figures "-").
        if std::env::var_os("BMC_SCALE_QUERIES_ONLY").is_some() && index.exists() {
            rows.push(queries(n, &index, "-".into(), "-".into()));
            eprintln!("{}", rows.last().map_or("", String::as_str));
            continue;
        }
        let (out, build_time) = timed(|| {
            Command::new(&bmc)
                .args(["catalog", "build", "--peak-rss"])
                .arg(&csv)
                .arg(&index)
                .output()
                .unwrap_or_else(|e| panic!("{}: {e}", bmc.display()))
        });
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "build failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rss = stdout
            .lines()
            .find_map(|l| l.strip_prefix("peak rss "))
            .unwrap_or("?")
            .to_owned();

        rows.push(queries(
            n,
            &index,
            format!("{:.0} s", build_time.as_secs_f64()),
            rss,
        ));
        eprintln!("{}", rows.last().map_or("", String::as_str));
    }
    println!(
        "| products | build | peak RSS | index size | files | open | get p50/p99 | prefix p50/p99 | by-class p50/p99 | search 1 word p50/p95/p99 | 2 words | 3 words | misspelled | misspelled, several spellings | 2 words, active only | 3 words, one thread |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
}

/// Opens the index at `index` and times every query; one table row.
fn queries(n: u64, index: &Path, build: String, rss: String) -> String {
    {
        let (catalog, open_time) = timed(|| Catalog::open(index).unwrap_or_else(|e| panic!("{e}")));
        // The goals are for a warm index: touch every page once before timing.
        let (warmed, warm_time) = timed(|| catalog.warm());
        eprintln!(
            "warmed {} MB in {:.1} s",
            warmed >> 20,
            warm_time.as_secs_f64()
        );
        // Codes to look up: a sample of the first rows (re-generated), and misses.
        let sample_rows = n.min(1_000_000);
        let mut generator = Generator::new(sample_rows, 1);
        let mut codes = Vec::new();
        let mut classes = Vec::new();
        while let Some(r) = generator.next_row() {
            if codes.len() < 200_000 {
                codes.push(r[1].clone());
                classes.push(r[3].replace('.', "")[..6].to_owned());
            }
        }
        let mut rng = Rng(7);
        let mut get_times = Vec::with_capacity(100_000);
        for i in 0..100_000 {
            let code = if i % 10 == 0 {
                format!("MISSING-{i}")
            } else {
                codes[rng.below(codes.len())].clone()
            };
            let (found, t) = timed(|| catalog.get(&code));
            assert!(found.is_ok());
            get_times.push(t);
        }
        let mut prefix_times = Vec::new();
        for _ in 0..2_000 {
            let code = &codes[rng.below(codes.len())];
            let p = &code[..code.len().min(6)];
            prefix_times.push(timed(|| catalog.prefix(p, 20)).1);
        }
        let mut class_times = Vec::new();
        for _ in 0..2_000 {
            let c = &classes[rng.below(classes.len())];
            class_times.push(timed(|| catalog.by_classification(c, true, 0, 20)).1);
        }
        let one = [
            "panela", "cafe", "arroz", "aguacate", "tilapia", "cacao", "leche", "banano",
        ];
        let two = [
            "cafe tostado",
            "arroz blanco",
            "aceite palma",
            "queso campesino",
            "panela pulverizada",
            "pechuga pollo",
            "maiz amarillo",
            "papa pastusa",
            "atun aceite",
            "harina maiz",
        ];
        let three = [
            "cafe verde excelso",
            "harina de trigo",
            "aceite de soya",
            "leche entera uht",
            "azucar blanca bolsa",
            "salchicha de cerdo",
            "maiz blanco trillado",
            "cafe tostado molido",
            "aceite de girasol",
            "harina de maiz precocida",
        ];
        let typo = [
            "panela pulverisada",
            "aguacte hass",
            "cafe tostdo",
            "arros blanco",
            "chocolate de mesaa",
            "bananno cavendish",
        ];
        // A misspelled word near several indexed words: when its nearest spelling leaves room
        // (`arroz blanca` is not sold), the others are tried too (search step 3).
        let spellings = [
            "arroz blancx",
            "maiz amarillx",
            "cafe molidx",
            "leche enterx",
            "azucar blancx",
            "cafe tostadx",
        ];
        // The same index with every search on the calling thread (what a service running one
        // query per core would choose).
        let one_thread = Catalog::open_with(
            index,
            &OpenOptions {
                search_threads: Some(1),
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let active = SearchFilters {
            active_only: true,
            ..SearchFilters::default()
        };
        let search_with = |catalog: &Catalog, queries: &[&str], filters: &SearchFilters| {
            let mut times = Vec::new();
            for round in 0..20 {
                for q in queries {
                    let (hits, t) = timed(|| catalog.search(q, 10, filters));
                    assert!(hits.is_ok());
                    if round > 0 {
                        times.push(t);
                    }
                }
            }
            p50_p95_p99(times)
        };
        let all = SearchFilters::default();
        let s1 = search_with(&catalog, &one, &all);
        let s2 = search_with(&catalog, &two, &all);
        let s3 = search_with(&catalog, &three, &all);
        let st = search_with(&catalog, &typo, &all);
        let s_spellings = search_with(&catalog, &spellings, &all);
        let s2_active = search_with(&catalog, &two, &active);
        let s3_one_thread = search_with(&one_thread, &three, &all);
        let files: Vec<String> = catalog
            .stats()
            .files
            .iter()
            .map(|(name, bytes)| format!("{name} {:.0} MB", *bytes as f64 / 1e6))
            .collect();
        format!(
            "| {n} | {build} | {rss} | {:.2} GB | {} | {} | {} | {} | {} | {s1} | {s2} | {s3} | {st} | {s_spellings} | {s2_active} | {s3_one_thread} |",
            dir_size(index) as f64 / 1e9,
            files.join(", "),
            fmt(open_time),
            p50_p99(get_times),
            p50_p99(prefix_times),
            p50_p99(class_times),
        )
    }
}

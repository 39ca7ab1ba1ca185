//! `bmc catalog generate|build|get|search|by-class|prefix|stats|verify`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use bmc_core::catalog::generate::Generator;
use bmc_core::catalog::{self, BuildOptions, Catalog, OnInvalid, Phase, Product, SearchFilters};
use clap::Subcommand;

use super::Failure;

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Write realistic synthetic catalog rows as PostgreSQL COPY CSV (gzip when OUT ends in .gz).
    Generate {
        /// How many rows.
        #[arg(long)]
        count: u64,
        /// The seed: the same seed gives the same rows.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file (stdout when absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Build an index from a product CSV (plain, gzip or zstd; `-` for stdin).
    Build {
        /// The CSV file.
        source: String,
        /// The index folder to create (replaced atomically when it exists).
        index: PathBuf,
        /// Leave invalid rows and duplicate codes out and report them, instead of refusing.
        #[arg(long)]
        skip_invalid: bool,
        /// Write the full build report as JSON to this file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Memory for each sorted run, in MiB.
        #[arg(long, default_value_t = 512)]
        sort_memory_mib: usize,
        /// Print the process's peak resident memory at the end (Linux).
        #[arg(long)]
        peak_rss: bool,
    },
    /// Look products up by code.
    Get {
        /// The index folder.
        index: PathBuf,
        /// One or more codes.
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Search products by name (typos tolerated) or code.
    Search {
        /// The index folder.
        index: PathBuf,
        /// The query.
        query: String,
        /// How many results.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Only active products.
        #[arg(long)]
        active: bool,
        /// Only this category.
        #[arg(long)]
        category: Option<i32>,
        /// Only this classification prefix (2, 4, 6, 8 or 10 digits).
        #[arg(long)]
        class: Option<String>,
    },
    /// Products by classification prefix (chapter, heading, HS-6, full subpartida).
    ByClass {
        /// The index folder.
        index: PathBuf,
        /// The prefix, such as 09, 0901 or 0901.11.
        prefix: String,
        /// Only active products.
        #[arg(long)]
        active: bool,
        /// Skip this many.
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Products whose code starts with a prefix.
    Prefix {
        /// The index folder.
        index: PathBuf,
        /// The code prefix.
        prefix: String,
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Apply a delta CSV (changed rows, deactivations as is_active = f) without a rebuild.
    ApplyDelta {
        /// The index folder.
        index: PathBuf,
        /// The delta CSV (plain, gzip or zstd; `-` for stdin).
        delta: String,
        /// Leave invalid rows out and report them, instead of applying nothing.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Fold the overlay of applied deltas into a new base index.
    Compact {
        /// The index folder.
        index: PathBuf,
    },
    /// Counts and sizes of an index.
    Stats {
        /// The index folder.
        index: PathBuf,
    },
    /// Check every index file against the manifest's checksums.
    Verify {
        /// The index folder.
        index: PathBuf,
    },
}

fn row(p: &Product) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        p.product_code,
        p.dian_classification,
        if p.is_active { "active" } else { "inactive" },
        p.category_id,
        p.unit_type,
        p.product_name
    )
}

fn open(index: &Path) -> Result<Catalog, Failure> {
    Ok(Catalog::open(index)?)
}

pub fn run(cmd: CatalogCommand) -> Result<ExitCode, Failure> {
    match cmd {
        CatalogCommand::Generate { count, seed, out } => generate(count, seed, out),
        CatalogCommand::Build {
            source,
            index,
            skip_invalid,
            report,
            sort_memory_mib,
            peak_rss,
        } => {
            let code = build(&source, &index, skip_invalid, report, sort_memory_mib)?;
            if peak_rss {
                println!("peak rss {}", peak_rss_text());
            }
            Ok(code)
        }
        CatalogCommand::Get { index, codes } => {
            let c = open(&index)?;
            let mut all = true;
            for (code, found) in codes.iter().zip(c.get_many(&codes)?) {
                match found {
                    Some(p) => println!("{}", row(&p)),
                    None => {
                        all = false;
                        println!("{code}\tnot found");
                    }
                }
            }
            Ok(if all {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        CatalogCommand::Search {
            index,
            query,
            limit,
            active,
            category,
            class,
        } => {
            let c = open(&index)?;
            let filters = SearchFilters {
                active_only: active,
                category_id: category,
                classification_prefix: class,
            };
            let started = Instant::now();
            let hits = c.search(&query, limit, &filters)?;
            let took = started.elapsed();
            for h in &hits {
                println!("{:>8.3}\t{:?}\t{}", h.score, h.matched, row(&h.product));
            }
            eprintln!(
                "{} results in {:.2} ms",
                hits.len(),
                took.as_secs_f64() * 1000.0
            );
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::ByClass {
            index,
            prefix,
            active,
            offset,
            limit,
        } => {
            let page = open(&index)?.by_classification(&prefix, active, offset, limit)?;
            for p in &page.products {
                println!("{}", row(p));
            }
            match page.next_offset {
                Some(next) => eprintln!("more: --offset {next}"),
                None => eprintln!("end"),
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Prefix {
            index,
            prefix,
            limit,
        } => {
            for p in open(&index)?.prefix(&prefix, limit)? {
                println!("{}", row(&p));
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::ApplyDelta {
            index,
            delta,
            skip_invalid,
        } => {
            let options = BuildOptions {
                on_invalid: if skip_invalid {
                    OnInvalid::SkipAndReport
                } else {
                    OnInvalid::Reject
                },
                ..BuildOptions::default()
            };
            let input: Box<dyn std::io::Read + Send> = if delta == "-" {
                Box::new(std::io::stdin())
            } else {
                Box::new(std::fs::File::open(&delta).map_err(|e| Failure::read(&delta, &e))?)
            };
            let r = catalog::apply_delta(&index, input, &delta, &options)?;
            for p in r.invalid.iter().take(20) {
                eprintln!("line {}: {}: {}", p.line, p.field, p.message);
            }
            println!(
                "{}: {} rows, {} products upserted, {} invalid left out; the overlay holds {}",
                index.display(),
                r.rows,
                r.upserted,
                r.invalid_count,
                r.overlay_products
            );
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Compact { index } => {
            let r = catalog::compact(&index, &BuildOptions::default(), &mut |_| {})?;
            println!(
                "{}: compacted into {} products",
                index.display(),
                r.products
            );
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Stats { index } => {
            let started = Instant::now();
            let c = open(&index)?;
            let opened = started.elapsed();
            let s = c.stats();
            println!("products      {}", s.products);
            println!("classes       {}", s.classes);
            println!("search docs   {}", s.search_documents);
            println!("overlay       {} products", s.overlay_products);
            println!(
                "source        {} ({} rows, {} invalid, {} duplicates)",
                s.source.name, s.source.rows, s.source.invalid, s.source.duplicates
            );
            println!("source sha256 {}", s.source.sha256);
            for (name, bytes) in &s.files {
                println!("file          {name:<14} {bytes:>14} bytes");
            }
            println!("opened in     {:.2} ms", opened.as_secs_f64() * 1000.0);
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Verify { index } => {
            open(&index)?.verify()?;
            println!("{}: every file matches its checksum", index.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn generate(count: u64, seed: u64, out: Option<PathBuf>) -> Result<ExitCode, Failure> {
    let mut generator = Generator::new(count, seed);
    let fail = |e: std::io::Error| Failure::write("the catalog", &e);
    let mut progress = |n: u64| {
        if std::io::stderr().is_terminal() {
            eprint!("\rgenerated {n} rows");
        }
    };
    match out {
        Some(path) => {
            let file = std::fs::File::create(&path).map_err(|e| Failure::write(&path, &e))?;
            let buffered = std::io::BufWriter::with_capacity(1 << 20, file);
            if path.extension().is_some_and(|e| e == "gz") {
                let mut gz = flate2::write::GzEncoder::new(buffered, flate2::Compression::new(6));
                generator.write_csv(&mut gz, &mut progress).map_err(fail)?;
                gz.finish().map_err(fail)?.flush().map_err(fail)?;
            } else {
                let mut w = buffered;
                generator.write_csv(&mut w, &mut progress).map_err(fail)?;
                w.flush().map_err(fail)?;
            }
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            generator.write_csv(&mut w, &mut progress).map_err(fail)?;
            w.flush().map_err(fail)?;
        }
    }
    if std::io::stderr().is_terminal() {
        eprintln!("\rgenerated {count} rows");
    }
    Ok(ExitCode::SUCCESS)
}

fn build(
    source: &str,
    index: &Path,
    skip_invalid: bool,
    report_path: Option<PathBuf>,
    sort_memory_mib: usize,
) -> Result<ExitCode, Failure> {
    let options = BuildOptions {
        on_invalid: if skip_invalid {
            OnInvalid::SkipAndReport
        } else {
            OnInvalid::Reject
        },
        sort_memory: sort_memory_mib << 20,
        ..BuildOptions::default()
    };
    let started = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut progress = |p: &catalog::Progress| {
        let phase = p.phase.as_str();
        let secs = started.elapsed().as_secs_f64();
        let line = if p.total > 0 {
            format!(
                "{phase:<9} {:>12}/{} products  {secs:>7.1} s",
                p.done, p.total
            )
        } else {
            format!(
                "{phase:<9} {:>12} rows  {:>8} MiB read  {secs:>7.1} s",
                p.done,
                p.bytes >> 20
            )
        };
        if tty {
            eprint!("\r{line}   ");
        } else if p.phase != Phase::Reading || p.done.is_multiple_of(5_000_000) {
            eprintln!("{line}");
        }
    };
    let result = if source == "-" {
        catalog::build(
            Box::new(std::io::stdin()),
            "stdin",
            index,
            &options,
            &mut progress,
        )
    } else {
        catalog::build_from_path(std::path::Path::new(source), index, &options, &mut progress)
    };
    if tty {
        eprintln!();
    }
    let report = match result {
        Ok(r) => r,
        Err(bmc_core::catalog::CatalogError::Rejected { report, .. }) => {
            for p in report.invalid.iter().take(20) {
                eprintln!("line {}: {}: {}", p.line, p.field, p.message);
            }
            for d in report.duplicates.iter().take(20) {
                eprintln!(
                    "line {}: product_code {} already on line {}",
                    d.line, d.product_code, d.first_line
                );
            }
            if let Some(path) = &report_path {
                write_report(path, &report)?;
            }
            return Err(Failure::build_rejected(format!(
                "{} invalid rows and {} duplicate codes; nothing was built (use --skip-invalid to leave them out)",
                report.invalid_count, report.duplicate_count
            )));
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(path) = &report_path {
        write_report(path, &report)?;
    }
    println!(
        "{}: {} products, {} classes from {} rows ({} invalid, {} duplicates left out) in {:.1} s",
        index.display(),
        report.products,
        report.classes,
        report.rows,
        report.invalid_count,
        report.duplicate_count,
        report.millis as f64 / 1000.0
    );
    Ok(ExitCode::SUCCESS)
}

fn write_report(path: &Path, report: &catalog::BuildReport) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(report).map_err(|e| Failure::json("output", &e))?;
    std::fs::write(path, text).map_err(|e| Failure::write(path, &e))
}

/// The process's peak resident memory, from /proc/self/status (Linux).
fn peak_rss_text() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

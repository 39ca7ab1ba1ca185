//! `bmc process`: the main job. Registers every invoice of a folder against the catalog and
//! the rules, on every core, and writes each registration (JSON) and certificate (PDF). An
//! entry that cannot be read is reported with its code and the others are processed; the
//! exit status says whether any failed.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use bmc_core::catalog::{self, Catalog};
use bmc_core::dian::{Environment, NumberingKeys};
use bmc_core::money::format_cop;
use bmc_core::pipeline::{BatchOptions, BatchOutcome, Pipeline, PipelineOptions, Registration};
use bmc_core::rules::RuleBook;
use clap::Args;

use super::{Failure, read_file, read_text, write_file};

/// How many documents are read and registered at a time (bounds memory on large folders).
const BATCH: usize = 256;

#[derive(Debug, Args)]
pub struct ProcessArgs {
    /// The folder of invoices (`*.xml`, UBL or AttachedDocument).
    pub folder: PathBuf,
    /// Where registrations (`*.registration.json`), certificates (`*.pdf`) and the events
    /// (`events.jsonl`, EventBridge PutEvents entries) go.
    #[arg(long)]
    pub out: PathBuf,
    /// The catalog CSV, indexed on first use into `--index`.
    #[arg(long, default_value = "data/sample-catalog.csv.gz")]
    pub catalog: PathBuf,
    /// The catalog index folder (default: `<out>/catalog-index`).
    #[arg(long)]
    pub index: Option<PathBuf>,
    /// The registration date (default: today in Colombia).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<chrono::NaiveDate>,
    /// The DIAN environment registered for: `production` refuses test (habilitación)
    /// documents; the samples are test documents.
    #[arg(long, default_value = "production", value_parser = parse_environment)]
    pub environment: Environment,
    /// The numbering ranges' keys (`nit,prefix,technical_key,software_pin`): each document's
    /// CUFE is recomputed with its seller's key; a document whose key is not listed gets
    /// `CUFE_UNVERIFIABLE` (review). Default: the samples' keys.
    #[arg(long, default_value = "data/invoices/technical-keys.csv")]
    pub technical_keys: PathBuf,
    /// One technical key for every invoice, instead of the table.
    #[arg(long)]
    pub technical_key: Option<String>,
    /// One software PIN for every note, instead of the table.
    #[arg(long)]
    pub software_pin: Option<String>,
    /// Skip the certificates (registrations only).
    #[arg(long)]
    pub no_pdf: bool,
}

pub(super) fn parse_environment(text: &str) -> Result<Environment, String> {
    Environment::parse(text).map_err(|_| format!("{text:?} is not production or test"))
}

/// The index at `index`, built from `csv` when it is not there yet.
fn open_or_build(csv: &Path, index: &Path) -> Result<Catalog, Failure> {
    if let Ok(catalog) = Catalog::open(index) {
        return Ok(catalog);
    }
    eprintln!(
        "building the catalog index {} from {} ...",
        index.display(),
        csv.display()
    );
    catalog::build_from_path(csv, index, &catalog::BuildOptions::default(), &mut |_| {})?;
    Ok(Catalog::open(index)?)
}

/// The folder's `*.xml` entries, sorted; an entry that cannot even be listed is a failure of
/// its own, named by what could be read of it.
fn entries(folder: &Path) -> Result<Vec<Result<PathBuf, Failure>>, Failure> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(|e| Failure::read(folder, &e))? {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if path
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("xml"))
                {
                    found.push(Ok(path));
                }
            }
            Err(e) => found.push(Err(Failure::read(folder, &e))),
        }
    }
    found.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => a.cmp(b),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => std::cmp::Ordering::Equal,
    });
    Ok(found)
}

/// The running totals of a run.
#[derive(Default)]
struct Tally {
    registered: usize,
    refused: usize,
    failed: usize,
    fees: rust_decimal::Decimal,
}

pub fn run(args: ProcessArgs) -> Result<ExitCode, Failure> {
    let started = Instant::now();
    std::fs::create_dir_all(&args.out).map_err(|e| Failure::write(&args.out, &e))?;
    let index = args
        .index
        .clone()
        .unwrap_or_else(|| args.out.join("catalog-index"));
    let catalog = open_or_build(&args.catalog, &index)?;
    let keys = NumberingKeys::from_csv(
        &read_text(&args.technical_keys)?,
        &args.technical_keys.display().to_string(),
    )?;
    let options = PipelineOptions {
        technical_key: args.technical_key.clone(),
        software_pin: args.software_pin.clone(),
        numbering_keys: Some(Arc::new(keys)),
        environment: args.environment,
        ..PipelineOptions::default()
    };
    let pipeline = Pipeline::new(catalog, RuleBook::embedded()?, options);
    let date = args.date.unwrap_or_else(bmc_core::rules::today_in_colombia);
    let entries = entries(&args.folder)?;
    let events_path = args.out.join("events.jsonl");
    let mut events_file = std::io::BufWriter::new(
        std::fs::File::create(&events_path).map_err(|e| Failure::write(&events_path, &e))?,
    );
    println!(
        "{:<14} {:<14} {:<30} {:<4} {:<34} {:>13} {:>11} {:>13}",
        "file", "number", "seller", "reg", "findings", "fee", "IVA", "total"
    );
    let mut tally = Tally::default();
    let show_progress = entries.len() >= 500;
    let batch_options = BatchOptions {
        threads: 0,
        certificates: !args.no_pdf,
    };
    for (b, batch) in entries.chunks(BATCH).enumerate() {
        if show_progress {
            eprint!("\r{}/{} documents", b * BATCH, entries.len());
        }
        // Read what can be read; each entry that cannot is reported in its place.
        let read: Vec<(String, Result<Vec<u8>, Failure>)> = batch
            .iter()
            .map(|entry| match entry {
                Ok(path) => (stem(path), read_file(path)),
                Err(e) => (
                    String::from("?"),
                    Err(Failure::read(
                        &args.folder,
                        &std::io::Error::other(e.to_string()),
                    )),
                ),
            })
            .collect();
        let documents: Vec<&[u8]> = read
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok().map(Vec::as_slice))
            .collect();
        let mut outcomes = pipeline
            .register_many(&documents, date, &batch_options)
            .into_iter();
        for (name, bytes) in &read {
            match bytes {
                Err(e) => {
                    tally.failed += 1;
                    println!("{name:<14} skipped: {e}");
                }
                Ok(_) => match outcomes.next() {
                    Some(outcome) => {
                        write_outcome(&args.out, name, outcome, &mut events_file, &mut tally)?;
                    }
                    None => {
                        tally.failed += 1;
                        println!("{name:<14} skipped: no outcome");
                    }
                },
            }
        }
    }
    if show_progress {
        eprintln!("\r{0}/{0} documents", entries.len());
    }
    events_file
        .flush()
        .map_err(|e| Failure::write(&events_path, &e))?;
    println!(
        "{} documents: {} registered, {} not registrable, {} unreadable; commissions with IVA {}; {:.2} s; written to {}",
        entries.len(),
        tally.registered,
        tally.refused,
        tally.failed,
        format_cop(tally.fees),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(if tally.failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

/// Writes one document's events, registration and certificate, and prints its row.
fn write_outcome(
    out: &Path,
    name: &str,
    outcome: BatchOutcome,
    events_file: &mut impl std::io::Write,
    tally: &mut Tally,
) -> Result<(), Failure> {
    let events_path = out.join("events.jsonl");
    for event in &outcome.events {
        writeln!(events_file, "{}", event.to_put_events_entry("default"))
            .map_err(|e| Failure::write(&events_path, &e))?;
    }
    let registration = match outcome.result {
        Ok(r) => r,
        Err(e) => {
            tally.failed += 1;
            println!("{name:<14} skipped: {}: {e}", e.code());
            return Ok(());
        }
    };
    write_file(
        &out.join(format!("{name}.registration.json")),
        registration.to_json().as_bytes(),
    )?;
    if let Some(pdf) = &outcome.certificate {
        write_file(&out.join(format!("{name}.pdf")), pdf)?;
    }
    print_row(name, &registration, tally);
    Ok(())
}

fn print_row(name: &str, registration: &Registration, tally: &mut Tally) {
    let mut codes: Vec<&str> = registration
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let (fee, iva, total) = registration.commission.as_ref().map_or(
        (String::from("-"), String::from("-"), String::from("-")),
        |c| (format_cop(c.fee), format_cop(c.iva), format_cop(c.total)),
    );
    if registration.registrable {
        tally.registered += 1;
        if let Some(c) = &registration.commission {
            tally.fees += c.total;
        }
    } else {
        tally.refused += 1;
    }
    let seller: String = registration.invoice.seller.name.chars().take(30).collect();
    println!(
        "{name:<14} {:<14} {seller:<30} {:<4} {:<34} {fee:>13} {iva:>11} {total:>13}",
        registration.invoice.number,
        if registration.registrable {
            "yes"
        } else {
            "no"
        },
        codes.join(" ")
    );
}

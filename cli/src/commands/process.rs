//! `bmc process`: the main job. Registers every invoice of a folder against the catalog and
//! the rules, and writes each registration (JSON) and certificate (PDF).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use bmc_core::catalog::{self, Catalog};
use bmc_core::money::format_cop;
use bmc_core::pipeline::{Event, Pipeline, PipelineOptions};
use bmc_core::rules::RuleBook;
use clap::Args;

use super::Failure;

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
    /// The numbering range's technical key, to recompute CUFEs (the samples use DIAN's
    /// published test key).
    #[arg(long, default_value = bmc_core::invoice::generate::TEST_TECHNICAL_KEY)]
    pub technical_key: String,
    /// The software PIN, to recompute notes' CUDEs.
    #[arg(long, default_value = bmc_core::invoice::generate::TEST_SOFTWARE_PIN)]
    pub software_pin: String,
    /// Skip the certificates (registrations only).
    #[arg(long)]
    pub no_pdf: bool,
}

fn io(path: &Path, e: std::io::Error) -> Failure {
    Failure::Message(format!("{}: {e}", path.display()))
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

pub fn run(args: ProcessArgs) -> Result<ExitCode, Failure> {
    let started = Instant::now();
    std::fs::create_dir_all(&args.out).map_err(|e| io(&args.out, e))?;
    let index = args
        .index
        .clone()
        .unwrap_or_else(|| args.out.join("catalog-index"));
    let catalog = open_or_build(&args.catalog, &index)?;
    let options = PipelineOptions {
        technical_key: Some(args.technical_key.clone()),
        software_pin: Some(args.software_pin.clone()),
        ..PipelineOptions::default()
    };
    let pipeline = Pipeline::new(catalog, RuleBook::embedded()?, options);
    let date = args.date.unwrap_or_else(bmc_core::rules::today_in_colombia);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.folder)
        .map_err(|e| io(&args.folder, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let events_path = args.out.join("events.jsonl");
    let mut events_file = std::io::BufWriter::new(
        std::fs::File::create(&events_path).map_err(|e| io(&events_path, e))?,
    );
    println!(
        "{:<14} {:<14} {:<30} {:<4} {:<34} {:>13} {:>11} {:>13}",
        "file", "number", "seller", "reg", "findings", "fee", "IVA", "total"
    );
    let (mut registered, mut refused, mut unreadable) = (0usize, 0usize, 0usize);
    let mut fees = rust_decimal::Decimal::ZERO;
    let show_progress = files.len() >= 500;
    for (i, path) in files.iter().enumerate() {
        if show_progress && i % 250 == 0 {
            eprint!("\r{i}/{} documents", files.len());
        }
        let name = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
        let mut events: Vec<Event> = Vec::new();
        let registration = match pipeline.register(&bytes, date, &mut events) {
            Ok(r) => r,
            Err(e) => {
                unreadable += 1;
                println!("{name:<14} skipped: {}: {e}", e.code());
                continue;
            }
        };
        for event in &events {
            writeln!(events_file, "{}", event.to_put_events_entry("default"))
                .map_err(|e| io(&events_path, e))?;
        }
        let json_path = args.out.join(format!("{name}.registration.json"));
        std::fs::write(&json_path, registration.to_json()).map_err(|e| io(&json_path, e))?;
        if !args.no_pdf {
            let pdf = bmc_core::certificate::render(&registration)?;
            let pdf_path = args.out.join(format!("{name}.pdf"));
            std::fs::write(&pdf_path, pdf).map_err(|e| io(&pdf_path, e))?;
        }
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
            registered += 1;
            if let Some(c) = &registration.commission {
                fees += c.total;
            }
        } else {
            refused += 1;
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
    if show_progress {
        eprintln!("\r{0}/{0} documents", files.len());
    }
    events_file.flush().map_err(|e| io(&events_path, e))?;
    println!(
        "{} documents: {registered} registered, {refused} not registrable, {unreadable} unreadable; commissions with IVA {}; {:.2} s; written to {}",
        files.len(),
        format_cop(fees),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(if unreadable > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

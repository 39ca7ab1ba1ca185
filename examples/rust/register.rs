//! Register invoices end to end: open the sample catalog's index (built on first use), the
//! rule book and the sellers' numbering-range keys, register one invoice with its events,
//! then a whole folder at once.
//!
//! Run with `cargo run -p bmc-core --example register`.

use std::path::Path;

use bmc_core::catalog::{self, Catalog};
use bmc_core::dian::{Environment, NumberingKeys};
use bmc_core::pipeline::{BatchOptions, Pipeline, PipelineOptions};
use bmc_core::rules::RuleBook;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let index = Path::new("out/examples-index");
    if Catalog::open(index).is_err() {
        let csv = Path::new("data/sample-catalog.csv.gz");
        catalog::build_from_path(csv, index, &Default::default(), &mut |_| {})?;
    }
    let options = PipelineOptions {
        numbering_keys: Some(
            NumberingKeys::read(Path::new("data/invoices/technical-keys.csv"))?.into(),
        ),
        environment: Environment::Test, // the samples are DIAN test-environment documents
        ..PipelineOptions::default()
    };
    let pipeline = Pipeline::new(Catalog::open(index)?, RuleBook::embedded()?, options);

    let xml = std::fs::read("data/invoices/FEV-0005.xml")?;
    let mut events = Vec::new();
    let r = pipeline.register(&xml, "2026-09-10".parse()?, &mut events)?;
    let c = r.commission.as_ref().ok_or("no commission")?;
    println!("{} registrable: {}", r.invoice.number, r.registrable);
    println!("commission: fee {} iva {} total {}", c.fee, c.iva, c.total);
    let names: Vec<&str> = events.iter().map(|e| e.name).collect();
    println!("events: {}", names.join(", "));

    let mut files: Vec<_> = std::fs::read_dir("data/invoices")?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|x| x == "xml"));
    files.sort();
    let documents = files
        .iter()
        .map(std::fs::read)
        .collect::<Result<Vec<_>, _>>()?;
    let outcomes =
        pipeline.register_many(&documents, "2026-11-29".parse()?, &BatchOptions::default());
    let registered = outcomes
        .iter()
        .filter(|o| o.result.as_ref().is_ok_and(|r| r.registrable))
        .count();
    println!("{} documents, {registered} registered", outcomes.len());
    Ok(())
}

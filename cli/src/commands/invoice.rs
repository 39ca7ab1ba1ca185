//! `bmc invoice generate|read|validate`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bmc_core::catalog::{Catalog, Product, read_products};
use bmc_core::compliance::{self, Context, Severity};
use bmc_core::invoice::{self, DocumentKind, Invoice, generate, ubl};
use bmc_core::money::format_cop;
use clap::Subcommand;

use super::Failure;

#[derive(Debug, Subcommand)]
pub enum InvoiceCommand {
    /// Write sample invoices (UBL XML, some wrapped in an AttachedDocument) with each one's
    /// truth as JSON.
    Generate {
        /// The catalog CSV the lines are drawn from.
        #[arg(long, default_value = "data/sample-catalog.csv.gz")]
        catalog: PathBuf,
        /// How many documents.
        #[arg(long, default_value_t = 20)]
        count: usize,
        /// The seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Fewest lines per invoice.
        #[arg(long, default_value_t = 1)]
        min_lines: usize,
        /// Most lines per invoice.
        #[arg(long, default_value_t = 8)]
        max_lines: usize,
        /// The folder to write to.
        #[arg(long)]
        out: PathBuf,
    },
    /// Read an invoice and print it: a UBL XML (Invoice, CreditNote, DebitNote,
    /// AttachedDocument).
    Read {
        /// The file.
        file: PathBuf,
        /// Print the invoice as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Read an invoice and print the compliance findings; exits with 2 when it cannot be
    /// registered.
    Validate {
        /// The file.
        file: PathBuf,
        /// The registration date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<chrono::NaiveDate>,
        /// Oldest invoice that can be registered, in days.
        #[arg(long, default_value_t = 180)]
        max_age_days: i64,
        /// The numbering range's technical key, to recompute the CUFE.
        #[arg(long)]
        technical_key: Option<String>,
        /// The software PIN, to recompute a note's CUDE.
        #[arg(long)]
        software_pin: Option<String>,
        /// The catalog to look every line's product up in: an index folder, or a catalog
        /// CSV (plain, .gz or .zst) read into memory.
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: InvoiceCommand) -> Result<ExitCode, Failure> {
    match cmd {
        InvoiceCommand::Generate {
            catalog,
            count,
            seed,
            min_lines,
            max_lines,
            out,
        } => {
            let products = read_products(&catalog, 5_000)?;
            let options = generate::Options {
                seed,
                min_lines,
                max_lines,
                ..generate::Options::default()
            };
            let invoices = generate::invoices(&products, count, &options);
            std::fs::create_dir_all(&out)
                .map_err(|e| Failure::Message(format!("cannot create {}: {e}", out.display())))?;
            for (i, inv) in invoices.iter().enumerate() {
                let stem = file_stem(inv, i);
                let xml = ubl::write_xml(inv, &ubl::Issuance::default());
                let mut truth = inv.clone();
                // Every fourth invoice travels as DIAN sends it to the buyer.
                let xml = if i % 4 == 3 && inv.kind == DocumentKind::Invoice {
                    truth.source = invoice::Source::exact(invoice::SourceKind::AttachedDocument);
                    ubl::write_attached_document(inv, &xml)
                } else {
                    xml
                };
                write(&out.join(format!("{stem}.xml")), xml.as_bytes())?;
                let json = serde_json::to_string_pretty(&truth)
                    .map_err(|e| Failure::Message(e.to_string()))?;
                write(
                    &out.join(format!("{stem}.json")),
                    format!("{json}\n").as_bytes(),
                )?;
            }
            println!("{} documents written to {}", invoices.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
        InvoiceCommand::Read { file, json } => {
            let invoice = read_any(&file)?;
            if json {
                let text = serde_json::to_string_pretty(&invoice)
                    .map_err(|e| Failure::Message(e.to_string()))?;
                println!("{text}");
            } else {
                print_invoice(&invoice);
            }
            Ok(ExitCode::SUCCESS)
        }
        InvoiceCommand::Validate {
            file,
            date,
            max_age_days,
            technical_key,
            software_pin,
            catalog,
            json,
        } => {
            let invoice = read_any(&file)?;
            let lookup = catalog.map(|path| open_catalog(&path)).transpose()?;
            let mut context =
                Context::new(date.unwrap_or_else(|| chrono::Local::now().date_naive()));
            context.max_age_days = max_age_days;
            context.technical_key = technical_key;
            context.software_pin = software_pin;
            context.catalog = lookup.as_deref();
            let findings = compliance::validate(&invoice, &context);
            let registrable = compliance::is_registrable(&findings);
            if json {
                let text = serde_json::to_string_pretty(&serde_json::json!({
                    "number": invoice.number,
                    "registrable": registrable,
                    "findings": findings,
                }))
                .map_err(|e| Failure::Message(e.to_string()))?;
                println!("{text}");
            } else {
                println!(
                    "{} {}: {}",
                    invoice.kind.root_name(),
                    invoice.number,
                    if registrable {
                        "registrable"
                    } else {
                        "NOT registrable"
                    }
                );
                for f in &findings {
                    let path = if f.path.is_empty() { "-" } else { &f.path };
                    println!(
                        "  {:<7} {:<32} {:<28} {}",
                        f.severity.name(),
                        f.code,
                        path,
                        f.message_en
                    );
                }
                if findings.is_empty() {
                    println!("  no findings");
                }
            }
            Ok(if findings.iter().any(|f| f.severity == Severity::Error) {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// An index folder opened, or a CSV read into memory.
fn open_catalog(path: &Path) -> Result<Box<dyn compliance::ProductLookup>, Failure> {
    if path.is_dir() {
        return Ok(Box::new(Catalog::open(path)?));
    }
    let products: HashMap<String, Product> = read_products(path, usize::MAX)?
        .into_iter()
        .map(|p| (p.product_code.clone(), p))
        .collect();
    Ok(Box::new(products))
}

fn file_stem(invoice: &Invoice, index: usize) -> String {
    match invoice.kind {
        DocumentKind::Invoice => format!("FEV-{:04}", index + 1),
        DocumentKind::CreditNote => format!("NC-{:04}", index + 1),
        DocumentKind::DebitNote => format!("ND-{:04}", index + 1),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| Failure::Message(format!("cannot write {}: {e}", path.display())))
}

/// Reads a file as whatever kind of invoice document it is.
pub fn read_any(path: &Path) -> Result<Invoice, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::Message(format!("cannot read {}: {e}", path.display())))?;
    invoice::read_xml(&bytes)
        .map_err(|e| Failure::Message(format!("{}: {}: {e}", path.display(), e.code())))
}

fn print_invoice(invoice: &Invoice) {
    println!(
        "{} {} ({}) issued {} {}",
        invoice.kind.root_name(),
        invoice.number,
        invoice::type_code::name(&invoice.type_code).unwrap_or(&invoice.type_code),
        invoice.issue_date,
        invoice.issue_time.as_deref().unwrap_or("")
    );
    let party = |p: &invoice::Party| {
        format!(
            "{} (type {} {}{})",
            p.name,
            p.id_type,
            p.id,
            p.check_digit
                .as_deref()
                .map(|dv| format!("-{dv}"))
                .unwrap_or_default()
        )
    };
    println!("  seller  {}", party(&invoice.seller));
    println!("  buyer   {}", party(&invoice.buyer));
    for line in &invoice.lines {
        let code = line
            .item_code
            .as_ref()
            .map(|c| format!("{}:{}", c.scheme, c.code))
            .unwrap_or_default();
        println!(
            "  {:>3} {:<22} {:<48} {:>10} x {:>14} = {:>16}",
            line.id,
            code,
            truncate(&line.description, 48),
            line.quantity,
            format_cop(line.unit_price),
            format_cop(line.base)
        );
    }
    println!(
        "  subtotal {:>20}",
        format_cop(invoice.totals.line_extension)
    );
    for tax in &invoice.tax_totals {
        println!("  tax {:<4} {:>20}", tax.tax, format_cop(tax.amount));
    }
    println!("  payable  {:>20}", format_cop(invoice.totals.payable));
    if let Some(cufe) = &invoice.cufe {
        println!("  CUFE {cufe}");
    }
    println!("  source {:?}", invoice.source.kind);
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

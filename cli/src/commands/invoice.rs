//! `bmc invoice generate|read|validate`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bmc_core::catalog::{Catalog, Product, read_products};
use bmc_core::compliance::{self, Context, Severity};
use bmc_core::invoice::{self, DocumentKind, Invoice, generate, ubl};
use bmc_core::money::format_cop;
use clap::Subcommand;

use super::{Failure, write_file as write};

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
        /// Also write each document's printed page as PDF, in rotating styles.
        #[arg(long)]
        pages: bool,
        /// The folder to write to.
        #[arg(long)]
        out: PathBuf,
    },
    /// Build the OCR corpus (printed pages rendered, degraded, OCR'd with Tesseract) and
    /// print its field accuracy and time per page.
    Corpus {
        /// The catalog CSV the lines are drawn from.
        #[arg(long, default_value = "data/sample-catalog.csv.gz")]
        catalog: PathBuf,
        /// The folder to write pages, images, OCR output and report.json to.
        #[arg(long)]
        out: PathBuf,
        /// How many pages.
        #[arg(long, default_value_t = 36)]
        count: usize,
        /// Index of the first page (pages are numbered from 1).
        #[arg(long, default_value_t = 0)]
        first: usize,
        /// The seed of the sample invoices.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Scan resolution.
        #[arg(long, default_value_t = 300)]
        dpi: u32,
        /// Pages OCR'd at a time (one thread each).
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Exit with 1 unless the goal is met: >= 98 % of fields right on the classic
        /// layout (>= 97 % on the generated ones), a field found on every page, every wrong
        /// field flagged, every PDF text layer and its Textract blocks read exactly.
        #[arg(long)]
        check: bool,
        /// The layouts the pages are printed in, in turn: the classic one, the tuning or
        /// held-out half of the 24 generated layouts, or all of them.
        #[arg(long, value_enum, default_value = "classic")]
        layouts: super::corpus::LayoutSet,
        /// Read again the OCR output (`page-NNNN.tsv`, `page-NNNN.qr.txt`) and text layers
        /// a previous run left in OUT, without printing and scanning the pages again: for
        /// measuring a change to the reader in seconds.
        #[arg(long)]
        reread: bool,
    },
    /// Read an invoice and print it. FILE is recognised by content: UBL XML (Invoice,
    /// CreditNote, DebitNote, AttachedDocument), a PDF (its text layer, or OCR when it has
    /// none), Tesseract TSV or hOCR, Textract JSON, or an image (PNG, JPEG, TIFF) OCR'd with
    /// the `tesseract` command.
    Read {
        /// The file.
        file: PathBuf,
        /// Print the invoice as JSON.
        #[arg(long)]
        json: bool,
        /// The text of the page's DIAN QR code (a file), for OCR inputs: it gives the CUFE
        /// and confirms or corrects the fields it repeats.
        #[arg(long, value_name = "FILE")]
        qr: Option<PathBuf>,
        /// Print the text lines as the reader sees them (OCR and PDF inputs), with each
        /// word's confidence, instead of the invoice.
        #[arg(long)]
        lines: bool,
    },
    /// Read an invoice (or every UBL document of a folder) and print the compliance
    /// findings; exits with 2 when one cannot be registered.
    Validate {
        /// The file.
        file: PathBuf,
        /// The registration date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<chrono::NaiveDate>,
        /// Oldest invoice that can be registered, in days.
        #[arg(long, default_value_t = bmc_core::compliance::DEFAULT_MAX_AGE_DAYS)]
        max_age_days: i64,
        /// The DIAN environment registered for (`production` refuses test documents).
        #[arg(long, default_value = "production", value_parser = super::process::parse_environment)]
        environment: bmc_core::dian::Environment,
        /// The numbering ranges' keys (`nit,prefix,technical_key,software_pin`), to recompute
        /// each document's CUFE with its seller's key.
        #[arg(long)]
        technical_keys: Option<PathBuf>,
        /// One technical key for the document, instead of a table.
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
            pages,
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
            std::fs::create_dir_all(&out).map_err(|e| Failure::write(&out, &e))?;
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
                    .map_err(|e| Failure::json("output", &e))?;
                write(
                    &out.join(format!("{stem}.json")),
                    format!("{json}\n").as_bytes(),
                )?;
                if pages {
                    let style = invoice::page::PageStyle::variant(i);
                    let pdf = invoice::page::render_pdf(inv, &style);
                    write(&out.join(format!("{stem}.pdf")), &pdf)?;
                }
            }
            println!("{} documents written to {}", invoices.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
        InvoiceCommand::Corpus {
            catalog,
            out,
            count,
            first,
            seed,
            dpi,
            jobs,
            check,
            layouts,
            reread,
        } => super::corpus::run(super::corpus::CorpusArgs {
            catalog,
            out,
            count,
            first,
            seed,
            dpi,
            jobs,
            check,
            layouts,
            reread,
            names: Default::default(),
            words: Default::default(),
        }),
        InvoiceCommand::Read {
            file,
            json,
            qr,
            lines,
        } => {
            if lines {
                let bytes = super::read_file(&file)?;
                let text = String::from_utf8_lossy(&bytes);
                let document = match invoice::detect(&bytes) {
                    invoice::Format::Tsv => invoice::ocr::read_tsv(&text),
                    invoice::Format::Hocr => invoice::ocr::read_hocr(&text),
                    _ => {
                        return Err(Failure::argument(
                            "--lines reads Tesseract TSV or hOCR (and pdftotext -tsv) files",
                        ));
                    }
                }
                .map_err(|e| Failure::At(file.clone(), e.into()))?;
                for line in document.lines() {
                    let words: Vec<String> = line
                        .words
                        .iter()
                        .map(|w| format!("{}({:.0})", w.text, w.confidence))
                        .collect();
                    println!("{}", words.join(" "));
                }
                return Ok(ExitCode::SUCCESS);
            }
            let mut invoice = read_any(&file)?;
            if let Some(qr) = qr {
                let text = super::read_text(&qr)?;
                invoice::ocr::confirm_with_qr(&mut invoice, &text);
            }
            if json {
                let text = serde_json::to_string_pretty(&invoice)
                    .map_err(|e| Failure::json("output", &e))?;
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
            environment,
            technical_keys,
            technical_key,
            software_pin,
            catalog,
            json,
        } => {
            let keys = technical_keys
                .map(|path| -> Result<_, Failure> {
                    let text = super::read_text(&path)?;
                    Ok(bmc_core::dian::NumberingKeys::from_csv(
                        &text,
                        &path.display().to_string(),
                    )?)
                })
                .transpose()?;
            let lookup = catalog.map(|path| open_catalog(&path)).transpose()?;
            let mut context =
                Context::new(date.unwrap_or_else(|| chrono::Local::now().date_naive()));
            context.max_age_days = max_age_days;
            context.technical_key = technical_key;
            context.software_pin = software_pin;
            context.numbering_keys = keys.as_ref();
            context.environment = environment;
            context.catalog = lookup.as_deref();
            if file.is_dir() {
                return validate_folder(&file, &context, json);
            }
            let invoice = read_any(&file)?;
            let findings = compliance::validate(&invoice, &context);
            let registrable = compliance::is_registrable(&findings);
            if json {
                let text = serde_json::to_string_pretty(&serde_json::json!({
                    "number": invoice.number,
                    "registrable": registrable,
                    "findings": findings,
                }))
                .map_err(|e| Failure::json("output", &e))?;
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

/// Validates every UBL document (`*.xml`) of a folder: one line each, then a summary.
/// Exits with 2 when any cannot be registered or read.
fn validate_folder(dir: &Path, context: &Context<'_>, json: bool) -> Result<ExitCode, Failure> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Failure::read(dir, &e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let (mut registrable, mut refused, mut unreadable) = (0usize, 0usize, 0usize);
    let mut reports = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        match read_any(path) {
            Ok(invoice) => {
                let findings = compliance::validate(&invoice, context);
                let ok = compliance::is_registrable(&findings);
                if ok {
                    registrable += 1;
                } else {
                    refused += 1;
                }
                let mut codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
                codes.sort_unstable();
                codes.dedup();
                if !json {
                    println!(
                        "{name:<24} {:<14} {:>18}  {:<15} {}",
                        invoice.number,
                        format_cop(invoice.totals.payable),
                        if ok { "registrable" } else { "NOT registrable" },
                        codes.join(" ")
                    );
                }
                reports.push(serde_json::json!({
                    "file": name, "number": invoice.number, "registrable": ok, "findings": findings,
                }));
            }
            Err(failure) => {
                unreadable += 1;
                if !json {
                    println!("{name:<24} {failure}");
                }
                reports.push(serde_json::json!({ "file": name, "error": failure.to_string() }));
            }
        }
    }
    if json {
        let text =
            serde_json::to_string_pretty(&reports).map_err(|e| Failure::json("output", &e))?;
        println!("{text}");
    } else {
        println!(
            "{} documents: {registrable} registrable, {refused} not registrable, {unreadable} unreadable",
            files.len()
        );
    }
    Ok(if refused + unreadable > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
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

/// Reads a file as whatever kind of invoice document it is.
pub fn read_any(path: &Path) -> Result<Invoice, Failure> {
    let bytes = super::read_file(path)?;
    let options = invoice::ocr::OcrOptions::default();
    let located = |e: invoice::InvoiceError| Failure::At(path.to_owned(), e.into());
    match invoice::detect(&bytes) {
        invoice::Format::Pdf => {
            // The text layer when there is one (milliseconds); OCR of the page otherwise.
            match bmc_scan::pdf_text_tsv(path).map_err(Failure::scan)? {
                Some(tsv) => invoice::ocr::from_tesseract_tsv(&tsv, &options).map_err(located),
                None => bmc_scan::render_pages(path, 300)
                    .and_then(|pages| bmc_scan::read_scan(&pages, &options))
                    .map_err(Failure::scan)?
                    .invoice
                    .map_err(located),
            }
        }
        invoice::Format::Png | invoice::Format::Jpeg | invoice::Format::Tiff => {
            bmc_scan::read_image(path, &options)
                .map_err(Failure::scan)?
                .invoice
                .map_err(located)
        }
        _ => invoice::read_document(&bytes, &options).map_err(located),
    }
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

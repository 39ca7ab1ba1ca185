//! `bmc invoice corpus`: the OCR corpus and its measurement. Sample invoices are printed
//! (PDF, rotating fonts, sizes and number and date formats), rendered to images, degraded
//! as scanners do (tilt up to ±10°, noise, JPEG), OCR'd with Tesseract (straightened
//! first), read, and compared field by field with their truth. The PDF text layer of each
//! page is read and compared too.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use bmc_core::catalog::read_products;
use bmc_core::invoice::layouts::{self, PageLayout};
use bmc_core::invoice::ocr::score::{self, FieldOutcome};
use bmc_core::invoice::ocr::{self, OcrOptions};
use bmc_core::invoice::{Invoice, generate, page};

use super::{Failure, write_file as write};
use crate::perturb;
use bmc_scan::tools;

/// The outcome of one page.
#[derive(Debug, serde::Serialize)]
struct PageResult {
    page: String,
    layout: String,
    held_out: bool,
    /// Sheets the invoice was printed on.
    sheets: usize,
    style: String,
    scan: String,
    skew_found: f32,
    thickened: bool,
    seconds: f64,
    error: Option<String>,
    fields: usize,
    correct: usize,
    wrong_flagged: usize,
    wrong_unflagged: Vec<FieldOutcome>,
    wrong: Vec<FieldOutcome>,
    flagged_correct: usize,
    text_layer_correct: bool,
    /// The text layer's words as Textract `WORD` blocks, read exactly.
    textract_correct: bool,
}

/// Which printed layouts a corpus uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LayoutSet {
    /// The layout the reader was first built beside.
    Classic,
    /// The half of the generated layouts the reader may be tuned on.
    Tuning,
    /// The other half: measured only.
    HeldOut,
    /// All 24.
    All,
}

impl LayoutSet {
    fn layouts(self) -> Vec<PageLayout> {
        let all = layouts::layouts();
        match self {
            LayoutSet::Classic => vec![PageLayout::classic()],
            LayoutSet::Tuning => all.into_iter().filter(|l| !l.held_out).collect(),
            LayoutSet::HeldOut => all.into_iter().filter(|l| l.held_out).collect(),
            LayoutSet::All => all,
        }
    }
}

/// Options of the corpus run.
#[derive(Debug)]
pub struct CorpusArgs {
    pub catalog: PathBuf,
    pub out: PathBuf,
    pub count: usize,
    pub first: usize,
    pub seed: u64,
    pub dpi: u32,
    pub jobs: usize,
    pub check: bool,
    /// Which layouts the pages are printed in, in turn.
    pub layouts: LayoutSet,
    /// Read the OCR output of a previous run again instead of printing and scanning.
    pub reread: bool,
    /// Product names by code, from the catalog: the reader checks descriptions against them.
    pub names: std::collections::HashMap<String, String>,
    /// Every word of the catalog's names, as the catalog's search folds them.
    pub words: std::collections::HashSet<String>,
}

pub fn run(args: CorpusArgs) -> Result<std::process::ExitCode, Failure> {
    // The invoices draw on the first 5,000 products, as `bmc invoice generate` does; the
    // reader checks descriptions against every product's name.
    let mut products = read_products(&args.catalog, usize::MAX)?;
    let args = CorpusArgs {
        names: products
            .iter()
            .map(|p| (p.product_code.clone(), p.product_name.clone()))
            .collect(),
        words: products
            .iter()
            .flat_map(|p| bmc_core::catalog::name_words(&p.product_name))
            .collect(),
        ..args
    };
    products.truncate(5_000);
    let options = generate::Options {
        seed: args.seed,
        ..generate::Options::default()
    };
    let invoices = generate::invoices(&products, args.first + args.count, &options);
    std::fs::create_dir_all(&args.out).map_err(|e| Failure::write(&args.out, &e))?;
    let page_layouts = args.layouts.layouts();
    let next = AtomicUsize::new(args.first);
    let results: Mutex<Vec<(usize, PageResult)>> = Mutex::new(Vec::new());
    let failure: Mutex<Option<Failure>> = Mutex::new(None);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..args.jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= invoices.len() {
                        break;
                    }
                    let layout = &page_layouts[i % page_layouts.len()];
                    match one_page(i, &invoices[i], layout, &args) {
                        Ok(result) => {
                            eprintln!(
                                "  {} {:<10} {} {:<34} {:<28} {:>3}/{:<3} fields right, {:.1} s",
                                result.page,
                                result.layout,
                                if result.sheets > 1 {
                                    format!("{} pp", result.sheets)
                                } else {
                                    "1 p ".to_string()
                                },
                                result.style,
                                result.scan,
                                result.correct,
                                result.fields,
                                result.seconds
                            );
                            if let Ok(mut r) = results.lock() {
                                r.push((i, result));
                            }
                        }
                        Err(e) => {
                            if let Ok(mut f) = failure.lock() {
                                *f = Some(e);
                            }
                            break;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);
    let results: Vec<PageResult> = results.into_iter().map(|(_, r)| r).collect();
    let fields: usize = results.iter().map(|r| r.fields).sum();
    let correct: usize = results.iter().map(|r| r.correct).sum();
    let flagged: usize = results.iter().map(|r| r.wrong_flagged).sum();
    let unflagged: usize = results.iter().map(|r| r.wrong_unflagged.len()).sum();
    let flagged_correct: usize = results.iter().map(|r| r.flagged_correct).sum();
    let text_layer_ok = results.iter().filter(|r| r.text_layer_correct).count();
    let textract_ok = results.iter().filter(|r| r.textract_correct).count();
    let seconds: f64 = results.iter().map(|r| r.seconds).sum();
    let accuracy = 100.0 * correct as f64 / fields.max(1) as f64;
    println!();
    println!("pages                    {}", results.len());
    println!("fields                   {fields}");
    println!("exactly right            {correct} ({accuracy:.2} %)");
    println!("wrong, flagged           {flagged}");
    println!("wrong, NOT flagged       {unflagged}");
    println!("right but flagged        {flagged_correct} (sent to review needlessly)");
    println!(
        "PDF text layer exact     {text_layer_ok} of {} pages",
        results.len()
    );
    println!(
        "Textract blocks exact    {textract_ok} of {} pages (the text layer's words as WORD blocks)",
        results.len()
    );
    println!(
        "OCR time per page        {:.2} s (one thread per page, {} pages at a time; wall {:.1} s)",
        seconds / results.len().max(1) as f64,
        args.jobs,
        started.elapsed().as_secs_f64()
    );
    for r in &results {
        for w in &r.wrong_unflagged {
            println!(
                "  unflagged: {} {} expected {:?} found {:?}",
                r.page, w.path, w.expected, w.found
            );
        }
        if let Some(e) = &r.error {
            println!("  error: {} {e}", r.page);
        }
    }
    if page_layouts.len() > 1 {
        by_layout(&results);
    }
    let report = serde_json::to_string_pretty(&results).map_err(|e| Failure::json("output", &e))?;
    let report_path = args.out.join("report.json");
    std::fs::write(&report_path, report).map_err(|e| Failure::write(&report_path, &e))?;
    // The layout the reader was built beside must not step back from 98 %; layouts it
    // was not built beside must reach 97 %, with a field found on every page.
    let goal = if args.layouts == LayoutSet::Classic {
        98.0
    } else {
        97.0
    };
    let zero_field = results.iter().filter(|r| r.correct == 0).count();
    let met = accuracy >= goal
        && zero_field == 0
        && unflagged == 0
        && text_layer_ok == results.len()
        && textract_ok == results.len();
    println!(
        "goal (>= {goal} % right, no page without a field, every wrong field flagged, text layer and its Textract blocks exact): {}",
        if met { "met" } else { "NOT met" }
    );
    Ok(if args.check && !met {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    })
}

/// Prints one row per layout, and the tuning and held-out halves' totals.
fn by_layout(results: &[PageResult]) {
    let mut names: Vec<&str> = results.iter().map(|r| r.layout.as_str()).collect();
    names.dedup();
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(*n));
    println!();
    println!(
        "{:<12} {:>8} {:>5} {:>7} {:>7} {:>9} {:>10} {:>11}",
        "layout", "half", "pages", "fields", "right", "right %", "unflagged", "zero-field"
    );
    let row = |label: &str, half: &str, rows: &[&PageResult]| {
        let fields: usize = rows.iter().map(|r| r.fields).sum();
        let correct: usize = rows.iter().map(|r| r.correct).sum();
        let unflagged: usize = rows.iter().map(|r| r.wrong_unflagged.len()).sum();
        let zero = rows.iter().filter(|r| r.correct == 0).count();
        println!(
            "{label:<12} {half:>8} {:>5} {fields:>7} {correct:>7} {:>8.2}% {unflagged:>10} {zero:>11}",
            rows.len(),
            100.0 * correct as f64 / fields.max(1) as f64
        );
    };
    for name in names {
        let rows: Vec<&PageResult> = results.iter().filter(|r| r.layout == name).collect();
        let half = if rows.first().is_some_and(|r| r.held_out) {
            "held-out"
        } else {
            "tuning"
        };
        row(name, half, &rows);
    }
    for (label, held_out) in [("tuning", false), ("held-out", true)] {
        let rows: Vec<&PageResult> = results.iter().filter(|r| r.held_out == held_out).collect();
        if !rows.is_empty() {
            row(label, "", &rows);
        }
    }
    for (label, several) in [("one sheet", false), ("several", true)] {
        let rows: Vec<&PageResult> = results
            .iter()
            .filter(|r| (r.sheets > 1) == several)
            .collect();
        if !rows.is_empty() {
            row(label, "", &rows);
        }
    }
}

fn one_page(
    i: usize,
    truth: &Invoice,
    layout: &PageLayout,
    args: &CorpusArgs,
) -> Result<PageResult, Failure> {
    let name = format!("page-{:04}", i + 1);
    // A paper invoice prints no CUFE: there is none to read (the page's truth is what the
    // page shows).
    let mut truth = truth.clone();
    if !layout.cufe_qr {
        truth.cufe = None;
    }
    // Nor does a layout that prints no product codes have any to read.
    if layout.code == layouts::CodePlacement::Absent {
        for line in &mut truth.lines {
            line.item_code = None;
            line.seller_code = None;
        }
    }
    let truth = &truth;
    let scan = perturb::Scan::variant(i);
    let style = page::PageStyle {
        tilt: scan.skew,
        ..page::PageStyle::variant(i)
    };
    let names = |code: &str| args.names.get(code).cloned();
    let known = |word: &str| match bmc_core::catalog::name_words(word).as_slice() {
        [word] => args.words.contains(word),
        _ => false,
    };
    let options = OcrOptions {
        product_name: Some(&names),
        known_word: Some(&known),
        ..OcrOptions::default()
    };
    let print_path = args.out.join(format!("{name}.print.pdf"));
    let scanned = if args.reread {
        reread(&args.out, &name, &options)?
    } else {
        scan_page(&name, truth, layout, &style, &scan, i, args, &options)?
    };
    let exact = |read: Result<Invoice, _>| {
        read.map(|read: Invoice| score::compare(truth, &read).iter().all(|f| f.correct))
            .unwrap_or(false)
    };
    let (text_layer_correct, textract_correct) =
        match tools::pdf_text_tsv(&print_path).map_err(Failure::scan)? {
            Some(tsv) => (
                exact(ocr::from_tesseract_tsv(&tsv, &options)),
                exact(as_textract(&tsv).and_then(|json| ocr::from_textract(&json, &options))),
            ),
            None => (false, false),
        };
    let (seconds, skew_found, thickened) = (scanned.seconds, scanned.skew, scanned.thickened);
    let style_label = format!(
        "{:?} {}pt {:?} {:?}",
        style.family, style.size, style.numbers, style.dates
    );
    let (outcomes, error) = match scanned.read.invoice {
        Ok(read) => (score::compare(truth, &read), None),
        Err(e) => (Vec::new(), Some(format!("{}: {e}", e.code()))),
    };
    let fields = if error.is_some() {
        score::compare(truth, truth).len()
    } else {
        outcomes.len()
    };
    Ok(PageResult {
        page: name,
        layout: layout.name.to_string(),
        held_out: layout.held_out,
        // Tesseract's TSV starts every page with a level-1 row.
        sheets: scanned
            .read
            .tsv
            .lines()
            .filter(|l| l.starts_with("1\t"))
            .count()
            .max(1),
        style: style_label,
        scan: scan.label(),
        skew_found,
        thickened,
        seconds,
        error,
        fields,
        correct: outcomes.iter().filter(|f| f.correct).count(),
        // A page that cannot be read at all is refused with an error: every field caught.
        wrong_flagged: if outcomes.is_empty() {
            fields
        } else {
            outcomes.iter().filter(|f| !f.correct && f.flagged).count()
        },
        wrong_unflagged: outcomes
            .iter()
            .filter(|f| !f.correct && !f.flagged)
            .cloned()
            .collect(),
        wrong: outcomes.iter().filter(|f| !f.correct).cloned().collect(),
        flagged_correct: outcomes.iter().filter(|f| f.correct && f.flagged).count(),
        text_layer_correct,
        textract_correct,
    })
}

/// A page scanned (or its OCR output read again), and how long OCR and reading took.
struct Scanned {
    read: tools::ScanRead,
    seconds: f64,
    skew: f32,
    thickened: bool,
}

/// Prints the page (tilted for the scan, straight for its text layer), renders, degrades
/// and OCRs it, and keeps the OCR output and QR text beside it.
#[allow(clippy::too_many_arguments)]
fn scan_page(
    name: &str,
    truth: &Invoice,
    layout: &PageLayout,
    style: &page::PageStyle,
    scan: &perturb::Scan,
    i: usize,
    args: &CorpusArgs,
    options: &OcrOptions<'_>,
) -> Result<Scanned, Failure> {
    let pdf_path = args.out.join(format!("{name}.pdf"));
    write(&pdf_path, &page::render_pdf_with(truth, style, layout))?;
    let truth_json =
        serde_json::to_string_pretty(truth).map_err(|e| Failure::json("output", &e))?;
    write(
        &args.out.join(format!("{name}.json")),
        truth_json.as_bytes(),
    )?;
    // The text layer is read from the untilted page, as issuers' PDFs are.
    write(
        &args.out.join(format!("{name}.print.pdf")),
        &page::render_pdf_with(truth, &page::PageStyle::variant(i), layout),
    )?;
    // Each page scanned as its own image: `page-0001.png`, then `page-0001-2.png`, ...
    let extension = if scan.jpeg_quality.is_some() {
        "jpg"
    } else {
        "png"
    };
    let mut scans = Vec::new();
    for (p, clean) in tools::render_pages(&pdf_path, args.dpi)
        .map_err(Failure::scan)?
        .iter()
        .enumerate()
    {
        let seed = (i as u64) + 1_000_000 * p as u64;
        let degraded = perturb::degrade(clean, scan, seed);
        let bytes = perturb::encode(&degraded, scan).map_err(|e| Failure::write(name, &e))?;
        let file = if p == 0 {
            format!("{name}.{extension}")
        } else {
            format!("{name}-{}.{extension}", p + 1)
        };
        write(&args.out.join(&file), &bytes)?;
        // Read back as a scanner's file is: with its compression's losses.
        let image = image::load_from_memory(&bytes)
            .map_err(|e| Failure::tool(format!("{file}: {e}")))?
            .to_luma8();
        scans.push(image);
    }

    let started = Instant::now();
    let read = tools::read_scan(&scans, options).map_err(Failure::scan)?;
    let seconds = started.elapsed().as_secs_f64();
    write(&args.out.join(format!("{name}.tsv")), read.tsv.as_bytes())?;
    if let Some(qr) = &read.qr {
        write(&args.out.join(format!("{name}.qr.txt")), qr.as_bytes())?;
    }
    Ok(Scanned {
        skew: read.skew,
        thickened: read.thickened,
        read,
        seconds,
    })
}

/// Reads a page's kept OCR output and QR text again, as a previous run left them.
fn reread(out: &std::path::Path, name: &str, options: &OcrOptions<'_>) -> Result<Scanned, Failure> {
    let tsv_path = out.join(format!("{name}.tsv"));
    let tsv = std::fs::read_to_string(&tsv_path).map_err(|e| Failure::read(&tsv_path, &e))?;
    let qr = std::fs::read_to_string(out.join(format!("{name}.qr.txt"))).ok();
    let started = Instant::now();
    let mut invoice = ocr::from_tesseract_tsv(&tsv, options);
    if let (Ok(invoice), Some(qr)) = (&mut invoice, &qr) {
        ocr::confirm_with_qr(invoice, qr);
    }
    Ok(Scanned {
        seconds: started.elapsed().as_secs_f64(),
        skew: 0.0,
        thickened: false,
        read: tools::ScanRead {
            tsv,
            invoice,
            skew: 0.0,
            thickened: false,
            qr,
        },
    })
}

/// A `pdftotext -tsv` text layer as a Textract `DetectDocumentText` response: each word a
/// `WORD` block with its box relative to the page, as Textract gives them.
fn as_textract(tsv: &str) -> Result<String, bmc_core::invoice::InvoiceError> {
    let document = ocr::read_tsv(tsv)?;
    let mut blocks = Vec::new();
    for page in &document.pages {
        let (w, h) = (page.width.max(1.0), page.height.max(1.0));
        for word in &page.words {
            blocks.push(serde_json::json!({
                "BlockType": "WORD",
                "Text": word.text,
                "Confidence": 99.0,
                "Page": page.number,
                "Geometry": {"BoundingBox": {
                    "Left": word.left / w,
                    "Top": word.top / h,
                    "Width": word.width / w,
                    "Height": word.height / h,
                }},
            }));
        }
    }
    Ok(serde_json::json!({ "Blocks": blocks }).to_string())
}

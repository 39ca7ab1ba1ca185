//! Read an invoice from DIAN UBL XML and another from Tesseract's OCR output (with the page's
//! QR code), then validate both for registration against the sample catalog. Run from the
//! repository root: `cargo run -p bmc-core --example invoices`.

use bmc_core::catalog::{self, Catalog};
use bmc_core::compliance::{self, Context};
use bmc_core::invoice::ocr::{self, OcrFormat, OcrOptions};
use bmc_core::invoice::{self, Invoice, generate};
use bmc_core::money::format_cop;

fn report(invoice: &Invoice, catalog: &Catalog) {
    let mut context = Context::new("2026-11-29".parse().unwrap_or_default());
    context.technical_key = Some(generate::TEST_TECHNICAL_KEY.to_string());
    // The samples are DIAN test-environment documents.
    context.environment = bmc_core::dian::Environment::Test;
    context.catalog = Some(catalog);
    let findings = compliance::validate(invoice, &context);
    let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    println!(
        "{} {} from {}: {} lines, payable {}, registrable: {}",
        invoice.number,
        invoice.issue_date,
        serde_json::to_value(invoice.source.kind)
            .unwrap_or_default()
            .as_str()
            .unwrap_or(""),
        invoice.lines.len(),
        format_cop(invoice.totals.payable),
        compliance::is_registrable(&findings)
    );
    println!("  findings: {}", codes.join(", "));
    println!(
        "  doubtful: {}",
        invoice.source.doubtful_fields().join(", ")
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let index = std::env::temp_dir().join(format!("bmc-example-{}", std::process::id()));
    catalog::build_from_path(
        "data/sample-catalog.csv.gz".as_ref(),
        &index,
        &catalog::BuildOptions::default(),
        &mut |_| {},
    )?;
    let products = Catalog::open(&index)?;

    let xml = std::fs::read("data/invoices/FEV-0005.xml")?;
    report(&invoice::read_xml(&xml)?, &products);

    let tsv = std::fs::read_to_string("data/invoices/ocr/FEV-0002.tesseract.tsv")?;
    let qr = std::fs::read_to_string("data/invoices/ocr/FEV-0002.qr.txt")?;
    let scanned = ocr::from_ocr(
        &tsv,
        OcrFormat::TesseractTsv,
        Some(&qr),
        &OcrOptions::default(),
    )?;
    report(&scanned, &products);

    let hostile = br#"<!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice>&a;</Invoice>"#;
    if let Err(e) = invoice::read_xml(hostile) {
        println!("refused: {} ({e})", e.code());
    }
    std::fs::remove_dir_all(&index)?;
    Ok(())
}

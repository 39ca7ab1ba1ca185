//! Registration end to end over the samples: products matched, findings, commissions,
//! events in the platform's order, verification codes, and the certificate PDF checked
//! through poppler (`pdftotext`, `pdftoppm`) and zbar (`zbarimg`), which CI installs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use bmc_core::catalog::{self, Catalog};
use bmc_core::certificate;
use bmc_core::invoice::generate::{TEST_SOFTWARE_PIN, TEST_TECHNICAL_KEY};
use bmc_core::pipeline::{Decision, Event, MatchKind, Pipeline, PipelineOptions, Registration};
use bmc_core::rules::RuleBook;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn pipeline() -> &'static Pipeline {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    PIPELINE.get_or_init(|| {
        let index = std::env::temp_dir().join(format!("bmc-pipeline-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&index);
        catalog::build_from_path(
            &root().join("data/sample-catalog.csv.gz"),
            &index,
            &catalog::BuildOptions::default(),
            &mut |_| {},
        )
        .unwrap();
        let options = PipelineOptions {
            technical_key: Some(TEST_TECHNICAL_KEY.into()),
            software_pin: Some(TEST_SOFTWARE_PIN.into()),
            environment: bmc_core::dian::Environment::Test,
            ..PipelineOptions::default()
        };
        Pipeline::new(
            Catalog::open(&index).unwrap(),
            RuleBook::embedded().unwrap(),
            options,
        )
    })
}

fn register(file: &str, date: &str) -> (Registration, Vec<Event>) {
    let mut events = Vec::new();
    let r = pipeline()
        .register(
            &std::fs::read(root().join(file)).unwrap(),
            date.parse().unwrap(),
            &mut events,
        )
        .unwrap();
    (r, events)
}

#[test]
fn every_sample_registers_with_products_matched() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("data/invoices"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let mut registered = 0;
    for file in &files {
        let mut events = Vec::new();
        let r = pipeline()
            .register(
                &std::fs::read(file).unwrap(),
                "2026-11-29".parse().unwrap(),
                &mut events,
            )
            .unwrap();
        for m in &r.lines {
            assert_eq!(
                m.matched_by,
                MatchKind::Code,
                "{} line {}",
                file.display(),
                m.line_id
            );
        }
        let names: Vec<&str> = events.iter().map(|e| e.name).collect();
        if r.invoice.kind == bmc_core::invoice::DocumentKind::Invoice {
            registered += usize::from(r.registrable);
            assert_eq!(
                names,
                [
                    "invoice.uploaded",
                    "invoice.validated",
                    "commission.calculated"
                ]
            );
            let c = r.commission.as_ref().unwrap();
            assert_eq!(c.total, c.fee + c.iva);
        } else {
            assert!(!r.registrable, "a note is not a new registration");
            assert_eq!(names, ["invoice.uploaded", "invoice.validated"]);
        }
        assert_eq!(r.compute_verification_code(), r.verification_code);
    }
    assert_eq!(registered, 18);
}

#[test]
fn events_carry_the_platform_names() {
    let (_, events) = register("data/invoices/FEV-0005.xml", "2026-09-10");
    let uploaded = events[0].to_put_events_entry("bmc-bus");
    assert_eq!(uploaded["Source"], "bmc.invoice.service");
    assert_eq!(uploaded["DetailType"], "Invoice Uploaded");
    let detail: serde_json::Value =
        serde_json::from_str(uploaded["Detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["format"], "ubl");
    assert_eq!(events[2].source, "bmc.commission.service");
    assert_eq!(events[2].detail_type, "Commission Calculated");
    assert_eq!(events[2].detail["total"], "133392");
}

#[test]
fn faulty_invoices_are_refused_without_a_commission() {
    let (r, events) = register("data/invoices/faulty/tampered-total.xml", "2026-11-29");
    assert!(!r.registrable);
    assert!(r.commission.is_none());
    assert_eq!(events.len(), 2);
    assert!(r.findings.iter().any(|f| f.code == "CUFE_MISMATCH"));
}

#[test]
fn scanned_invoices_go_through_the_same_pipeline() {
    let tsv =
        std::fs::read_to_string(root().join("data/invoices/ocr/FEV-0004.tesseract.tsv")).unwrap();
    let qr = std::fs::read_to_string(root().join("data/invoices/ocr/FEV-0004.qr.txt")).unwrap();
    let invoice = bmc_core::invoice::ocr::from_ocr(
        &tsv,
        bmc_core::invoice::ocr::OcrFormat::TesseractTsv,
        Some(&qr),
        &Default::default(),
    )
    .unwrap();
    let mut events = Vec::new();
    let r = pipeline()
        .register_invoice(invoice, "2026-11-29".parse().unwrap(), &mut events)
        .unwrap();
    assert_eq!(events[0].name, "invoice.ocr.completed");
    let (xml, _) = register("data/invoices/FEV-0004.xml", "2026-11-29");
    assert_eq!(r.commission.unwrap().total, xml.commission.unwrap().total);
}

#[test]
fn a_reviewed_scan_registers_with_its_corrections() {
    let tsv = std::fs::read(root().join("data/invoices/ocr/FEV-0002.tesseract.tsv")).unwrap();
    let date = "2026-11-29".parse().unwrap();
    let read = pipeline().read_scanned(&tsv, None).unwrap();
    let mut events = Vec::new();
    let first = pipeline()
        .register_invoice(read.clone(), date, &mut events)
        .unwrap();
    let low = |r: &Registration| {
        r.findings
            .iter()
            .filter(|f| f.code == "OCR_LOW_CONFIDENCE")
            .map(|f| f.path.clone())
            .collect::<Vec<_>>()
    };
    assert!(
        low(&first).contains(&"cufe".to_string()),
        "{:?}",
        low(&first)
    );
    // The reviewer types the CUFE printed on the page and confirms the rest as read.
    let (exact, _) = register("data/invoices/FEV-0002.xml", "2026-11-29");
    let corrections: Vec<bmc_core::invoice::Correction> = read
        .source
        .doubtful_fields()
        .into_iter()
        .map(|path| bmc_core::invoice::Correction {
            path: path.to_string(),
            value: if path == "cufe" {
                exact.invoice.cufe.clone().unwrap()
            } else {
                read.field_text(path).unwrap()
            },
        })
        .collect();
    let mut corrected = read;
    corrected.correct(&corrections).unwrap();
    let r = pipeline()
        .register_invoice(corrected, date, &mut Vec::new())
        .unwrap();
    assert!(low(&r).is_empty(), "{:?}", r.findings);
    assert!(r.registrable);
    assert_eq!(r.decision(), Decision::Registered);
    // With its CUFE right the scan is the invoice the XML is: the same commission.
    assert_eq!(r.invoice.cufe, exact.invoice.cufe);
    assert_eq!(r.commission.unwrap().total, exact.commission.unwrap().total);
}

#[test]
fn each_line_has_the_subpartida_the_registration_decided() {
    let (r, _) = register("data/invoices/FEV-0002.xml", "2026-11-29");
    let commission = r.commission.clone().unwrap();
    for line in &r.invoice.lines {
        let charged = commission
            .lines
            .iter()
            .find(|d| d.id.as_deref() == Some(line.id.as_str()))
            .and_then(|d| d.tariff_code);
        assert!(charged.is_some(), "line {}", line.id);
        assert_eq!(r.tariff_code(&line.id), charged, "line {}", line.id);
    }
    assert_eq!(r.tariff_code("no such line"), None);
}

#[test]
fn the_verification_code_covers_the_content() {
    let (mut r, _) = register("data/invoices/FEV-0002.xml", "2026-11-29");
    let (again, _) = register("data/invoices/FEV-0002.xml", "2026-11-29");
    assert_eq!(r.verification_code, again.verification_code);
    assert!(r.registration_id.starts_with("RF-20261129-"));
    r.invoice.totals.payable += rust_decimal::Decimal::ONE;
    assert_ne!(r.compute_verification_code(), r.verification_code);
    let (other_day, _) = register("data/invoices/FEV-0002.xml", "2026-11-30");
    assert_ne!(other_day.verification_code, again.verification_code);
}

/// The text of a PDF, through poppler's `pdftotext`.
fn pdf_text(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(file)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

#[test]
fn the_certificate_is_deterministic_and_reads_back() {
    let (r, _) = register("data/invoices/FEV-0005.xml", "2026-11-29");
    let pdf = certificate::render(&r).unwrap();
    assert_eq!(pdf, certificate::render(&r).unwrap(), "byte-identical");
    assert!(pdf.starts_with(b"%PDF-"));
    let (refused, _) = register("data/invoices/faulty/final-consumer.xml", "2026-11-29");
    // Errors in an exact document: rejected, no person to read a page.
    assert_eq!(refused.decision(), Decision::Rejected);
    let refused_pdf = certificate::render(&refused).unwrap();
    if !(tool("pdftotext") && tool("zbarimg")) {
        eprintln!("pdftotext or zbarimg is not installed: the PDF is not read back here (CI does)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("bmc-cert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cert.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = pdf_text(&file);
    for expected in [
        "Comprobante de registro de factura",
        "Factura REGISTRADA",
        "Jorge Eliécer Pardo Gómez",
        "Cooperativa de Caficultores de Antioquia",
        "NIT 890.903.938-8",
        "SETP990000005",
        "$ 112.094,00",
        "$ 21.298,00",
        "$ 133.392,00",
        "registro-facturas versión 2026-01-01",
        &r.registration_id,
        &r.verification_code,
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png", "-singlefile"])
        .arg(&file)
        .arg(dir.join("page"))
        .status()
        .unwrap();
    assert!(status.success());
    let qr = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(dir.join("page.png"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&qr.stdout).trim(),
        certificate::qr_payload(&r)
    );
    // The page is not blank: a fair share of it is ink.
    let status = Command::new("pdftoppm")
        .args(["-r", "50", "-gray", "-singlefile"])
        .arg(&file)
        .arg(dir.join("small"))
        .status()
        .unwrap();
    assert!(status.success());
    let pgm = std::fs::read(dir.join("small.pgm")).unwrap();
    let pixels = &pgm[pgm.len() - 414 * 585..];
    let dark = pixels.iter().filter(|&&p| p < 128).count();
    assert!(
        dark > pixels.len() / 50,
        "{dark} dark pixels of {}",
        pixels.len()
    );
    std::fs::write(&file, &refused_pdf).unwrap();
    let text = pdf_text(&file);
    assert!(text.contains("NO REGISTRABLE"), "{text}");
    assert!(text.contains("BUYER_NOT_IDENTIFIED"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_certificate_keeps_characters_beyond_spanish() {
    // Names outside the shared repertoire get a subset of their own and read back exactly; a
    // character the font has no glyph for shows as the replacement character, never as nothing.
    let (mut r, _) = register("data/invoices/FEV-0005.xml", "2026-11-29");
    r.invoice.seller.name = "Łódź Ørsted Ağaç Ωmega".into();
    r.invoice.buyer.name = "北京 Trading".into();
    let pdf = certificate::render(&r).unwrap();
    assert_eq!(pdf, certificate::render(&r).unwrap(), "byte-identical");
    if !tool("pdftotext") {
        eprintln!("pdftotext is not installed: the PDF is not read back here (CI does)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("bmc-cert-chars-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cert.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = pdf_text(&file);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(text.contains("Łódź Ørsted Ağaç Ωmega"), "{text}");
    assert!(text.contains("\u{FFFD}\u{FFFD} Trading"), "{text}");
    assert!(
        text.contains("Comprobante de registro de factura"),
        "{text}"
    );
}

#[test]
fn findings_and_commission_match_the_catalog_itself() {
    // The pipeline hands the products it matched by code to validation and the commission;
    // what they conclude must be what they conclude asking the catalog directly, for known
    // codes and for a code the catalog does not have.
    let xml = std::fs::read(root().join("data/invoices/FEV-0001.xml")).unwrap();
    let mut invoice =
        bmc_core::invoice::read_document(&xml, &bmc_core::invoice::ocr::OcrOptions::default())
            .unwrap();
    assert!(invoice.lines.len() > 1);
    invoice.lines[0].seller_code = Some("NO-SUCH-CODE".into());
    let date = "2026-11-29".parse().unwrap();
    let r = pipeline()
        .register_invoice(invoice.clone(), date, &mut Vec::new())
        .unwrap();

    let catalog = pipeline().catalog().get();
    let mut context = bmc_core::compliance::Context::new(date);
    context.technical_key = Some(TEST_TECHNICAL_KEY.into());
    context.software_pin = Some(TEST_SOFTWARE_PIN.into());
    context.environment = bmc_core::dian::Environment::Test;
    context.catalog = Some(&*catalog);
    let direct = bmc_core::compliance::validate(&invoice, &context);
    assert_eq!(r.findings, direct);
    assert!(
        r.findings
            .iter()
            .any(|f| f.message_en.contains("NO-SUCH-CODE")),
        "{:?}",
        r.findings
    );

    let book = RuleBook::embedded().unwrap();
    let options = bmc_core::commission::Options {
        classifier: Some(&*catalog),
        trace: PipelineOptions::default().trace,
        ..bmc_core::commission::Options::default()
    };
    let input = bmc_core::commission::CommissionInvoice::in_pesos(&invoice).unwrap();
    match (&r.commission, bmc_core::compliance::is_registrable(&direct)) {
        (Some(c), true) => {
            let direct = bmc_core::commission::calculate(&book, &input, &options).unwrap();
            assert_eq!(c, &direct);
        }
        (None, false) => {}
        (c, registrable) => panic!("commission {c:?} for registrable = {registrable}"),
    }
}

#[test]
fn a_catalog_that_cannot_answer_is_an_error_not_no_match() {
    let xml = std::fs::read(root().join("data/invoices/FEV-0005.xml")).unwrap();
    let invoice = bmc_core::invoice::read_xml(&xml).unwrap();
    let code = invoice.lines[0].product_code().unwrap().to_owned();
    let index = std::env::temp_dir().join(format!("bmc-pipeline-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&index);
    catalog::build_from_path(
        &root().join("data/sample-catalog.csv.gz"),
        &index,
        &catalog::BuildOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    // The record of the first line's product now names another code.
    let strings = index.join("strings.bin");
    let mut bytes = std::fs::read(&strings).unwrap();
    let at = bytes
        .windows(code.len())
        .position(|w| w == code.as_bytes())
        .unwrap()
        + code.len()
        - 1;
    bytes[at] = if bytes[at] == b'9' {
        b'8'
    } else {
        bytes[at] + 1
    };
    std::fs::write(&strings, &bytes).unwrap();
    let broken = Pipeline::new(
        Catalog::open(&index).unwrap(),
        RuleBook::embedded().unwrap(),
        PipelineOptions::default(),
    );
    let err = broken
        .register(&xml, "2026-11-29".parse().unwrap(), &mut Vec::new())
        .unwrap_err();
    assert_eq!(err.code(), "CATALOG_CORRUPT", "{err}");

    // Validation and the commission against that catalog report it too.
    let c = Catalog::open(&index).unwrap();
    let mut context = bmc_core::compliance::Context::new("2026-11-29".parse().unwrap());
    context.catalog = Some(&c);
    let findings = bmc_core::compliance::validate(&invoice, &context);
    assert!(
        findings
            .iter()
            .any(|f| f.code == "CATALOG_LOOKUP_FAILED" && f.path == "lines[0]"),
        "{findings:?}"
    );
    let mut input = bmc_core::commission::CommissionInvoice::in_pesos(&invoice).unwrap();
    input.lines[0].tariff_code = None;
    let options = bmc_core::commission::Options {
        classifier: Some(&c),
        ..Default::default()
    };
    let err = bmc_core::commission::calculate(&RuleBook::embedded().unwrap(), &input, &options)
        .unwrap_err();
    assert_eq!(err.code(), "CATALOG_CORRUPT", "{err}");
    std::fs::remove_dir_all(&index).ok();
}

#[test]
fn a_batch_has_one_outcome_per_document_in_order() {
    use bmc_core::pipeline::BatchOptions;
    let good = std::fs::read(root().join("data/invoices/FEV-0005.xml")).unwrap();
    let other = std::fs::read(root().join("data/invoices/FEV-0001.xml")).unwrap();
    let mut documents: Vec<Vec<u8>> = Vec::new();
    for i in 0..23 {
        documents.push(match i % 4 {
            0 => good.clone(),
            1 => b"<Order/>".to_vec(),
            2 => other.clone(),
            _ => b"<!DOCTYPE x [<!ENTITY a 'b'>]><Invoice/>".to_vec(),
        });
    }
    for threads in [0, 1, 3] {
        let options = BatchOptions {
            threads,
            certificates: threads == 3,
        };
        let outcomes =
            pipeline().register_many(&documents, "2026-11-29".parse().unwrap(), &options);
        assert_eq!(outcomes.len(), documents.len());
        for (i, outcome) in outcomes.iter().enumerate() {
            match (i % 4, &outcome.result) {
                (0, Ok(r)) => {
                    assert_eq!(r.invoice.number, "SETP990000005", "{i}");
                    assert_eq!(outcome.certificate.is_some(), options.certificates);
                }
                (2, Ok(r)) => assert_eq!(r.invoice.number, "SETP990000001", "{i}"),
                (1, Err(e)) => assert_eq!(e.code(), "INVOICE_UNKNOWN_DOCUMENT", "{i}"),
                (3, Err(e)) => assert_eq!(e.code(), "INVOICE_XML_REFUSED", "{i}"),
                (_, other) => panic!("document {i}: {other:?}"),
            }
            assert_eq!(outcome.events[0].name, "invoice.uploaded");
        }
    }
}

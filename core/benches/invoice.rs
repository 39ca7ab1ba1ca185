//! Criterion benchmarks for reading invoices: UBL XML of 8 and of 5,000 lines, the same
//! inside an AttachedDocument, OCR text (Tesseract TSV, Textract JSON) into an invoice, and
//! compliance validation. Run with `cargo bench -p bmc-core --bench invoice`.

use std::hint::black_box;
use std::path::Path;

use bmc_core::compliance::{self, Context};
use bmc_core::invoice::ocr::{self, OcrOptions};
use bmc_core::invoice::{self, generate, ubl};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn read(file: &str) -> Vec<u8> {
    std::fs::read(root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn xml(c: &mut Criterion) {
    let products =
        bmc_core::catalog::read_products(&root().join("data/sample-catalog.csv.gz"), 5_000)
            .unwrap_or_else(|e| panic!("{e}"));
    let mut g = c.benchmark_group("ubl");
    let small = read("data/invoices/FEV-0001.xml");
    g.throughput(Throughput::Bytes(small.len() as u64));
    g.bench_function("read 8 lines", |b| {
        b.iter(|| invoice::read_xml(black_box(&small)))
    });
    let options = generate::Options {
        min_lines: 5_000,
        max_lines: 5_000,
        ..generate::Options::default()
    };
    let big_invoice = generate::invoices(&products, 1, &options).remove(0);
    let big = ubl::write_xml(&big_invoice, &ubl::Issuance::default());
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.sample_size(20);
    g.bench_function("read 5000 lines", |b| {
        b.iter(|| invoice::read_xml(black_box(big.as_bytes())))
    });
    let attached = ubl::write_attached_document(&big_invoice, &big);
    g.throughput(Throughput::Bytes(attached.len() as u64));
    g.bench_function("read 5000 lines in AttachedDocument", |b| {
        b.iter(|| invoice::read_xml(black_box(attached.as_bytes())))
    });
    g.finish();
}

fn ocr_text(c: &mut Criterion) {
    let mut g = c.benchmark_group("ocr");
    let tsv =
        String::from_utf8(read("data/invoices/ocr/FEV-0002.tesseract.tsv")).unwrap_or_default();
    g.bench_function("tesseract tsv, 7 lines", |b| {
        b.iter(|| ocr::from_tesseract_tsv(black_box(&tsv), &OcrOptions::default()))
    });
    for (name, file) in [
        ("tesseract tsv, generated layout, 8 lines", "granja"),
        (
            "tesseract tsv, generated layout, 3 sheets, 8 lines",
            "frutas-3-pages",
        ),
    ] {
        let tsv = String::from_utf8(read(&format!(
            "data/invoices/ocr/layouts/{file}.tesseract.tsv"
        )))
        .unwrap_or_default();
        g.bench_function(name, |b| {
            b.iter(|| ocr::from_tesseract_tsv(black_box(&tsv), &OcrOptions::default()))
        });
    }
    let textract =
        String::from_utf8(read("data/invoices/ocr/FEV-0004.textract.json")).unwrap_or_default();
    g.bench_function("textract json, 4 lines", |b| {
        b.iter(|| ocr::from_textract(black_box(&textract), &OcrOptions::default()))
    });
    g.finish();
}

fn validation(c: &mut Criterion) {
    let inv =
        invoice::read_xml(&read("data/invoices/FEV-0001.xml")).unwrap_or_else(|e| panic!("{e}"));
    let mut context = Context::new(inv.issue_date);
    context.technical_key = Some(generate::TEST_TECHNICAL_KEY.into());
    c.bench_function("compliance/validate 8 lines with CUFE", |b| {
        b.iter(|| compliance::validate(black_box(&inv), &context))
    });
}

criterion_group!(benches, xml, ocr_text, validation);
criterion_main!(benches);

//! A reviewer's corrections of fields read from a page: applied all or none, typed errors
//! naming the field, amounts worked out again, corrected fields no longer doubtful.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bmc_core::invoice::ocr::{self, OcrOptions};
use bmc_core::invoice::{Correction, Invoice, InvoiceError, OPERATOR};
use rust_decimal::Decimal;

fn read(name: &str) -> Invoice {
    let path = format!(
        "{}/../data/invoices/ocr/{name}.tesseract.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let tsv = std::fs::read_to_string(path).unwrap();
    ocr::from_tesseract_tsv(&tsv, &OcrOptions::default()).unwrap()
}

fn fix(path: &str, value: &str) -> Correction {
    Correction {
        path: path.into(),
        value: value.into(),
    }
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn confirming_every_doubtful_field_leaves_none() {
    let mut invoice = read("FEV-0002");
    let doubtful: Vec<String> = invoice
        .source
        .doubtful_fields()
        .into_iter()
        .map(str::to_string)
        .collect();
    assert!(doubtful.iter().any(|p| p == "cufe"), "{doubtful:?}");
    // The page's CUFE was misread: the reviewer types the one printed; the rest is right.
    let printed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/../data/invoices/FEV-0002.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let cufe = printed["cufe"].as_str().unwrap();
    let corrections: Vec<Correction> = doubtful
        .iter()
        .map(|p| match p.as_str() {
            "cufe" => fix(p, cufe),
            _ => fix(p, &invoice.field_text(p).unwrap()),
        })
        .collect();
    let before = invoice.clone();
    let done = invoice.correct(&corrections).unwrap();
    assert_eq!(done.len(), doubtful.len());
    for c in &done {
        assert_eq!(c.confirmed(), c.path != "cufe", "{c:?}");
    }
    assert_eq!(invoice.cufe.as_deref(), Some(cufe));
    assert!(invoice.source.doubtful_fields().is_empty());
    // Only the CUFE and the confidence changed.
    assert_eq!(invoice.lines, before.lines);
    assert_eq!(invoice.totals, before.totals);
    let cufe = &invoice.source.confidence["cufe"];
    assert_eq!(cufe.confidence, 100.0);
    assert_eq!(cufe.checks, [OPERATOR]);
}

#[test]
fn a_corrected_base_and_rate_change_the_taxes_and_totals() {
    let mut invoice = read("FEV-0002");
    let line = invoice.lines[0].clone();
    let new_base = line.base + Decimal::ONE_HUNDRED;
    let done = invoice
        .correct(&[
            fix("lines[0].base", &new_base.to_string()),
            fix("lines[0].tax_percent", "19"),
        ])
        .unwrap();
    assert_eq!(done[0].before, line.base.to_string());
    assert_eq!(done[0].after, new_base.to_string());
    assert_eq!(done[1].after, "19.00");
    let iva = invoice.lines[0]
        .taxes
        .iter()
        .find(|t| t.tax == "01")
        .unwrap();
    assert_eq!(iva.taxable, new_base);
    assert_eq!(iva.amount, (new_base * dec("0.19")).round_dp(2));
    let taxable: Decimal = invoice
        .tax_totals
        .iter()
        .flat_map(|t| &t.subtotals)
        .map(|s| s.taxable)
        .sum();
    assert_eq!(invoice.totals.tax_exclusive, taxable);
    // A rate of zero takes the line's IVA away.
    invoice
        .correct(&[fix("lines[0].tax_percent", "0")])
        .unwrap();
    assert!(invoice.lines[0].taxes.iter().all(|t| t.tax != "01"));
    assert_eq!(invoice.field_text("lines[0].tax_percent").unwrap(), "0");
}

#[test]
fn a_corrected_number_keeps_its_prefix() {
    let mut invoice = read("FEV-0002");
    invoice.correct(&[fix("number", "SETT123")]).unwrap();
    assert_eq!(invoice.number, "SETT123");
    assert_eq!(invoice.prefix.as_deref(), Some("SETT"));
    // The invoice remembers what a person gave, for a later round.
    assert_eq!(
        invoice.corrections(),
        [Correction {
            path: "number".into(),
            value: "SETT123".into()
        }]
    );
}

#[test]
fn a_bad_correction_names_the_field_and_changes_nothing() {
    let original = read("FEV-0002");
    let cases = [
        ("issue_date", "01/02/2026", "not a date"),
        ("totals.payable", "-5", "negative"),
        ("totals.payable", "1.234.567,00", "not an amount"),
        ("cufe", "abc", "96 hexadecimal"),
        ("seller.id", "9001A", "3 to 15 digits"),
        ("seller.check_digit", "12", "one digit"),
        ("lines[99].base", "1", "no such field"),
        ("lines[0].tax_percent", "150", "0 to 100"),
        ("lines[0].colour", "red", "not a field"),
        ("tax_totals.99", "1", "no such field"),
        ("source.kind", "ubl", "not a field"),
        ("lines[x].base", "1", "not a field"),
    ];
    for (path, value, words) in cases {
        let mut invoice = original.clone();
        // A good correction first: all or none.
        let e = invoice
            .correct(&[fix("number", "FE9"), fix(path, value)])
            .unwrap_err();
        assert_eq!(e.code(), "INVOICE_CORRECTION_INVALID");
        match &e {
            InvoiceError::InvalidCorrection { path: p, .. } => assert_eq!(p, path),
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().contains(words), "{path}: {e}");
        assert_eq!(invoice, original, "{path}");
    }
}

#[test]
fn an_exact_invoice_has_nothing_to_correct() {
    let xml = std::fs::read(format!(
        "{}/../data/invoices/FEV-0001.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut invoice = bmc_core::invoice::read_xml(&xml).unwrap();
    let e = invoice.correct(&[fix("number", "X1")]).unwrap_err();
    assert!(e.to_string().contains("exact"), "{e}");
}

#[test]
fn too_many_corrections_are_refused() {
    let mut invoice = read("FEV-0002");
    let many = vec![fix("number", "FE1"); bmc_core::invoice::MAX_CORRECTIONS + 1];
    assert_eq!(
        invoice.correct(&many).unwrap_err().code(),
        "INVOICE_CORRECTION_INVALID"
    );
    // The last value of a path given twice wins.
    let done = invoice
        .correct(&[fix("number", "FE1"), fix("number", "FE2")])
        .unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(invoice.number, "FE2");
}

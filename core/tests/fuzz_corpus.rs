//! Replays the saved fuzz corpora (`fuzz/corpus/<target>/`) through the same checks the fuzz
//! targets run, so every input the fuzzer ever kept is a regression test.

#![allow(clippy::expect_used)]

mod fuzz_checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut count = 0;
    for entry in entries {
        let path = entry.expect("corpus entry").path();
        if path.is_file() {
            check(&std::fs::read(&path).expect("corpus file"));
            count += 1;
        }
    }
    count
}

#[test]
fn nit_corpus() {
    assert!(replay("nit", fuzz_checks::nit) > 0);
}

#[test]
fn product_code_corpus() {
    assert!(replay("product_code", fuzz_checks::product_code) > 0);
}

#[test]
fn catalog_csv_corpus() {
    assert!(replay("catalog_csv", fuzz_checks::catalog_csv) > 0);
}

#[test]
fn invoice_xml_corpus() {
    assert!(replay("invoice_xml", fuzz_checks::invoice_xml) > 0);
}

#[test]
fn ocr_text_corpus() {
    assert!(replay("ocr_text", fuzz_checks::ocr_text) > 0);
}

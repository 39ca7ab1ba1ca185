//! The properties the fuzz targets check, shared by `fuzz/` (libFuzzer) and by
//! `core/tests/fuzz_corpus.rs`, which replays every saved corpus file under `cargo test`.
//! Each function must not panic on any input and asserts what must always hold.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use bmc_core::dian::{Nit, ProductCode, Scheme, nit};

/// NIT parsing: never panics; whatever validates formats and re-parses to the same NIT.
pub fn nit(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Not idempotent, as in stdnum: upper-casing can create a character (such as U+0301 from
    // 'ΰ') that a second pass folds. What holds is that no separator survives.
    let compact = nit::compact(text);
    assert!(!compact.contains(['.', ',', '-', ' ']), "{compact:?}");
    let _ = nit::check_digit(text);
    let _ = nit::format(text);
    match nit::validate(text) {
        Ok(valid) => {
            let parsed = Nit::parse(&valid).expect("a validated NIT parses");
            assert_eq!(parsed.as_compact(), valid);
            assert_eq!(
                Nit::parse(&parsed.to_string()).expect("formatted re-parses"),
                parsed
            );
            assert_eq!(nit::check_digit(parsed.base()), Ok(parsed.check_digit()));
        }
        Err(e) => assert!(!nit::is_valid(text), "{e}"),
    }
}

/// Product codes: the first byte picks the scheme, the rest is the code. Never panics; a code
/// that parses re-parses from its normalised and its displayed form to the same code.
pub fn product_code(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let scheme = Scheme::ALL[usize::from(selector) % Scheme::ALL.len()];
    if let Ok(code) = ProductCode::parse_as(scheme, text) {
        assert_eq!(code.scheme(), scheme);
        assert_eq!(
            ProductCode::parse_as(scheme, code.as_str()).as_ref(),
            Ok(&code)
        );
        assert_eq!(
            ProductCode::parse_as(scheme, &code.to_string()).as_ref(),
            Ok(&code)
        );
    }
    let _ = Scheme::parse(text);
}

/// The catalog's CSV reader: any bytes give rows or typed problems, never a panic; a row that
/// parses has the seed's limits.
pub fn catalog_csv(data: &[u8]) {
    use bmc_core::catalog::source::ProductReader;

    let input: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(data.to_vec()));
    let Ok(mut reader) = ProductReader::new(input, "fuzz") else {
        return;
    };
    let mut rows = 0;
    while let Ok(Some((_, row))) = reader.next_row() {
        if let Ok(p) = row {
            assert!(!p.product_code.trim().is_empty() && p.product_code.chars().count() <= 50);
            assert!(p.product_name.chars().count() <= 255);
        }
        rows += 1;
        if rows > 10_000 {
            break;
        }
    }
}

/// The UBL reader on arbitrary bytes: never panics, and what it reads writes back to XML
/// that reads the same.
pub fn invoice_xml(data: &[u8]) {
    use bmc_core::invoice::{self, ubl};
    if let Ok(read) = invoice::read_xml(data) {
        let again = invoice::read_xml(ubl::write_xml(&read, &ubl::Issuance::default()).as_bytes())
            .expect("written XML reads back");
        assert_eq!(again.lines.len(), read.lines.len());
        assert_eq!(again.totals, read.totals);
        assert_eq!(again.number, read.number);
        // Validation and the commission take any amounts a document can hold (sums and
        // products beyond 28 digits are findings and errors, never panics).
        let mut context = bmc_core::compliance::Context::new(read.issue_date);
        context.technical_key = Some("fc8eac422eba16e22ffd8c6f94b3f40a6e38162c".into());
        let findings = bmc_core::compliance::validate(&read, &context);
        if let Ok(input) = bmc_core::commission::CommissionInvoice::in_pesos(&read)
            && let Ok(book) = bmc_core::rules::RuleBook::embedded()
        {
            let _ = bmc_core::commission::calculate(&book, &input, &Default::default());
        }
        assert!(
            findings
                .iter()
                .all(|f| bmc_core::compliance::CODES.contains(&f.code.as_str()))
        );
    }
}

/// The OCR readers on arbitrary text: the first byte picks Tesseract TSV, hOCR or Textract;
/// never panics, and every field the reader doubts is one it has a confidence for.
pub fn ocr_text(data: &[u8]) {
    use bmc_core::invoice::ocr::{self, OcrFormat, OcrOptions};
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = match selector % 3 {
        0 => OcrFormat::TesseractTsv,
        1 => OcrFormat::Hocr,
        _ => OcrFormat::Textract,
    };
    if let Ok(read) = ocr::from_ocr(text, format, None, &OcrOptions::default()) {
        for path in read.source.doubtful_fields() {
            assert!(read.source.confidence.contains_key(path));
        }
        let _ = bmc_core::compliance::validate(
            &read,
            &bmc_core::compliance::Context::new(read.issue_date),
        );
    }
}

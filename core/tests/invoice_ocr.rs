//! OCR input that is malformed is refused with the place it went wrong; format detection;
//! what the reader does with text that is not an invoice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bmc_core::invoice::ocr::{self, OcrFormat, OcrOptions};
use bmc_core::invoice::{self, Format, InvoiceError};

fn options() -> OcrOptions<'static> {
    OcrOptions::default()
}

#[test]
fn malformed_tsv_names_the_line() {
    let e = ocr::from_tesseract_tsv("level\tpage_num\n", &options()).unwrap_err();
    assert_eq!(e.code(), "OCR_INPUT_INVALID");
    assert!(e.to_string().contains("block_num"), "{e}");
    let header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext";
    let bad = format!(
        "{header}\n1\t1\t0\t0\t0\t0\t0\t0\t2550\t3300\t-1\t\n5\t1\t1\t1\t1\t1\tten\t0\t10\t10\t95\tNIT:\n"
    );
    match ocr::from_tesseract_tsv(&bad, &options()).unwrap_err() {
        InvoiceError::OcrInput {
            location, message, ..
        } => {
            assert_eq!(location, "line 3");
            assert!(message.contains("left"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let short = format!("{header}\n5\t1\t1\n");
    assert_eq!(
        ocr::from_tesseract_tsv(&short, &options())
            .unwrap_err()
            .to_string(),
        "tesseract-tsv input at line 2: 3 columns; the header has 12"
    );
}

#[test]
fn text_without_an_invoice_says_what_is_missing() {
    let header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext";
    let words = ["Lista", "de", "precios", "2026"];
    let mut tsv = format!("{header}\n");
    for (i, w) in words.iter().enumerate() {
        tsv.push_str(&format!(
            "5\t1\t1\t1\t1\t{i}\t{}\t10\t40\t20\t95\t{w}\n",
            i * 50
        ));
    }
    match ocr::from_tesseract_tsv(&tsv, &options()).unwrap_err() {
        InvoiceError::NoInvoiceInText { missing } => {
            assert!(
                missing.contains("number") && missing.contains("issue date"),
                "{missing}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_textract_names_the_block() {
    let e = ocr::from_textract("{\"Blocks\": [}", &options()).unwrap_err();
    assert_eq!(e.code(), "OCR_INPUT_INVALID");
    assert!(e.to_string().contains("line 1"), "{e}");
    let e = ocr::from_textract(r#"{"Pages": 1}"#, &options()).unwrap_err();
    assert!(e.to_string().contains("Blocks"), "{e}");
    let no_geometry = r#"{"Blocks": [{"BlockType": "PAGE"}, {"BlockType": "WORD", "Text": "NIT", "Confidence": 99.1}]}"#;
    let e = ocr::from_textract(no_geometry, &options()).unwrap_err();
    assert!(e.to_string().contains("Blocks[1].Geometry"), "{e}");
    let bad_box = r#"{"Blocks": [{"BlockType": "WORD", "Text": "NIT", "Confidence": 99.1, "Geometry": {"BoundingBox": {"Left": "x", "Top": 0, "Width": 0, "Height": 0}}}]}"#;
    let e = ocr::from_textract(bad_box, &options()).unwrap_err();
    assert!(e.to_string().contains("BoundingBox.Left"), "{e}");
    let e = ocr::from_textract(r#"{"ExpenseDocuments": []}"#, &options()).unwrap_err();
    assert!(e.to_string().contains("ExpenseDocuments"), "{e}");
}

#[test]
fn hocr_with_declarations_is_refused() {
    let hostile = r#"<!DOCTYPE html [<!ENTITY x "y">]><html><body><div class="ocr_page" title="bbox 0 0 10 10">&x;</div></body></html>"#;
    let e = ocr::from_hocr(hostile, &options()).unwrap_err();
    assert!(e.to_string().contains("DOCTYPE"), "{e}");
}

#[test]
fn formats_are_recognised_by_content() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/invoices/");
    let cases = [
        ("FEV-0001.xml", Format::Ubl),
        ("FEV-0004.xml", Format::Ubl),
        ("FEV-0001.pdf", Format::Pdf),
        ("ocr/FEV-0002.tesseract.tsv", Format::Tsv),
        ("ocr/FEV-0003.pdftotext.tsv", Format::Tsv),
        ("ocr/FEV-0002.hocr", Format::Hocr),
        ("ocr/FEV-0004.textract.json", Format::Textract),
    ];
    for (file, format) in cases {
        let bytes = std::fs::read(format!("{dir}{file}")).unwrap();
        assert_eq!(invoice::detect(&bytes), format, "{file}");
    }
    assert_eq!(invoice::detect(b"\x89PNG\r\n\x1a\n...."), Format::Png);
    assert_eq!(invoice::detect(b"\xFF\xD8\xFF\xE0"), Format::Jpeg);
    assert_eq!(invoice::detect(b"hello"), Format::Unknown);
    let e = invoice::read_document(b"%PDF-1.7", &options()).unwrap_err();
    assert_eq!(e.code(), "INVOICE_UNRECOGNIZED_FORMAT");
    assert!(e.to_string().contains("pdftotext -tsv"), "{e}");
    assert_eq!(
        OcrFormat::parse("abbyy").unwrap_err().code(),
        "OCR_FORMAT_UNKNOWN"
    );
}

#[test]
fn the_technical_key_confirms_every_field_in_the_cufe() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/invoices/ocr/");
    let tsv = std::fs::read_to_string(format!("{dir}FEV-0003.pdftotext.tsv")).unwrap();
    let options = OcrOptions {
        technical_key: Some(invoice::generate::TEST_TECHNICAL_KEY.into()),
        ..OcrOptions::default()
    };
    let read = ocr::from_tesseract_tsv(&tsv, &options).unwrap();
    for field in [
        "cufe",
        "number",
        "issue_date",
        "seller.id",
        "buyer.id",
        "totals.payable",
    ] {
        assert!(
            read.source.confidence[field]
                .checks
                .iter()
                .any(|c| c == "cufe_verified"),
            "{field}: {:?}",
            read.source.confidence[field]
        );
    }
    let wrong = OcrOptions {
        technical_key: Some("0".repeat(40)),
        ..OcrOptions::default()
    };
    let read = ocr::from_tesseract_tsv(&tsv, &wrong).unwrap();
    assert!(read.source.doubtful_fields().contains(&"cufe"));
}

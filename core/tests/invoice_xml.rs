//! UBL reading: every sample reads identically to its truth, notes and attached documents
//! included, and hostile XML is refused with a typed error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use bmc_core::compliance::{self, Context};
use bmc_core::invoice::{self, InvoiceError, Limits, generate, ubl};

fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/invoices");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_sample_reads_identically_to_its_truth() {
    let files = samples();
    assert!(files.len() >= 20, "{} samples", files.len());
    let mut kinds = std::collections::BTreeSet::new();
    for xml in files {
        let invoice = invoice::read_xml(&std::fs::read(&xml).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", xml.display()));
        kinds.insert(format!("{:?}/{:?}", invoice.kind, invoice.source.kind));
        let truth: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(xml.with_extension("json")).unwrap())
                .unwrap();
        assert_eq!(
            serde_json::to_value(&invoice).unwrap(),
            truth,
            "{}",
            xml.display()
        );
    }
    assert!(kinds.contains("Invoice/Ubl"), "{kinds:?}");
    assert!(kinds.contains("Invoice/AttachedDocument"), "{kinds:?}");
    assert!(kinds.contains("CreditNote/Ubl"), "{kinds:?}");
}

#[test]
fn samples_are_consistent_and_their_codes_verify() {
    for xml in samples() {
        let invoice = invoice::read_xml(&std::fs::read(&xml).unwrap()).unwrap();
        let mut context = Context::new(invoice.issue_date);
        context.technical_key = Some(generate::TEST_TECHNICAL_KEY.into());
        context.software_pin = Some(generate::TEST_SOFTWARE_PIN.into());
        let findings = compliance::validate(&invoice, &context);
        let arithmetic: Vec<_> = findings
            .iter()
            .filter(|f| {
                f.code.ends_with("MISMATCH")
                    || f.code.starts_with("NIT")
                    || f.code.starts_with("CUFE")
            })
            .collect();
        assert!(arithmetic.is_empty(), "{}: {arithmetic:?}", xml.display());
    }
}

#[test]
fn large_invoices_round_trip() {
    let products = bmc_core::catalog::read_products(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample-catalog.csv.gz"),
        2_000,
    )
    .unwrap();
    let options = generate::Options {
        min_lines: 5_000,
        max_lines: 5_000,
        ..generate::Options::default()
    };
    let invoice = generate::invoices(&products, 1, &options).remove(0);
    let xml = ubl::write_xml(&invoice, &ubl::Issuance::default());
    assert!(xml.len() > 5_000_000, "{} bytes", xml.len());
    let read = invoice::read_xml(xml.as_bytes()).unwrap();
    assert_eq!(read.lines.len(), 5_000);
    assert_eq!(read, invoice);
    let attached = ubl::write_attached_document(&invoice, &xml);
    let read = invoice::read_xml(attached.as_bytes()).unwrap();
    assert_eq!(read.lines, invoice.lines);
}

fn refused(xml: &str) -> InvoiceError {
    invoice::read_xml(xml.as_bytes()).expect_err("must be refused")
}

const HEAD: &str = r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">"#;

#[test]
fn entity_expansion_and_external_entities_are_refused() {
    let laughs = format!(
        r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>{HEAD}<cbc:ID>&lol2;</cbc:ID></Invoice>"#
    );
    let e = refused(&laughs);
    assert_eq!(e.code(), "INVOICE_XML_REFUSED", "{e}");
    assert!(e.to_string().contains("DOCTYPE"), "{e}");
    let external = format!(
        r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>{HEAD}<cbc:ID>&xxe;</cbc:ID></Invoice>"#
    );
    assert_eq!(refused(&external).code(), "INVOICE_XML_REFUSED");
    let undeclared = format!("{HEAD}<cbc:ID>&xxe;</cbc:ID></Invoice>");
    let e = refused(&undeclared);
    assert_eq!(e.code(), "INVOICE_XML_REFUSED");
    assert!(e.to_string().contains("&xxe;"), "{e}");
}

#[test]
fn deep_nesting_huge_attributes_and_size_are_refused() {
    let deep = format!(
        "{HEAD}{}{}</Invoice>",
        "<a>".repeat(10_000),
        "</a>".repeat(10_000)
    );
    let e = refused(&deep);
    assert_eq!(e.code(), "INVOICE_XML_REFUSED");
    assert!(e.to_string().contains("deeper"), "{e}");
    let attr = format!(
        r#"{HEAD}<cbc:ID schemeID="{}">1</cbc:ID></Invoice>"#,
        "x".repeat(1 << 20)
    );
    let e = refused(&attr);
    assert_eq!(e.code(), "INVOICE_XML_REFUSED");
    assert!(e.to_string().contains("attribute"), "{e}");
    let many = format!(
        "{HEAD}<cbc:ID {}>1</cbc:ID></Invoice>",
        (0..100)
            .map(|i| format!("a{i}=\"1\""))
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert_eq!(refused(&many).code(), "INVOICE_XML_REFUSED");
    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let e = ubl::read_xml_with(format!("{HEAD}</Invoice>").as_bytes(), &small).unwrap_err();
    assert_eq!(e.code(), "INVOICE_XML_REFUSED");
    let few = Limits {
        max_elements: 3,
        ..Limits::default()
    };
    let e = ubl::read_xml_with(format!("{HEAD}<a/><a/><a/><a/></Invoice>").as_bytes(), &few)
        .unwrap_err();
    assert!(e.to_string().contains("elements"), "{e}");
}

#[test]
fn bad_bytes_and_broken_documents_say_where() {
    let mut bytes = format!("{HEAD}\n<cbc:ID>caf").into_bytes();
    bytes.push(0xE9);
    bytes.extend_from_slice(b"</cbc:ID></Invoice>");
    match invoice::read_xml(&bytes).unwrap_err() {
        InvoiceError::NotUtf8 { line, offset, .. } => {
            assert_eq!(line, 2);
            assert_eq!(offset, HEAD.len() + 12);
        }
        other => panic!("{other:?}"),
    }
    let latin1 = format!(r#"<?xml version="1.0" encoding="ISO-8859-1"?>{HEAD}</Invoice>"#);
    assert_eq!(refused(&latin1).code(), "INVOICE_XML_REFUSED");
    let truncated = format!("{HEAD}\n<cbc:ID>1</cbc:ID>\n<cbc:IssueDate>");
    let e = refused(&truncated);
    assert_eq!(e.code(), "INVOICE_XML_MALFORMED", "{e}");
    let mismatched = format!("{HEAD}\n<cbc:ID>1</cbc:Note></Invoice>");
    match refused(&mismatched) {
        InvoiceError::Malformed { line, .. } => assert_eq!(line, 2),
        other => panic!("{other:?}"),
    }
    let e = refused("<Order xmlns=\"urn:x\"/>");
    assert_eq!(e.code(), "INVOICE_UNKNOWN_DOCUMENT");
    assert!(refused("").to_string().contains("root"));
    let undeclared = "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"><cbc:ID>1</cbc:ID></Invoice>";
    assert_eq!(refused(undeclared).code(), "INVOICE_XML_MALFORMED");
}

#[test]
fn missing_and_invalid_fields_name_the_path_and_line() {
    let xml = std::fs::read_to_string(&samples()[0]).unwrap();
    let no_total = xml
        .replace("<cbc:PayableAmount", "<cbc:Payable")
        .replace("</cbc:PayableAmount>", "</cbc:Payable>");
    match refused(&no_total) {
        InvoiceError::MissingField { path, line } => {
            assert_eq!(path, "cac:LegalMonetaryTotal/cbc:PayableAmount");
            assert!(line > 1);
        }
        other => panic!("{other:?}"),
    }
    let first_base = xml.find("<cac:InvoiceLine>").unwrap();
    let (head, tail) = xml.split_at(first_base);
    let tail = tail.replacen(
        "<cbc:LineExtensionAmount currencyID=\"COP\">",
        "<cbc:LineExtensionAmount currencyID=\"COP\">1.250.000,00x",
        1,
    );
    match refused(&format!("{head}{tail}")) {
        InvoiceError::InvalidField { path, value, .. } => {
            assert_eq!(path, "cac:InvoiceLine[1]/cbc:LineExtensionAmount");
            assert!(value.starts_with("1.250.000,00x"), "{value}");
        }
        other => panic!("{other:?}"),
    }
    let bad_date = xml.replacen("<cbc:IssueDate>", "<cbc:IssueDate>31/", 1);
    assert_eq!(refused(&bad_date).code(), "INVOICE_INVALID_FIELD");
}

#[test]
fn attached_documents_refuse_what_they_carry_when_it_is_hostile() {
    let inner = format!(r#"<!DOCTYPE x [<!ENTITY a "b">]>{HEAD}</Invoice>"#);
    let wrapped = format!(
        r#"<AttachedDocument xmlns="urn:oasis:names:specification:ubl:schema:xsd:AttachedDocument-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cac:Attachment><cac:ExternalReference><cbc:Description><![CDATA[{inner}]]></cbc:Description></cac:ExternalReference></cac:Attachment></AttachedDocument>"#
    );
    let e = refused(&wrapped);
    assert_eq!(e.code(), "INVOICE_INVALID_FIELD");
    assert!(e.to_string().contains("DOCTYPE"), "{e}");
}

#[test]
fn oversized_inputs_are_refused_before_parsing() {
    use bmc_core::invoice::ocr::{self, OcrOptions};
    let options = OcrOptions::default();
    // A Textract response of 490 MB took 6 GB; anything over the limit is refused unread.
    let json = format!(
        "{{\"Blocks\": [{}]}}",
        " ".repeat(bmc_core::invoice::MAX_OCR_BYTES)
    );
    let err = ocr::from_textract(&json, &options).unwrap_err();
    assert_eq!(err.code(), "INVOICE_TOO_LARGE", "{err}");
    let tsv = "x".repeat(bmc_core::invoice::MAX_OCR_BYTES + 1);
    assert_eq!(
        ocr::from_tesseract_tsv(&tsv, &options).unwrap_err().code(),
        "INVOICE_TOO_LARGE"
    );
    assert_eq!(
        ocr::from_hocr(&tsv, &options).unwrap_err().code(),
        "INVOICE_TOO_LARGE"
    );
    let document = vec![b' '; bmc_core::invoice::MAX_DOCUMENT_BYTES + 1];
    assert_eq!(
        invoice::read_document(&document, &options)
            .unwrap_err()
            .code(),
        "INVOICE_TOO_LARGE"
    );
    assert_eq!(
        bmc_core::invoice::Invoice::from_json(std::str::from_utf8(&document).unwrap())
            .unwrap_err()
            .code(),
        "INVOICE_TOO_LARGE"
    );
}

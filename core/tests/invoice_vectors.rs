//! The shared invoice vectors (`tests/vectors/invoices.json`), also run by the Python and
//! Node suites: samples read identically to their truth, OCR fixtures agree with it on the
//! listed fields and doubt exactly the listed ones, and documents give the listed findings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use bmc_core::compliance::{self, Context};
use bmc_core::invoice::ocr::{self, OcrFormat, OcrOptions};
use bmc_core::invoice::{self, Invoice};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn vectors() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/vectors/invoices.json")).unwrap(),
    )
    .unwrap()
}

/// A field by dotted path; numbers compared by value (`"12.50"` and `"12.5"` agree).
fn get(value: &Value, path: &str) -> Value {
    let found = path.split('.').fold(value.clone(), |v, name| {
        v.get(name).cloned().unwrap_or(Value::Null)
    });
    match &found {
        Value::String(s) => match s.parse::<rust_decimal::Decimal>() {
            Ok(d)
                if s.chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '-') =>
            {
                Value::String(d.normalize().to_string())
            }
            _ => found,
        },
        _ => found,
    }
}

#[test]
fn reading() {
    let vectors = vectors();
    let cases = vectors["read"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let file = root().join(case["file"].as_str().unwrap());
        let bytes = std::fs::read(&file).unwrap();
        let invoice: Invoice = match case["format"].as_str() {
            Some(format) => {
                let qr = case["qr"]
                    .as_str()
                    .map(|q| std::fs::read_to_string(root().join(q)).unwrap());
                ocr::from_ocr(
                    std::str::from_utf8(&bytes).unwrap(),
                    OcrFormat::parse(format).unwrap(),
                    qr.as_deref(),
                    &OcrOptions::default(),
                )
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            }
            None => invoice::read_document(&bytes, &OcrOptions::default()).unwrap(),
        };
        let read: Value = serde_json::from_str(&invoice.to_json()).unwrap();
        let truth: Value = serde_json::from_str(
            &std::fs::read_to_string(root().join(case["truth"].as_str().unwrap())).unwrap(),
        )
        .unwrap();
        if case["exact"].as_bool().unwrap() {
            assert_eq!(read, truth, "{}", file.display());
        } else {
            for path in case["fields"].as_array().unwrap() {
                let path = path.as_str().unwrap();
                assert_eq!(
                    get(&read, path),
                    get(&truth, path),
                    "{} {path}",
                    file.display()
                );
            }
        }
        assert_eq!(read["source"]["kind"], case["source"], "{}", file.display());
        let mut doubtful: Vec<&str> = invoice.source.doubtful_fields();
        doubtful.sort();
        let expected: Vec<&str> = case["doubtful"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect();
        assert_eq!(doubtful, expected, "{}", file.display());
    }
}

/// The findings' codes, sorted, each once.
fn distinct_codes(findings: &[compliance::Finding]) -> Vec<&str> {
    let mut codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    codes.sort();
    codes.dedup();
    codes
}

/// A JSON array of strings.
fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect()
}

#[test]
fn findings() {
    let vectors = vectors();
    for case in vectors["validate"].as_array().unwrap() {
        let file = root().join(case["file"].as_str().unwrap());
        let invoice = invoice::read_xml(&std::fs::read(&file).unwrap()).unwrap();
        let mut context =
            Context::new(case["registration_date"].as_str().unwrap().parse().unwrap());
        context.technical_key = case["technical_key"].as_str().map(str::to_string);
        context.software_pin = case["software_pin"].as_str().map(str::to_string);
        context.environment =
            bmc_core::dian::Environment::parse(case["environment"].as_str().unwrap()).unwrap();
        let findings = compliance::validate(&invoice, &context);
        let (codes, expected) = (distinct_codes(&findings), strings(&case["codes"]));
        assert_eq!(codes, expected, "{}", file.display());
        assert_eq!(
            compliance::is_registrable(&findings),
            case["registrable"].as_bool().unwrap(),
            "{}",
            file.display()
        );
        for f in &findings {
            assert!(compliance::CODES.contains(&f.code.as_str()), "{}", f.code);
            assert!(!f.message_es.is_empty() && !f.message_en.is_empty());
        }
    }
}

/// `tests/vectors/findings.json`: one minimal document per finding code, with the codes it
/// must give (the same cases run in Python and Node).
#[test]
fn every_finding_has_a_minimal_document() {
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/vectors/findings.json")).unwrap(),
    )
    .unwrap();
    let index = std::env::temp_dir().join(format!("bmc-findings-vectors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&index);
    bmc_core::catalog::build_from_path(
        &root().join(vectors["catalog"].as_str().unwrap()),
        &index,
        &Default::default(),
        &mut |_| {},
    )
    .unwrap();
    let catalog = bmc_core::catalog::Catalog::open(&index).unwrap();
    let mut covered: std::collections::BTreeSet<String> = vectors["not_in_vectors"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut failures = Vec::new();
    for case in vectors["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let invoice = Invoice::from_json(&case["invoice"].to_string()).unwrap();
        let c = &case["context"];
        let mut context = Context::new(c["registration_date"].as_str().unwrap().parse().unwrap());
        context.environment =
            bmc_core::dian::Environment::parse(c["environment"].as_str().unwrap()).unwrap();
        context.technical_key = c["technical_key"].as_str().map(str::to_string);
        context.software_pin = c["software_pin"].as_str().map(str::to_string);
        if case["catalog"].as_bool() == Some(true) {
            context.catalog = Some(&catalog);
        }
        let findings = compliance::validate(&invoice, &context);
        let (codes, expected) = (distinct_codes(&findings), strings(&case["codes"]));
        if codes != expected {
            failures.push(format!("{name}: got {codes:?}, expected {expected:?}"));
        }
        covered.extend(expected.iter().map(|c| c.to_string()));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let all: std::collections::BTreeSet<String> =
        compliance::CODES.iter().map(|c| c.to_string()).collect();
    assert_eq!(covered, all, "every finding code has a case");
    std::fs::remove_dir_all(&index).ok();
}

#[test]
fn corrections() {
    let vectors = vectors();
    let cases = vectors["correct"].as_array().unwrap();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let text = std::fs::read_to_string(root().join(case["file"].as_str().unwrap())).unwrap();
        let format = OcrFormat::parse(case["format"].as_str().unwrap()).unwrap();
        let mut invoice = ocr::from_ocr(&text, format, None, &OcrOptions::default()).unwrap();
        let corrections: Vec<invoice::Correction> =
            serde_json::from_value(case["corrections"].clone()).unwrap();
        let result = invoice.correct(&corrections);
        if let Some(error) = case.get("error") {
            let e = result.unwrap_err();
            assert_eq!(e.code(), error["code"], "{name}");
            assert!(
                e.to_string().contains(error["mentions"].as_str().unwrap()),
                "{name}: {e}"
            );
            continue;
        }
        let done = serde_json::to_value(result.unwrap()).unwrap();
        assert_eq!(done, case["corrected"], "{name}");
        let json: Value = serde_json::from_str(&invoice.to_json()).unwrap();
        for (pointer, expected) in case["expect"].as_object().unwrap() {
            assert_eq!(json.pointer(pointer), Some(expected), "{name} {pointer}");
        }
        let mut doubtful = invoice.source.doubtful_fields();
        doubtful.sort();
        assert_eq!(doubtful, strings(&case["doubtful"]), "{name}");
    }
}

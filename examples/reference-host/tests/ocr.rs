//! Scans through the OCR queue with Tesseract: a page image read into fields with their
//! confidence, and uploaded as an invoice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::{TestHost, config, scratch, wait_until};

/// A sample invoice's page as a PNG image (poppler's pdftoppm).
fn page_image(dir: &std::path::Path) -> Vec<u8> {
    let prefix = dir.join("page");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "200", "-singlefile"])
        .arg(common::root().join("data/invoices/FEV-0002.pdf"))
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success());
    std::fs::read(prefix.with_extension("png")).unwrap()
}

#[test]
fn a_scanned_page_is_read_with_its_confidences_and_registered() {
    let data = scratch("ocr");
    let host = TestHost::start(config(&data));
    let png = page_image(&data);

    let (status, job) = host.post("/ocr/process", "image/png", &png);
    assert_eq!(status, 202, "{job}");
    let job_id = job["job_id"].as_str().unwrap();
    wait_until(Duration::from_secs(240), || {
        host.get_json(&format!("/ocr/{job_id}/status")).1["status"] != "PENDING"
    });
    let (status, results) = host.get_json(&format!("/ocr/{job_id}/results"));
    assert_eq!(status, 200, "{results}");
    let results = &results["results"];
    assert_eq!(results["engine"], "tesseract");
    assert_eq!(results["qr_found"], true);
    assert_eq!(results["invoice"]["number"], "SETP990000002");
    let fields = results["fields"].as_object().unwrap();
    assert!(fields.len() > 10);
    assert!(fields.values().all(|f| f["confidence"].is_number()));
    assert!(results["doubtful_fields"].is_array());

    let (status, upload) = host.upload(&png);
    assert_eq!(status, 202);
    let done = host.final_status(upload["invoice_id"].as_str().unwrap());
    assert!(
        matches!(done["status"].as_str(), Some("REGISTERED" | "NEEDS_REVIEW")),
        "{done}"
    );
    let (_, listed) = host.get_json("/invoices?status=REGISTERED");
    let (_, review) = host.get_json("/invoices?status=NEEDS_REVIEW");
    let record = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(review["items"].as_array().unwrap())
        .next()
        .unwrap()
        .clone();
    assert_eq!(record["document_type"], "png");
    assert!(
        record["ocr_confidence"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            > 90.0,
        "{record}"
    );
}

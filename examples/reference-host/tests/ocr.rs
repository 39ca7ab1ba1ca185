//! Scans through the OCR queue with Tesseract: a page image read into fields with their
//! confidence, and uploaded as an invoice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use bmc_host::auth::Role;
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

/// The samples' scan of FEV-0002 with its QR code painted out: the CUFE must be read from
/// the page, and is misread.
fn scan_without_qr() -> Vec<u8> {
    std::fs::read(common::root().join("data/invoices/scans/FEV-0002-no-qr.png")).unwrap()
}

/// The width of a PNG image, from its header.
fn png_width(png: &[u8]) -> u32 {
    assert!(png.starts_with(b"\x89PNG"), "a PNG image");
    u32::from_be_bytes(png[16..20].try_into().unwrap())
}

#[test]
fn a_reviewer_corrects_the_doubtful_fields_beside_the_page() {
    let data = scratch("ocr-review");
    let host = TestHost::start(config(&data));
    let (status, upload) = host.upload(&scan_without_qr());
    assert_eq!(status, 202);
    let id = upload["invoice_id"].as_str().unwrap().to_string();
    // The misread CUFE is an error, on a field the reader doubted: a person looks.
    let done = host.final_status(&id);
    assert_eq!(done["status"], "NEEDS_REVIEW", "{done}");
    let (_, details) = host.get_json(&format!("/invoices/{id}/details"));
    let registration = &details["registration"];
    let doubtful: Vec<String> =
        serde_json::from_value(registration["invoice"]["source"]["doubtful"].clone()).unwrap();
    assert!(doubtful.contains(&"cufe".to_string()), "{doubtful:?}");
    assert_eq!(registration["registrable"], false);
    // Beside it, each doubtful field's value as a correction gives it.
    let listed = details["doubtful"].as_array().unwrap();
    assert_eq!(listed.len(), doubtful.len());
    let cufe_read = listed.iter().find(|f| f["path"] == "cufe").unwrap();
    assert_eq!(cufe_read["correctable"], true);
    assert_eq!(cufe_read["value"], registration["invoice"]["cufe"]);

    // The page beside the fields.
    let token = host.token(Role::Viewer);
    let (status, png) = host.get(&format!("/invoices/{id}/pages/1?width=600"), Some(&token));
    assert_eq!(status, 200);
    assert_eq!(png_width(&png), 600);
    let problem = |path: &str| {
        let (status, body) = host.get(path, Some(&token));
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        (
            status,
            body["code"].as_str().unwrap_or_default().to_string(),
        )
    };
    assert_eq!(
        problem(&format!("/invoices/{id}/pages/2")),
        (404, "SCAN_NO_PAGE".into())
    );
    assert_eq!(
        problem(&format!("/invoices/{id}/pages/first")),
        (400, "HOST_INVALID_PARAMETER".into())
    );
    assert_eq!(
        problem(&format!("/invoices/{id}/pages/1?width=9000")),
        (400, "HOST_INVALID_PARAMETER".into())
    );

    // Approving does not register an invoice with errors.
    let review = br#"{"decision": "approve", "reason": "looks fine"}"#;
    let (status, answer) = host.post(
        &format!("/invoices/{id}/review"),
        "application/json",
        review,
    );
    assert_eq!(status, 409, "{answer}");

    // A viewer may not correct; a bad value names the field and changes nothing.
    let corrections = |list: serde_json::Value| {
        serde_json::to_vec(
            &serde_json::json!({"corrections": list, "reason": "leído en la página"}),
        )
        .unwrap()
    };
    let (status, _) = common::request(
        &host.base,
        "POST",
        &format!("/invoices/{id}/corrections"),
        Some(&token),
        Some("application/json"),
        &corrections(serde_json::json!([{"path": "cufe", "value": "00"}])),
    );
    assert_eq!(status, 403);
    let (status, answer) = host.post(
        &format!("/invoices/{id}/corrections"),
        "application/json",
        &corrections(serde_json::json!([{"path": "cufe", "value": "00"}])),
    );
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["code"], "INVOICE_CORRECTION_INVALID");
    assert!(
        answer["detail"].as_str().unwrap().contains("cufe"),
        "{answer}"
    );
    assert_eq!(
        host.get_json(&format!("/invoices/{id}/status")).1["status"],
        "NEEDS_REVIEW"
    );

    // The CUFE typed from the page, the other doubtful fields confirmed as read.
    let printed: serde_json::Value = serde_json::from_slice(
        &std::fs::read(common::root().join("data/invoices/FEV-0002.json")).unwrap(),
    )
    .unwrap();
    let cufe = printed["cufe"].as_str().unwrap();
    let read: bmc_core::invoice::Invoice =
        serde_json::from_value(registration["invoice"].clone()).unwrap();
    let list: Vec<serde_json::Value> = doubtful
        .iter()
        .map(|path| {
            let value = if path == "cufe" {
                cufe.to_string()
            } else {
                read.field_text(path).unwrap()
            };
            serde_json::json!({"path": path, "value": value})
        })
        .collect();
    let (status, answer) = host.post(
        &format!("/invoices/{id}/corrections"),
        "application/json",
        &corrections(serde_json::Value::Array(list)),
    );
    assert_eq!(status, 202, "{answer}");
    assert_eq!(
        answer["corrected"].as_array().unwrap().len(),
        doubtful.len()
    );
    let done = host.final_status(&id);
    assert_eq!(done["status"], "REGISTERED", "{done}");
    let (_, details) = host.get_json(&format!("/invoices/{id}/details"));
    let invoice = &details["registration"]["invoice"];
    assert_eq!(invoice["cufe"], cufe);
    assert_eq!(
        invoice["source"]["confidence"]["cufe"]["checks"],
        serde_json::json!(["operator"])
    );
    assert!(
        invoice["source"]["doubtful"].is_null(),
        "none left: {invoice}"
    );

    // The audit trail keeps each field before and after, with who corrected it.
    let (_, audit) = host.get_json(&format!("/admin/audit?subject={id}"));
    let entry = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "invoice.corrected")
        .unwrap_or_else(|| panic!("{audit}"))
        .clone();
    let detail: serde_json::Value =
        serde_json::from_str(entry["detail"].as_str().unwrap()).unwrap();
    let cufe_fix = detail["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "cufe")
        .unwrap();
    assert_eq!(cufe_fix["after"], cufe);
    assert_ne!(cufe_fix["before"], cufe);
    assert_eq!(detail["reason"], "leído en la página");
    assert_eq!(entry["role"], "admin");
}

#[test]
fn ocr_text_uploaded_as_is_is_corrected_too() {
    let data = scratch("ocr-text-review");
    let host = TestHost::start(config(&data));
    let tsv =
        std::fs::read(common::root().join("data/invoices/ocr/FEV-0002.tesseract.tsv")).unwrap();
    let (status, upload) = host.upload(&tsv);
    assert_eq!(status, 202, "{upload}");
    let id = upload["invoice_id"].as_str().unwrap().to_string();
    assert_eq!(host.final_status(&id)["status"], "NEEDS_REVIEW");
    // Text has no page to show.
    let (status, _) = host.get(
        &format!("/invoices/{id}/pages/1"),
        Some(&host.token(Role::Viewer)),
    );
    assert_eq!(status, 409);
    let printed: serde_json::Value = serde_json::from_slice(
        &std::fs::read(common::root().join("data/invoices/FEV-0002.json")).unwrap(),
    )
    .unwrap();
    let (_, details) = host.get_json(&format!("/invoices/{id}/details"));
    let list: Vec<serde_json::Value> = details["doubtful"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| match f["path"].as_str().unwrap() {
            "cufe" => serde_json::json!({"path": "cufe", "value": printed["cufe"]}),
            path => serde_json::json!({"path": path, "value": f["value"]}),
        })
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({"corrections": list})).unwrap();
    let (status, answer) = host.post(
        &format!("/invoices/{id}/corrections"),
        "application/json",
        &body,
    );
    assert_eq!(status, 202, "{answer}");
    assert_eq!(host.final_status(&id)["status"], "REGISTERED");
}

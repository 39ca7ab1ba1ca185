//! The AWS backends (feature `aws`) against local stand-ins: moto's server for S3, SQS,
//! EventBridge and SES, and a fake of Textract's JSON protocol. Each backend alone first, then
//! a host process configured for all of them: an XML invoice registered and mailed, a scan read
//! by Textract, a poison scan dead-lettered after 3 receives and redriven.

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bmc_host::aws::{EventBridgeBus, S3Storage, SesMailer, SqsQueue, Textract};
use bmc_host::capability::{
    Attachment, EventBus, Mail, Mailer, OutboxEvent, Queue, QueueName, QueueSpec, TextSource,
};
use common::aws::{FakeTextract, Moto, drain, sdk_at, tap};
use common::child::{ChildHost, get_json, token};
use common::{request, root, runtime, scratch, wait_until};
use serde_json::{Value, json};

fn specs() -> Vec<QueueSpec> {
    QueueName::ALL.into_iter().map(QueueSpec::seed).collect()
}

fn event(name: &str, detail: Value) -> OutboxEvent {
    OutboxEvent {
        id: bmc_host::ids::random_id("evt"),
        name: name.into(),
        source: "bmc.invoice.service".into(),
        detail_type: "Invoice Validated".into(),
        detail,
        time: bmc_host::ids::now_rfc3339(),
    }
}

#[test]
fn eventbridge_takes_the_outbox_ten_at_a_time_and_work_goes_to_the_queues() {
    let moto = Moto::start();
    runtime().block_on(async {
        let sdk = moto.sdk().await;
        let url = tap(&sdk, "bmc-events", "bmc-events-tap").await;
        let queue = Arc::new(
            SqsQueue::open(aws_sdk_sqs::Client::new(&sdk), specs(), "", true)
                .await
                .unwrap(),
        );
        let bus = EventBridgeBus::new(
            aws_sdk_eventbridge::Client::new(&sdk),
            "bmc-events",
            Arc::clone(&queue) as Arc<dyn Queue>,
        );
        let mut events: Vec<OutboxEvent> = (0..23)
            .map(|i| {
                event(
                    "invoice.validated",
                    json!({"invoice_id": format!("inv_{i}")}),
                )
            })
            .collect();
        events.push(OutboxEvent {
            source: "bmc.invoice.service".into(),
            detail_type: "Invoice Uploaded".into(),
            ..event(
                "invoice.uploaded",
                json!({"invoice_id": "inv_x", "seller_nit": "890903938",
                       "document_sha256": "ab".repeat(32), "needs_ocr": false}),
            )
        });
        bus.put_events(&events).await.unwrap();

        // Every event on the bus, with its stable id, source and type.
        let delivered = drain(&sdk, &url).await;
        assert_eq!(delivered.len(), 24);
        let ids: BTreeSet<&str> = delivered
            .iter()
            .map(|e| e["detail"]["id"].as_str().unwrap())
            .collect();
        let sent: BTreeSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, sent);
        assert!(
            delivered
                .iter()
                .all(|e| e["source"] == "bmc.invoice.service")
        );
        assert_eq!(
            delivered
                .iter()
                .filter(|e| e["detail-type"] == "Invoice Uploaded")
                .count(),
            1
        );
        // The upload's work in the FIFO queue, in its seller's group.
        let work = queue
            .receive(QueueName::InvoiceProcessing, 10, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(work.len(), 1);
        assert_eq!(
            serde_json::from_str::<Value>(&work[0].body).unwrap(),
            json!({"invoice_id": "inv_x"})
        );
    });
}

fn fixture_invoice() -> Value {
    let text =
        std::fs::read_to_string(root().join("data/invoices/ocr/FEV-0004.textract.json")).unwrap();
    let invoice = bmc_core::invoice::ocr::from_textract(&text, &Default::default()).unwrap();
    serde_json::to_value(&invoice).unwrap()
}

#[test]
fn textract_reads_one_page_at_once_and_several_pages_from_s3() {
    let moto = Moto::start();
    let fake = FakeTextract::start();
    runtime().block_on(async {
        let textract_client = aws_sdk_textract::Client::new(&sdk_at(&fake.endpoint).await);
        let sdk = moto.sdk().await;
        let staging = S3Storage::new(S3Storage::client(&sdk, true), "bmc-textract", "", None);
        staging.ensure_bucket().await.unwrap();
        let textract = Textract::new(
            textract_client.clone(),
            Some(staging.clone()),
            Duration::from_millis(10),
        );
        let expected = fixture_invoice();

        // One page: DetectDocumentText with the bytes.
        let pdf = std::fs::read(root().join("data/invoices/FEV-0004.pdf")).unwrap();
        let read = textract.read(&pdf).await.unwrap();
        assert_eq!(read.engine, "textract");
        assert_eq!(fake.operations(), ["DetectDocumentText"]);
        let invoice =
            bmc_core::invoice::ocr::from_textract(&read.text, &Default::default()).unwrap();
        assert_eq!(serde_json::to_value(&invoice).unwrap(), expected);

        // Two pages: put in S3, read by a job, its results over two pages.
        let two_pages = b"%PDF-1.7\n1 0 obj << /Type /Pages /Count 2 >>\n\
                          2 0 obj << /Type /Page >>\n3 0 obj << /Type /Page >>\n%%EOF\n";
        let read = textract.read(two_pages).await.unwrap();
        assert_eq!(
            fake.operations()[1..],
            [
                "StartDocumentTextDetection",
                "GetDocumentTextDetection",
                "GetDocumentTextDetection",
                "GetDocumentTextDetection",
            ]
        );
        let invoice =
            bmc_core::invoice::ocr::from_textract(&read.text, &Default::default()).unwrap();
        assert_eq!(serde_json::to_value(&invoice).unwrap(), expected);
        let start = fake.calls.lock().unwrap()[1].request.clone();
        let object = &start["DocumentLocation"]["S3Object"];
        assert_eq!(object["Bucket"], "bmc-textract");
        let key = object["Name"].as_str().unwrap();
        assert_eq!(
            key,
            format!("documents/{}", bmc_host::ids::sha256_hex(two_pages))
        );
        use bmc_host::capability::Storage as _;
        assert_eq!(
            staging.get(key).await.unwrap().as_deref(),
            Some(&two_pages[..])
        );

        // Several pages and no bucket: a clear, permanent error.
        let without = Textract::new(textract_client, None, Duration::from_millis(10));
        let error = without.read(two_pages).await.unwrap_err();
        assert!(!error.transient);
        assert!(error.message.contains("[aws] bucket"), "{error}");

        // Textract failing on its side: transient (the OCR job is tried again).
        fake.failing.store(true, Ordering::SeqCst);
        let error = textract.read(&pdf).await.unwrap_err();
        assert!(error.transient, "{error}");
    });
}

#[test]
fn ses_sends_the_mail_with_its_attachment() {
    let moto = Moto::start();
    runtime().block_on(async {
        let sdk = moto.sdk().await;
        let ses = aws_sdk_sesv2::Client::new(&sdk);
        ses.create_email_identity()
            .email_identity("registro@bolsamercantil.example")
            .send()
            .await
            .unwrap();
        let mailer = SesMailer::new(ses, None);
        mailer
            .send(&Mail {
                message_id: "<CERT-1@bmc-host>".into(),
                from: "registro@bolsamercantil.example".into(),
                to: "contabilidad@example.com".into(),
                subject: "Certificado de registro".into(),
                body: "Adjunto el certificado.".into(),
                attachments: vec![Attachment {
                    filename: "CERT-1.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.7".to_vec(),
                }],
            })
            .await
            .unwrap();
    });
    let sent = moto.models("ses", "RawMessage");
    assert_eq!(sent.len(), 1, "{sent:?}");
    let raw = sent[0]["raw_data"].as_str().unwrap();
    assert!(raw.contains("To: contabilidad@example.com"), "{raw}");
    assert!(raw.contains("filename=\"CERT-1.pdf\""), "{raw}");
    assert_eq!(sent[0]["source"], "registro@bolsamercantil.example");
}

/// A host on S3, SQS, EventBridge, Textract and SES (state in SQLite under `data`).
fn write_config(data: &Path, name: &str) -> PathBuf {
    let path = data.join(format!("{name}.toml"));
    let rest = r#"
[queues]
visibility_seconds = 2
poll_milliseconds = 20
retry_milliseconds = 100

[backends]
storage = "s3"
queue = "sqs"
events = "eventbridge"
text = "textract"

[mail]
mode = "ses"

[aws]
bucket = "bmc-documents"
prefix = "bmc/"
create_resources = true
event_bus = "bmc-events"
textract_poll_milliseconds = 20

[analytics]
daily = false
s3 = "s3://bmc-documents/analytics/"
"#;
    common::child::write_config_file(&path, data, rest)
}

fn upload(base: &str, token: &str, path: &str, document: &[u8]) -> Value {
    let (status, body) = request(
        base,
        "POST",
        path,
        Some(token),
        Some("application/octet-stream"),
        document,
    );
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 202, "{answer}");
    answer
}

fn final_status(base: &str, token: &str, id: &str) -> Value {
    let mut last = Value::Null;
    wait_until(Duration::from_secs(120), || {
        last = get_json(base, token, &format!("/invoices/{id}/status"));
        matches!(
            last["status"].as_str(),
            Some("REGISTERED" | "NEEDS_REVIEW" | "REJECTED" | "FAILED")
        )
    });
    last
}

#[test]
fn a_host_on_aws_registers_reads_scans_mails_and_dead_letters() {
    let moto = Moto::start();
    let fake = FakeTextract::start();
    let events_url = runtime().block_on(async {
        let sdk = moto.sdk().await;
        aws_sdk_sesv2::Client::new(&sdk)
            .create_email_identity()
            .email_identity("registro@bolsamercantil.example")
            .send()
            .await
            .unwrap();
        tap(&sdk, "bmc-events", "bmc-events-tap").await
    });
    let data = scratch("aws-host");
    let host = ChildHost::start_with_env(&write_config(&data, "host"), &moto.env(Some(&fake)));
    let token = token(&data);

    // An XML invoice: registered, its certificate mailed through SES.
    let xml = std::fs::read(root().join("data/invoices/FEV-0005.xml")).unwrap();
    let answer = upload(
        &host.base,
        &token,
        "/invoices/upload?email=contabilidad@example.com",
        &xml,
    );
    let done = final_status(&host.base, &token, answer["invoice_id"].as_str().unwrap());
    assert_eq!(done["status"], "REGISTERED", "{done}");
    let certificate = done["certificate_id"].as_str().unwrap().to_string();
    let (status, pdf) = request(
        &host.base,
        "GET",
        &format!("/certificates/{certificate}/download"),
        Some(&token),
        None,
        b"",
    );
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"));
    wait_until(Duration::from_secs(30), || {
        !moto.models("ses", "RawMessage").is_empty()
    });
    let mail = moto.models("ses", "RawMessage")[0]["raw_data"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(mail.contains(&format!("filename=\"{certificate}.pdf\"")));

    // The objects are in S3, under the prefix, content-addressed.
    let keys: Vec<String> = runtime().block_on(async {
        let s3 = S3Storage::client(&moto.sdk().await, true);
        let listed = s3
            .list_objects_v2()
            .bucket("bmc-documents")
            .send()
            .await
            .unwrap();
        listed
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect()
    });
    let document_key = format!("bmc/documents/{}", bmc_host::ids::sha256_hex(&xml));
    assert!(keys.contains(&document_key), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("bmc/certificates/")));
    assert!(
        std::fs::read_dir(data.join("objects")).is_err(),
        "nothing on local disk"
    );

    // Textract down: the scan fails 3 times and its message lands in ocr-dlq.
    fake.failing.store(true, Ordering::SeqCst);
    let poison = std::fs::read(root().join("data/invoices/FEV-0004.pdf")).unwrap();
    let answer = upload(&host.base, &token, "/invoices/upload", &poison);
    let id = answer["invoice_id"].as_str().unwrap().to_string();
    let failed = final_status(&host.base, &token, &id);
    assert_eq!(failed["status"], "FAILED", "{failed}");
    let mut queues = Value::Null;
    wait_until(Duration::from_secs(60), || {
        queues = get_json(&host.base, &token, "/admin/queues");
        queues["queues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["dead_letter_queue"] == "ocr-dlq" && q["stats"]["dead_letters"] == 1)
    });
    // Back up, the redrive reads it with Textract.
    fake.failing.store(false, Ordering::SeqCst);
    let (status, body) = request(
        &host.base,
        "POST",
        "/admin/queues/ocr-dlq/redrive",
        Some(&token),
        Some("application/json"),
        b"",
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let mut after = Value::Null;
    wait_until(Duration::from_secs(60), || {
        after = get_json(&host.base, &token, &format!("/invoices/{id}/status"));
        matches!(
            after["status"].as_str(),
            Some("REGISTERED" | "NEEDS_REVIEW")
        )
    });
    let job = bmc_host::work::job_id_for(&id);
    let results = get_json(&host.base, &token, &format!("/ocr/{job}/results"));
    assert_eq!(results["results"]["engine"], "textract", "{results}");
    assert!(
        fake.operations()
            .contains(&"DetectDocumentText".to_string())
    );

    // Every event went to the bus, with its id.
    let delivered = runtime().block_on(async { drain(&moto.sdk().await, &events_url).await });
    let names: BTreeSet<&str> = delivered
        .iter()
        .map(|e| e["detail-type"].as_str().unwrap())
        .collect();
    for expected in [
        "Invoice Uploaded",
        "OCR Processing Complete",
        "Invoice Validated",
        "Commission Calculated",
    ] {
        assert!(names.contains(expected), "{names:?}");
    }
    // The day's analytics to S3, where Redshift's COPY reads them; the fee adds up.
    let config = data.join("host.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bmc-host"))
        .args(["--config", config.to_str().unwrap()])
        .args(["analytics-export", "--date", "2026-12-01"])
        .envs(moto.env(None))
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = "analytics/fact_commissions/date_key=20261201/fact_commissions-20261201.csv.gz";
    assert!(
        printed.contains(&format!("uploaded to s3://bmc-documents/{key}")),
        "{printed}"
    );
    let sum = moto.boto(&format!(
        r#"
import csv, gzip, io, decimal
body = client("s3").get_object(Bucket="bmc-documents", Key="{key}")["Body"].read()
rows = list(csv.DictReader(io.StringIO(gzip.decompress(body).decode())))
print(sum(decimal.Decimal(r["commission_amount"]) for r in rows))
"#
    ));
    let fees: rust_decimal::Decimal = printed
        .split("commission ")
        .nth(1)
        .unwrap()
        .trim()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(fees > rust_decimal::Decimal::ZERO, "{printed}");
    assert_eq!(sum.trim().parse::<rust_decimal::Decimal>().unwrap(), fees);

    host.kill();
    std::fs::remove_dir_all(&data).unwrap();
}

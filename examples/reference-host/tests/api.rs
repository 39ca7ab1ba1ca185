//! The API end to end on the embedded defaults: roles on every route, an upload through
//! registration to its certificate, mail and events, scans, and bad requests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bmc_host::Config;
use bmc_host::auth::{Permission, Role};
use common::{TestHost, config, request, scratch};
use serde_json::Value;

fn problem(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

#[test]
fn every_route_refuses_a_missing_token_and_a_role_it_does_not_allow() {
    let data = scratch("roles");
    // Every route live, the development sign-in too.
    let mut settings = config(&data);
    settings.auth.dev_sign_in = true;
    let host = TestHost::start(settings);
    let routes = bmc_host::api::routes(&host.host);
    assert!(routes.len() >= 24);
    let forged = bmc_host::auth::issue_hs256(
        b"not the secret",
        "x",
        Role::Admin,
        chrono::Utc::now().timestamp(),
        600,
        None,
    );
    for (spec, _) in routes {
        let path = spec
            .path
            .replace("{id}", "x")
            .replace("{job_id}", "x")
            .replace("{code}", "x")
            .replace("{dian_code}", "09")
            .replace("{invoice_id}", "x")
            .replace("{queue}", "invoice-dlq");
        let call = |token: Option<&str>| {
            request(
                &host.base,
                spec.method,
                &path,
                token,
                Some("application/json"),
                b"{}",
            )
        };
        if spec.permission == Permission::Public {
            let (status, _) = call(None);
            assert!(status < 400, "{} {path}: {status}", spec.method);
            continue;
        }
        let (status, body) = call(None);
        assert_eq!(status, 401, "{} {path} without a token", spec.method);
        assert_eq!(problem(&body)["code"], "HOST_UNAUTHORIZED");
        let (status, _) = call(Some(&forged));
        assert_eq!(status, 401, "{} {path} with a forged token", spec.method);
        for role in [Role::External, Role::Viewer, Role::Operator, Role::Admin] {
            let (status, body) = call(Some(&host.token(role)));
            if role.allows(spec.permission) {
                assert!(
                    status != 401 && status != 403,
                    "{} {path} as {role:?}: {status}",
                    spec.method
                );
            } else {
                assert_eq!(status, 403, "{} {path} as {role:?}", spec.method);
                assert_eq!(problem(&body)["code"], "HOST_FORBIDDEN");
            }
        }
    }
}

#[test]
fn an_upload_is_registered_once_with_its_commission_certificate_mail_and_events() {
    let data = scratch("flow");
    let host = TestHost::start(config(&data));
    let xml = std::fs::read(common::root().join("data/invoices/FEV-0005.xml")).unwrap();

    let (status, first) = host.post(
        "/invoices/upload?email=tesoreria@example.com",
        "application/xml",
        &xml,
    );
    assert_eq!(status, 202, "{first}");
    let id = first["invoice_id"].as_str().unwrap().to_string();
    assert_eq!(first["status"], "PENDING");
    // The same bytes again: the same invoice.
    let (status, again) = host.upload(&xml);
    assert_eq!(status, 200);
    assert_eq!(again["invoice_id"], id.as_str());
    assert_eq!(again["duplicate"], true);

    let done = host.final_status(&id);
    assert_eq!(done["status"], "REGISTERED", "{done}");
    let registration_id = done["registration_id"].as_str().unwrap();
    assert!(registration_id.starts_with("RF-20261201-"));

    let (status, details) = host.get_json(&format!("/invoices/{id}/details"));
    assert_eq!(status, 200);
    let registration = &details["registration"];
    assert_eq!(registration["registration_id"], registration_id);
    assert_eq!(registration["invoice"]["number"], "SETP990000005");
    assert!(
        registration["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["product"].is_object() || l["kind"].is_string())
    );
    for finding in registration["findings"].as_array().unwrap() {
        assert!(finding["message_es"].is_string() && finding["message_en"].is_string());
    }
    let fee = registration["commission"]["total"].as_str().unwrap();
    assert!(fee.parse::<rust_decimal::Decimal>().unwrap() > rust_decimal::Decimal::ZERO);
    assert!(
        !registration["commission"]["trace"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let (status, commission) = host.get_json(&format!("/commissions/{id}"));
    assert_eq!(status, 200);
    assert_eq!(commission["commission"]["total"], fee);
    let (status, recomputed) = host.post(
        "/commissions/calculate",
        "application/json",
        format!(r#"{{"invoice_id":"{id}"}}"#).as_bytes(),
    );
    assert_eq!(status, 200);
    assert_eq!(recomputed["commission"]["total"], fee);

    // The certificate: answered by generate, downloaded as a PDF, mailed once.
    let certificate_id = done["certificate_id"].as_str().unwrap().to_string();
    let (status, generated) = host.post(
        "/certificates/generate",
        "application/json",
        format!(r#"{{"invoice_id":"{id}"}}"#).as_bytes(),
    );
    assert_eq!(status, 200, "{generated}");
    assert_eq!(
        generated["certificate"]["certificate_id"],
        certificate_id.as_str()
    );
    let (status, pdf) = host.get(
        &format!("/certificates/{certificate_id}/download"),
        Some(&host.token(Role::Viewer)),
    );
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));
    let outbox = data.join("outbox");
    common::wait_until(std::time::Duration::from_secs(30), || {
        std::fs::read_dir(&outbox)
            .map(|d| d.count() == 1)
            .unwrap_or(false)
    });
    let (status, _) = host.post(
        &format!("/certificates/{certificate_id}/email"),
        "application/json",
        br#"{"to":"auditoria@example.com"}"#,
    );
    assert_eq!(status, 202);
    common::wait_until(std::time::Duration::from_secs(30), || {
        std::fs::read_dir(&outbox)
            .map(|d| d.count() == 2)
            .unwrap_or(false)
    });
    let mails: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        mails
            .iter()
            .any(|m| m.contains("To: tesoreria@example.com"))
    );
    assert!(
        mails
            .iter()
            .all(|m| m.contains("Content-Type: application/pdf")
                && m.contains(&format!("filename=\"{certificate_id}.pdf\"")))
    );

    // The same invoice as a PDF: read from its text layer, refused as already registered.
    let pdf = std::fs::read(common::root().join("data/invoices/FEV-0005.pdf")).unwrap();
    let (status, scan) = host.upload(&pdf);
    assert_eq!(status, 202);
    let scan_id = scan["invoice_id"].as_str().unwrap();
    let refused = host.final_status(scan_id);
    assert_eq!(refused["status"], "REJECTED", "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .starts_with("CUFE_ALREADY_REGISTERED"),
        "{refused}"
    );

    // The seed's events, each delivered with its id, in the log.
    common::wait_until(std::time::Duration::from_secs(10), || {
        std::fs::read_to_string(data.join("events.jsonl"))
            .is_ok_and(|t| t.contains("invoice.ocr.completed"))
    });
    let log = std::fs::read_to_string(data.join("events.jsonl")).unwrap();
    let events: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (name, source, detail_type) in [
        (
            "invoice.uploaded",
            "bmc.invoice.service",
            "Invoice Uploaded",
        ),
        (
            "invoice.ocr.completed",
            "bmc.ocr.service",
            "OCR Processing Complete",
        ),
        (
            "invoice.validated",
            "bmc.invoice.service",
            "Invoice Validated",
        ),
        (
            "commission.calculated",
            "bmc.commission.service",
            "Commission Calculated",
        ),
    ] {
        let event = events
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"));
        assert_eq!(event["source"], source);
        assert_eq!(event["detail_type"], detail_type);
        assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    }

    // Listing with filters and paging.
    let (_, page) = host.get_json("/invoices?limit=1");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let next = page["next"].as_str().unwrap();
    let (_, rest) = host.get_json(&format!("/invoices?limit=5&after={next}"));
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next"].is_null());
    let (_, registered) = host.get_json("/invoices?status=REGISTERED");
    assert_eq!(registered["items"][0]["invoice_id"], id.as_str());

    // Metrics carry the KPIs.
    let (status, metrics) = host.get("/metrics", None);
    assert_eq!(status, 200);
    let metrics = String::from_utf8(metrics).unwrap();
    for kpi in [
        "bmc_invoice_processing_seconds_bucket",
        "bmc_http_requests_total",
        "bmc_queue_messages",
        "bmc_queue_dead_letters",
        "bmc_invoices{status=\"REGISTERED\"} 1",
        "bmc_ocr_fields_total",
    ] {
        assert!(metrics.contains(kpi), "no {kpi} in\n{metrics}");
    }
}

#[test]
fn the_catalog_rules_and_commission_routes_answer_from_the_library() {
    let data = scratch("library");
    let host = TestHost::start(config(&data));
    let (status, found) = host.get_json("/products/search?q=cafe&limit=3");
    assert_eq!(status, 200);
    let first = &found["items"][0]["product"];
    let code = first["product_code"].as_str().unwrap();
    let (status, product) = host.get_json(&format!("/products/{code}"));
    assert_eq!(status, 200);
    assert_eq!(product["product_code"], code);
    let class = first["dian_classification"].as_str().unwrap();
    let (status, page) = host.get_json(&format!("/products/classification/{}", &class[..4]));
    assert_eq!(status, 200, "{page}");
    assert!(!page["products"].as_array().unwrap().is_empty());
    let (status, missing) = host.get_json("/products/NO-SUCH-CODE");
    assert_eq!(
        (status, missing["code"].as_str()),
        (404, Some("HOST_NOT_FOUND"))
    );
    let (status, rules) = host.get_json("/commissions/rules/current");
    assert_eq!(status, 200);
    assert!(rules["label"].is_string());
    let (status, fee) = host.post(
        "/commissions/calculate",
        "application/json",
        br#"{"issue_date":"2026-10-01","lines":[{"tariff_code":"0901.11.90.00","base":"10000000.00"}]}"#,
    );
    assert_eq!(status, 200, "{fee}");
    assert_eq!(fee["eligible"], true, "{fee}");
    let total: rust_decimal::Decimal = fee["total"].as_str().unwrap().parse().unwrap();
    assert!(total > rust_decimal::Decimal::ZERO, "{fee}");
    let (status, reload) = host.post("/admin/rules/reload", "application/json", b"");
    assert_eq!(status, 200, "{reload}");
    let (status, reload) = host.post("/admin/catalog/reload", "application/json", b"");
    assert_eq!((status, reload["products"].as_u64()), (200, Some(20_000)));
    let (status, api) = host.get_json("/openapi.json");
    assert_eq!(status, 200);
    assert_eq!(api["openapi"], "3.1.0");
    for path in [
        "/invoices/upload",
        "/ocr/{job_id}/results",
        "/certificates/{id}/download",
        "/admin/queues/{queue}/redrive",
    ] {
        assert!(api["paths"][path].is_object(), "{path}");
    }
}

/// A bad request: method, path, content type, body, and the status and code it answers.
type Case<'a> = (&'a str, &'a str, Option<&'a str>, Vec<u8>, u16, &'a str);

#[test]
fn bad_requests_are_problems_and_nothing_is_written() {
    let data = scratch("bad");
    let mut settings = config(&data);
    settings.max_upload_bytes = 64 * 1024;
    let host = TestHost::start(settings);
    let token = host.token(Role::Operator);
    let call = |method: &str, path: &str, content_type: Option<&str>, body: &[u8]| {
        let (status, body) = request(&host.base, method, path, Some(&token), content_type, body);
        (
            status,
            problem(&body)["code"].as_str().unwrap_or("").to_string(),
        )
    };
    let hostile = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Invoice>&lol2;</Invoice>"#;
    let cases: Vec<Case<'_>> = vec![
        (
            "POST",
            "/invoices/upload",
            None,
            Vec::new(),
            400,
            "HOST_BODY_MISSING",
        ),
        (
            "POST",
            "/invoices/upload",
            Some("application/xml"),
            vec![b'<'; 70 * 1024],
            413,
            "HOST_BODY_TOO_LARGE",
        ),
        (
            "POST",
            "/invoices/upload",
            Some("application/xml"),
            hostile.to_vec(),
            422,
            "INVOICE_XML_REFUSED",
        ),
        (
            "POST",
            "/invoices/upload",
            Some("application/xml"),
            b"<Invoice><unclosed></Invoice>".to_vec(),
            422,
            "",
        ),
        (
            "POST",
            "/invoices/upload",
            Some("text/plain"),
            b"hello".to_vec(),
            415,
            "HOST_UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "POST",
            "/invoices/upload",
            Some("multipart/form-data; boundary=x"),
            b"--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--x--\r\n".to_vec(),
            400,
            "HOST_BODY_MISSING",
        ),
        (
            "POST",
            "/invoices/upload?email=not-an-address",
            Some("application/xml"),
            b"<x/>".to_vec(),
            400,
            "HOST_INVALID_PARAMETER",
        ),
        (
            "POST",
            "/commissions/calculate",
            Some("application/json"),
            b"{\"issue_date\": ".to_vec(),
            400,
            "HOST_INVALID_JSON",
        ),
        (
            "POST",
            "/commissions/calculate",
            Some("text/plain"),
            b"{}".to_vec(),
            415,
            "HOST_UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "POST",
            "/commissions/calculate",
            Some("application/json"),
            br#"{"issue_date":"2026-10-01","lines":[{"base":"-5"}]}"#.to_vec(),
            422,
            "",
        ),
        (
            "POST",
            "/certificates/generate",
            Some("application/json"),
            br#"{"invoice_id":"inv_missing"}"#.to_vec(),
            404,
            "HOST_NOT_FOUND",
        ),
        (
            "POST",
            "/certificates/CERT-X/email",
            Some("application/json"),
            br#"{"to":"a@example.com"}"#.to_vec(),
            404,
            "HOST_NOT_FOUND",
        ),
        (
            "GET",
            "/invoices/inv_missing/status",
            None,
            Vec::new(),
            404,
            "HOST_NOT_FOUND",
        ),
        (
            "GET",
            "/invoices/inv_missing/details",
            None,
            Vec::new(),
            404,
            "HOST_NOT_FOUND",
        ),
        (
            "GET",
            "/ocr/ocr_missing/status",
            None,
            Vec::new(),
            404,
            "HOST_NOT_FOUND",
        ),
        (
            "GET",
            "/invoices?status=DONE",
            None,
            Vec::new(),
            400,
            "HOST_INVALID_PARAMETER",
        ),
        (
            "GET",
            "/invoices?limit=0",
            None,
            Vec::new(),
            400,
            "HOST_INVALID_PARAMETER",
        ),
        (
            "GET",
            "/products/search?q=caf%C3%A9&limit=100000",
            None,
            Vec::new(),
            422,
            "CATALOG_QUERY_INVALID",
        ),
        (
            "GET",
            "/no/such/route",
            None,
            Vec::new(),
            404,
            "HOST_NOT_FOUND",
        ),
    ];
    for (method, path, content_type, body, status, code) in cases {
        let (got, got_code) = call(method, path, content_type, &body);
        assert_eq!(got, status, "{method} {path} ({got_code})");
        assert!(
            code.is_empty() || got_code == code,
            "{method} {path}: {got_code}, not {code}"
        );
        assert!(!got_code.is_empty(), "{method} {path}: no problem code");
    }
    let (_, list) = host.get_json("/invoices");
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        0,
        "nothing half-written"
    );
    assert!(!data.join("objects").exists(), "no document stored");
}

#[test]
fn every_change_and_admin_action_is_in_the_audit_log_and_the_cli_finds_an_edit() {
    let data = scratch("audit");
    let host = TestHost::start(config(&data));
    let xml = std::fs::read(common::root().join("data/invoices/FEV-0005.xml")).unwrap();
    let (status, first) = host.upload(&xml);
    assert_eq!(status, 202, "{first}");
    let id = first["invoice_id"].as_str().unwrap().to_string();
    assert_eq!(host.final_status(&id)["status"], "REGISTERED");
    let (status, _) = host.post(
        "/admin/queues/ocr-processing-queue/redrive",
        "application/json",
        b"",
    );
    assert_eq!(status, 200);

    let (status, on_invoice) = host.get_json(&format!("/admin/audit?subject={id}"));
    assert_eq!(status, 200);
    let entries = on_invoice["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["invoice.uploaded", "invoice.processed"]);
    let upload = &entries[0];
    assert_eq!(upload["who"], "test");
    assert_eq!(upload["role"], "admin");
    assert_eq!(upload["from"], "127.0.0.1");
    let processed: Value = serde_json::from_str(entries[1]["detail"].as_str().unwrap()).unwrap();
    assert_eq!(processed["to"], "REGISTERED");
    assert_eq!(entries[1]["who"], "system:registration");
    let (_, all) = host.get_json("/admin/audit?limit=1000");
    let last = all["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "admin.queue.redrive");
    assert_eq!(last["subject"], "ocr-processing-queue");
    let (_, report) = host.get_json("/admin/audit/verify");
    assert_eq!(report["intact"], true, "{report}");
    let head = format!(
        "{}:{}",
        report["entries"],
        report["head_hash"].as_str().unwrap()
    );
    host.stop();

    // The command line checks the same log, and finds an entry edited behind its back.
    let file = common::child::write_config_file(&data.join("host.toml"), &data, "");
    let verify = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_bmc-host"))
            .arg("--config")
            .arg(&file)
            .args(["audit", "verify"])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, out) = verify(&["--expect", &head]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("audit log intact"), "{out}");
    let db = rusqlite::Connection::open(data.join("state.sqlite")).unwrap();
    db.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET who = 'someone-else' WHERE seq = 1;",
    )
    .unwrap();
    let (code, out) = verify(&[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 1"), "{out}");
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn the_console_is_served_and_its_development_sign_in_only_on_loopback() {
    let data = scratch("console");
    let mut settings = config(&data);
    settings.auth.dev_sign_in = true;
    let host = TestHost::start(settings);
    let (status, page) = host.get("/", None);
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("/assets/console.js"), "{page}");
    let (status, script) = host.get("/assets/console.js", None);
    assert_eq!(status, 200);
    assert!(script.len() > 100_000);

    // A token for a chosen role, which the API then takes.
    let (status, signed) = host.post(
        "/auth/dev-token",
        "application/json",
        br#"{"role":"operator","name":"ana"}"#,
    );
    assert_eq!(status, 200, "{signed}");
    let token = signed["token"].as_str().unwrap();
    let (status, me) = request(&host.base, "GET", "/auth/me", Some(token), None, b"");
    assert_eq!(status, 200);
    let me: Value = serde_json::from_slice(&me).unwrap();
    assert_eq!(me["subject"], "dev:ana");
    assert_eq!(me["role"], "operator");
    assert_eq!(me["may"]["write"], true);
    assert_eq!(me["may"]["admin"], false);
    let (status, body) = host.post("/auth/dev-token", "application/json", br#"{"role":"root"}"#);
    assert_eq!(status, 400, "{body}");
    // Not through a proxy.
    let (status, _) = common::request_with(
        &host.base,
        "POST",
        "/auth/dev-token",
        &[
            ("X-Forwarded-For", "203.0.113.9"),
            ("Content-Type", "application/json"),
        ],
        b"{}",
    );
    assert_eq!(status, 404);
    host.stop();

    // Off by default, and on an address beyond loopback.
    for (listen, offered) in [
        ("127.0.0.1:0", Config::default().auth.dev_sign_in),
        ("0.0.0.0:0", true),
    ] {
        let mut settings = config(&data);
        settings.listen = listen.into();
        settings.auth.dev_sign_in = offered;
        let host = TestHost::start(settings);
        let (status, body) = host.post("/auth/dev-token", "application/json", b"{}");
        assert_eq!(status, 404, "{listen}: {body}");
        host.stop();
    }
    let _ = std::fs::remove_dir_all(&data);
}

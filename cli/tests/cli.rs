//! The `bmc` binary as a user runs it: output, exit status, and one clear stderr line on bad
//! input.

#![allow(clippy::expect_used)]

use std::process::{Command, Output};

fn bmc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bmc"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("bmc runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn validate_sample_file_reports_every_row() {
    let out = bmc(&["validate", "data/samples/identifiers.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("valid  800.197.268-4"), "{text}");
    assert!(text.contains("INVALID NIT_INVALID_CHECKSUM"), "{text}");
    assert!(text.contains("INVALID TARIFF_CHAPTER_UNKNOWN"), "{text}");
    assert!(text.contains("valid  0901.11.90.00"), "{text}");
    assert!(
        text.contains("16 identifiers: 9 valid, 7 invalid"),
        "{text}"
    );
    let strict = bmc(&["validate", "--strict", "data/samples/identifiers.csv"]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn validate_missing_file_is_one_clear_line() {
    let out = bmc(&["validate", "no/such/file.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("bmc: CLI_INVALID_CSV: no/such/file.csv"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn nit_commands() {
    let out = bmc(&["nit", "check", "800.197.268-4", "8001972685"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("800.197.268-4\tvalid"));
    assert!(text.contains("8001972685\tinvalid\tNIT_INVALID_CHECKSUM"));
    assert_eq!(stdout(&bmc(&["nit", "dv", "800.197.268"])).trim(), "4");
    assert_eq!(
        stdout(&bmc(&["nit", "format", "8001972684"])).trim(),
        "800.197.268-4"
    );
    let bad = bmc(&["nit", "format", "80019726"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).starts_with("bmc: NIT_INVALID_CHECKSUM:"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn code_check_describes_a_subpartida() {
    let out = bmc(&["code", "check", "--scheme", "020", "0901119000"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("0901.11.90.00\t020\tvalid"), "{text}");
    assert!(
        text.contains("Coffee; not roasted or decaffeinated"),
        "{text}"
    );
    let bad = bmc(&["code", "check", "--scheme", "020", "7701000000"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).starts_with("bmc: TARIFF_CHAPTER_UNKNOWN:"));
}

const ANNEX_CUFE: &str = "8bb918b19ba22a694f1da11c643b5e9de39adf60311cf179179e9b33381030bcd4c3c3f156c506ed5908f9276f5bd9b4";

#[test]
fn cufe_from_flags_and_json() {
    let flags = [
        "cufe",
        "--number",
        "323200000129",
        "--issue-date",
        "2019-01-16",
        "--issue-time",
        "10:53:10-05:00",
        "--subtotal",
        "1500000.00",
        "--iva",
        "285000.00",
        "--total",
        "1785000.00",
        "--seller-nit",
        "700085371",
        "--buyer-id",
        "800199436",
        "--key",
        "693ff6f2a553c3646a063436fd4dd9ded0311471",
    ];
    let out = bmc(&flags);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), ANNEX_CUFE);

    let mut verify = flags.to_vec();
    verify.extend(["--verify", "00"]);
    let bad = bmc(&verify);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).starts_with("bmc: CUFE_INVALID_FORMAT:"));

    let dir = std::env::temp_dir().join(format!("bmc-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let json = dir.join("annex.json");
    std::fs::write(
        &json,
        r#"{"number":"323200000129","issue_date":"2019-01-16","issue_time":"10:53:10-05:00",
            "subtotal":"1500000.00","iva":"285000.00","inc":"0.00","ica":"0.00",
            "total":"1785000.00","seller_nit":"700085371","buyer_id":"800199436",
            "key":"693ff6f2a553c3646a063436fd4dd9ded0311471","environment":"1"}"#,
    )
    .expect("write json");
    let out = bmc(&[
        "cufe",
        "--json",
        json.to_str().expect("utf-8 path"),
        "--verify",
        ANNEX_CUFE,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), format!("{ANNEX_CUFE}\tverified"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn commission_calculate_from_json() {
    let dir = std::env::temp_dir().join(format!("bmc-cli-commission-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let json = dir.join("invoice.json");
    std::fs::write(
        &json,
        r#"{"issue_date": "2026-03-01", "lines": [
            {"id": "1", "tariff_code": "0901119000", "base": "1250000000.00"},
            {"id": "2", "tariff_code": "8433510000", "base": "5000000.00"}]}"#,
    )
    .expect("write json");
    let path = json.to_str().expect("utf-8 path");
    let out = bmc(&["commission", "calculate", path, "--trace"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("registro-facturas 2026-01-01"), "{text}");
    assert!(text.contains("593.750,00"), "{text}");
    assert!(text.contains("112.813,00"), "{text}");
    assert!(text.contains("no elegible: el capítulo 84"), "{text}");
    assert!(text.contains("group.cafe.tier.2.amount"), "{text}");

    let out = bmc(&[
        "commission",
        "calculate",
        path,
        "--json",
        "--as-of",
        "2025-06-01",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(value["rule_set"]["version"], "2025-01-01");
    assert_eq!(value["fee"], "950000");

    let out = bmc(&["commission", "calculate", path, "--as-of", "2024-01-01"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("bmc: RULESET_NOT_IN_FORCE:"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rules_commands() {
    let out = bmc(&["rules", "test", "rules"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("coverage 2026-01-01: 7/7"), "{text}");
    assert!(
        text.lines().any(|l| l.ends_with("passed, 0 failed")),
        "{text}"
    );

    let list = stdout(&bmc(&["rules", "list"]));
    assert!(
        list.contains("2025-01-01") && list.contains("2026-01-01"),
        "{list}"
    );
    let show = stdout(&bmc(&["rules", "show", "2026-01-01"]));
    assert!(show.contains("heading 0901"), "{show}");
    let bad = bmc(&["rules", "show", "2030-01-01"]);
    assert!(
        stderr(&bad).starts_with("bmc: RULESET_UNKNOWN_VERSION:"),
        "{}",
        stderr(&bad)
    );
    let current = stdout(&bmc(&["rules", "current"]));
    assert!(current.contains("\tregistro-facturas\t"), "{current}");
}

#[test]
fn invoice_read_prints_and_writes_json() {
    let out = bmc(&["invoice", "read", "data/invoices/FEV-0004.xml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Invoice SETP990000004"), "{text}");
    assert!(text.contains("source AttachedDocument"), "{text}");
    let json = bmc(&["invoice", "read", "--json", "data/invoices/FEV-0002.xml"]);
    let read: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../data/invoices/FEV-0002.json"
        ))
        .expect("truth"),
    )
    .expect("truth JSON");
    assert_eq!(read, truth);
    let ocr = bmc(&[
        "invoice",
        "read",
        "data/invoices/ocr/FEV-0002.tesseract.tsv",
        "--qr",
        "data/invoices/ocr/FEV-0002.qr.txt",
    ]);
    assert!(
        stdout(&ocr).contains("source Tesseract"),
        "{}",
        stdout(&ocr)
    );
}

#[test]
fn invoice_validate_exits_2_when_not_registrable() {
    let ok = bmc(&[
        "invoice",
        "validate",
        "data/invoices/FEV-0005.xml",
        "--date",
        "2026-09-10",
        "--environment",
        "test",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("registrable"));
    let bad = bmc(&[
        "invoice",
        "validate",
        "--json",
        "data/invoices/faulty/wrong-check-digit.xml",
        "--date",
        "2026-11-29",
        "--environment",
        "test",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&bad.stdout).expect("JSON");
    assert_eq!(report["registrable"], false);
    assert_eq!(report["findings"][0]["code"], "NIT_CHECK_DIGIT");
    assert!(
        report["findings"][0]["message_es"]
            .as_str()
            .expect("es")
            .contains("dígito")
    );
}

#[test]
fn invoice_read_refuses_what_it_cannot_read() {
    let out = bmc(&["invoice", "read", "data/samples/identifiers.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("INVOICE_UNRECOGNIZED_FORMAT"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn process_registers_the_samples_and_writes_certificates() {
    let out = std::env::temp_dir().join(format!("bmc-process-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = bmc(&[
        "process",
        "data/invoices",
        "--out",
        out.to_str().expect("path"),
        "--date",
        "2026-11-29",
        "--environment",
        "test",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let text = stdout(&run);
    assert!(
        text.contains("20 documents: 18 registered, 2 not registrable, 0 unreadable; commissions with IVA 5.405.624,00"),
        "{text}"
    );
    assert!(text.contains("FEV-0005       SETP990000005"), "{text}");
    assert!(text.contains("133.392,00"), "{text}");
    let pdf = std::fs::read(out.join("FEV-0005.pdf")).expect("certificate");
    assert!(pdf.starts_with(b"%PDF-"));
    let registration: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("FEV-0005.registration.json")).expect("registration"),
    )
    .expect("JSON");
    assert_eq!(registration["commission"]["total"], "133392");
    let events = std::fs::read_to_string(out.join("events.jsonl")).expect("events");
    assert_eq!(events.lines().count(), 20 * 2 + 18);
    // A second run reuses the index and writes the same certificate.
    let again = bmc(&[
        "process",
        "data/invoices",
        "--out",
        out.to_str().expect("path"),
        "--date",
        "2026-11-29",
        "--environment",
        "test",
    ]);
    assert!(again.status.success());
    assert_eq!(
        std::fs::read(out.join("FEV-0005.pdf")).expect("certificate"),
        pdf
    );
    std::fs::remove_dir_all(&out).expect("cleanup");
}

#[test]
fn process_reports_each_entry_it_cannot_read_and_processes_the_rest() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::temp_dir().join(format!("bmc-process-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let folder = dir.join("in");
    std::fs::create_dir_all(folder.join("a-folder.xml")).expect("folder");
    std::fs::copy(
        root.join("data/invoices/FEV-0005.xml"),
        folder.join("b-good.xml"),
    )
    .expect("copy");
    std::os::unix::fs::symlink(folder.join("nowhere.xml"), folder.join("c-dangling.xml"))
        .expect("link");
    std::os::unix::fs::symlink(folder.join("d-loop.xml"), folder.join("d-loop.xml")).expect("loop");
    std::fs::write(folder.join("e-garbage.xml"), "<Order/>").expect("write");
    let out = dir.join("out");
    let run = bmc(&[
        "process",
        folder.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--date",
        "2026-09-10",
        "--environment",
        "test",
        "--no-pdf",
    ]);
    let text = stdout(&run);
    assert_eq!(run.status.code(), Some(2), "{text}{}", stderr(&run));
    assert!(
        text.contains("a-folder       skipped: CLI_READ_FAILED"),
        "{text}"
    );
    assert!(
        text.contains("c-dangling     skipped: CLI_READ_FAILED"),
        "{text}"
    );
    assert!(
        text.contains("d-loop         skipped: CLI_READ_FAILED"),
        "{text}"
    );
    assert!(
        text.contains("e-garbage      skipped: INVOICE_UNKNOWN_DOCUMENT"),
        "{text}"
    );
    assert!(text.contains("b-good         SETP990000005"), "{text}");
    assert!(
        text.contains("5 documents: 1 registered, 0 not registrable, 4 unreadable"),
        "{text}"
    );
    assert!(out.join("b-good.registration.json").exists());
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn inputs_are_bounded_while_reading() {
    let out = bmc(&["invoice", "read", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("bmc: CLI_INPUT_TOO_LARGE: /dev/zero"),
        "{err}"
    );
    let out = bmc(&["commission", "calculate", "/dev/zero"]);
    assert!(
        stderr(&out).starts_with("bmc: CLI_INPUT_TOO_LARGE"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_failure_line_carries_a_code() {
    for (args, code) in [
        (&["cufe", "--json", "no/such.json"][..], "CLI_READ_FAILED"),
        (
            &["commission", "calculate", "Cargo.toml"][..],
            "CLI_INVALID_JSON",
        ),
        (&["invoice", "read", "no/such.xml"][..], "CLI_READ_FAILED"),
        (&["code", "describe", "abc"][..], "CLI_INVALID_ARGUMENT"),
    ] {
        let out = bmc(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("bmc: {code}: ")),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

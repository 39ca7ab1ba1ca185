//! `bmc-host retention purge` as an operator runs it: a cutoff younger than the retention
//! period is refused before anything is opened; an allowed one deletes only what is that old.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{TestHost, config, scratch};

fn purge(config: &std::path::Path, before: &str) -> (i32, String) {
    purge_with(config, before, &[])
}

fn purge_with(config: &std::path::Path, before: &str, more: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bmc-host"))
        .arg("--config")
        .arg(config)
        .args([
            "retention",
            "purge",
            "--before",
            before,
            "--by",
            "archivo@bmc",
        ])
        .args(more)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn a_purge_younger_than_seven_years_is_refused_and_an_older_one_keeps_todays_invoices() {
    let data = scratch("retention");
    let host = TestHost::start(config(&data));
    let xml = std::fs::read(common::root().join("data/invoices/FEV-0005.xml")).unwrap();
    let (_, uploaded) = host.upload(&xml);
    let id = uploaded["invoice_id"].as_str().unwrap().to_string();
    assert_eq!(host.final_status(&id)["status"], "REGISTERED");
    host.stop();

    let file = common::child::write_config_file(&data.join("host.toml"), &data, "");
    let a_year_ago = (chrono::Utc::now() - chrono::Duration::days(365))
        .format("%Y-%m-%d")
        .to_string();
    let (code, out) = purge(&file, &a_year_ago);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("RETENTION_REFUSED"), "{out}");
    assert!(out.contains("kept 7 years"), "{out}");

    let (code, out) = purge_with(&file, "2019-01-01", &["--dry-run"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("dry run: would purge 0 invoices"), "{out}");
    // A dry run is refused a young cutoff too.
    let (code, _) = purge_with(&file, &a_year_ago, &["--dry-run"]);
    assert_eq!(code, 2);

    let (code, out) = purge(&file, "2019-01-01");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("purged 0 invoices"), "{out}");

    // Still there, with its certificate.
    let host = TestHost::start(config(&data));
    let (status, details) = host.get_json(&format!("/invoices/{id}/details"));
    assert_eq!(status, 200);
    assert!(details["registration"].is_object());
    host.stop();
    let _ = std::fs::remove_dir_all(&data);
}

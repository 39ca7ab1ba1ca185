//! The analytics export: the sample invoices registered, the day's `fact_commissions` written
//! as gzip CSV, its rows adding up to each registration's fee; on PostgreSQL (feature
//! `postgres`), the file loaded with `COPY` into the seed's table and its sums checked against
//! the registrations in SQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::io::Read as _;

use bmc_host::Config;
use common::{TestHost, config, root, scratch};
use rust_decimal::Decimal;

/// Uploads the sample XML invoices and waits for each to be final; answers the registered
/// ones' registration ids with their fees.
fn register_samples(host: &TestHost) -> BTreeMap<String, Decimal> {
    let mut fees = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(root().join("data/invoices"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    for file in files {
        let (status, answer) = host.upload(&std::fs::read(&file).unwrap());
        assert_eq!(status, 202, "{}: {answer}", file.display());
        let done = host.final_status(answer["invoice_id"].as_str().unwrap());
        if done["status"] == "REGISTERED" {
            let id = done["invoice_id"].as_str().unwrap();
            let (_, commission) = host.get_json(&format!("/commissions/{id}"));
            let fee = commission["commission"]["fee"]
                .as_str()
                .unwrap_or_else(|| panic!("no fee in {commission}"));
            fees.insert(
                done["registration_id"].as_str().unwrap().to_string(),
                fee.parse().unwrap(),
            );
        }
    }
    assert!(fees.len() >= 10, "{} registered", fees.len());
    fees
}

/// The export of the test date, read back: its header and rows.
fn read_export(path: &std::path::Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    (header, reader.records().map(Result::unwrap).collect())
}

fn export(host: &TestHost, dir: &std::path::Path) -> bmc_host::analytics::Export {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(bmc_host::analytics::export_day(
            host.host.caps.state.as_ref(),
            "2026-12-01".parse().unwrap(),
            dir,
        ))
        .unwrap()
}

fn no_daily_export(mut settings: Config) -> Config {
    settings.analytics.daily = false;
    settings
}

#[test]
fn the_days_facts_add_up_to_each_registrations_fee() {
    let data = scratch("analytics");
    let host = TestHost::start(no_daily_export(config(&data)));
    let fees = register_samples(&host);
    let export = export(&host, &data.join("analytics"));
    assert!(
        export
            .path
            .ends_with("fact_commissions/date_key=20261201/fact_commissions-20261201.csv.gz")
    );
    assert_eq!(export.invoices, fees.len());
    let (header, rows) = read_export(&export.path);
    assert_eq!(header, bmc_core::analytics::COLUMNS);
    assert_eq!(rows.len(), export.rows);
    let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
    for row in &rows {
        assert_eq!(&row[2], "20261201");
        let amount: Decimal = row[3].parse().unwrap();
        assert!(amount.scale() <= 4, "{row:?}");
        assert!(
            row[4].parse::<Decimal>().unwrap() > Decimal::ZERO,
            "a rate: {row:?}"
        );
        *sums.entry(row[7].to_string()).or_default() += amount;
    }
    assert_eq!(sums, fees, "each registration's rows add up to its fee");
    assert_eq!(export.commission, fees.values().sum::<Decimal>());
    host.stop();
}

#[cfg(feature = "postgres")]
#[test]
fn on_postgres_the_export_loads_with_copy_and_its_sums_match() {
    let server = common::postgres::TestPostgres::start("analytics");
    let data = scratch("analytics-postgres");
    let settings =
        common::postgres::on_postgres(no_daily_export(config(&data)), server.database("bmc"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let caps = runtime
        .block_on(bmc_host::Capabilities::configured(&settings))
        .unwrap();
    let host = TestHost::start_with(settings, caps);
    let fees = register_samples(&host);
    let export = export(&host, &data.join("analytics"));
    // The server runs as another user: the file must be readable by it.
    let copied = std::env::temp_dir().join(format!("bmc-facts-{}.csv.gz", std::process::id()));
    std::fs::copy(&export.path, &copied).unwrap();
    let ddl = std::fs::read_to_string(
        root().join("examples/reference-host/analytics/fact_commissions.postgres.sql"),
    )
    .unwrap();
    server.psql("bmc", &ddl);
    let columns = bmc_core::analytics::COLUMNS.join(", ");
    server.psql(
        "bmc",
        &format!(
            "COPY bmc_analytics.fact_commissions ({columns}) FROM PROGRAM 'gzip -dc {}' \
             WITH (FORMAT csv, HEADER true)",
            copied.display()
        ),
    );
    std::fs::remove_file(&copied).unwrap();
    let loaded = server.psql("bmc", "SELECT count(*) FROM bmc_analytics.fact_commissions");
    assert_eq!(loaded, export.rows.to_string());
    // Every registered invoice's commission is its rows' sum, to the last fraction.
    let mismatches = server.psql(
        "bmc",
        "SELECT count(*) FROM bmc_transactional.commissions c
         JOIN bmc_transactional.invoices i ON i.invoice_id = c.invoice_id
         LEFT JOIN (SELECT registration_id, sum(commission_amount) AS amount
                    FROM bmc_analytics.fact_commissions GROUP BY registration_id) f
           ON f.registration_id = c.registration_id
         WHERE i.processing_status = 'REGISTERED' AND f.amount IS DISTINCT FROM c.commission_fee",
    );
    assert_eq!(mismatches, "0");
    let total = server.psql(
        "bmc",
        "SELECT sum(commission_amount) FROM bmc_analytics.fact_commissions",
    );
    assert_eq!(
        total.parse::<Decimal>().unwrap(),
        fees.values().sum::<Decimal>()
    );
    let invoices = server.psql(
        "bmc",
        "SELECT count(DISTINCT invoice_key) FROM bmc_analytics.fact_commissions",
    );
    assert_eq!(invoices, fees.len().to_string());
    host.stop();
    drop(runtime);
}

//! The SFTP exchange end to end: OpenSSH's server chrooting an External user to its
//! participant's folder with key authentication, the `sftp` client uploading an invoice, a
//! file that is not one and a regulatory filing; the host registering the invoice and giving
//! back its certificate, a rejection and an acknowledgement; the daily commission report;
//! the archive and its purge.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use bmc_host::exchange::{Exchange, folders, purge, report};
use common::sftp::{self, Sftp};
use common::{TestHost, config, scratch, wait_until};

const PARTICIPANT: &str = "comisionista-01";

/// Files in `dir` (names), sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Sets `path`'s modification time `days` back.
fn age(path: &Path, days: u32) {
    let ok = Command::new("touch")
        .arg("-m")
        .arg("-d")
        .arg(format!("{days} days ago"))
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn a_participant_exchanges_files_over_sftp_with_the_host() {
    if !sftp::possible() {
        eprintln!("skipped: sshd's chroot needs root and Debian's openssh-server");
        return;
    }
    sftp::ensure_user();
    let (uid, gid) = sftp::ids();
    // The chroot and every folder above it belong to root and only root writes them:
    // not under /tmp.
    let root = PathBuf::from(format!("/srv/bmc-exchange-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let participant = folders::create(&root, PARTICIPANT).unwrap();
    for folder in [folders::DAILY_REPORTS, folders::REGULATORY_FILINGS] {
        std::os::unix::fs::chown(participant.folder(folder), Some(uid), Some(gid)).unwrap();
    }

    let data = scratch("exchange");
    let mut settings = config(&data);
    settings.exchange.enabled = true;
    settings.exchange.root = Some(root.clone());
    settings.exchange.poll_milliseconds = 100;
    settings.exchange.settle_seconds = 1;
    let host = TestHost::start(settings.clone());
    let server = Sftp::start(&data.join("sshd"), &participant.dir);

    // The participant sees its folders only, and sends three files.
    let invoices = common::root().join("data/invoices");
    let local = data.join("local");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(local.join("notas.txt"), "esto no es una factura\n").unwrap();
    let (ok, out) = server.run(&format!(
        "ls /\nput {} /incoming/daily-reports/FEV-0005.xml\n\
         put {} /incoming/daily-reports/notas.txt\n\
         put {} /incoming/regulatory-filings/rut-2026.pdf\n",
        invoices.join("FEV-0005.xml").display(),
        local.join("notas.txt").display(),
        invoices.join("FEV-0005.pdf").display(),
    ));
    assert!(ok, "{out}\n{}", server.log());
    for folder in ["archive", "incoming", "outgoing"] {
        assert!(out.contains(folder), "{out}");
    }
    assert!(!out.contains("etc"), "chrooted: {out}");

    // Its outgoing folder is read-only to it.
    let (ok, _) = server.run(&format!(
        "put {} /outgoing/commission-reports/mine.csv\n",
        local.join("notas.txt").display()
    ));
    assert!(!ok, "the participant cannot write into outgoing");

    // The host takes the files, registers the invoice and answers each.
    let out_dir = participant.folder(folders::COMPLIANCE_DOCUMENTS);
    wait_until(Duration::from_secs(120), || names(&out_dir).len() >= 3);
    let answered = names(&out_dir);
    let certificate = answered
        .iter()
        .find(|n| n.starts_with("CERT-") && n.ends_with(".pdf"))
        .unwrap_or_else(|| panic!("no certificate among {answered:?}"))
        .clone();
    assert!(answered.contains(&"notas.txt.rejected.json".to_string()));
    assert!(answered.contains(&"rut-2026.pdf.received.json".to_string()));
    assert!(names(&participant.folder(folders::DAILY_REPORTS)).is_empty());
    assert!(names(&participant.folder(folders::REGULATORY_FILINGS)).is_empty());
    assert_eq!(
        files_under(&participant.folder(folders::PROCESSED_FILES)).len(),
        3
    );

    // The participant downloads them.
    let downloads = data.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let (ok, out) = server.run(&format!(
        "get /outgoing/compliance-documents/* {}/\n",
        downloads.display()
    ));
    assert!(ok, "{out}");
    let certificate_id = certificate.trim_end_matches(".pdf");
    let (status, served) = host.get(
        &format!("/certificates/{certificate_id}/download"),
        Some(&host.token(bmc_host::auth::Role::Viewer)),
    );
    assert_eq!(status, 200);
    assert_eq!(std::fs::read(downloads.join(&certificate)).unwrap(), served);
    let rejection: serde_json::Value =
        serde_json::from_slice(&std::fs::read(downloads.join("notas.txt.rejected.json")).unwrap())
            .unwrap();
    assert_eq!(rejection["accepted"], false);
    assert_eq!(
        rejection["code"], "HOST_UNSUPPORTED_MEDIA_TYPE",
        "{rejection}"
    );
    assert_eq!(rejection["folder"], "incoming/daily-reports");
    let receipt: serde_json::Value = serde_json::from_slice(
        &std::fs::read(downloads.join("rut-2026.pdf.received.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(receipt["accepted"], true);

    // Who sent what is in the audit log.
    let (_, audit) = host.get_json("/admin/audit?limit=500");
    let audit = audit.to_string();
    for action in ["exchange.file.rejected", "exchange.filing.received"] {
        assert!(audit.contains(action), "{action}");
    }
    assert!(audit.contains(&format!("sftp:{PARTICIPANT}")));

    // The day's commission report, downloaded.
    let exchange = Exchange::open(&settings).unwrap();
    let day = "2026-12-01".parse().unwrap();
    let written = block(report::write_reports(
        host.host.caps.state.as_ref(),
        &exchange,
        day,
    ))
    .unwrap();
    assert_eq!(written[PARTICIPANT], 1);
    let (ok, out) = server.run(&format!(
        "get /outgoing/commission-reports/{} {}/report.csv\n",
        report::file_name(day),
        downloads.display()
    ));
    assert!(ok, "{out}");
    let csv = std::fs::read_to_string(downloads.join("report.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("registration_id,certificate_id,"));
    let (_, listed) = host.get_json("/invoices?status=REGISTERED&limit=10");
    let invoice_id = listed["items"][0]["invoice_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, details) = host.get_json(&format!("/invoices/{invoice_id}/details"));
    let registration = &details["registration"];
    let fields: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(fields[0], registration["registration_id"]);
    assert_eq!(fields[1], certificate_id);
    assert_eq!(fields[9], registration["commission"]["total"]);

    // The archive keeps files 30 days; a file the exchange did not archive stays.
    let stranger = participant
        .folder(folders::PROCESSED_FILES)
        .join("2026-01-01/not-ours.txt");
    std::fs::create_dir_all(stranger.parent().unwrap()).unwrap();
    std::fs::write(&stranger, "x").unwrap();
    let archived = files_under(&participant.folder(folders::PROCESSED_FILES));
    for file in &archived {
        age(file, 31);
    }
    let two_days_ago = SystemTime::now() - Duration::from_secs(2 * 86_400);
    let young = block(purge::purge(&exchange, 30, two_days_ago)).unwrap();
    assert_eq!(young, 0, "29 days old is kept");
    let removed = block(purge::purge(&exchange, 30, SystemTime::now())).unwrap();
    assert_eq!(removed, 3);
    assert_eq!(
        files_under(&participant.folder(folders::PROCESSED_FILES)),
        [stranger]
    );

    drop(server);
    host.stop();
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&data);
}

/// Runs a future to its end on a runtime of its own.
fn block<T>(future: impl std::future::Future<Output = T>) -> T {
    common::runtime().block_on(future)
}

/// The keys under `prefix` of `bucket`.
#[cfg(feature = "aws")]
async fn keys(s3: &aws_sdk_s3::Client, bucket: &str, prefix: &str) -> Vec<String> {
    let listed = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    let mut keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    keys.sort();
    keys
}

#[cfg(feature = "aws")]
#[test]
fn on_s3_behind_transfer_family_arrivals_announced_by_s3_events_are_answered() {
    use common::aws::Moto;
    use common::child::{ChildHost, write_config_file};

    let moto = Moto::start();
    let bucket = "bmc-exchange";
    let home = "sftp/comisionista-01";
    let rt = common::runtime();
    let sdk = rt.block_on(moto.sdk());
    let s3 = bmc_host::aws::S3Storage::client(&sdk, true);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    // The bucket announces every object created under sftp/ on a queue.
    let queue = rt.block_on(async {
        s3.create_bucket().bucket(bucket).send().await.unwrap();
        let url = sqs
            .create_queue()
            .queue_name("exchange-arrivals")
            .send()
            .await
            .unwrap()
            .queue_url()
            .unwrap()
            .to_string();
        let arn = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes()
            .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
            .clone();
        use aws_sdk_s3::types::{
            Event, FilterRule, FilterRuleName, NotificationConfiguration,
            NotificationConfigurationFilter, QueueConfiguration, S3KeyFilter,
        };
        let filter = NotificationConfigurationFilter::builder()
            .key(
                S3KeyFilter::builder()
                    .filter_rules(
                        FilterRule::builder()
                            .name(FilterRuleName::Prefix)
                            .value("sftp/")
                            .build(),
                    )
                    .build(),
            )
            .build();
        s3.put_bucket_notification_configuration()
            .bucket(bucket)
            .notification_configuration(
                NotificationConfiguration::builder()
                    .queue_configurations(
                        QueueConfiguration::builder()
                            .queue_arn(arn)
                            .events(Event::S3ObjectCreated)
                            .filter(filter)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
        // The participant's home, as Transfer Family makes it.
        s3.put_object()
            .bucket(bucket)
            .key(format!("{home}/incoming/"))
            .body(Vec::new().into())
            .send()
            .await
            .unwrap();
        url
    });

    // A host that looks at the folders only when S3 announces an arrival (its poll is 10 min).
    let data = scratch("exchange-s3");
    let config = write_config_file(
        &data.join("host.toml"),
        &data,
        &format!(
            "[exchange]\nenabled = true\npoll_milliseconds = 600000\ns3 = \"s3://{bucket}/sftp\"\n\
             events_queue = \"{queue}\"\n[aws]\ns3_path_style = true\n"
        ),
    );
    let host = ChildHost::start_with_env(&config, &moto.env(None));

    // Transfer Family puts what the participant uploads.
    let xml = std::fs::read(common::root().join("data/invoices/FEV-0005.xml")).unwrap();
    rt.block_on(async {
        for (name, bytes) in [("FEV-0005.xml", xml.clone()), ("notas.txt", b"no".to_vec())] {
            s3.put_object()
                .bucket(bucket)
                .key(format!("{home}/incoming/daily-reports/{name}"))
                .body(bytes.into())
                .send()
                .await
                .unwrap();
        }
    });
    let out = format!("{home}/outgoing/compliance-documents/");
    let mut answered = Vec::new();
    wait_until(Duration::from_secs(120), || {
        answered = rt.block_on(keys(&s3, bucket, &out));
        answered.len() >= 2
    });
    assert!(
        answered
            .iter()
            .any(|k| k.contains("/CERT-") && k.ends_with(".pdf")),
        "{answered:?}"
    );
    let rejection = format!("{out}notas.txt.rejected.json");
    assert!(answered.contains(&rejection), "{answered:?}");
    let body = rt.block_on(async {
        let object = s3
            .get_object()
            .bucket(bucket)
            .key(&rejection)
            .send()
            .await
            .unwrap();
        object.body.collect().await.unwrap().into_bytes().to_vec()
    });
    let rejection: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(rejection["code"], "HOST_UNSUPPORTED_MEDIA_TYPE");
    // Taken: gone from incoming, kept in the archive.
    let incoming = rt.block_on(keys(
        &s3,
        bucket,
        &format!("{home}/incoming/daily-reports/"),
    ));
    assert!(incoming.is_empty(), "{incoming:?}");
    let archived = rt.block_on(keys(
        &s3,
        bucket,
        &format!("{home}/archive/processed-files/"),
    ));
    assert_eq!(archived.len(), 2, "{archived:?}");
    host.kill();
    let _ = std::fs::remove_dir_all(&data);
}

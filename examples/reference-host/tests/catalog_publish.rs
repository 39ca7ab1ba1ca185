//! A catalog across machines (feature `aws`), against moto's S3: `bmc-host catalog publish`
//! uploads an index and moves the pointer; a host following it swaps the new index in while
//! it serves, a release that cannot be downloaded whole is never opened (the index in use
//! stays), and a rollback brings the previous index back.

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::aws::Moto;
use common::child::{ChildHost, token};
use common::{request, root, scratch, wait_until};
use serde_json::Value;

/// A product only the full sample catalog has, and one the small one has too.
const ONLY_IN_FULL: &str = "7704815172633";
const IN_BOTH: &str = "7707382197375";

/// An index of the sample catalog's first `rows` products, built under `dir`.
fn small_index(dir: &Path, rows: usize) -> PathBuf {
    let csv = dir.join("small.csv");
    let source = flate2::read::GzDecoder::new(
        std::fs::File::open(root().join("data/sample-catalog.csv.gz")).unwrap(),
    );
    let mut out = std::fs::File::create(&csv).unwrap();
    for line in std::io::BufReader::new(source).lines().take(rows + 1) {
        writeln!(out, "{}", line.unwrap()).unwrap();
    }
    let index = dir.join("small-index");
    bmc_core::catalog::build_from_path(&csv, &index, &Default::default(), &mut |_| {}).unwrap();
    index
}

/// `bmc-host catalog args...` against moto: its JSON answer, or the failure's message.
fn catalog(moto: &Moto, args: &[&str]) -> Result<Value, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_bmc-host"))
        .arg("catalog")
        .args(args)
        .envs(moto.env(None))
        .output()
        .unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn status_of(base: &str, token: &str, code: &str) -> u16 {
    request(
        base,
        "GET",
        &format!("/products/{code}"),
        Some(token),
        None,
        b"",
    )
    .0
}

#[test]
fn a_published_catalog_is_swapped_in_checked_and_rolled_back() {
    let moto = Moto::start();
    moto.boto(r#"client("s3").create_bucket(Bucket="bmc-catalog")"#);
    let data = scratch("catalog-publish");
    let full = common::index();
    let small = small_index(&data, 50);
    let at = "s3://bmc-catalog/prod/";

    // Nothing published yet; a folder that is not an index is refused before any upload.
    assert!(
        catalog(&moto, &["status", at])
            .unwrap_err()
            .contains("nothing is published")
    );
    let refused = catalog(&moto, &["publish", data.to_str().unwrap(), at]).unwrap_err();
    assert!(refused.contains("not a catalog index"), "{refused}");
    assert!(catalog(&moto, &["rollback", at]).is_err());

    let first = catalog(&moto, &["publish", full.to_str().unwrap(), at]).unwrap();
    assert_eq!(first["products"], 20_000);
    assert_eq!(first["previous"], Value::Null);

    // A host following the pointer, its own index the small one.
    let config = data.join("host.toml");
    common::child::write_config_file(
        &config,
        &data.join("host"),
        &format!(
            r#"
[workers]
invoice = 1
ocr = 0
notification = 0

[aws]
catalog_source = "{at}"
catalog_poll_seconds = 1
"#
        ),
    );
    let text = std::fs::read_to_string(&config).unwrap().replace(
        &format!("catalog_index = \"{}\"", full.display()),
        &format!("catalog_index = \"{}\"", small.display()),
    );
    std::fs::write(&config, text).unwrap();
    let host = ChildHost::start_with_env(&config, &moto.env(None));
    let token = token(&data.join("host"));
    // The published full catalog replaces the small local one.
    wait_until(Duration::from_secs(60), || {
        status_of(&host.base, &token, ONLY_IN_FULL) == 200
    });

    // The small index published: swapped in while the host serves.
    let second = catalog(&moto, &["publish", small.to_str().unwrap(), at]).unwrap();
    assert_eq!(second["products"], 50);
    assert_eq!(second["previous"], first["release"]);
    wait_until(Duration::from_secs(60), || {
        status_of(&host.base, &token, ONLY_IN_FULL) == 404
    });
    assert_eq!(status_of(&host.base, &token, IN_BOTH), 200);

    // A release whose file is missing from the bucket: never opened, the index in use stays.
    let release = second["release"].as_str().unwrap();
    moto.boto(&format!(
        r#"
import hashlib
s3 = client("s3")
release = json.loads(s3.get_object(Bucket="bmc-catalog", Key="prod/releases/{release}.json")["Body"].read())
release["files"][0]["sha256"] = "0" * 64
body = json.dumps(release).encode()
bad = hashlib.sha256(body).hexdigest()
s3.put_object(Bucket="bmc-catalog", Key=f"prod/releases/{{bad}}.json", Body=body)
pointer = {{"release": bad, "products": 50, "previous": "{release}", "moved_at": "2026-12-01T00:00:00Z"}}
s3.put_object(Bucket="bmc-catalog", Key="prod/CURRENT.json", Body=json.dumps(pointer).encode())
"#
    ));
    wait_until(Duration::from_secs(60), || {
        let (_, body) = request(&host.base, "GET", "/metrics", None, None, b"");
        String::from_utf8_lossy(&body)
            .lines()
            .any(|l| l.starts_with("bmc_catalog_sync_failures_total "))
    });
    assert_eq!(status_of(&host.base, &token, IN_BOTH), 200);
    assert_eq!(status_of(&host.base, &token, ONLY_IN_FULL), 404);
    let partials: Vec<String> = std::fs::read_dir(data.join("host/catalogs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        partials.iter().all(|n| !n.contains("partial")),
        "{partials:?}"
    );

    // Rolled back past the bad release to the small one, then to the full one.
    let back = catalog(&moto, &["rollback", at]).unwrap();
    assert_eq!(back["release"], second["release"]);
    catalog(&moto, &["publish", full.to_str().unwrap(), at]).unwrap();
    let before_full = catalog(&moto, &["rollback", at]).unwrap();
    assert_eq!(before_full["products"], 50);
    let status = catalog(&moto, &["status", at]).unwrap();
    assert_eq!(status["release"], before_full["release"]);
    catalog(&moto, &["rollback", at]).unwrap();
    wait_until(Duration::from_secs(60), || {
        status_of(&host.base, &token, ONLY_IN_FULL) == 200
    });
    host.kill();
    std::fs::remove_dir_all(&data).unwrap();
}

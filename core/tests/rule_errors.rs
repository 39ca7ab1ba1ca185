//! Broken rule sets and runaway scripts fail with typed errors that name the file, the line
//! and the field; they never panic or compute a wrong commission.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use bmc_core::commission::{self, CommissionInvoice, Options};
use bmc_core::rules::{RuleBook, RuleError, RuleSet};

fn files() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/registro-facturas/2026-01-01");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn load(change: impl FnOnce(&mut BTreeMap<String, String>)) -> Result<RuleSet, RuleError> {
    let mut f = files();
    change(&mut f);
    RuleSet::from_files(Path::new("rules/test/2026-01-01"), f)
}

fn run_script(script: &str) -> Result<commission::Commission, commission::CommissionError> {
    let set = load(|f| {
        f.insert("tariff.rhai".into(), script.into());
    })
    .unwrap();
    let book = RuleBook::from_versions(vec![set.into()], None);
    let invoice: CommissionInvoice = serde_json::from_str(
        r#"{"issue_date":"2026-02-01","lines":[{"tariff_code":"0803901200","base":"100"}]}"#,
    )
    .unwrap();
    commission::calculate(&book, &invoice, &Options::default())
}

fn classify_with_script(script: &str) -> RuleError {
    match run_script(script) {
        Err(commission::CommissionError::Rules(e)) => e,
        other => panic!("expected a rule error, got {other:?}"),
    }
}

#[test]
fn runaway_scripts_stop_with_a_limit_error() {
    for script in [
        "fn classify(line, tables) { loop { } }",
        "fn classify(line, tables) { let s = \"x\"; loop { s += s; } }",
        "fn classify(line, tables) { let a = []; loop { a.push(1); } }",
        "fn f(n) { f(n + 1) } fn classify(line, tables) { f(0) }",
    ] {
        let e = classify_with_script(script);
        assert_eq!(e.code(), "RULES_SCRIPT_LIMIT", "{script}: {e}");
        assert!(e.to_string().contains("0803901200"), "{e}");
    }
}

#[test]
fn scripts_that_misbehave_are_named() {
    let e = classify_with_script("fn classify(line, tables) { 42 }");
    assert_eq!(e.code(), "RULES_SCRIPT_RESULT");
    assert!(e.to_string().contains("not a map"), "{e}");
    let e = classify_with_script("fn classify(line, tables) { #{ group: \"x\" } }");
    assert_eq!(e.code(), "RULES_SCRIPT_RESULT");
    let e = classify_with_script("fn classify(line, tables) { line.nothing.more }");
    assert_eq!(e.code(), "RULES_SCRIPT_FAILED");
    // print and debug go nowhere; the decision stands.
    let c = run_script(
        "fn classify(line, tables) { print(\"x\"); debug(1); #{ eligible: false, reason: \"r\", branch: \"b\" } }",
    )
    .unwrap();
    assert_eq!(c.lines[0].reason.as_deref(), Some("r"));
}

#[test]
fn scripts_that_do_not_compile() {
    let e = load(|f| {
        f.insert("tariff.rhai".into(), "fn classify(line, tables) { ".into());
    })
    .unwrap_err();
    assert_eq!(e.code(), "RULES_SCRIPT_SYNTAX");
    assert!(e.to_string().contains("tariff.rhai"), "{e}");
    let e = load(|f| {
        f.insert("tariff.rhai".into(), "fn decide(line) { 1 }".into());
    })
    .unwrap_err();
    assert!(e.to_string().contains("fn classify(line, tables)"), "{e}");
    let e = load(|f| {
        f.insert(
            "tariff.rhai".into(),
            "import \"fs\" as fs; fn classify(l, t) { 1 }".into(),
        );
    })
    .unwrap_err();
    assert_eq!(e.code(), "RULES_SCRIPT_SYNTAX");
}

#[test]
fn table_errors_name_file_line_and_field() {
    let e = load(|f| {
        let groups = f.get_mut("groups.csv").unwrap();
        *groups = groups.replace("0.08", "0.0x8");
    })
    .unwrap_err();
    match &e {
        RuleError::Table {
            path, line, field, ..
        } => {
            assert!(path.ends_with("groups.csv"));
            assert_eq!((*line, field.as_str()), (3, "rate_percent"));
        }
        other => panic!("{other:?}"),
    }
    // An unquoted comma makes a row longer than the header: the CSV reader names the line.
    let e = load(|f| {
        let groups = f.get_mut("groups.csv").unwrap();
        *groups = groups.replace("0.08", "0,08");
    })
    .unwrap_err();
    assert!(matches!(e, RuleError::Table { line: 3, .. }), "{e:?}");
    let e = load(|f| {
        let groups = f.get_mut("groups.csv").unwrap();
        *groups = groups.replace(",6,14,", ",5,14,");
    })
    .unwrap_err();
    assert!(e.to_string().contains("overlap"), "{e}");
    let e = load(|f| {
        let special = f.get_mut("special.csv").unwrap();
        special.push_str("0901,otro,Otro,0.01\n");
    })
    .unwrap_err();
    assert!(e.to_string().contains("appears twice"), "{e}");
    let e = load(|f| {
        f.remove("groups.csv");
    })
    .unwrap_err();
    assert_eq!(e.code(), "RULES_IO");
}

#[test]
fn manifest_errors_name_the_line() {
    let e = load(|f| {
        let m = f.get_mut("ruleset.toml").unwrap();
        *m = m.replace("minimum = \"52000\"\n", "");
    })
    .unwrap_err();
    assert_eq!(e.code(), "RULES_INVALID_FILE");
    assert!(e.to_string().contains("minimum"), "{e}");
    let e = load(|f| {
        let m = f.get_mut("ruleset.toml").unwrap();
        *m = m.replace("factor = \"0.75\"", "factor = \"tres cuartos\"");
    })
    .unwrap_err();
    assert!(e.to_string().contains("tiers[1].factor"), "{e}");
    let e = load(|f| {
        let m = f.get_mut("ruleset.toml").unwrap();
        *m = m.replace("up_to = \"5000000000\"", "up_to = \"900\"");
    })
    .unwrap_err();
    assert!(e.to_string().contains("grow"), "{e}");
    let e = load(|f| {
        let m = f.get_mut("ruleset.toml").unwrap();
        *m = m.replace("valid_from = \"2026-01-01\"", "valid_from = \"2026-02-01\"");
    })
    .unwrap_err();
    assert!(
        e.to_string().contains("differs from the folder name"),
        "{e}"
    );
    let e = load(|f| {
        let m = f.get_mut("ruleset.toml").unwrap();
        m.push_str("\nsurprise = 1\n");
    })
    .unwrap_err();
    match e {
        RuleError::File {
            line: Some(line), ..
        } => assert!(line > 30),
        other => panic!("{other:?}"),
    }
}

#[test]
fn dates_and_versions() {
    let book = RuleBook::embedded().unwrap();
    let e = book.in_force("2024-12-31".parse().unwrap()).unwrap_err();
    assert_eq!(e.code(), "RULESET_NOT_IN_FORCE");
    assert!(e.to_string().contains("2025-01-01"));
    assert_eq!(
        book.version("2026-01-01").unwrap().valid_from().to_string(),
        "2026-01-01"
    );
    assert_eq!(
        book.version("2027-01-01").unwrap_err().code(),
        "RULESET_UNKNOWN_VERSION"
    );
    let versions: Vec<String> = book
        .versions()
        .iter()
        .map(|v| v.valid_from().to_string())
        .collect();
    assert_eq!(versions, ["2025-01-01", "2026-01-01"]);
    assert_ne!(book.versions()[0].hash(), book.versions()[1].hash());
}

#[test]
fn reload_swaps_atomically_and_a_failed_reload_keeps_the_book() {
    use bmc_core::rules::SharedRuleBook;

    let dir = std::env::temp_dir().join(format!("bmc-reload-{}", std::process::id()));
    let version = dir.join("2026-01-01");
    std::fs::create_dir_all(&version).unwrap();
    for (name, text) in files() {
        std::fs::write(version.join(name), text).unwrap();
    }
    let shared = SharedRuleBook::new(RuleBook::load(&dir).unwrap());
    let before = shared.get();
    let old_hash = before.versions()[0].hash().to_owned();

    let groups = version.join("groups.csv");
    let text = std::fs::read_to_string(&groups)
        .unwrap()
        .replace("0.08", "0.09");
    std::fs::write(&groups, text).unwrap();
    shared.reload().unwrap();
    let after = shared.get();
    assert_ne!(after.versions()[0].hash(), old_hash);
    // A reader holding the old book still computes with it.
    assert_eq!(before.versions()[0].hash(), old_hash);

    std::fs::write(&groups, "not,a,table\n1,2\n").unwrap();
    assert!(shared.reload().is_err());
    assert_eq!(
        shared.get().versions()[0].hash(),
        after.versions()[0].hash()
    );
    std::fs::remove_dir_all(&dir).ok();

    let embedded = SharedRuleBook::new(RuleBook::embedded().unwrap());
    assert_eq!(embedded.reload().unwrap_err().code(), "RULES_IO");
}

#[test]
fn a_script_copying_a_large_array_in_a_loop_stops_on_the_clock() {
    let e = classify_with_script(
        "fn classify(line, tables) { let a = []; a.pad(10000, 0); loop { let b = a; b.pop(); } }",
    );
    assert_eq!(e.code(), "RULES_SCRIPT_LIMIT", "{e}");
    assert!(e.to_string().contains("ran longer than"), "{e}");
}

#[test]
fn rates_above_one_hundred_percent_are_refused() {
    let e = load(|f| {
        let groups = f.get_mut("groups.csv").unwrap();
        *groups = groups.replace("0.08", "1000");
    })
    .unwrap_err();
    assert!(matches!(e, RuleError::Table { line: 3, .. }), "{e:?}");
    assert!(e.to_string().contains("above 100"), "{e}");
    let e = classify_with_script(
        r#"fn classify(line, tables) { #{ group: "g", label: "G", rate_percent: 1000, row: "r", branch: "b" } }"#,
    );
    assert_eq!(e.code(), "RULES_SCRIPT_RESULT", "{e}");
    assert!(e.to_string().contains("outside 0 to 100"), "{e}");
}

/// A rule book folder with the 2026 version, and `extra` done to it.
fn book_dir(name: &str, extra: impl FnOnce(&Path)) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bmc-book-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    let version = dir.join("2026-01-01");
    std::fs::create_dir_all(&version).unwrap();
    for (file, text) in files() {
        std::fs::write(version.join(file), text).unwrap();
    }
    extra(&dir);
    dir
}

#[test]
fn a_version_that_cannot_be_read_stops_the_book_from_loading() {
    let empty = book_dir("empty", |d| {
        std::fs::create_dir(d.join("2027-01-01")).unwrap()
    });
    let e = RuleBook::load(&empty).unwrap_err();
    assert_eq!(e.code(), "RULES_IO", "{e}");
    assert!(e.to_string().contains("2027-01-01"), "{e}");
    assert!(e.to_string().contains("ruleset.toml"), "{e}");

    let dangling = book_dir("dangling", |d| {
        std::os::unix::fs::symlink(d.join("nowhere"), d.join("2027-01-01")).unwrap();
    });
    let e = RuleBook::load(&dangling).unwrap_err();
    assert_eq!(e.code(), "RULES_IO", "{e}");
    assert!(e.to_string().contains("2027-01-01"), "{e}");

    let file = book_dir("file", |d| {
        std::fs::write(d.join("2027-01-01"), "x").unwrap()
    });
    assert_eq!(RuleBook::load(&file).unwrap_err().code(), "RULES_IO");

    // Other folders (cases/, notes) are still skipped.
    let other = book_dir("other", |d| std::fs::create_dir(d.join("cases")).unwrap());
    assert_eq!(RuleBook::load(&other).unwrap().versions().len(), 1);
    for dir in [empty, dangling, file, other] {
        std::fs::remove_dir_all(dir).ok();
    }
}

//! One source of truth for codes: `ERROR_CODES` holds every code a module's `code()` can
//! return, `compliance::CODES` every finding code, and `docs/errors.md` documents exactly
//! those.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The quoted SCREAMING_SNAKE strings of `text`.
fn codes_in(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.len() > 2
                && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && s.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
        .map(str::to_owned)
        .collect()
}

/// Every code the error enums' `code()` functions return, read from the sources.
fn codes_in_sources() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&root().join("core/src"), &mut files);
    let mut found = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("fn code(&self) -> &'static str {") {
            let body = &rest[start..];
            let end = body.find("\n    }\n").unwrap_or(body.len());
            found.extend(codes_in(&body[..end]));
            rest = &body[end..];
        }
    }
    found
}

/// The codes in the first column of the tables under `heading` in docs/errors.md.
fn documented(heading: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("docs/errors.md")).unwrap();
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("docs/errors.md has no section {heading:?}"));
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn error_codes_list_every_code_the_modules_return() {
    let listed: BTreeSet<String> = bmc_core::ERROR_CODES
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        listed.len(),
        bmc_core::ERROR_CODES.len(),
        "a code is listed twice"
    );
    assert_eq!(codes_in_sources(), listed);
}

#[test]
fn docs_document_exactly_the_codes() {
    let listed: BTreeSet<String> = bmc_core::ERROR_CODES
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(documented("Errors"), listed);
    let findings: BTreeSet<String> = bmc_core::compliance::CODES
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(findings.len(), bmc_core::compliance::CODES.len());
    assert_eq!(documented("Findings"), findings);
}

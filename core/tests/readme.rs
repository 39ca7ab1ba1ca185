//! The README's code examples run in CI: every Rust, Python and JavaScript block of README.md
//! stands, line for line, in one of the examples (`examples/`), which the Rust, Python and
//! Node suites run and whose output they compare.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fenced blocks of `text` in one of `languages`, each as its trimmed, non-empty lines.
fn blocks(text: &str, languages: &[&str]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(language)) => current = Some((language.trim().to_owned(), Vec::new())),
            (Some(_), Some(_)) => {
                let (language, lines) = current.take().unwrap();
                if languages.contains(&language.as_str()) {
                    out.push((language, lines));
                }
            }
            (Some((_, lines)), None) => {
                if !line.trim().is_empty() {
                    lines.push(line.trim().to_owned());
                }
            }
            (None, None) => {}
        }
    }
    out
}

fn example_files() -> Vec<(PathBuf, Vec<String>)> {
    let mut files = Vec::new();
    for language in ["rust", "python", "node"] {
        for entry in std::fs::read_dir(root().join("examples").join(language)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let lines = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            files.push((path, lines));
        }
    }
    files
}

#[test]
fn every_readme_code_block_is_in_a_run_example() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let found = blocks(&readme, &["rust", "python", "js"]);
    assert!(found.len() >= 3, "the README has its quick starts");
    let examples = example_files();
    for (language, lines) in found {
        let home = examples.iter().find(|(_, file)| {
            file.windows(lines.len().max(1))
                .any(|window| window == lines.as_slice())
        });
        assert!(
            home.is_some(),
            "this {language} block of README.md stands in no file of examples/ (so no test runs it):\n{}",
            lines.join("\n")
        );
    }
}

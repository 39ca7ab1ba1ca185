//! Test cases kept beside the rules (`rules/<id>/cases/*.toml`): invoices with the fee, IVA,
//! total and trace values they must give, and a coverage report of the table rows and script
//! branches no case reaches.
//!
//! ```toml
//! [[case]]
//! name = "agricola, first tier edge"
//! issue_date = "2025-06-01"
//! lines = [{ tariff_code = "0803901200", base = "1000000000" }]
//!
//! [case.expect]
//! eligible = true
//! fee = "800000"
//! iva = "152000"
//! total = "952000"
//! limit = "none"
//! trace = { "group.agricola.base" = "1000000000" }
//! ```
//!
//! A case may also give `as_of` (use the version in force on that date) and expect an error
//! code instead (`error = "RULESET_NOT_IN_FORCE"`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use super::input::{CommissionInvoice, CommissionLine, Options};
use super::{Commission, CommissionError, calculate};
use crate::rules::{Decision, RuleBook, RuleError};

/// One case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The file it came from.
    pub file: PathBuf,
    /// Its name.
    pub name: String,
    /// The invoice.
    pub invoice: CommissionInvoice,
    /// Compute with the version in force on this date instead of the issue date.
    pub as_of: Option<NaiveDate>,
    /// What it must give.
    pub expect: Expect,
}

/// What a case must give. Fields left out are not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Whether the invoice is eligible.
    pub eligible: Option<bool>,
    /// The fee, exactly as written (scale included).
    pub fee: Option<String>,
    /// The IVA.
    pub iva: Option<String>,
    /// The total.
    pub total: Option<String>,
    /// `none`, `minimum` or `maximum`.
    pub limit: Option<String>,
    /// The version (`valid_from`) used.
    pub rule_set_version: Option<String>,
    /// The error code, for a case that must fail.
    pub error: Option<String>,
    /// Trace values by key; amounts compare as numbers (`1.50` matches `1.5000`).
    #[serde(default)]
    pub trace: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    case: Vec<RawCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    issue_date: NaiveDate,
    as_of: Option<NaiveDate>,
    lines: Vec<CommissionLine>,
    expect: Expect,
}

/// Reads every `*.toml` case file of `dir`, in file-name order.
pub fn load(dir: &Path) -> Result<Vec<Case>, RuleError> {
    let io = |path: &Path, e: std::io::Error| RuleError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| io(&file, e))?;
        let parsed: CaseFile = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            RuleError::File {
                path: file.clone(),
                line,
                message: e.message().to_owned(),
            }
        })?;
        for raw in parsed.case {
            cases.push(Case {
                file: file.clone(),
                name: raw.name,
                invoice: CommissionInvoice {
                    issue_date: raw.issue_date,
                    lines: raw.lines,
                },
                as_of: raw.as_of,
                expect: raw.expect,
            });
        }
    }
    Ok(cases)
}

/// How one case went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The case's file.
    pub file: PathBuf,
    /// The case's name.
    pub name: String,
    /// Each difference from what was expected (empty when the case passed).
    pub failures: Vec<String>,
}

impl Outcome {
    /// Whether the case gave what it expected.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// What the cases did not reach in one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionCoverage {
    /// The version (`valid_from`).
    pub version: String,
    /// Table rows no case decided a line by.
    pub rows_missed: Vec<String>,
    /// Script branches no case went through.
    pub branches_missed: Vec<String>,
    /// How many rows and branches there are in all.
    pub total: usize,
}

/// The outcome of every case, and the coverage of each version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// One outcome per case, in order.
    pub outcomes: Vec<Outcome>,
    /// One entry per version of the book.
    pub coverage: Vec<VersionCoverage>,
}

impl Report {
    /// How many cases passed.
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.passed()).count()
    }

    /// How many cases failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }

    /// Whether every case passed and every row and branch of every version was reached.
    pub fn complete(&self) -> bool {
        self.failed() == 0
            && self
                .coverage
                .iter()
                .all(|c| c.rows_missed.is_empty() && c.branches_missed.is_empty())
    }
}

/// Runs `cases` against `book`.
pub fn run(book: &RuleBook, cases: &[Case]) -> Report {
    let mut reached: BTreeSet<(String, String)> = BTreeSet::new();
    let mut outcomes = Vec::with_capacity(cases.len());
    for case in cases {
        let options = Options {
            as_of: case.as_of,
            trace: true,
            classifier: None,
        };
        let result = calculate(book, &case.invoice, &options);
        if let Ok(rule_set) = book.in_force(case.as_of.unwrap_or(case.invoice.issue_date)) {
            let version = rule_set.valid_from().to_string();
            for line in &case.invoice.lines {
                if let Some(code) = &line.tariff_code
                    && let Ok(decision) = rule_set.classify(code)
                {
                    let (row, branch) = match &decision {
                        Decision::Eligible { row, branch, .. } => (Some(row), branch),
                        Decision::NotEligible { branch, .. } => (None, branch),
                    };
                    if let Some(row) = row {
                        reached.insert((version.clone(), format!("row {row}")));
                    }
                    reached.insert((version.clone(), format!("branch {branch}")));
                }
            }
        }
        outcomes.push(Outcome {
            file: case.file.clone(),
            name: case.name.clone(),
            failures: compare(&case.expect, &result),
        });
    }
    let coverage = book
        .versions()
        .iter()
        .map(|v| {
            let version = v.valid_from().to_string();
            let missed = |kind: &str, names: Vec<String>| -> Vec<String> {
                names
                    .into_iter()
                    .filter(|n| !reached.contains(&(version.clone(), format!("{kind} {n}"))))
                    .collect()
            };
            let rows = v.table_rows();
            let branches = v.branches().to_vec();
            let total = rows.len() + branches.len();
            VersionCoverage {
                rows_missed: missed("row", rows),
                branches_missed: missed("branch", branches),
                version,
                total,
            }
        })
        .collect();
    Report { outcomes, coverage }
}

fn compare(expect: &Expect, result: &Result<Commission, CommissionError>) -> Vec<String> {
    let mut failures = Vec::new();
    let c = match (result, &expect.error) {
        (Err(e), Some(code)) => {
            if e.code() != code {
                failures.push(format!("error: expected {code}, got {} ({e})", e.code()));
            }
            return failures;
        }
        (Err(e), None) => return vec![format!("failed with {}: {e}", e.code())],
        (Ok(_), Some(code)) => return vec![format!("expected error {code}, but it succeeded")],
        (Ok(c), None) => c,
    };
    let mut check = |what: &str, expected: Option<&str>, got: &str| {
        if let Some(expected) = expected
            && expected != got
        {
            failures.push(format!("{what}: expected {expected}, got {got}"));
        }
    };
    let eligible = expect.eligible.map(|e| e.to_string());
    check("eligible", eligible.as_deref(), &c.eligible.to_string());
    check("fee", expect.fee.as_deref(), &c.fee.to_string());
    check("iva", expect.iva.as_deref(), &c.iva.to_string());
    check("total", expect.total.as_deref(), &c.total.to_string());
    check("limit", expect.limit.as_deref(), c.limit.name());
    check(
        "rule_set_version",
        expect.rule_set_version.as_deref(),
        &c.rule_set.version,
    );
    for (key, expected) in &expect.trace {
        match c.trace_value(key) {
            // Intermediate amounts carry whatever scale the arithmetic gave them: compare them
            // as numbers. Other values (groups, limits) compare as text.
            Some(got) if same_number(expected, got) => {}
            Some(got) => check(&format!("trace {key}"), Some(expected), got),
            None => check(
                &format!("trace {key}"),
                Some(expected),
                "nothing (not in the trace)",
            ),
        }
    }
    failures
}

fn same_number(a: &str, b: &str) -> bool {
    match (
        a.parse::<rust_decimal::Decimal>(),
        b.parse::<rust_decimal::Decimal>(),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

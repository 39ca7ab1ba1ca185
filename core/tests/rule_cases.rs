//! Runs the commission cases kept beside the rules (`rules/registro-facturas/cases/`) and
//! requires every table row and script branch of every version to be reached by some case.

use std::path::Path;

use bmc_core::commission::cases;
use bmc_core::rules::RuleBook;

#[test]
fn every_case_passes_and_covers_every_row_and_branch() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/registro-facturas");
    let book = RuleBook::load(&dir).unwrap();
    let all = cases::load(&book.cases_dir().unwrap()).unwrap();
    for version in book.versions() {
        let count = all
            .iter()
            .filter(|c| {
                let date = c.as_of.unwrap_or(c.invoice.issue_date);
                book.in_force(date)
                    .is_ok_and(|v| v.valid_from() == version.valid_from())
            })
            .count();
        assert!(count >= 40, "{}: only {count} cases", version.label());
    }
    let report = cases::run(&book, &all);
    let failures: Vec<String> = report
        .outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| {
            format!(
                "{} / {}: {}",
                o.file.display(),
                o.name,
                o.failures.join("; ")
            )
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for c in &report.coverage {
        assert!(
            c.rows_missed.is_empty(),
            "{}: rows missed {:?}",
            c.version,
            c.rows_missed
        );
        assert!(
            c.branches_missed.is_empty(),
            "{}: branches missed {:?}",
            c.version,
            c.branches_missed
        );
    }
}

#[test]
fn embedded_book_is_the_repository_book() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/registro-facturas");
    let on_disk = RuleBook::load(&dir).unwrap();
    let embedded = RuleBook::embedded().unwrap();
    let hashes = |b: &RuleBook| {
        b.versions()
            .iter()
            .map(|v| v.hash().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(hashes(&on_disk), hashes(&embedded));
}

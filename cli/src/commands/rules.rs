//! `bmc rules list|show|test|current`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bmc_core::commission::cases;
use bmc_core::rules::{RuleBook, RuleSet};
use clap::Subcommand;

use super::Failure;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the versions of a rule set with their dates and hashes.
    List {
        /// The rule set folder (or `rules/` holding one rule set).
        #[arg(default_value = "rules")]
        dir: PathBuf,
    },
    /// Show one version: its data, tiers, groups and script.
    Show {
        /// The version (its valid_from date, such as 2026-01-01), or `current`.
        version: String,
        /// The rule set folder.
        #[arg(default_value = "rules")]
        dir: PathBuf,
    },
    /// Run the cases beside the rules and report their coverage; exit 1 on a failure or a
    /// table row or script branch no case reaches.
    Test {
        /// The rule set folder.
        #[arg(default_value = "rules")]
        dir: PathBuf,
    },
    /// Print the version in force today (Colombia time).
    Current {
        /// The rule set folder.
        #[arg(default_value = "rules")]
        dir: PathBuf,
    },
}

pub fn run(cmd: RulesCommand) -> Result<ExitCode, Failure> {
    match cmd {
        RulesCommand::List { dir } => {
            let book = RuleBook::load(&dir)?;
            println!("{:<12} {:<20} {:<16} description", "version", "id", "hash");
            for v in book.versions() {
                println!(
                    "{:<12} {:<20} {:<16} {}",
                    v.valid_from().to_string(),
                    v.id(),
                    &v.hash()[..16],
                    v.description()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Show { version, dir } => {
            let book = RuleBook::load(&dir)?;
            let v = if version == "current" {
                book.current()?
            } else {
                book.version(&version)?
            };
            show(v);
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Current { dir } => {
            let book = RuleBook::load(&dir)?;
            let v = book.current()?;
            println!("{}\t{}\t{}", v.valid_from(), v.id(), v.hash());
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Test { dir } => test(&dir),
    }
}

fn show(v: &RuleSet) {
    let t = v.tariff();
    println!("{} — {}", v.label(), v.description());
    println!("hash      {}", v.hash());
    println!("folder    {}", v.dir().display());
    println!(
        "fee       {} to {} places, minimum {}, maximum {}",
        t.fee.rounding.name(),
        t.fee.places,
        t.fee.minimum,
        t.fee.maximum
    );
    println!(
        "iva       {} %, {} to {} places",
        t.iva.percent,
        t.iva.rounding.name(),
        t.iva.places
    );
    let mut from = rust_decimal::Decimal::ZERO;
    for (i, tier) in t.tiers.iter().enumerate() {
        let to = tier.up_to.map_or_else(|| "∞".to_owned(), |u| u.to_string());
        println!("tier {}    {from} – {to}: × {}", i + 1, tier.factor);
        from = tier.up_to.unwrap_or(from);
    }
    for g in &t.groups {
        println!(
            "group     {:<16} chapters {:02}–{:02}  {} %  {}",
            g.group, g.chapter_from, g.chapter_to, g.rate_percent, g.label
        );
    }
    for s in &t.special {
        println!(
            "special   {:<16} heading {}    {} %  {}",
            s.group, s.heading, s.rate_percent, s.label
        );
    }
    println!("branches  {}", v.branches().join(", "));
}

fn test(dir: &Path) -> Result<ExitCode, Failure> {
    let book = RuleBook::load(dir)?;
    let cases_dir = book.cases_dir().ok_or_else(|| {
        Failure::argument(format!(
            "{}: the rule set has no cases/ folder",
            dir.display()
        ))
    })?;
    let all = cases::load(&cases_dir)?;
    let report = cases::run(&book, &all);
    for o in &report.outcomes {
        let file = o.file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        if o.passed() {
            println!("ok    {file}: {}", o.name);
        } else {
            println!("FAIL  {file}: {}", o.name);
            for f in &o.failures {
                println!("        {f}");
            }
        }
    }
    println!();
    for c in &report.coverage {
        let missed = c.rows_missed.len() + c.branches_missed.len();
        println!(
            "coverage {}: {}/{} table rows and script branches reached",
            c.version,
            c.total - missed,
            c.total
        );
        for r in &c.rows_missed {
            println!("  no case reaches table row {r}");
        }
        for b in &c.branches_missed {
            println!("  no case reaches script branch {b}");
        }
    }
    println!("{} passed, {} failed", report.passed(), report.failed());
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

//! `bmc commission calculate`.

use std::path::PathBuf;
use std::process::ExitCode;

use bmc_core::commission::{self, CommissionInvoice, Options};
use bmc_core::money::format_cop;
use bmc_core::rules::RuleBook;
use clap::Subcommand;

use super::Failure;

#[derive(Debug, Subcommand)]
pub enum CommissionCommand {
    /// Compute the commission of an invoice given as JSON:
    /// {"issue_date": "2026-03-01", "lines": [{"tariff_code": "0901119000", "base": "1250000.00"}]}
    Calculate {
        /// The invoice JSON file (`-` for stdin).
        invoice: String,
        /// Use the rule set version in force on this date instead of the issue date.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
        /// Print every step of the calculation.
        #[arg(long)]
        trace: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// The rule set folder (default: the rule set built into bmc).
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

pub fn run(cmd: CommissionCommand) -> Result<ExitCode, Failure> {
    let CommissionCommand::Calculate {
        invoice,
        as_of,
        trace,
        json,
        rules,
    } = cmd;
    let book = match rules {
        Some(dir) => RuleBook::load(&dir)?,
        None => RuleBook::embedded()?,
    };
    let text = super::read_text_or_stdin(&invoice)?;
    let parsed: CommissionInvoice =
        serde_json::from_str(&text).map_err(|e| Failure::json(&invoice, &e))?;
    let options = Options {
        as_of,
        trace,
        classifier: None,
    };
    let c = commission::calculate(&book, &parsed, &options)?;
    if json {
        let out = serde_json::to_string_pretty(&c).map_err(|e| Failure::json("output", &e))?;
        println!("{out}");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "rule set   {} {} ({})",
        c.rule_set.id,
        c.rule_set.version,
        &c.rule_set.hash[..16]
    );
    if !c.eligible {
        println!("eligible   no: {}", c.reason.as_deref().unwrap_or(""));
    }
    for l in &c.lines {
        let what = match (&l.group, &l.reason) {
            (Some(g), _) => g.to_string(),
            (None, Some(r)) => format!("no elegible: {r}"),
            (None, None) => "no elegible".to_owned(),
        };
        println!(
            "line {:<5} {:<12} {:>22}  {what}",
            l.line,
            l.tariff_code
                .map_or_else(|| "-".to_owned(), |c| c.to_string()),
            format_cop(l.base)
        );
    }
    println!(
        "fee        {:>22}  (limit: {})",
        format_cop(c.fee),
        c.limit.name()
    );
    println!("iva        {:>22}", format_cop(c.iva));
    println!("total      {:>22}", format_cop(c.total));
    if trace {
        println!();
        for s in &c.trace {
            println!("{:<34} {:<52} {}", s.key, s.label, s.value);
        }
    }
    Ok(ExitCode::SUCCESS)
}

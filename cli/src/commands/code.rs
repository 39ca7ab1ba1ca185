//! `bmc code check|describe`.

use std::process::ExitCode;

use bmc_core::dian::{ProductCode, hs2022};
use clap::Subcommand;

use super::Failure;

#[derive(Debug, Subcommand)]
pub enum CodeCommand {
    /// Check a product code under a DIAN scheme; prints it normalised and, for a subpartida,
    /// its HS 2022 chapter, heading and subheading.
    Check {
        /// The scheme: 020 (subpartida), 001 (UNSPSC), 010 (GTIN), 999 (own code).
        #[arg(long)]
        scheme: String,
        /// The code, such as 0901.11.90.00.
        code: String,
    },
    /// Describe an HS 2022 chapter (2 digits), heading (4) or subheading (6).
    Describe {
        /// The HS code, such as 0901 or 0901.11.
        hs: String,
    },
}

pub fn run(cmd: CodeCommand) -> Result<ExitCode, Failure> {
    match cmd {
        CodeCommand::Check { scheme, code } => {
            let parsed = ProductCode::parse(&scheme, &code)?;
            println!("{parsed}\t{}\tvalid", parsed.scheme().code());
            if let ProductCode::Tariff(tariff) = &parsed
                && let Some(d) = tariff.describe()
            {
                for entry in [d.chapter, d.heading, d.subheading] {
                    println!("  {:<6} {}", entry.code, entry.description);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CodeCommand::Describe { hs } => {
            let digits: String = hs.chars().filter(|c| *c != '.').collect();
            let entry = hs2022::lookup(&digits).ok_or_else(|| {
                Failure::argument(format!(
                    "{hs:?} is not an HS 2022 chapter, heading or subheading"
                ))
            })?;
            println!(
                "{}\t{:?}\tsection {}\t{}",
                entry.code, entry.level, entry.section, entry.description
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

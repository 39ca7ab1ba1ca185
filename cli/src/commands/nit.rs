//! `bmc nit check|dv|format`.

use std::process::ExitCode;

use bmc_core::dian::nit;
use clap::Subcommand;

use super::Failure;

#[derive(Debug, Subcommand)]
pub enum NitCommand {
    /// Check NITs written with their check digit; prints each in DIAN's format.
    Check {
        /// NITs such as 800.197.268-4 or 8001972684.
        #[arg(required = true)]
        nits: Vec<String>,
    },
    /// Compute the check digit (dígito de verificación) of a NIT base number.
    Dv {
        /// The base number, without check digit, such as 800197268.
        base: String,
    },
    /// Format a NIT as 800.197.268-4 (after checking it).
    Format {
        /// The NIT with its check digit.
        nit: String,
    },
}

pub fn run(cmd: NitCommand) -> Result<ExitCode, Failure> {
    match cmd {
        NitCommand::Check { nits } => {
            let mut all_valid = true;
            for input in &nits {
                match nit::Nit::parse(input) {
                    Ok(n) => println!("{n}\tvalid"),
                    Err(e) => {
                        all_valid = false;
                        let e = bmc_core::Error::from(e);
                        println!("{input}\tinvalid\t{}: {e}", e.code());
                    }
                }
            }
            Ok(if all_valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        NitCommand::Dv { base } => {
            println!("{}", nit::check_digit(&nit::compact(&base))?);
            Ok(ExitCode::SUCCESS)
        }
        NitCommand::Format { nit: input } => {
            println!("{}", nit::Nit::parse(&input)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

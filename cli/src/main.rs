//! `bmc`: the command-line face of bmc-core. Every command is a thin shell over the library;
//! bad input prints one line on stderr (`bmc: CODE: message`) and exits with status 1.

mod commands;
mod perturb;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// bmc-core from the shell: DIAN identifiers, product codes, CUFEs, rules and commissions.
#[derive(Debug, Parser)]
#[command(name = "bmc", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// NITs: check, compute the check digit (DV), format.
    #[command(subcommand)]
    Nit(commands::nit::NitCommand),
    /// Product codes by DIAN scheme (020 subpartida, 001 UNSPSC, 010 GTIN, 999 own).
    #[command(subcommand)]
    Code(commands::code::CodeCommand),
    /// Compute or verify a CUFE (invoices) or CUDE (credit and debit notes).
    Cufe(Box<commands::cufe::CufeArgs>),
    /// The product catalog: generate sample rows, build an index, query it.
    #[command(subcommand)]
    Catalog(commands::catalog::CatalogCommand),
    /// Commissions: compute the exchange's fee on an invoice.
    #[command(subcommand)]
    Commission(commands::commission::CommissionCommand),
    /// Rule sets: list versions, show one, run the cases, print the current one.
    #[command(subcommand)]
    Rules(commands::rules::RulesCommand),
    /// Register every invoice of a folder: read, match products, validate, commission, and
    /// write each registration (JSON) and certificate (PDF).
    Process(Box<commands::process::ProcessArgs>),
    /// Invoices: generate samples, read (UBL XML), validate (compliance findings).
    #[command(subcommand)]
    Invoice(commands::invoice::InvoiceCommand),
    /// Validate every identifier in a CSV file (columns kind,scheme,value) and print a table.
    Validate(commands::validate::ValidateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Nit(cmd) => commands::nit::run(cmd),
        Command::Code(cmd) => commands::code::run(cmd),
        Command::Cufe(args) => commands::cufe::run(*args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Commission(cmd) => commands::commission::run(cmd),
        Command::Catalog(cmd) => commands::catalog::run(cmd),
        Command::Rules(cmd) => commands::rules::run(cmd),
        Command::Invoice(cmd) => commands::invoice::run(cmd),
        Command::Process(args) => commands::process::run(*args),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("bmc: {failure}");
            ExitCode::FAILURE
        }
    }
}

//! `bmc validate FILE`: checks every identifier of a CSV file and prints one row each and a
//! summary. A row that cannot be read is reported with its line number; the rest go on.

use std::process::ExitCode;

use bmc_core::dian::{ProductCode, nit};
use clap::Args;

use super::Failure;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// A CSV file with a header and the columns kind (nit or product), scheme (for products:
    /// 020, 001, 010, 999) and value; other columns are ignored.
    file: String,
    /// Exit with status 1 when any identifier is invalid.
    #[arg(long)]
    strict: bool,
}

/// The outcome of one row: the normalised value, or the error's code and message.
type Outcome = Result<String, (String, String)>;

pub fn run(args: ValidateArgs) -> Result<ExitCode, Failure> {
    let mut reader = csv::Reader::from_path(&args.file).map_err(|e| Failure::csv(&args.file, e))?;
    let headers = reader
        .headers()
        .map_err(|e| Failure::csv(&args.file, e))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| Failure::csv(&args.file, format!("the header has no {name:?} column")))
    };
    let (kind_col, scheme_col, value_col) = (column("kind")?, column("scheme")?, column("value")?);

    println!(
        "{:>5}  {:<8} {:<6} {:<22} result",
        "line", "kind", "scheme", "input"
    );
    let (mut valid, mut invalid) = (0usize, 0usize);
    for record in reader.records() {
        let record = record.map_err(|e| Failure::csv(&args.file, e))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let (kind, scheme, value) = (field(kind_col), field(scheme_col), field(value_col));
        let outcome = check(kind, scheme, value);
        let shown = match &outcome {
            Ok(normalised) => {
                valid += 1;
                format!("valid  {normalised}")
            }
            Err((code, message)) => {
                invalid += 1;
                format!("INVALID {code}: {message}")
            }
        };
        println!("{line:>5}  {kind:<8} {scheme:<6} {value:<22} {shown}");
    }
    println!(
        "\n{} identifiers: {valid} valid, {invalid} invalid",
        valid + invalid
    );
    Ok(if args.strict && invalid > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn check(kind: &str, scheme: &str, value: &str) -> Outcome {
    let described = |e: bmc_core::Error| (e.code().to_owned(), e.to_string());
    match kind {
        "nit" => nit::Nit::parse(value)
            .map(|n| n.to_string())
            .map_err(|e| described(e.into())),
        "product" => ProductCode::parse(scheme, value)
            .map(|c| c.to_string())
            .map_err(|e| described(e.into())),
        other => Err((
            "UNKNOWN_KIND".to_owned(),
            format!("kind {other:?} is neither nit nor product"),
        )),
    }
}

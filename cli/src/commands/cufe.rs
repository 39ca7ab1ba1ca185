//! `bmc cufe`: compute or verify a CUFE/CUDE from flags or a JSON document.

use std::process::ExitCode;
use std::str::FromStr;

use bmc_core::dian::cufe::{self, CufeFields, Environment};
use clap::Args;
use rust_decimal::Decimal;

use super::Failure;

#[derive(Debug, Args)]
pub struct CufeArgs {
    /// Read the fields from a JSON file (`-` for stdin) with the keys number, issue_date,
    /// issue_time, subtotal, iva, inc, ica, total (amounts as strings), seller_nit, buyer_id,
    /// key, environment ("1" or "2"). Flags are then not allowed.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["number", "issue_date", "issue_time", "subtotal", "iva", "inc", "ica", "total", "seller_nit", "buyer_id", "key", "environment"])]
    json: Option<String>,
    /// NumFac: the number with its prefix.
    #[arg(long, required_unless_present = "json")]
    number: Option<String>,
    /// FecFac: YYYY-MM-DD.
    #[arg(long, required_unless_present = "json")]
    issue_date: Option<String>,
    /// HorFac: HH:MM:SS-05:00.
    #[arg(long, required_unless_present = "json")]
    issue_time: Option<String>,
    /// ValFac: amount before taxes, such as 1500000.00.
    #[arg(long, required_unless_present = "json")]
    subtotal: Option<String>,
    /// ValImp1: IVA amount.
    #[arg(long, default_value = "0.00")]
    iva: String,
    /// ValImp2: INC amount.
    #[arg(long, default_value = "0.00")]
    inc: String,
    /// ValImp3: ICA amount.
    #[arg(long, default_value = "0.00")]
    ica: String,
    /// ValTot: amount payable.
    #[arg(long, required_unless_present = "json")]
    total: Option<String>,
    /// NitOFE: the seller's NIT without check digit.
    #[arg(long, required_unless_present = "json")]
    seller_nit: Option<String>,
    /// NumAdq: the buyer's id number.
    #[arg(long, required_unless_present = "json")]
    buyer_id: Option<String>,
    /// ClTec (technical key) for a CUFE, or the software PIN for a CUDE.
    #[arg(long, required_unless_present = "json")]
    key: Option<String>,
    /// TipoAmbiente: 1 production, 2 test.
    #[arg(long, default_value = "1")]
    environment: String,
    /// Compare the computed code with this one; exit 1 when they differ.
    #[arg(long, value_name = "CODE")]
    verify: Option<String>,
    /// Also print the text that is hashed.
    #[arg(long)]
    preimage: bool,
}

pub fn run(args: CufeArgs) -> Result<ExitCode, Failure> {
    let fields = match &args.json {
        Some(path) => from_json(path)?,
        None => from_flags(&args)?,
    };
    if args.preimage {
        println!("{}", cufe::preimage(&fields)?);
    }
    match &args.verify {
        Some(received) => {
            let code = cufe::verify(&fields, received)?;
            println!("{code}\tverified");
        }
        None => println!("{}", cufe::compute(&fields)?),
    }
    Ok(ExitCode::SUCCESS)
}

fn from_json(path: &str) -> Result<CufeFields, Failure> {
    let text = super::read_text_or_stdin(path)?;
    serde_json::from_str(&text).map_err(|e| Failure::json(path, &e))
}

fn from_flags(args: &CufeArgs) -> Result<CufeFields, Failure> {
    let text = |name: &str, v: &Option<String>| {
        v.clone()
            .ok_or_else(|| Failure::argument(format!("--{name} is required")))
    };
    let money = |name: &str, v: &str| {
        Decimal::from_str_exact(v.trim())
            .map_err(|e| Failure::argument(format!("--{name} {v:?} is not a decimal amount: {e}")))
    };
    let date = text("issue-date", &args.issue_date)?;
    Ok(CufeFields {
        number: text("number", &args.number)?,
        issue_date: chrono::NaiveDate::from_str(&date).map_err(|e| {
            Failure::argument(format!("--issue-date {date:?} is not YYYY-MM-DD: {e}"))
        })?,
        issue_time: text("issue-time", &args.issue_time)?,
        subtotal: money("subtotal", &text("subtotal", &args.subtotal)?)?,
        iva: money("iva", &args.iva)?,
        inc: money("inc", &args.inc)?,
        ica: money("ica", &args.ica)?,
        total: money("total", &text("total", &args.total)?)?,
        seller_nit: text("seller-nit", &args.seller_nit)?,
        buyer_id: text("buyer-id", &args.buyer_id)?,
        key: text("key", &args.key)?,
        environment: Environment::parse(&args.environment)?,
    })
}

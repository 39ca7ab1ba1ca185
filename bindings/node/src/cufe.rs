//! CUFE and CUDE.

use bmc_core::dian::{CufeFields, Environment, cufe};
use napi::{Either, Env};
use napi_derive::napi;

use crate::errors::{Result, invalid_argument, to_js};
use crate::money::{self, MoneyArg};

/// The fields of a CUFE (invoice) or CUDE (credit or debit note). Amounts are decimal strings
/// with at most two decimals.
#[derive(Debug)]
#[napi(object)]
pub struct DocumentCodeFields {
    /// NumFac: the number with its prefix.
    pub number: String,
    /// FecFac: `YYYY-MM-DD`.
    pub issue_date: String,
    /// HorFac: `HH:MM:SS-05:00`.
    pub issue_time: String,
    /// ValFac: amount before taxes.
    #[napi(ts_type = "DecimalString")]
    pub subtotal: MoneyArg,
    /// ValImp1: IVA (tax 01).
    #[napi(ts_type = "DecimalString")]
    pub iva: MoneyArg,
    /// ValImp2: INC (tax 04).
    #[napi(ts_type = "DecimalString")]
    pub inc: MoneyArg,
    /// ValImp3: ICA (tax 03).
    #[napi(ts_type = "DecimalString")]
    pub ica: MoneyArg,
    /// ValTot: amount payable.
    #[napi(ts_type = "DecimalString")]
    pub total: MoneyArg,
    /// NitOFE: the seller's NIT without check digit.
    pub seller_nit: String,
    /// NumAdq: the buyer's id number.
    pub buyer_id: String,
    /// ClTec: the numbering range's technical key (for a CUFE).
    pub technical_key: Option<String>,
    /// The software PIN (for a CUDE).
    pub software_pin: Option<String>,
    /// TipoAmbiente: 1 production, 2 test.
    #[napi(ts_type = "1 | 2 | '1' | '2'")]
    pub environment: Either<u32, String>,
}

enum Key {
    TechnicalKey,
    SoftwarePin,
}

fn convert(env: &Env, f: &DocumentCodeFields, key: Key) -> Result<CufeFields> {
    let key = match key {
        Key::TechnicalKey => f
            .technical_key
            .clone()
            .ok_or_else(|| invalid_argument(env, "a CUFE needs technicalKey"))?,
        Key::SoftwarePin => f
            .software_pin
            .clone()
            .ok_or_else(|| invalid_argument(env, "a CUDE needs softwarePin"))?,
    };
    let environment = match &f.environment {
        Either::A(n) => n.to_string(),
        Either::B(s) => s.clone(),
    };
    Ok(CufeFields {
        number: f.number.clone(),
        issue_date: f.issue_date.parse().map_err(|e| {
            invalid_argument(
                env,
                format!("issueDate {:?} is not YYYY-MM-DD: {e}", f.issue_date),
            )
        })?,
        issue_time: f.issue_time.clone(),
        subtotal: money::parse(env, &f.subtotal, "subtotal")?,
        iva: money::parse(env, &f.iva, "iva")?,
        inc: money::parse(env, &f.inc, "inc")?,
        ica: money::parse(env, &f.ica, "ica")?,
        total: money::parse(env, &f.total, "total")?,
        seller_nit: f.seller_nit.clone(),
        buyer_id: f.buyer_id.clone(),
        key,
        environment: Environment::parse(&environment).map_err(|e| to_js(env, e))?,
    })
}

/// The CUFE (96 lowercase hex digits) of an invoice.
#[napi(namespace = "cufe")]
pub fn compute(env: Env, fields: DocumentCodeFields) -> Result<String> {
    let f = convert(&env, &fields, Key::TechnicalKey)?;
    cufe::compute(&f)
        .map(|c| c.as_str().to_owned())
        .map_err(|e| to_js(&env, e))
}

/// The exact text hashed into the CUFE.
#[napi(namespace = "cufe")]
pub fn preimage(env: Env, fields: DocumentCodeFields) -> Result<String> {
    cufe::preimage(&convert(&env, &fields, Key::TechnicalKey)?).map_err(|e| to_js(&env, e))
}

/// Recomputes the CUFE and compares it with `received`; returns it when they match, throws
/// `CUFE_MISMATCH` when they do not.
#[napi(namespace = "cufe")]
pub fn verify(env: Env, received: String, fields: DocumentCodeFields) -> Result<String> {
    let f = convert(&env, &fields, Key::TechnicalKey)?;
    cufe::verify(&f, &received)
        .map(|c| c.as_str().to_owned())
        .map_err(|e| to_js(&env, e))
}

/// The CUDE (96 lowercase hex digits) of a credit or debit note.
#[napi(namespace = "cude", js_name = "compute")]
pub fn compute_cude(env: Env, fields: DocumentCodeFields) -> Result<String> {
    let f = convert(&env, &fields, Key::SoftwarePin)?;
    cufe::compute_cude(&f)
        .map(|c| c.as_str().to_owned())
        .map_err(|e| to_js(&env, e))
}

/// Recomputes the CUDE and compares it with `received`.
#[napi(namespace = "cude", js_name = "verify")]
pub fn verify_cude(env: Env, received: String, fields: DocumentCodeFields) -> Result<String> {
    let f = convert(&env, &fields, Key::SoftwarePin)?;
    cufe::verify(&f, &received)
        .map(|c| c.as_str().to_owned())
        .map_err(|e| to_js(&env, e))
}

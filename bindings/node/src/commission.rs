//! `RuleBook` and commissions. Amounts are decimal strings in and out.

use bmc_core::commission::{self, CommissionInvoice, CommissionLine, Options};
use std::sync::Arc;

use bmc_core::rules::{RuleBook as CoreBook, RuleSet, SharedRuleBook};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::errors::{Result, invalid_argument, to_js};
use crate::money::{self, MoneyArg};

/// One invoice line.
#[derive(Debug)]
#[napi(object)]
pub struct InvoiceLineInput {
    /// The line's id, if any.
    pub id: Option<String>,
    /// The subpartida (scheme 020), such as `"0901119000"` or `"0901.11.90.00"`.
    pub tariff_code: Option<String>,
    /// The seller's product code (classified through a catalog when there is no subpartida).
    pub product_code: Option<String>,
    /// The amount before taxes.
    #[napi(ts_type = "DecimalString")]
    pub base: MoneyArg,
}

/// What a commission is computed from.
#[derive(Debug)]
#[napi(object)]
pub struct InvoiceInput {
    /// `YYYY-MM-DD`: picks the rule set version in force.
    pub issue_date: String,
    /// The lines.
    pub lines: Vec<InvoiceLineInput>,
}

/// How to compute.
#[derive(Debug, Default)]
#[napi(object)]
pub struct CalculateOptions {
    /// Use the version in force on this date (`YYYY-MM-DD`) instead of the issue date.
    pub as_of: Option<String>,
    /// Record every step in `trace`.
    pub trace: Option<bool>,
}

/// A rule set version.
#[derive(Debug)]
#[napi(object)]
pub struct RuleSetInfo {
    /// The rule set's id.
    pub id: String,
    /// The version: the date it takes effect.
    pub valid_from: String,
    /// SHA-256 of the version's files.
    pub hash: String,
    /// What it is.
    pub description: String,
}

/// One tier slice of a group's base.
#[derive(Debug)]
#[napi(object)]
pub struct TierSliceResult {
    /// The tier, 1-based.
    pub tier: u32,
    /// Where the tier starts.
    #[napi(ts_type = "DecimalString")]
    pub from: String,
    /// Where it ends (null for the last tier).
    #[napi(ts_type = "DecimalString | null")]
    pub to: Option<String>,
    /// The part of the base in this tier.
    #[napi(ts_type = "DecimalString")]
    pub amount: String,
    /// The tier's factor on the rate.
    #[napi(ts_type = "DecimalString")]
    pub factor: String,
    /// amount × rate × factor, full precision.
    #[napi(ts_type = "DecimalString")]
    pub fee: String,
}

/// A product group's base and fee.
#[derive(Debug)]
#[napi(object)]
pub struct GroupFeeResult {
    /// The group's key.
    pub group: String,
    /// The group's name.
    pub label: String,
    /// The rate in percent.
    #[napi(ts_type = "DecimalString")]
    pub rate_percent: String,
    /// Sum of the group's eligible bases.
    #[napi(ts_type = "DecimalString")]
    pub base: String,
    /// The group's fee, full precision.
    #[napi(ts_type = "DecimalString")]
    pub fee: String,
    /// Tier slices.
    pub slices: Vec<TierSliceResult>,
}

/// What was decided for one line.
#[derive(Debug)]
#[napi(object)]
pub struct LineResult {
    /// The line's position, 1-based.
    pub line: u32,
    /// The line's id.
    pub id: Option<String>,
    /// The subpartida used.
    pub tariff_code: Option<String>,
    /// The line's base.
    #[napi(ts_type = "DecimalString")]
    pub base: String,
    /// Whether the line adds to a group's base.
    pub eligible: bool,
    /// The group, for an eligible line.
    pub group: Option<String>,
    /// Why not (Spanish), for a line that is not eligible.
    pub reason: Option<String>,
}

/// One calculation step.
#[derive(Debug)]
#[napi(object)]
pub struct TraceStepResult {
    /// Stable key, such as `group.agricola.base`.
    pub key: String,
    /// What the step is (Spanish).
    pub label: String,
    /// The value.
    pub value: String,
}

/// The commission on one invoice.
#[derive(Debug)]
#[napi(object)]
pub struct Commission {
    /// Whether the invoice has at least one eligible line.
    pub eligible: bool,
    /// Why not, when it is not eligible (Spanish).
    pub reason: Option<String>,
    /// The fee charged.
    #[napi(ts_type = "DecimalString")]
    pub fee: String,
    /// IVA on the fee.
    #[napi(ts_type = "DecimalString")]
    pub iva: String,
    /// fee + iva.
    #[napi(ts_type = "DecimalString")]
    pub total: String,
    /// The group fees' sum, full precision.
    #[napi(ts_type = "DecimalString")]
    pub fee_unrounded: String,
    /// The rounded sum, before the limits.
    #[napi(ts_type = "DecimalString")]
    pub fee_rounded: String,
    /// Which limit applied.
    #[napi(ts_type = "'none' | 'minimum' | 'maximum'")]
    pub limit: String,
    /// The version used.
    pub rule_set: RuleSetInfo,
    /// Each group.
    pub groups: Vec<GroupFeeResult>,
    /// Each line.
    pub lines: Vec<LineResult>,
    /// Every step, when asked for.
    pub trace: Vec<TraceStepResult>,
}

fn info(v: &RuleSet) -> RuleSetInfo {
    RuleSetInfo {
        id: v.id().to_owned(),
        valid_from: v.valid_from().to_string(),
        hash: v.hash().to_owned(),
        description: v.description().to_owned(),
    }
}

fn to_result(book: &CoreBook, c: &commission::Commission) -> Commission {
    let description = book
        .version(&c.rule_set.version)
        .map(|v| v.description().to_owned())
        .unwrap_or_default();
    Commission {
        eligible: c.eligible,
        reason: c.reason.clone(),
        fee: c.fee.to_string(),
        iva: c.iva.to_string(),
        total: c.total.to_string(),
        fee_unrounded: c.fee_unrounded.to_string(),
        fee_rounded: c.fee_rounded.to_string(),
        limit: c.limit.name().to_owned(),
        rule_set: RuleSetInfo {
            id: c.rule_set.id.to_string(),
            valid_from: c.rule_set.version.to_string(),
            hash: c.rule_set.hash.to_string(),
            description,
        },
        groups: c
            .groups
            .iter()
            .map(|g| GroupFeeResult {
                group: g.group.to_string(),
                label: g.label.to_string(),
                rate_percent: g.rate_percent.to_string(),
                base: g.base.to_string(),
                fee: g.fee.to_string(),
                slices: g
                    .slices
                    .iter()
                    .map(|s| TierSliceResult {
                        tier: u32::try_from(s.tier).unwrap_or(u32::MAX),
                        from: s.from.to_string(),
                        to: s.to.map(|t| t.to_string()),
                        amount: s.amount.to_string(),
                        factor: s.factor.to_string(),
                        fee: s.fee.to_string(),
                    })
                    .collect(),
            })
            .collect(),
        lines: c
            .lines
            .iter()
            .map(|l| LineResult {
                line: u32::try_from(l.line).unwrap_or(u32::MAX),
                id: l.id.clone(),
                tariff_code: l.tariff_code.map(|t| t.as_str().to_owned()),
                base: l.base.to_string(),
                eligible: l.eligible,
                group: l.group.as_deref().map(str::to_owned),
                reason: l.reason.as_deref().map(str::to_owned),
            })
            .collect(),
        trace: c
            .trace
            .iter()
            .map(|s| TraceStepResult {
                key: s.key.clone(),
                label: s.label.clone(),
                value: s.value.clone(),
            })
            .collect(),
    }
}

fn parse_date(env: &Env, field: &str, text: &str) -> Result<chrono::NaiveDate> {
    text.parse()
        .map_err(|e| invalid_argument(env, format!("{field} {text:?} is not YYYY-MM-DD: {e}")))
}

fn parse_invoice(env: &Env, input: &InvoiceInput) -> Result<CommissionInvoice> {
    let mut lines = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        let base = money::parse(env, &l.base, &format!("lines[{i}].base"))?;
        let line = CommissionLine::from_parts(
            i + 1,
            l.id.clone(),
            l.tariff_code.as_deref(),
            l.product_code.clone(),
            base,
        )
        .map_err(|e| to_js(env, e))?;
        lines.push(line);
    }
    Ok(CommissionInvoice {
        issue_date: parse_date(env, "issueDate", &input.issue_date)?,
        lines,
    })
}

fn parse_options(
    env: &Env,
    o: Option<&CalculateOptions>,
) -> Result<(Option<chrono::NaiveDate>, bool)> {
    let as_of = o
        .and_then(|o| o.as_of.as_deref())
        .map(|d| parse_date(env, "asOf", d))
        .transpose()?;
    Ok((as_of, o.and_then(|o| o.trace).unwrap_or(false)))
}

/// All versions of a rule set; computes commissions with the version in force.
#[derive(Debug)]
#[napi]
pub struct RuleBook {
    book: SharedRuleBook,
}

#[napi]
impl RuleBook {
    /// Loads a rule set folder (one sub-folder per version, named YYYY-MM-DD).
    #[napi(factory)]
    pub fn load(env: Env, path: String) -> Result<RuleBook> {
        let book = CoreBook::load(std::path::Path::new(&path)).map_err(|e| to_js(&env, e))?;
        Ok(RuleBook {
            book: SharedRuleBook::new(book),
        })
    }

    /// The rule set built into the library (rules/registro-facturas).
    #[napi(factory)]
    pub fn embedded(env: Env) -> Result<RuleBook> {
        let book = CoreBook::embedded().map_err(|e| to_js(&env, e))?;
        Ok(RuleBook {
            book: SharedRuleBook::new(book),
        })
    }

    /// Loads the rule set folder again and swaps it in atomically; calculations already
    /// running finish with the previous rules. On error the current rules stay. Returns the
    /// folder.
    #[napi]
    pub fn reload(&self, env: Env) -> Result<String> {
        self.book
            .reload()
            .map(|p| p.display().to_string())
            .map_err(|e| to_js(&env, e))
    }

    /// Every version, oldest first.
    #[napi]
    pub fn versions(&self) -> Vec<RuleSetInfo> {
        self.book.get().versions().iter().map(|v| info(v)).collect()
    }

    /// The version in force on `date` (`YYYY-MM-DD`).
    #[napi]
    pub fn in_force(&self, env: Env, date: String) -> Result<RuleSetInfo> {
        let d = parse_date(&env, "date", &date)?;
        self.book
            .get()
            .in_force(d)
            .map(|v| info(v))
            .map_err(|e| to_js(&env, e))
    }

    /// The version in force today (Colombia time).
    #[napi]
    pub fn current(&self, env: Env) -> Result<RuleSetInfo> {
        self.book
            .get()
            .current()
            .map(|v| info(v))
            .map_err(|e| to_js(&env, e))
    }

    /// Computes the commission of one invoice.
    #[napi]
    pub fn calculate(
        &self,
        env: Env,
        invoice: InvoiceInput,
        options: Option<CalculateOptions>,
    ) -> Result<Commission> {
        let inv = parse_invoice(&env, &invoice)?;
        let (as_of, trace) = parse_options(&env, options.as_ref())?;
        let opts = Options {
            as_of,
            trace,
            classifier: None,
        };
        let book = self.book.get();
        commission::calculate(&book, &inv, &opts)
            .map(|c| to_result(&book, &c))
            .map_err(|e| to_js(&env, e))
    }

    /// Computes the commission of one invoice, classifying lines that give a `productCode`
    /// through `catalog`.
    #[napi]
    pub fn calculate_with_catalog(
        &self,
        env: Env,
        invoice: InvoiceInput,
        catalog: &crate::catalog::Catalog,
        options: Option<CalculateOptions>,
    ) -> Result<Commission> {
        let inv = parse_invoice(&env, &invoice)?;
        let (as_of, trace) = parse_options(&env, options.as_ref())?;
        let current = catalog.current();
        let opts = Options {
            as_of,
            trace,
            classifier: Some(&*current),
        };
        let book = self.book.get();
        commission::calculate(&book, &inv, &opts)
            .map(|c| to_result(&book, &c))
            .map_err(|e| to_js(&env, e))
    }

    /// Computes many invoices off the JS thread; resolves to the results in order, or rejects
    /// with the first failure, whose message starts `invoices[i]: `.
    #[napi(ts_return_type = "Promise<Array<Commission>>")]
    pub fn calculate_batch(
        &self,
        env: Env,
        invoices: Vec<InvoiceInput>,
        options: Option<CalculateOptions>,
    ) -> Result<AsyncTask<BatchTask>> {
        let parsed = invoices
            .iter()
            .map(|i| parse_invoice(&env, i))
            .collect::<Result<Vec<_>>>()?;
        let (as_of, trace) = parse_options(&env, options.as_ref())?;
        Ok(AsyncTask::new(BatchTask {
            book: self.book.get(),
            invoices: parsed,
            as_of,
            trace,
        }))
    }
}

/// The work of `calculateBatch`, run on the libuv thread pool.
#[derive(Debug)]
pub struct BatchTask {
    book: Arc<CoreBook>,
    invoices: Vec<CommissionInvoice>,
    as_of: Option<chrono::NaiveDate>,
    trace: bool,
}

impl Task for BatchTask {
    type Output = Vec<std::result::Result<commission::Commission, commission::CommissionError>>;
    type JsValue = Vec<Commission>;

    fn compute(&mut self) -> Result<Self::Output> {
        let opts = Options {
            as_of: self.as_of,
            trace: self.trace,
            classifier: None,
        };
        Ok(commission::calculate_batch(
            &self.book,
            &self.invoices,
            &opts,
        ))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.map(|c| to_result(&self.book, &c))
                    .map_err(|e| crate::errors::at_index(&env, e, i))
            })
            .collect()
    }
}

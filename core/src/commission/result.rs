//! What a commission calculation returns. Serialises to JSON with amounts as decimal strings.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::dian::TariffCode;
pub use crate::rules::RuleSetRef;

/// Which limit set the fee, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitApplied {
    /// The rounded fee was within the limits.
    None,
    /// The rounded fee was below the minimum, which was charged instead.
    Minimum,
    /// The rounded fee was above the maximum, which was charged instead.
    Maximum,
}

impl LimitApplied {
    /// `none`, `minimum` or `maximum`.
    pub fn name(self) -> &'static str {
        match self {
            LimitApplied::None => "none",
            LimitApplied::Minimum => "minimum",
            LimitApplied::Maximum => "maximum",
        }
    }
}

/// One slice of a group's base within one marginal tier.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TierSlice {
    /// The tier, 1-based.
    pub tier: usize,
    /// Where the tier starts.
    #[serde(with = "rust_decimal::serde::str")]
    pub from: Decimal,
    /// Where it ends (`None` for the last, unbounded tier).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub to: Option<Decimal>,
    /// The part of the base in this tier.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The tier's factor on the rate.
    #[serde(with = "rust_decimal::serde::str")]
    pub factor: Decimal,
    /// `amount × rate × factor`, at full precision.
    #[serde(with = "rust_decimal::serde::str")]
    pub fee: Decimal,
}

/// A product group's base and fee.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupFee {
    /// The group's key.
    pub group: Arc<str>,
    /// The group's name for people.
    pub label: Arc<str>,
    /// The group's rate in percent.
    #[serde(with = "rust_decimal::serde::str")]
    pub rate_percent: Decimal,
    /// Sum of the group's eligible line bases.
    #[serde(with = "rust_decimal::serde::str")]
    pub base: Decimal,
    /// The group's fee at full precision (sum of its slices).
    #[serde(with = "rust_decimal::serde::str")]
    pub fee: Decimal,
    /// The tier slices, in tier order (only those with an amount).
    pub slices: Vec<TierSlice>,
}

/// What was decided for one line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineDecision {
    /// The line's position, 1-based.
    pub line: usize,
    /// The line's id, if it had one.
    pub id: Option<String>,
    /// The subpartida used (given, or from the catalog).
    pub tariff_code: Option<TariffCode>,
    /// The line's base.
    #[serde(with = "rust_decimal::serde::str")]
    pub base: Decimal,
    /// Whether the line adds to a group's base.
    pub eligible: bool,
    /// The group, for an eligible line.
    pub group: Option<Arc<str>>,
    /// Why not, for a line that is not eligible (Spanish).
    pub reason: Option<Arc<str>>,
}

/// One step of the calculation, for people and for tests.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TraceStep {
    /// A stable key such as `group.agricola.base` or `fee.rounded`.
    pub key: String,
    /// What the step is, in Spanish.
    pub label: String,
    /// The value, as text (amounts as plain decimals).
    pub value: String,
}

/// The commission on one invoice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Commission {
    /// Whether the invoice has at least one eligible line. When not, every amount is zero.
    pub eligible: bool,
    /// Why the invoice is not eligible (Spanish), when it is not.
    pub reason: Option<String>,
    /// The fee charged.
    #[serde(with = "rust_decimal::serde::str")]
    pub fee: Decimal,
    /// IVA on the fee.
    #[serde(with = "rust_decimal::serde::str")]
    pub iva: Decimal,
    /// `fee + iva`.
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    /// The sum of the group fees at full precision, before rounding.
    #[serde(with = "rust_decimal::serde::str")]
    pub fee_unrounded: Decimal,
    /// The rounded sum, before the limits.
    #[serde(with = "rust_decimal::serde::str")]
    pub fee_rounded: Decimal,
    /// Which limit applied.
    pub limit: LimitApplied,
    /// Each group's base, slices and fee, ordered by group key.
    pub groups: Vec<GroupFee>,
    /// Each line's decision, in line order.
    pub lines: Vec<LineDecision>,
    /// The rule set version used.
    pub rule_set: RuleSetRef,
    /// Every step, when asked for (empty otherwise).
    pub trace: Vec<TraceStep>,
}

impl Commission {
    /// The value of a trace step by key.
    pub fn trace_value(&self, key: &str) -> Option<&str> {
        self.trace
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.value.as_str())
    }
}

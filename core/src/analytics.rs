//! The seed's analytics facts: `bmc_analytics.fact_commissions`, one row per eligible line of
//! a registered invoice with its share of the commission.
//!
//! The commission is charged per invoice (group fees, rounding, minimum and maximum), so a
//! line's `commission_amount` is the invoice's fee shared among its eligible lines in
//! proportion to their bases, to four decimals, the last cent-fractions given to the largest
//! line so that an invoice's rows add up to its fee exactly.
//!
//! ```
//! # fn demo(registration: &bmc_core::pipeline::Registration) {
//! for fact in bmc_core::analytics::fact_commissions(registration) {
//!     println!("{} {} {}", fact.registration_id, fact.line_id, fact.commission_amount);
//! }
//! # }
//! ```

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

use crate::pipeline::Registration;

/// One row of `bmc_analytics.fact_commissions`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FactCommission {
    /// The invoice's key: the first 60 bits of its verification code, a stable number for
    /// the warehouse (the registration id is the readable one).
    pub invoice_key: i64,
    /// The product's catalog id (0 when the line matched no product).
    pub product_key: i64,
    /// The registration date as `YYYYMMDD`.
    pub date_key: u32,
    /// The line's share of the invoice's fee (before IVA), four decimals.
    #[serde(with = "rust_decimal::serde::str")]
    pub commission_amount: Decimal,
    /// The line's group rate as a fraction (0.08 % is `0.000800`).
    #[serde(with = "rust_decimal::serde::str")]
    pub commission_rate: Decimal,
    /// The line's quantity, as invoiced.
    #[serde(with = "rust_decimal::serde::str")]
    pub quantity: Decimal,
    /// The invoice's payable total.
    #[serde(with = "rust_decimal::serde::str")]
    pub total_invoice_amount: Decimal,
    /// The registration id.
    pub registration_id: String,
    /// The line's id in the invoice.
    pub line_id: String,
    /// The product's code, when the line matched one.
    pub product_code: Option<String>,
    /// The line's commission group.
    pub commission_group: String,
}

/// The column names of [`FactCommission`] in order, as a CSV header and a `COPY` column list.
pub const COLUMNS: [&str; 11] = [
    "invoice_key",
    "product_key",
    "date_key",
    "commission_amount",
    "commission_rate",
    "quantity",
    "total_invoice_amount",
    "registration_id",
    "line_id",
    "product_code",
    "commission_group",
];

/// The facts of `registration`: none unless it is registrable with a commission.
pub fn fact_commissions(registration: &Registration) -> Vec<FactCommission> {
    serde_json::to_value(registration)
        .ok()
        .and_then(|json| fact_commissions_from_json(&json).ok())
        .unwrap_or_default()
}

/// The facts of a registration as core writes it in JSON (`Registration`'s serialization), as
/// services keep it. An error names what the JSON lacks.
pub fn fact_commissions_from_json(
    registration: &serde_json::Value,
) -> Result<Vec<FactCommission>, serde_json::Error> {
    let view = View::deserialize(registration)?;
    Ok(view.facts())
}

#[derive(Deserialize)]
struct View {
    registration_id: String,
    verification_code: String,
    registration_date: NaiveDate,
    registrable: bool,
    invoice: ViewInvoice,
    lines: Vec<ViewMatch>,
    commission: Option<ViewCommission>,
}

#[derive(Deserialize)]
struct ViewInvoice {
    lines: Vec<ViewInvoiceLine>,
    totals: ViewTotals,
}

#[derive(Deserialize)]
struct ViewInvoiceLine {
    id: String,
    #[serde(with = "rust_decimal::serde::str")]
    quantity: Decimal,
}

#[derive(Deserialize)]
struct ViewTotals {
    #[serde(with = "rust_decimal::serde::str")]
    payable: Decimal,
}

#[derive(Deserialize)]
struct ViewMatch {
    product: Option<ViewProduct>,
}

#[derive(Deserialize)]
struct ViewProduct {
    product_id: i64,
    product_code: String,
}

#[derive(Deserialize)]
struct ViewCommission {
    #[serde(with = "rust_decimal::serde::str")]
    fee: Decimal,
    groups: Vec<ViewGroup>,
    lines: Vec<ViewDecision>,
}

#[derive(Deserialize)]
struct ViewGroup {
    group: String,
    #[serde(with = "rust_decimal::serde::str")]
    rate_percent: Decimal,
}

#[derive(Deserialize)]
struct ViewDecision {
    line: usize,
    #[serde(with = "rust_decimal::serde::str")]
    base: Decimal,
    eligible: bool,
    group: Option<String>,
}

impl View {
    fn facts(&self) -> Vec<FactCommission> {
        let Some(commission) = self.commission.as_ref().filter(|_| self.registrable) else {
            return Vec::new();
        };
        let eligible: Vec<&ViewDecision> = commission
            .lines
            .iter()
            .filter(|d| d.eligible && d.group.is_some())
            .collect();
        let shares = shares(
            commission.fee,
            &eligible.iter().map(|d| d.base).collect::<Vec<_>>(),
        );
        let invoice_key = self
            .verification_code
            .get(..15)
            .and_then(|h| i64::from_str_radix(h, 16).ok())
            .unwrap_or(0);
        let date_key = self.registration_date.year().unsigned_abs() * 10_000
            + self.registration_date.month() * 100
            + self.registration_date.day();
        eligible
            .iter()
            .zip(shares)
            .map(|(decision, share)| {
                let index = decision.line.saturating_sub(1);
                let line = self.invoice.lines.get(index);
                let product = self.lines.get(index).and_then(|m| m.product.as_ref());
                let group = decision.group.clone().unwrap_or_default();
                let rate = commission
                    .groups
                    .iter()
                    .find(|g| g.group == group)
                    .map_or(Decimal::ZERO, |g| g.rate_percent / Decimal::ONE_HUNDRED);
                FactCommission {
                    invoice_key,
                    product_key: product.map_or(0, |p| p.product_id),
                    date_key,
                    commission_amount: share,
                    commission_rate: rate.round_dp(6),
                    quantity: line.map_or(Decimal::ZERO, |l| l.quantity),
                    total_invoice_amount: self.invoice.totals.payable,
                    registration_id: self.registration_id.clone(),
                    line_id: line.map_or_else(|| decision.line.to_string(), |l| l.id.clone()),
                    product_code: product.map(|p| p.product_code.clone()),
                    commission_group: group,
                }
            })
            .collect()
    }
}

/// `total` shared in proportion to `weights`, each share to four decimals, adding up to
/// `total` exactly (rounded to four decimals): what rounding leaves over goes to the largest
/// weight. Equal shares when every weight is zero.
fn shares(total: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    if weights.is_empty() {
        return Vec::new();
    }
    let total = total.round_dp(4);
    let sum: Decimal = weights.iter().sum();
    let count = Decimal::from(weights.len());
    let mut shares: Vec<Decimal> = weights
        .iter()
        .map(|w| {
            let share = if sum.is_zero() {
                total / count
            } else {
                total * *w / sum
            };
            share.round_dp_with_strategy(4, RoundingStrategy::MidpointNearestEven)
        })
        .collect();
    let rest = total - shares.iter().sum::<Decimal>();
    let largest = (0..weights.len())
        .max_by(|&a, &b| weights[a].cmp(&weights[b]).then(b.cmp(&a)))
        .unwrap_or(0);
    shares[largest] += rest;
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn shares_add_up_to_the_total_exactly() {
        let s = shares(d("100"), &[d("1"), d("1"), d("1")]);
        assert_eq!(s, [d("33.3334"), d("33.3333"), d("33.3333")]);
        assert_eq!(s.iter().sum::<Decimal>(), d("100"));
        let s = shares(d("37782.80"), &[d("47228500.00")]);
        assert_eq!(s, [d("37782.80")]);
        let s = shares(d("10"), &[d("0"), d("0")]);
        assert_eq!(s, [d("5"), d("5")]);
        assert!(shares(d("10"), &[]).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn shares_never_lose_a_fraction(
            total in 0u64..10_000_000_000,
            weights in proptest::collection::vec(0u64..1_000_000_000_000, 1..40),
        ) {
            let total = Decimal::new(total as i64, 2);
            let weights: Vec<Decimal> = weights.into_iter().map(|w| Decimal::new(w as i64, 2)).collect();
            let s = shares(total, &weights);
            proptest::prop_assert_eq!(s.iter().sum::<Decimal>(), total);
            proptest::prop_assert!(s.iter().all(|x| x.scale() <= 4));
        }
    }
}

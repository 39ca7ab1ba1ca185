//! The calculation itself.

use std::rc::Rc;

use rust_decimal::Decimal;

use super::CommissionError;
use super::input::{CommissionInvoice, Options};
use super::result::{Commission, GroupFee, LimitApplied, LineDecision, TierSlice, TraceStep};
use crate::money;
use crate::rules::{Decision, RuleBook, RuleSet};

/// Computes the commission of `invoice` with the version in force on its issue date (or on
/// `options.as_of`).
pub fn calculate(
    book: &RuleBook,
    invoice: &CommissionInvoice,
    options: &Options<'_>,
) -> Result<Commission, CommissionError> {
    let date = options.as_of.unwrap_or(invoice.issue_date);
    calculate_with(book.in_force(date)?, invoice, options)
}

/// Computes the commission of `invoice` with a given rule set version.
pub fn calculate_with(
    rule_set: &RuleSet,
    invoice: &CommissionInvoice,
    options: &Options<'_>,
) -> Result<Commission, CommissionError> {
    let mut trace = Trace::new(options.trace);
    let (lines, eligible_lines) = decide_lines(rule_set, invoice, options, &mut trace)?;
    let groups = group_fees(rule_set, &eligible_lines, &mut trace)?;
    let rule_set_ref = rule_set.reference().clone();
    if groups.is_empty() {
        let reason = if invoice.lines.is_empty() {
            "la factura no tiene líneas".to_owned()
        } else {
            "ninguna línea corresponde a un producto elegible".to_owned()
        };
        trace.step(
            "eligible",
            || "Factura elegible".to_owned(),
            || "no".to_owned(),
        );
        return Ok(Commission {
            eligible: false,
            reason: Some(reason),
            fee: Decimal::ZERO,
            iva: Decimal::ZERO,
            total: Decimal::ZERO,
            fee_unrounded: Decimal::ZERO,
            fee_rounded: Decimal::ZERO,
            limit: LimitApplied::None,
            groups,
            lines,
            rule_set: rule_set_ref,
            trace: trace.steps,
        });
    }

    let rules = rule_set.tariff();
    let fee_unrounded = groups
        .iter()
        .try_fold(Decimal::ZERO, |acc, g| acc.checked_add(g.fee))
        .ok_or(CommissionError::OutOfRange {
            what: "the sum of the group fees".to_owned(),
        })?;
    let fee_rounded = money::round(fee_unrounded, rules.fee.places, rules.fee.rounding);
    let (fee, limit) = if fee_rounded < rules.fee.minimum {
        (rules.fee.minimum, LimitApplied::Minimum)
    } else if fee_rounded > rules.fee.maximum {
        (rules.fee.maximum, LimitApplied::Maximum)
    } else {
        (fee_rounded, LimitApplied::None)
    };
    let out_of_range = |what: &str| CommissionError::OutOfRange {
        what: what.to_owned(),
    };
    let iva = money::round(
        money::percent(fee, rules.iva.percent).ok_or_else(|| out_of_range("the IVA"))?,
        rules.iva.places,
        rules.iva.rounding,
    );
    let total = fee
        .checked_add(iva)
        .ok_or_else(|| out_of_range("the total"))?;

    trace.step(
        "fee.sum",
        || "Suma de las comisiones de los grupos".to_owned(),
        || fee_unrounded.to_string(),
    );
    trace.step(
        "fee.rounded",
        || {
            format!(
                "Comisión redondeada ({}, {} decimales)",
                rules.fee.rounding.name(),
                rules.fee.places
            )
        },
        || fee_rounded.to_string(),
    );
    trace.step(
        "fee.limit",
        || {
            format!(
                "Límite aplicado (mínimo {}, máximo {})",
                rules.fee.minimum, rules.fee.maximum
            )
        },
        || limit.name().to_owned(),
    );
    trace.step("fee", || "Comisión".to_owned(), || fee.to_string());
    trace.step(
        "iva",
        || format!("IVA ({} %)", rules.iva.percent),
        || iva.to_string(),
    );
    trace.step(
        "total",
        || "Total (comisión + IVA)".to_owned(),
        || total.to_string(),
    );

    Ok(Commission {
        eligible: true,
        reason: None,
        fee,
        iva,
        total,
        fee_unrounded,
        fee_rounded,
        limit,
        groups,
        lines,
        rule_set: rule_set_ref,
        trace: trace.steps,
    })
}

/// An eligible line's decision and base.
type EligibleLine = (Rc<Decision>, Decimal);

/// Every line's decision, and the eligible ones with their base.
fn decide_lines(
    rule_set: &RuleSet,
    invoice: &CommissionInvoice,
    options: &Options<'_>,
    trace: &mut Trace,
) -> Result<(Vec<LineDecision>, Vec<EligibleLine>), CommissionError> {
    let mut lines = Vec::with_capacity(invoice.lines.len());
    let mut eligible = Vec::with_capacity(invoice.lines.len());
    for (i, line) in invoice.lines.iter().enumerate() {
        let number = i + 1;
        if line.base.is_sign_negative() && !line.base.is_zero() {
            return Err(CommissionError::InvalidLine {
                line: number,
                field: "base",
                message: format!("{} is negative; a line base is 0 or more", line.base),
            });
        }
        let code =
            match (
                line.tariff_code,
                line.product_code.as_deref(),
                options.classifier,
            ) {
                (Some(code), _, _) => Some(code),
                (None, Some(product), Some(classifier)) => classifier
                    .tariff_code(product)
                    .map_err(|e| CommissionError::Catalog {
                        line: number,
                        source: Box::new(e),
                    })?,
                _ => None,
            };
        let (decision, reason) = match &code {
            Some(code) => (Some(rule_set.decision(code)?), None),
            None => {
                let reason = match &line.product_code {
                    Some(p) if options.classifier.is_some() => {
                        format!("el producto {p} no está en el catálogo o no tiene subpartida")
                    }
                    Some(p) => format!(
                        "la línea no trae subpartida y el producto {p} no se pudo clasificar (sin catálogo)"
                    ),
                    None => "la línea no trae subpartida ni código de producto".to_owned(),
                };
                (None, Some(reason))
            }
        };
        let decided = match decision.as_deref() {
            Some(Decision::Eligible { group, .. }) => LineDecision {
                line: number,
                id: line.id.clone(),
                tariff_code: code,
                base: line.base,
                eligible: true,
                group: Some(group.clone()),
                reason: None,
            },
            Some(Decision::NotEligible { reason, .. }) => LineDecision {
                line: number,
                id: line.id.clone(),
                tariff_code: code,
                base: line.base,
                eligible: false,
                group: None,
                reason: Some(reason.clone()),
            },
            None => LineDecision {
                line: number,
                id: line.id.clone(),
                tariff_code: None,
                base: line.base,
                eligible: false,
                group: None,
                reason: reason.map(Into::into),
            },
        };
        trace.step(
            || format!("line.{number}.group"),
            || format!("Línea {number}: grupo de producto"),
            || match (&decided.group, &decided.reason) {
                (Some(g), _) => g.to_string(),
                (None, Some(r)) => format!("no elegible: {r}"),
                (None, None) => "no elegible".to_owned(),
            },
        );
        if let Some(d) = decision.filter(|d| matches!(**d, Decision::Eligible { .. })) {
            eligible.push((d, line.base));
        }
        lines.push(decided);
    }
    Ok((lines, eligible))
}

/// Group bases, marginal tier slices and group fees, ordered by group key. A base or fee
/// that leaves rust_decimal's range (28 digits) is an error, never a panic.
fn group_fees(
    rule_set: &RuleSet,
    eligible: &[EligibleLine],
    trace: &mut Trace,
) -> Result<Vec<GroupFee>, CommissionError> {
    let out_of_range = |what: String| CommissionError::OutOfRange { what };
    let mut groups: Vec<GroupFee> = Vec::new();
    for (decision, base) in eligible {
        let Decision::Eligible {
            group,
            label,
            rate_percent,
            ..
        } = &**decision
        else {
            continue;
        };
        match groups.iter_mut().find(|g| g.group == *group) {
            Some(g) => {
                g.base = g
                    .base
                    .checked_add(*base)
                    .ok_or_else(|| out_of_range(format!("the base of group {group}")))?;
            }
            None => groups.push(GroupFee {
                group: group.clone(),
                label: label.clone(),
                rate_percent: *rate_percent,
                base: *base,
                fee: Decimal::ZERO,
                slices: Vec::new(),
            }),
        }
    }
    groups.sort_by(|a, b| a.group.cmp(&b.group));
    let tiers = &rule_set.tariff().tiers;
    for g in &mut groups {
        let rate = g.rate_percent / Decimal::ONE_HUNDRED;
        let mut from = Decimal::ZERO;
        for (i, tier) in tiers.iter().enumerate() {
            if g.base <= from {
                break;
            }
            let top = tier.up_to.map_or(g.base, |up| up.min(g.base));
            let amount = top - from;
            let fee = amount
                .checked_mul(rate)
                .and_then(|f| f.checked_mul(tier.factor))
                .ok_or_else(|| {
                    out_of_range(format!("group {}'s fee in tier {}", g.group, i + 1))
                })?;
            g.fee = g
                .fee
                .checked_add(fee)
                .ok_or_else(|| out_of_range(format!("group {}'s fee", g.group)))?;
            g.slices.push(TierSlice {
                tier: i + 1,
                from,
                to: tier.up_to,
                amount,
                factor: tier.factor,
                fee,
            });
            from = tier.up_to.unwrap_or(g.base);
        }
        let key = &g.group;
        trace.step(
            || format!("group.{key}.base"),
            || format!("Base del grupo {}", g.label),
            || g.base.to_string(),
        );
        trace.step(
            || format!("group.{key}.rate_percent"),
            || format!("Tarifa del grupo {} (%)", g.label),
            || g.rate_percent.to_string(),
        );
        for s in &g.slices {
            let to =
                s.to.map_or_else(|| "en adelante".to_owned(), |t| format!("a {t}"));
            trace.step(
                || format!("group.{key}.tier.{}.amount", s.tier),
                || format!("Tramo {} (de {} {to}): base", s.tier, s.from),
                || s.amount.to_string(),
            );
            trace.step(
                || format!("group.{key}.tier.{}.fee", s.tier),
                || {
                    format!(
                        "Tramo {}: comisión al {} % × factor {}",
                        s.tier, g.rate_percent, s.factor
                    )
                },
                || s.fee.to_string(),
            );
        }
        trace.step(
            || format!("group.{key}.fee"),
            || format!("Comisión del grupo {}", g.label),
            || g.fee.to_string(),
        );
    }
    Ok(groups)
}

/// Trace steps, built only when asked for: keys, labels and values are closures so that a
/// calculation without trace formats nothing.
struct Trace {
    on: bool,
    steps: Vec<TraceStep>,
}

/// A trace key: a fixed string or one built on demand.
trait Key {
    fn key(self) -> String;
}

impl Key for &str {
    fn key(self) -> String {
        self.to_owned()
    }
}

impl<F: FnOnce() -> String> Key for F {
    fn key(self) -> String {
        self()
    }
}

impl Trace {
    fn new(on: bool) -> Trace {
        Trace {
            on,
            steps: Vec::new(),
        }
    }

    fn step(
        &mut self,
        key: impl Key,
        label: impl FnOnce() -> String,
        value: impl FnOnce() -> String,
    ) {
        if self.on {
            self.steps.push(TraceStep {
                key: key.key(),
                label: label(),
                value: value(),
            });
        }
    }
}

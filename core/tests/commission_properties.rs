//! Exactness of the commission: proptest invariants, and a differential test against an
//! independent plain-Rust implementation of DOMAIN.md's example tariff.
//!
//! The differential runs `BMC_DIFFERENTIAL_COUNT` random invoices (20,000 by default; the
//! full check is `BMC_DIFFERENTIAL_COUNT=1000000 cargo test --release --test
//! commission_properties`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bmc_core::commission::{self, CommissionInvoice, CommissionLine, LimitApplied, Options};
use bmc_core::dian::TariffCode;
use bmc_core::rules::RuleBook;
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

/// Subpartidas covering every group, coffee, and chapters that are not eligible.
const CODES: &[&str] = &[
    "0102210000",
    "0302110000",
    "0401100000",
    "0511991000", // pecuario 01-05
    "0602900000",
    "0803901200",
    "1005901100",
    "1404900000", // agricola 06-14
    "0901119000", // coffee: agricola in 2025, its own rate from 2026
    "1507100000",
    "1801001900",
    "2202100000",
    "2401100000", // agroindustrial 15-24
    "2501000000",
    "2523290000",
    "3102100000",
    "8433510000", // not eligible
];

fn book() -> RuleBook {
    RuleBook::embedded().unwrap()
}

/// The tariff of DOMAIN.md written out plainly, sharing nothing with the rule sets.
mod reference {
    use super::*;

    pub struct Expected {
        pub eligible: bool,
        pub fee: Decimal,
        pub iva: Decimal,
        pub total: Decimal,
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    pub fn commission(date: NaiveDate, lines: &[(&str, Decimal)]) -> Option<Expected> {
        let y2026 = date >= NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        if date < NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() {
            return None;
        }
        let (pec, agr, ind, min, max) = if y2026 {
            (d("0.11"), d("0.08"), d("0.13"), d("52000"), d("26000000"))
        } else {
            (d("0.10"), d("0.08"), d("0.12"), d("50000"), d("25000000"))
        };
        // group index: 0 pecuario, 1 agricola, 2 agroindustrial, 3 coffee
        let mut bases = [None::<Decimal>; 4];
        for (code, base) in lines {
            let chapter: u32 = code[..2].parse().unwrap();
            let g = if y2026 && code.starts_with("0901") {
                3
            } else {
                match chapter {
                    1..=5 => 0,
                    6..=14 => 1,
                    15..=24 => 2,
                    _ => continue,
                }
            };
            *bases[g].get_or_insert(Decimal::ZERO) += *base;
        }
        if bases.iter().all(Option::is_none) {
            return Some(Expected {
                eligible: false,
                fee: Decimal::ZERO,
                iva: Decimal::ZERO,
                total: Decimal::ZERO,
            });
        }
        let rates = [pec, agr, ind, d("0.05")];
        let mut sum = Decimal::ZERO;
        for (base, rate) in bases.iter().zip(rates) {
            let Some(base) = base else { continue };
            let rate = rate / Decimal::ONE_HUNDRED;
            let t1 = d("1000000000");
            let t2 = d("5000000000");
            let first = (*base).min(t1);
            let second = ((*base).min(t2) - t1).max(Decimal::ZERO);
            let third = (*base - t2).max(Decimal::ZERO);
            sum += first * rate + second * rate * d("0.75") + third * rate * d("0.5");
        }
        let rounded = sum.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        let fee = rounded.max(min).min(max);
        let iva =
            (fee * d("0.19")).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        Some(Expected {
            eligible: true,
            fee,
            iva,
            total: fee + iva,
        })
    }
}

fn invoice(date: NaiveDate, lines: &[(&str, Decimal)]) -> CommissionInvoice {
    CommissionInvoice {
        issue_date: date,
        lines: lines
            .iter()
            .map(|(code, base)| CommissionLine {
                id: None,
                tariff_code: Some(TariffCode::parse(code).unwrap()),
                product_code: None,
                base: *base,
            })
            .collect(),
    }
}

/// SplitMix64: a small deterministic generator, so the differential needs no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A base in cents, spread over every order of magnitude up to 100.000 million.
    fn base(&mut self) -> Decimal {
        let magnitude = self.below(12) as u32;
        let cents = self.below(10u64.pow(magnitude + 2).max(1));
        Decimal::new(cents as i64, 2)
    }
}

#[test]
fn differential_against_plain_reference() {
    let count: usize = std::env::var("BMC_DIFFERENTIAL_COUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let book = book();
    let start = NaiveDate::from_ymd_opt(2024, 12, 1).unwrap();
    let mut rng = Rng(20_261_128);
    let mut checked = 0;
    for _ in 0..count {
        let date = start + chrono::Days::new(rng.below(800));
        let n = rng.below(6) as usize;
        let lines: Vec<(&str, Decimal)> = (0..n)
            .map(|_| (CODES[rng.below(CODES.len() as u64) as usize], rng.base()))
            .collect();
        let expected = reference::commission(date, &lines);
        let got = commission::calculate(&book, &invoice(date, &lines), &Options::default());
        match (expected, got) {
            (None, Err(e)) => assert_eq!(e.code(), "RULESET_NOT_IN_FORCE"),
            (Some(x), Ok(c)) => {
                assert_eq!(
                    (c.eligible, c.fee, c.iva, c.total),
                    (x.eligible, x.fee, x.iva, x.total),
                    "{date} {lines:?}"
                );
                checked += 1;
            }
            (x, c) => panic!("{date} {lines:?}: reference {:?}, core {c:?}", x.is_some()),
        }
    }
    assert!(checked > count / 2);
}

fn amount() -> impl Strategy<Value = Decimal> {
    (0i64..10_000_000_000_000).prop_map(|cents| Decimal::new(cents, 2))
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (0u64..730).prop_map(|d| NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(d))
}

fn lines() -> impl Strategy<Value = Vec<(&'static str, Decimal)>> {
    prop::collection::vec((prop::sample::select(CODES), amount()), 0..6)
}

proptest! {
    #[test]
    fn fee_is_the_clamped_rounded_sum_and_iva_is_19_percent(date in date(), lines in lines()) {
        let c = commission::calculate(&book(), &invoice(date, &lines), &Options::default()).unwrap();
        prop_assert!(!c.fee.is_sign_negative() && !c.iva.is_sign_negative());
        prop_assert_eq!(c.total, c.fee + c.iva);
        if c.eligible {
            let sum: Decimal = c.groups.iter().map(|g| g.fee).sum();
            prop_assert_eq!(sum, c.fee_unrounded);
            let rounded = sum.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
            prop_assert_eq!(rounded, c.fee_rounded);
            let rules = book();
            let fee_rule = &rules.in_force(date).unwrap().tariff().fee;
            prop_assert_eq!(c.fee, rounded.max(fee_rule.minimum).min(fee_rule.maximum));
            let expected_limit = if rounded < fee_rule.minimum {
                LimitApplied::Minimum
            } else if rounded > fee_rule.maximum {
                LimitApplied::Maximum
            } else {
                LimitApplied::None
            };
            prop_assert_eq!(c.limit, expected_limit);
            let iva = (c.fee * Decimal::new(19, 2))
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
            prop_assert_eq!(c.iva, iva);
        } else {
            prop_assert!(c.fee.is_zero() && c.total.is_zero());
        }
    }

    #[test]
    fn fee_never_falls_when_a_base_grows(date in date(), lines in lines(), extra in amount(), pick in 0usize..6) {
        prop_assume!(!lines.is_empty());
        let book = book();
        let before = commission::calculate(&book, &invoice(date, &lines), &Options::default()).unwrap();
        let mut grown = lines.clone();
        let i = pick % grown.len();
        grown[i].1 += extra;
        let after = commission::calculate(&book, &invoice(date, &grown), &Options::default()).unwrap();
        prop_assert!(after.fee >= before.fee, "{} < {}", after.fee, before.fee);
        for g in &before.groups {
            let later = after.groups.iter().find(|a| a.group == g.group).unwrap();
            prop_assert!(later.fee >= g.fee);
        }
    }
}

//! Money helpers: rounding to a number of places by a named mode, percentages, clamping, and
//! Colombian formatting. Everything is [`Decimal`]; no float is ever involved.
//!
//! ```
//! use bmc_core::money::{self, Rounding};
//! use rust_decimal::Decimal;
//!
//! let half = Decimal::new(12345, 1); // 1234.5
//! assert_eq!(money::round(half, 0, Rounding::HalfUp), Decimal::new(1235, 0));
//! assert_eq!(money::round(half, 0, Rounding::HalfEven), Decimal::new(1234, 0));
//! assert_eq!(money::format_cop(Decimal::new(125000000, 2)), "1.250.000,00");
//! ```

use rust_decimal::{Decimal, RoundingStrategy};

/// How to round a value to a number of decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Half away from zero (0.5 → 1, 1.5 → 2): the usual rule for pesos.
    HalfUp,
    /// Half to even, banker's rounding (0.5 → 0, 1.5 → 2).
    HalfEven,
    /// Toward zero: drop the extra places.
    Down,
}

impl Rounding {
    /// The name used in rule-set data (`half_up`, `half_even`, `down`).
    pub fn name(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half_up",
            Rounding::HalfEven => "half_even",
            Rounding::Down => "down",
        }
    }

    /// Parses a name used in rule-set data.
    pub fn parse(name: &str) -> Option<Rounding> {
        match name {
            "half_up" => Some(Rounding::HalfUp),
            "half_even" => Some(Rounding::HalfEven),
            "down" => Some(Rounding::Down),
            _ => None,
        }
    }
}

/// Rounds `value` to `places` decimal places by `mode`; the result has exactly that scale.
pub fn round(value: Decimal, places: u32, mode: Rounding) -> Decimal {
    let strategy = match mode {
        Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
        Rounding::Down => RoundingStrategy::ToZero,
    };
    let mut rounded = value.round_dp_with_strategy(places, strategy);
    rounded.rescale(places);
    rounded
}

/// `percent` % of `value`, at full precision (`percent(200, 19) = 38`); `None` when the
/// product leaves rust_decimal's 28-digit range.
pub fn percent(value: Decimal, percent: Decimal) -> Option<Decimal> {
    value
        .checked_mul(percent)?
        .checked_div(Decimal::ONE_HUNDRED)
}

/// `value` held between `min` and `max` (`min` wins if they cross).
pub fn clamp(value: Decimal, min: Decimal, max: Decimal) -> Decimal {
    value.min(max).max(min)
}

/// How amounts are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// `$ 1.250.000,00`, as Colombian invoices print them.
    Colombian,
    /// `$1,250,000.00`, as some systems print them.
    English,
}

/// An amount as the style prints it, with the peso sign.
pub fn format_amount(value: Decimal, style: NumberStyle) -> String {
    match style {
        NumberStyle::Colombian => format!("$ {}", format_cop(value)),
        NumberStyle::English => {
            let swapped: String = format_cop(value)
                .chars()
                .map(|c| match c {
                    '.' => ',',
                    ',' => '.',
                    c => c,
                })
                .collect();
            format!("${swapped}")
        }
    }
}

/// A quantity as the style prints it: its own decimals, the style's decimal mark.
pub fn format_quantity(value: Decimal, style: NumberStyle) -> String {
    let text = value.to_string();
    match style {
        NumberStyle::Colombian => text.replace('.', ","),
        NumberStyle::English => text,
    }
}

/// Formats an amount as printed in Colombia, with two decimals: `1.250.000,00`.
pub fn format_cop(value: Decimal) -> String {
    let rounded = round(value, 2, Rounding::HalfUp);
    let text = rounded.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3 + 4);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped},{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn rounding_modes() {
        assert_eq!(round(d("2.5"), 0, Rounding::HalfUp), d("3"));
        assert_eq!(round(d("2.5"), 0, Rounding::HalfEven), d("2"));
        assert_eq!(round(d("2.99"), 0, Rounding::Down), d("2"));
        assert_eq!(round(d("-2.5"), 0, Rounding::HalfUp), d("-3"));
        assert_eq!(round(d("7"), 2, Rounding::HalfUp).to_string(), "7.00");
    }

    #[test]
    fn helpers() {
        assert_eq!(percent(d("52000"), d("19")), Some(d("9880")));
        assert_eq!(percent(Decimal::MAX, d("19")), None);
        assert_eq!(clamp(d("10"), d("50"), d("100")), d("50"));
        assert_eq!(clamp(d("1000"), d("50"), d("100")), d("100"));
        assert_eq!(format_cop(d("1250000")), "1.250.000,00");
        assert_eq!(format_cop(d("999.995")), "1.000,00");
        assert_eq!(format_cop(d("-52000.5")), "-52.000,50");
        assert_eq!(format_cop(d("0")), "0,00");
    }
}

//! Money across the boundary: decimal strings in and out, never JS numbers.

use napi::{Either, Env};
use rust_decimal::Decimal;

use crate::errors::{Result, invalid_argument};

/// A money value as JS may pass it: a decimal string, or a number (which is refused).
pub type MoneyArg = Either<String, f64>;

/// Reads an amount named `field` from a decimal string such as `"1250000.00"`, keeping its
/// scale. A JS number is refused: it is a binary float and may already have lost the value.
pub fn parse(env: &Env, value: &MoneyArg, field: &str) -> Result<Decimal> {
    match value {
        Either::A(text) => Decimal::from_str_exact(text.trim()).map_err(|e| {
            invalid_argument(
                env,
                format!("{field} {text:?} is not a decimal string such as \"1250000.00\": {e}"),
            )
        }),
        Either::B(number) => Err(invalid_argument(
            env,
            format!(
                "{field} must be a decimal string such as \"1250000.00\", not the number {number}: \
             JS numbers are binary floats and would round money silently"
            ),
        )),
    }
}

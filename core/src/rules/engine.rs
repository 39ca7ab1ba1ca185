//! The sandboxed Rhai engine every rule script runs in.
//!
//! A script reads no file and no module (`import` does not exist in this build), prints
//! nothing, and runs under limits on operations, call depth, expression depth and the sizes of
//! strings, arrays and maps, and a wall-clock limit on each call ([`MAX_CALL_TIME`]: the
//! operation count alone does not bound a script whose every operation copies a large
//! array), so a script that loops forever or grows without end stops with
//! [`RuleError::ScriptFailed`](super::RuleError::ScriptFailed) (`RULES_SCRIPT_LIMIT`). Rhai is
//! built with `no_float` and `decimal`, so a literal such as `0.19` is an exact decimal.
//! The money helpers are native Rust: `round_half_up(x, places)`, `round_half_even(x, places)`,
//! `round_down(x, places)`, `percent(x, pct)`, `clamp(x, min, max)`.

use std::cell::Cell;
use std::time::{Duration, Instant};

use rhai::{Dynamic, Engine, INT};
use rust_decimal::Decimal;

use crate::money::{self, Rounding};

/// Most operations one script call may run.
pub const MAX_OPERATIONS: u64 = 200_000;
/// Deepest function call nesting.
pub const MAX_CALL_LEVELS: usize = 32;
/// Deepest expression nesting (global, in functions).
pub const MAX_EXPR_DEPTHS: (usize, usize) = (64, 64);
/// Longest string, in bytes.
pub const MAX_STRING_SIZE: usize = 64 * 1024;
/// Most elements in an array (nested arrays counted whole).
pub const MAX_ARRAY_SIZE: usize = 10_000;
/// Longest one script call may run. A classification takes microseconds; this only stops a
/// runaway script.
pub const MAX_CALL_TIME: Duration = Duration::from_millis(500);
/// How many operations run between two looks at the clock.
const CLOCK_EVERY: u64 = 256;

thread_local! {
    /// When the script call running on this thread must stop.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `call` (one script call on this thread's engine use) under [`MAX_CALL_TIME`].
pub(crate) fn with_deadline<T>(call: impl FnOnce() -> T) -> T {
    let previous = DEADLINE.with(|d| d.replace(Some(Instant::now() + MAX_CALL_TIME)));
    let result = call();
    DEADLINE.with(|d| d.set(previous));
    result
}

/// A script failure for people: Rhai's message, or the limit that stopped the script.
pub(crate) fn describe(e: &rhai::EvalAltResult) -> String {
    match e {
        rhai::EvalAltResult::ErrorTerminated(reason, position) => format!("{reason} ({position})"),
        rhai::EvalAltResult::ErrorInFunctionCall(name, _, inner, _) => {
            format!("in {name}: {}", describe(inner))
        }
        other => other.to_string(),
    }
}

fn past_deadline() -> bool {
    DEADLINE.with(|d| d.get().is_some_and(|deadline| Instant::now() > deadline))
}
/// Most entries in a map.
pub const MAX_MAP_SIZE: usize = 10_000;

/// A new engine with the sandbox limits and the money helpers.
pub fn sandboxed() -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(MAX_CALL_LEVELS)
        .set_max_expr_depths(MAX_EXPR_DEPTHS.0, MAX_EXPR_DEPTHS.1)
        .set_max_string_size(MAX_STRING_SIZE)
        .set_max_array_size(MAX_ARRAY_SIZE)
        .set_max_map_size(MAX_MAP_SIZE)
        .set_max_variables(1_000)
        .set_max_functions(1_000)
        .set_strict_variables(true);
    engine.on_progress(|operations| {
        (operations % CLOCK_EVERY == 0 && past_deadline()).then(|| {
            Dynamic::from(format!(
                "the script ran longer than {} ms",
                MAX_CALL_TIME.as_millis()
            ))
        })
    });
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine.disable_symbol("eval");

    let places = |p: INT| u32::try_from(p.clamp(0, 28)).unwrap_or(0);
    engine.register_fn("round_half_up", move |x: Decimal, p: INT| {
        money::round(x, places(p), Rounding::HalfUp)
    });
    engine.register_fn("round_half_even", move |x: Decimal, p: INT| {
        money::round(x, places(p), Rounding::HalfEven)
    });
    engine.register_fn("round_down", move |x: Decimal, p: INT| {
        money::round(x, places(p), Rounding::Down)
    });
    engine.register_fn(
        "percent",
        |x: Decimal, pct: Decimal| -> Result<Decimal, Box<rhai::EvalAltResult>> {
            money::percent(x, pct)
                .ok_or_else(|| format!("percent({x}, {pct}) leaves the 28-digit range").into())
        },
    );
    engine.register_fn("clamp", money::clamp);
    engine
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_exact_decimals_and_helpers_work() {
        let engine = sandboxed();
        let r: Decimal = engine.eval("round_half_up(0.1 + 0.2, 1)").unwrap();
        assert_eq!(r.to_string(), "0.3");
        let r: Decimal = engine.eval("percent(52000.0, 19.0)").unwrap();
        assert_eq!(r, Decimal::new(9880, 0));
        let r: Decimal = engine.eval("clamp(10.0, 50.0, 100.0)").unwrap();
        assert_eq!(r, Decimal::new(50, 0));
    }

    #[test]
    fn runaway_scripts_stop() {
        let engine = sandboxed();
        assert!(engine.run("loop { }").is_err());
        assert!(engine.run("let s = \"x\"; loop { s += s; }").is_err());
        assert!(engine.run("fn f(n) { f(n + 1) } f(0);").is_err());
        assert!(engine.run("import \"fs\" as fs;").is_err());
        assert!(engine.run("eval(\"1\")").is_err());
    }

    #[test]
    fn a_script_copying_large_arrays_stops_on_the_clock() {
        let engine = sandboxed();
        // Each operation copies a 10,000-element array: the operation limit alone would let
        // this run for many seconds.
        let script = "let a = []; a.pad(10000, 0); let n = 0; loop { let b = a; b.pop(); n += 1; }";
        let err = with_deadline(|| engine.run(script)).unwrap_err();
        assert!(describe(&err).contains("ran longer than"), "{err}");
    }
}

//! Rule sets: dated versions of data tables plus a Rhai script, and the sandbox they run in.
//!
//! A rule set version is a folder `rules/<id>/<valid_from>/` with `ruleset.toml` (metadata,
//! fee rounding and limits, IVA, marginal tiers), the CSV tables it names (groups by chapter,
//! headings with a special rate) and a Rhai script whose `classify(line, tables)` decides each
//! line's group. The script decides; native Rust does the arithmetic
//! ([`crate::commission`]). [`RuleBook`] holds every version and picks the one in force on a
//! date; [`crate::commission::cases`] runs the test cases kept beside the rules and reports
//! their coverage.

pub mod book;
mod embedded;
pub mod engine;
mod error;
pub mod ruleset;
mod script;
pub mod shared;
pub mod tables;

pub use book::{DEFAULT_RULE_SET, RuleBook, today_in_colombia};
pub use error::RuleError;
pub use ruleset::{RuleSet, RuleSetRef};
pub use script::Decision;
pub use shared::SharedRuleBook;
pub use tables::{FeeRule, GroupRow, IvaRule, SpecialRow, Tariff, Tier};

//! The exchange's commission on a registered invoice, computed exactly from the rule set in
//! force on its issue date.
//!
//! For each line the rule script decides the product group (from the line's subpartida, or
//! from the catalog's classification of its product code); then, natively and in decimals:
//! the group bases, the marginal tier slices of each base, the fee of each group at full
//! precision, their sum rounded, the minimum and maximum, the IVA and the total. Every step
//! can be traced with a stable key and a label for people.
//!
//! ```
//! use bmc_core::commission::{self, CommissionInvoice, Options};
//! use bmc_core::rules::RuleBook;
//!
//! let book = RuleBook::embedded()?;
//! let invoice: CommissionInvoice = serde_json::from_str(r#"{
//!     "issue_date": "2026-03-01",
//!     "lines": [{ "tariff_code": "0901119000", "base": "1250000000.00" }]
//! }"#).unwrap();
//! let c = commission::calculate(&book, &invoice, &Options::default())?;
//! assert!(c.eligible);
//! // Coffee (heading 0901) from 2026: 0.05 % on the first 1.000.000.000, 75 % of that above.
//! assert_eq!(c.fee.to_string(), "593750");
//! assert_eq!(c.iva.to_string(), "112813"); // 112.812,5 rounded half-up
//! # Ok::<(), bmc_core::commission::CommissionError>(())
//! ```

mod batch;
pub mod cases;
mod compute;
mod error;
mod input;
mod result;

pub use batch::calculate_batch;
pub use compute::{calculate, calculate_with};
pub use error::CommissionError;
pub use input::{CommissionInvoice, CommissionLine, NoCatalog, Options, ProductClassifier};
pub use result::{
    Commission, GroupFee, LimitApplied, LineDecision, RuleSetRef, TierSlice, TraceStep,
};

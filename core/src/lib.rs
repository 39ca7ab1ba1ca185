//! # bmc-core
//!
//! The rules-and-classification engine of the Bolsa Mercantil de Colombia's invoice
//! registration: DIAN identifiers, product codes, document codes, and (as the library grows)
//! the product catalog, invoice reading, compliance findings, commissions and certificates.
//!
//! Pure Rust: no network, no files at run time for the reference tables (HS 2022 is compiled
//! in). The Python wheel (`bmc_core`) and the npm package (`bmc-core`) wrap this crate and
//! add no logic of their own.
//!
//! ## Quick start
//!
//! ```
//! use bmc_core::dian::{Nit, ProductCode, nit};
//!
//! // NITs: parse any common spelling, get the check digit, format as DIAN prints it.
//! let seller = Nit::parse("800197268-4")?;
//! assert_eq!(seller.to_string(), "800.197.268-4");
//! assert_eq!(nit::check_digit("860002464")?, 3);
//!
//! // Product codes by DIAN scheme: 020 subpartida, 001 UNSPSC, 010 GTIN, 999 own code.
//! let coffee = ProductCode::parse("020", "0901.11.90.00")?;
//! assert_eq!(coffee.as_str(), "0901119000");
//!
//! // Every error has a stable code that Python and Node see unchanged.
//! let err = bmc_core::Error::from(Nit::parse("800197268-5").unwrap_err());
//! assert_eq!(err.code(), "NIT_INVALID_CHECKSUM");
//! # Ok::<(), bmc_core::Error>(())
//! ```

#![deny(missing_docs)]

pub mod analytics;
pub mod catalog;
pub mod certificate;
pub mod commission;
pub mod compliance;
pub mod dian;
pub mod error;
mod error_kind;
mod hex;
pub mod invoice;
pub mod money;
pub mod pipeline;
#[cfg(feature = "samples")]
mod rng;
pub mod rules;
pub mod swap;

pub use error::{ERROR_CODES, Error, ErrorKind};

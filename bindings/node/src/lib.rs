//! The `bmc-core` npm package: bmc-core for Node.
//!
//! Conversion and error mapping only. Errors are thrown as JS `Error`s whose `code` is the
//! core's stable error code (`NIT_INVALID_CHECKSUM`, ...). Money crosses as decimal strings;
//! a JS number where money is expected is refused.

pub mod catalog;
pub mod commission;
pub mod cufe;
pub mod dian;
pub mod errors;
pub mod invoice;
pub mod money;
pub mod pipeline;

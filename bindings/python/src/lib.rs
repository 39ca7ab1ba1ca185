//! `bmc_core._native`: the extension module behind the `bmc_core` Python package.
//!
//! Conversion and error mapping only: every function here calls one bmc-core function,
//! converts its arguments and result, and maps its error to a `bmc_core.errors` class.

mod catalog;
mod commission;
mod dian;
mod errors;
mod invoice;
mod money;
mod numbers;
mod pipeline;

use pyo3::prelude::*;

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    dian::register(m)?;
    commission::register(m)?;
    catalog::register(m)?;
    invoice::register(m)?;
    pipeline::register(m)?;
    Ok(())
}

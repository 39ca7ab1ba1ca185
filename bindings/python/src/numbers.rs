//! Whole numbers from Python (limits, offsets, thread counts, days): an int out of the Rust
//! type's range is an `InvalidInput` with code `INVALID_ARGUMENT`, never a bare
//! `OverflowError`.

use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;

/// A whole number of type `T` given from Python.
#[derive(Debug, Clone, Copy)]
pub struct Whole<T>(pub T);

macro_rules! whole {
    ($($t:ty),*) => {$(
        impl<'a, 'py> FromPyObject<'a, 'py> for Whole<$t> {
            type Error = PyErr;

            fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
                match obj.extract::<$t>() {
                    Ok(n) => Ok(Whole(n)),
                    Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
                        Err(crate::errors::invalid_input(
                            "INVALID_ARGUMENT",
                            format!(
                                "{} is out of range: expected a whole number from {} to {}",
                                obj.repr().map(|r| r.to_string()).unwrap_or_default(),
                                <$t>::MIN,
                                <$t>::MAX
                            ),
                        ))
                    }
                    Err(e) => Err(e),
                }
            }
        }
    )*};
}

whole!(usize, i64, i32);

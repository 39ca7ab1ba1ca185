//! Money across the boundary: `decimal.Decimal` (or `int`) in, never `float` or `str`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyInt, PyType};
use rust_decimal::Decimal;

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    DECIMAL.import(py, "decimal", "Decimal")
}

/// Reads an amount named `field`. A `float` or `str` is refused: a float has already lost
/// the exact value, and a string would be a silent conversion.
pub fn extract(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Decimal> {
    let py = value.py();
    let is_int = value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>();
    if !is_int && !value.is_instance(decimal_type(py)?)? {
        let type_name = value.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "{field} must be a decimal.Decimal (or int), not {type_name}; \
             floats and strings are refused so that no amount is silently rounded"
        )));
    }
    let text: String = value.str()?.extract()?;
    let parsed = if text.contains(['E', 'e']) {
        Decimal::from_scientific(&text)
    } else {
        Decimal::from_str_exact(&text)
    };
    parsed.map_err(|e| {
        crate::errors::invalid_input(
            "MONEY_OUT_OF_RANGE",
            format!("{field} = {text} cannot be held exactly (28 significant digits at most): {e}"),
        )
    })
}

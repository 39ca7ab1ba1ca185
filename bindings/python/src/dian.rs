//! NITs, id types, product codes, HS 2022 and CUFE/CUDE.

use bmc_core::dian::{self, CufeFields, Environment, ProductCode, cufe, hs2022, nit};
use chrono::NaiveDate;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDateAccess, PyDict};

use crate::errors::to_py;
use crate::money;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(nit_compact, m)?)?;
    m.add_function(wrap_pyfunction!(nit_calc_check_digit, m)?)?;
    m.add_function(wrap_pyfunction!(nit_validate, m)?)?;
    m.add_function(wrap_pyfunction!(nit_is_valid, m)?)?;
    m.add_function(wrap_pyfunction!(nit_format, m)?)?;
    m.add_function(wrap_pyfunction!(id_types, m)?)?;
    m.add_function(wrap_pyfunction!(id_type_name, m)?)?;
    m.add_function(wrap_pyfunction!(is_final_consumer, m)?)?;
    m.add("FINAL_CONSUMER_ID", dian::FINAL_CONSUMER_ID)?;
    m.add_function(wrap_pyfunction!(code_validate, m)?)?;
    m.add_function(wrap_pyfunction!(code_format, m)?)?;
    m.add_function(wrap_pyfunction!(code_is_valid, m)?)?;
    m.add_function(wrap_pyfunction!(gs1_check_digit, m)?)?;
    m.add_function(wrap_pyfunction!(hs_lookup, m)?)?;
    m.add_function(wrap_pyfunction!(tariff_describe, m)?)?;
    m.add_function(wrap_pyfunction!(cufe_preimage, m)?)?;
    m.add_function(wrap_pyfunction!(cufe_compute, m)?)?;
    m.add_function(wrap_pyfunction!(cufe_verify, m)?)?;
    Ok(())
}

#[pyfunction]
fn nit_compact(number: &str) -> String {
    nit::compact(number)
}

#[pyfunction]
fn nit_calc_check_digit(py: Python<'_>, number: &str) -> PyResult<String> {
    nit::check_digit(number)
        .map(|d| d.to_string())
        .map_err(|e| to_py(py, e))
}

#[pyfunction]
fn nit_validate(py: Python<'_>, number: &str) -> PyResult<String> {
    nit::validate(number).map_err(|e| to_py(py, e))
}

#[pyfunction]
fn nit_is_valid(number: &str) -> bool {
    nit::is_valid(number)
}

#[pyfunction]
fn nit_format(py: Python<'_>, number: &str) -> PyResult<String> {
    nit::format(number).map_err(|e| to_py(py, e))
}

#[pyfunction]
fn id_types() -> Vec<(&'static str, &'static str, bool)> {
    dian::IdType::ALL
        .iter()
        .map(|t| (t.code(), t.name(), t.has_check_digit()))
        .collect()
}

#[pyfunction]
fn id_type_name(py: Python<'_>, code: &str) -> PyResult<&'static str> {
    dian::IdType::parse(code)
        .map(|t| t.name())
        .map_err(|e| to_py(py, e))
}

#[pyfunction]
fn is_final_consumer(number: &str) -> bool {
    dian::is_final_consumer(number)
}

#[pyfunction]
fn code_validate(py: Python<'_>, scheme: &str, code: &str) -> PyResult<String> {
    ProductCode::parse(scheme, code)
        .map(|c| c.as_str().to_owned())
        .map_err(|e| to_py(py, e))
}

#[pyfunction]
fn code_format(py: Python<'_>, scheme: &str, code: &str) -> PyResult<String> {
    ProductCode::parse(scheme, code)
        .map(|c| c.to_string())
        .map_err(|e| to_py(py, e))
}

#[pyfunction]
fn code_is_valid(scheme: &str, code: &str) -> bool {
    ProductCode::parse(scheme, code).is_ok()
}

#[pyfunction]
fn gs1_check_digit(py: Python<'_>, digits: &str) -> PyResult<u8> {
    dian::product_code::gs1_check_digit_of(digits).map_err(|e| to_py(py, e))
}

fn hs_dict<'py>(py: Python<'py>, entry: &hs2022::HsEntry) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("code", entry.code)?;
    let level = match entry.level {
        hs2022::HsLevel::Chapter => "chapter",
        hs2022::HsLevel::Heading => "heading",
        hs2022::HsLevel::Subheading => "subheading",
    };
    d.set_item("level", level)?;
    d.set_item("section", entry.section)?;
    d.set_item("section_name", entry.section_name)?;
    d.set_item("description", entry.description)?;
    Ok(d)
}

#[pyfunction]
fn hs_lookup<'py>(py: Python<'py>, code: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
    hs2022::lookup(code).map(|e| hs_dict(py, &e)).transpose()
}

#[pyfunction]
fn tariff_describe<'py>(py: Python<'py>, code: &str) -> PyResult<Bound<'py, PyDict>> {
    let tariff = dian::TariffCode::parse(code).map_err(|e| to_py(py, e))?;
    let d = PyDict::new(py);
    d.set_item("code", tariff.as_str())?;
    d.set_item("formatted", tariff.to_string())?;
    if let Some(desc) = tariff.describe() {
        d.set_item("chapter", hs_dict(py, &desc.chapter)?)?;
        d.set_item("heading", hs_dict(py, &desc.heading)?)?;
        d.set_item("subheading", hs_dict(py, &desc.subheading)?)?;
    }
    Ok(d)
}

/// A date given as `datetime.date` or as an ISO `YYYY-MM-DD` string.
pub fn date(value: &Bound<'_, PyAny>, field: &str) -> PyResult<NaiveDate> {
    if let Ok(d) = value.cast::<PyDate>() {
        return NaiveDate::from_ymd_opt(d.get_year(), d.get_month().into(), d.get_day().into())
            .ok_or_else(|| PyTypeError::new_err(format!("{field} is not a valid date")));
    }
    let text: String = value.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{field} must be a datetime.date or a YYYY-MM-DD string"
        ))
    })?;
    text.parse().map_err(|e| {
        crate::errors::invalid_input(
            "INVALID_ARGUMENT",
            format!("{field} {text:?} is not YYYY-MM-DD: {e}"),
        )
    })
}

fn environment(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Environment> {
    let text = if let Ok(n) = value.extract::<i64>() {
        n.to_string()
    } else {
        value
            .extract::<String>()
            .map_err(|_| PyTypeError::new_err("environment must be 1 (production) or 2 (test)"))?
    };
    Environment::parse(&text).map_err(|e| to_py(py, e))
}

#[allow(clippy::too_many_arguments)]
fn fields(
    number: String,
    issue_date: &Bound<'_, PyAny>,
    issue_time: String,
    subtotal: &Bound<'_, PyAny>,
    iva: &Bound<'_, PyAny>,
    inc: &Bound<'_, PyAny>,
    ica: &Bound<'_, PyAny>,
    total: &Bound<'_, PyAny>,
    seller_nit: String,
    buyer_id: String,
    key: String,
    env: &Bound<'_, PyAny>,
) -> PyResult<CufeFields> {
    Ok(CufeFields {
        number,
        issue_date: date(issue_date, "issue_date")?,
        issue_time,
        subtotal: money::extract(subtotal, "subtotal")?,
        iva: money::extract(iva, "iva")?,
        inc: money::extract(inc, "inc")?,
        ica: money::extract(ica, "ica")?,
        total: money::extract(total, "total")?,
        seller_nit,
        buyer_id,
        key,
        environment: environment(issue_date.py(), env)?,
    })
}

macro_rules! cufe_function {
    ($name:ident, $ret:ty, |$py:ident, $fields:ident $(, $extra:ident: $extra_ty:ty)*| $body:expr) => {
        #[pyfunction]
        #[pyo3(signature = (*, number, issue_date, issue_time, subtotal, iva, inc, ica, total, seller_nit, buyer_id, key, environment $(, $extra)*))]
        #[allow(clippy::too_many_arguments)]
        fn $name(
            $py: Python<'_>,
            number: String,
            issue_date: &Bound<'_, PyAny>,
            issue_time: String,
            subtotal: &Bound<'_, PyAny>,
            iva: &Bound<'_, PyAny>,
            inc: &Bound<'_, PyAny>,
            ica: &Bound<'_, PyAny>,
            total: &Bound<'_, PyAny>,
            seller_nit: String,
            buyer_id: String,
            key: String,
            environment: &Bound<'_, PyAny>,
            $($extra: $extra_ty,)*
        ) -> PyResult<$ret> {
            let $fields = fields(
                number, issue_date, issue_time, subtotal, iva, inc, ica, total, seller_nit,
                buyer_id, key, environment,
            )?;
            $body
        }
    };
}

cufe_function!(cufe_preimage, String, |py, f| cufe::preimage(&f)
    .map_err(|e| to_py(py, e)));
cufe_function!(cufe_compute, String, |py, f| cufe::compute(&f)
    .map(|c| c.as_str().to_owned())
    .map_err(|e| to_py(py, e)));
cufe_function!(cufe_verify, String, |py, f, received: &str| cufe::verify(
    &f, received
)
.map(|c| c.as_str().to_owned())
.map_err(|e| to_py(py, e)));

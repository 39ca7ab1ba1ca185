//! The exception classes of `bmc_core.errors`, and the mapping from bmc-core errors to them.

use bmc_core::{Error, ErrorKind};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

pyo3::create_exception!(
    bmc_core.errors,
    BmcError,
    PyValueError,
    "Base class of every bmc-core error. `.code` is the stable error code (such as \
     'NIT_INVALID_CHECKSUM'); the message says what was wrong and where."
);
pyo3::create_exception!(
    bmc_core.errors,
    InvalidLength,
    BmcError,
    "The value has too few or too many digits or characters (stdnum's InvalidLength)."
);
pyo3::create_exception!(
    bmc_core.errors,
    InvalidFormat,
    BmcError,
    "The value has characters that do not belong or is shaped wrongly (stdnum's InvalidFormat)."
);
pyo3::create_exception!(
    bmc_core.errors,
    InvalidChecksum,
    BmcError,
    "The value's check digit does not match (stdnum's InvalidChecksum)."
);
pyo3::create_exception!(
    bmc_core.errors,
    InvalidComponent,
    BmcError,
    "A part of the value (chapter, segment, scheme, type code) does not exist (stdnum's InvalidComponent)."
);
pyo3::create_exception!(
    bmc_core.errors,
    Mismatch,
    BmcError,
    "A computed value (such as a CUFE) differs from the one received."
);

pyo3::create_exception!(
    bmc_core.errors,
    FileError,
    BmcError,
    "A file or folder could not be read (code RULES_IO, ...)."
);
pyo3::create_exception!(
    bmc_core.errors,
    RuleError,
    BmcError,
    "Rule set files are wrong, or a rule script failed or hit a sandbox limit."
);
pyo3::create_exception!(
    bmc_core.errors,
    NotFound,
    BmcError,
    "What was asked for does not exist (no rule set in force on a date, unknown version)."
);
pyo3::create_exception!(
    bmc_core.errors,
    InvalidInput,
    BmcError,
    "Input data is wrong (a negative line base, a bad subpartida on a line)."
);

pyo3::create_exception!(
    bmc_core.errors,
    IndexError,
    BmcError,
    "A catalog index is missing, truncated, corrupted or of another format version."
);

pyo3::create_exception!(
    bmc_core.errors,
    InternalError,
    BmcError,
    "A defect in the library, caught (code PIPELINE_INTERNAL_ERROR): report it with the input."
);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("BmcError", py.get_type::<BmcError>())?;
    m.add("InvalidLength", py.get_type::<InvalidLength>())?;
    m.add("InvalidFormat", py.get_type::<InvalidFormat>())?;
    m.add("InvalidChecksum", py.get_type::<InvalidChecksum>())?;
    m.add("InvalidComponent", py.get_type::<InvalidComponent>())?;
    m.add("Mismatch", py.get_type::<Mismatch>())?;
    m.add("FileError", py.get_type::<FileError>())?;
    m.add("RuleError", py.get_type::<RuleError>())?;
    m.add("NotFound", py.get_type::<NotFound>())?;
    m.add("InvalidInput", py.get_type::<InvalidInput>())?;
    m.add("IndexError", py.get_type::<IndexError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("ERROR_CODES", bmc_core::ERROR_CODES.to_vec())?;
    Ok(())
}

/// Turns a bmc-core error into the exception of its kind, with `.code` set.
pub fn to_py(py: Python<'_>, error: impl Into<Error>) -> PyErr {
    let error: Error = error.into();
    let message = error.to_string();
    let err = match error.kind() {
        ErrorKind::InvalidLength => InvalidLength::new_err(message),
        ErrorKind::InvalidFormat => InvalidFormat::new_err(message),
        ErrorKind::InvalidChecksum => InvalidChecksum::new_err(message),
        ErrorKind::InvalidComponent => InvalidComponent::new_err(message),
        ErrorKind::Mismatch => Mismatch::new_err(message),
        ErrorKind::Io => FileError::new_err(message),
        ErrorKind::InvalidRules => RuleError::new_err(message),
        ErrorKind::NotFound => NotFound::new_err(message),
        ErrorKind::InvalidInput => InvalidInput::new_err(message),
        ErrorKind::InvalidIndex => IndexError::new_err(message),
        ErrorKind::Internal => InternalError::new_err(message),
        _ => BmcError::new_err(message),
    };
    if let Err(e) = err.value(py).setattr("code", error.code()) {
        return e;
    }
    err
}

/// An `InvalidInput` about a value the caller gave, with `code` (such as `INVALID_ARGUMENT`).
pub fn invalid_input(code: &str, message: impl Into<String>) -> PyErr {
    let err = InvalidInput::new_err(message.into());
    Python::attach(|py| {
        if let Err(e) = err.value(py).setattr("code", code) {
            return e;
        }
        err
    })
}

/// `error` raised for item `index` of a batch: the message starts `invoices[index]: ` and
/// the exception carries `.index`.
pub fn at_index(py: Python<'_>, error: PyErr, index: usize) -> PyErr {
    let value = error.value(py);
    let message = value.str().map(|s| s.to_string()).unwrap_or_default();
    let code = value.getattr("code").ok();
    let rebuilt = match error
        .get_type(py)
        .call1((format!("invoices[{index}]: {message}"),))
    {
        Ok(instance) => PyErr::from_value(instance),
        Err(_) => return error,
    };
    let instance = rebuilt.value(py);
    if let Some(code) = code
        && let Err(e) = instance.setattr("code", code)
    {
        return e;
    }
    if let Err(e) = instance.setattr("index", index) {
        return e;
    }
    rebuilt
}

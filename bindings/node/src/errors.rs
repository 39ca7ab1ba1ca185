//! bmc-core errors as JS errors with a stable `code`.

use napi::{Env, JsError, Status};

/// The result of a function that can throw a coded error (napi's, so that `#[napi]` throws it).
pub use napi::Result;

/// A JS `Error` whose `code` property is `code`. napi's own `Result` would set `code` to a
/// napi status name, so the error object is built here and handed back by reference.
fn coded(env: &Env, code: &str, message: String) -> napi::Error {
    let error = napi::Error::new(code.to_owned(), message);
    let value = JsError::<String>::from(error).into_unknown(*env);
    let mut thrown = napi::Error::from(value);
    thrown.status = Status::GenericFailure;
    thrown
}

/// Maps a bmc-core error: `code` is the stable code, the message says what was wrong.
pub fn to_js(env: &Env, error: impl Into<bmc_core::Error>) -> napi::Error {
    let error: bmc_core::Error = error.into();
    coded(env, error.code(), error.to_string())
}

/// `error` for item `index` of a batch: the message starts `invoices[index]: `.
pub fn at_index(env: &Env, error: impl Into<bmc_core::Error>, index: usize) -> napi::Error {
    let error: bmc_core::Error = error.into();
    coded(env, error.code(), format!("invoices[{index}]: {error}"))
}

/// An error about the JS value given (a wrong type or shape), with code `INVALID_ARGUMENT`.
pub fn invalid_argument(env: &Env, message: impl Into<String>) -> napi::Error {
    coded(env, "INVALID_ARGUMENT", message.into())
}

/// Every error code of the Rust core (the `ErrorCode` type adds `INVALID_ARGUMENT`).
#[napi_derive::napi]
pub fn error_codes() -> Vec<&'static str> {
    bmc_core::ERROR_CODES.to_vec()
}

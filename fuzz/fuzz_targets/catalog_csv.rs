#![no_main]
//! The catalog's CSV row reader on arbitrary bytes.

#[path = "../../core/tests/fuzz_checks.rs"]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::catalog_csv(data));

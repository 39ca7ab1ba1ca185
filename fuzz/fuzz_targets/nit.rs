#![no_main]
//! NIT compaction, check digits, validation and formatting on arbitrary input.

#[path = "../../core/tests/fuzz_checks.rs"]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::nit(data));

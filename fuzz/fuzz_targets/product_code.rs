#![no_main]
//! Product code parsing under every DIAN scheme on arbitrary input.

#[path = "../../core/tests/fuzz_checks.rs"]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::product_code(data));

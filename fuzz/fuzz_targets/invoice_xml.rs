#![no_main]
//! The UBL reader on arbitrary bytes (see `fuzz_checks::invoice_xml`).

#[path = "../../core/tests/fuzz_checks.rs"]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::invoice_xml(data));

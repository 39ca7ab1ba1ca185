#![no_main]
//! The OCR readers on arbitrary text (see `fuzz_checks::ocr_text`).

#[path = "../../core/tests/fuzz_checks.rs"]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::ocr_text(data));

//! Runs the shared identifier vectors (`tests/vectors/dian.json`), which the Python and Node
//! suites run too, so all three give the same answers.

#![allow(clippy::expect_used)]

use bmc_core::dian::{CufeFields, ProductCode, cufe, hs2022, nit};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/dian.json");
    let text = std::fs::read_to_string(path).expect("tests/vectors/dian.json is readable");
    serde_json::from_str(&text).expect("dian.json is JSON")
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

#[test]
fn nit_vectors() {
    for v in vectors()["nit"].as_array().expect("nit array") {
        let input = str_of(v, "input").expect("input");
        assert_eq!(
            nit::compact(input),
            str_of(v, "compact").expect("compact"),
            "{input:?}"
        );
        let valid = v["valid"].as_bool().expect("valid");
        assert_eq!(nit::is_valid(input), valid, "{input:?}");
        match nit::validate(input) {
            Ok(compact) => {
                assert!(valid, "{input:?}");
                assert_eq!(Some(compact.as_str()), str_of(v, "compact"));
            }
            Err(e) => assert_eq!(Some(e.code()), str_of(v, "error"), "{input:?}"),
        }
        assert_eq!(
            nit::format(input).ok().as_deref(),
            str_of(v, "formatted"),
            "{input:?}"
        );
    }
    for v in vectors()["nit_check_digit"].as_array().expect("array") {
        let base = str_of(v, "base").expect("base");
        let expected = str_of(v, "check_digit").expect("check_digit");
        assert_eq!(
            nit::check_digit(base).map(|d| d.to_string()).as_deref(),
            Ok(expected)
        );
    }
}

#[test]
fn product_code_vectors() {
    for v in vectors()["product_codes"].as_array().expect("array") {
        let (scheme, input) = (
            str_of(v, "scheme").expect("scheme"),
            str_of(v, "input").expect("input"),
        );
        match ProductCode::parse(scheme, input) {
            Ok(code) => {
                assert!(
                    v["valid"].as_bool().expect("valid"),
                    "{scheme} {input:?} should fail"
                );
                assert_eq!(Some(code.as_str()), str_of(v, "normalized"));
                assert_eq!(Some(code.to_string().as_str()), str_of(v, "formatted"));
            }
            Err(e) => assert_eq!(
                Some(e.code()),
                str_of(v, "error"),
                "{scheme} {input:?}: {e}"
            ),
        }
    }
}

#[test]
fn hs_vectors() {
    for v in vectors()["hs"].as_array().expect("array") {
        let code = str_of(v, "code").expect("code");
        let entry = hs2022::lookup(code);
        assert_eq!(
            entry.map(|e| e.description),
            str_of(v, "description"),
            "{code}"
        );
        let level = entry.map(|e| serde_json::to_value(e.level).expect("level"));
        assert_eq!(level.as_ref().and_then(Value::as_str), str_of(v, "level"));
    }
}

#[test]
fn cufe_vectors() {
    let all = vectors();
    for v in all["cufe"].as_array().expect("array") {
        let fields: CufeFields = serde_json::from_value(v["fields"].clone()).expect("fields");
        assert_eq!(
            Some(cufe::preimage(&fields).expect("preimage").as_str()),
            str_of(v, "preimage")
        );
        let code = cufe::compute(&fields).expect("cufe");
        assert_eq!(Some(code.as_str()), str_of(v, "cufe"));
        cufe::verify(&fields, code.as_str()).expect("verifies");
    }
    for v in all["cufe_errors"].as_array().expect("array") {
        let fields: CufeFields = serde_json::from_value(v["fields"].clone()).expect("fields");
        let err = cufe::compute(&fields).expect_err("must fail");
        assert_eq!(Some(err.code()), str_of(v, "error"), "{err}");
    }
}

//! NITs, id types, product codes and HS 2022.

use bmc_core::dian::{self, ProductCode, hs2022, nit};
use napi::Env;
use napi_derive::napi;

use crate::errors::{Result, to_js};

/// Removes separators (dots, commas, spaces, hyphens and Unicode look-alikes), upper-cases and
/// trims; does not validate. Same result as python-stdnum's `stdnum.co.nit.compact`.
#[napi(namespace = "nit")]
pub fn compact(number: String) -> String {
    nit::compact(&number)
}

/// The check digit (dígito de verificación) of a NIT base of 1 to 15 digits, as a string.
#[napi(namespace = "nit")]
pub fn calc_check_digit(env: Env, number: String) -> Result<String> {
    nit::check_digit(&number)
        .map(|d| d.to_string())
        .map_err(|e| to_js(&env, e))
}

/// Checks length, characters and check digit; returns the compact form (`"8001972684"`).
/// Throws with code `NIT_INVALID_LENGTH`, `NIT_INVALID_FORMAT` or `NIT_INVALID_CHECKSUM`.
#[napi(namespace = "nit")]
pub fn validate(env: Env, number: String) -> Result<String> {
    nit::validate(&number).map_err(|e| to_js(&env, e))
}

/// Whether `number` is a valid NIT with its check digit.
#[napi(namespace = "nit")]
pub fn is_valid(number: String) -> bool {
    nit::is_valid(&number)
}

/// Formats a NIT as DIAN prints it: `800.197.268-4` (compacts, does not validate).
#[napi(namespace = "nit")]
pub fn format(env: Env, number: String) -> Result<String> {
    nit::format(&number).map_err(|e| to_js(&env, e))
}

/// An identity document type of DIAN's code list.
#[derive(Debug)]
#[napi(object, namespace = "ids")]
pub struct IdTypeInfo {
    /// DIAN's two-digit code, such as `"31"`.
    pub code: String,
    /// The type's name in Spanish.
    pub name: String,
    /// Whether numbers of this type carry a check digit (only NIT).
    pub has_check_digit: bool,
}

/// Every identity document type.
#[napi(namespace = "ids")]
pub fn id_types() -> Vec<IdTypeInfo> {
    dian::IdType::ALL
        .iter()
        .map(|t| IdTypeInfo {
            code: t.code().to_owned(),
            name: t.name().to_owned(),
            has_check_digit: t.has_check_digit(),
        })
        .collect()
}

/// The Spanish name of an id type code; throws `ID_TYPE_UNKNOWN` for an unknown code.
#[napi(namespace = "ids")]
pub fn id_type_name(env: Env, code: String) -> Result<String> {
    dian::IdType::parse(&code)
        .map(|t| t.name().to_owned())
        .map_err(|e| to_js(&env, e))
}

/// Whether `number` is the final-consumer id `222222222222`, ignoring separators.
#[napi(namespace = "ids")]
pub fn is_final_consumer(number: String) -> bool {
    dian::is_final_consumer(&number)
}

/// The id DIAN reserves for an unidentified final consumer.
#[napi(namespace = "ids")]
pub const FINAL_CONSUMER_ID: &str = dian::FINAL_CONSUMER_ID;

/// Checks `code` under `scheme` (`"020"`, `"001"`, `"010"`, `"999"`) and returns it
/// normalised, without separators.
#[napi(namespace = "codes")]
pub fn validate_code(env: Env, scheme: String, code: String) -> Result<String> {
    ProductCode::parse(&scheme, &code)
        .map(|c| c.as_str().to_owned())
        .map_err(|e| to_js(&env, e))
}

/// Whether `code` is valid under `scheme`.
#[napi(namespace = "codes")]
pub fn is_valid_code(scheme: String, code: String) -> bool {
    ProductCode::parse(&scheme, &code).is_ok()
}

/// Checks `code` and returns it as people read it (a subpartida with dots).
#[napi(namespace = "codes")]
pub fn format_code(env: Env, scheme: String, code: String) -> Result<String> {
    ProductCode::parse(&scheme, &code)
        .map(|c| c.to_string())
        .map_err(|e| to_js(&env, e))
}

/// The GS1 mod-10 check digit of `digits` (a GTIN without its check digit).
#[napi(namespace = "codes")]
pub fn gs1_check_digit(env: Env, digits: String) -> Result<u32> {
    dian::product_code::gs1_check_digit_of(&digits)
        .map(u32::from)
        .map_err(|e| to_js(&env, e))
}

/// An HS 2022 chapter, heading or subheading.
#[derive(Debug)]
#[napi(object, namespace = "codes")]
pub struct HsEntry {
    /// 2, 4 or 6 digits.
    pub code: String,
    /// `"chapter"`, `"heading"` or `"subheading"`.
    #[napi(ts_type = "'chapter' | 'heading' | 'subheading'")]
    pub level: String,
    /// The section, a Roman numeral.
    pub section: String,
    /// The section's name.
    pub section_name: String,
    /// The English description.
    pub description: String,
}

impl From<hs2022::HsEntry> for HsEntry {
    fn from(e: hs2022::HsEntry) -> Self {
        let level = match e.level {
            hs2022::HsLevel::Chapter => "chapter",
            hs2022::HsLevel::Heading => "heading",
            hs2022::HsLevel::Subheading => "subheading",
        };
        HsEntry {
            code: e.code.to_owned(),
            level: level.to_owned(),
            section: e.section.to_owned(),
            section_name: e.section_name.to_owned(),
            description: e.description.to_owned(),
        }
    }
}

/// Looks up an HS 2022 chapter (2 digits), heading (4) or subheading (6).
#[napi(namespace = "codes")]
pub fn hs_lookup(code: String) -> Option<HsEntry> {
    hs2022::lookup(&code).map(HsEntry::from)
}

/// A subpartida with its chapter, heading and subheading.
#[derive(Debug)]
#[napi(object, namespace = "codes")]
pub struct TariffDescription {
    /// The 10 digits.
    pub code: String,
    /// As printed: `0901.11.90.00`.
    pub formatted: String,
    /// The chapter.
    pub chapter: HsEntry,
    /// The heading.
    pub heading: HsEntry,
    /// The HS subheading.
    pub subheading: HsEntry,
}

/// Checks a subpartida and returns its chapter, heading and subheading in HS 2022.
#[napi(namespace = "codes")]
pub fn describe_tariff(env: Env, code: String) -> Result<TariffDescription> {
    let tariff = dian::TariffCode::parse(&code).map_err(|e| to_js(&env, e))?;
    let d = tariff.describe().ok_or_else(|| {
        to_js(
            &env,
            dian::ProductCodeError::UnknownSubheading {
                code: tariff.as_str().to_owned(),
                subheading: tariff.subheading().to_owned(),
            },
        )
    })?;
    Ok(TariffDescription {
        code: tariff.as_str().to_owned(),
        formatted: tariff.to_string(),
        chapter: d.chapter.into(),
        heading: d.heading.into(),
        subheading: d.subheading.into(),
    })
}

//! NIT (Número de Identificación Tributaria) and its dígito de verificación.
//!
//! The free functions ([`compact`], [`check_digit`], [`validate`], [`is_valid`], [`format()`])
//! follow python-stdnum's `stdnum.co.nit` exactly, so a service moving from stdnum gets the
//! same answers; a differential test over generated inputs holds them to it. [`Nit`] is the
//! typed value: a NIT that exists is one whose check digit is right.
//!
//! ```
//! use bmc_core::dian::nit::{self, Nit};
//!
//! let nit = Nit::parse("800.197.268-4")?;
//! assert_eq!(nit.base(), "800197268");
//! assert_eq!(nit.check_digit(), 4);
//! assert_eq!(nit.to_string(), "800.197.268-4");
//! assert_eq!(nit::check_digit("800197268")?, 4);
//! assert!(!nit::is_valid("800197268-5"));
//! # Ok::<(), bmc_core::dian::NitError>(())
//! ```

mod charmap;
mod error;

pub use error::NitError;

use std::fmt;
use std::str::FromStr;

/// The weights DIAN applies to the base digits, read from the right.
const WEIGHTS: [u32; 15] = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];

/// Fewest characters of a NIT with its check digit.
pub const MIN_LEN: usize = 8;
/// Most characters of a NIT with its check digit (15 base digits and the DV).
pub const MAX_LEN: usize = 16;

/// Removes the separators people type (dots, commas, spaces, hyphens and their Unicode
/// look-alikes), upper-cases, and trims surrounding white space.
///
/// This does not validate: `compact("80a")` is `"80A"`.
pub fn compact(input: &str) -> String {
    let kept: String = input
        .chars()
        .map(charmap::fold)
        .filter(|c| !matches!(c, '.' | ',' | '-' | ' '))
        .collect();
    kept.to_uppercase().trim_matches(is_python_space).to_owned()
}

/// Python's `str.strip()` white space: Unicode `White_Space` plus the four ASCII information
/// separators (U+001C to U+001F), which Python also treats as space.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Computes the dígito de verificación of a NIT base number (the digits without the DV).
///
/// The base must be 1 to 15 ASCII digits (`"800197268"` gives `4`).
pub fn check_digit(base: &str) -> Result<u8, NitError> {
    let length = base.chars().count();
    if length == 0 || length > MAX_LEN - 1 {
        return Err(NitError::BaseLength { length });
    }
    if let Some((position, character)) = first_non_digit(base) {
        return Err(NitError::InvalidCharacter {
            character,
            position,
        });
    }
    let sum: u32 = base
        .bytes()
        .rev()
        .zip(WEIGHTS)
        .map(|(b, weight)| u32::from(b - b'0') * weight)
        .sum();
    let r = sum % 11;
    // `r` is below 11, so both arms fit a u8.
    Ok(if r < 2 { r as u8 } else { (11 - r) as u8 })
}

/// The first character of `s` that is not an ASCII digit, with its position in characters.
fn first_non_digit(s: &str) -> Option<(usize, char)> {
    s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit())
}

/// Checks a NIT with its check digit and returns its compact form (`"8001972684"`).
///
/// Fails with the first problem found, in stdnum's order: length, then characters, then
/// the check digit.
pub fn validate(input: &str) -> Result<String, NitError> {
    let number = compact(input);
    let length = number.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&length) {
        return Err(NitError::Length { length });
    }
    if let Some((position, character)) = first_non_digit(&number) {
        return Err(NitError::InvalidCharacter {
            character,
            position,
        });
    }
    let (base, dv) = number.split_at(number.len() - 1);
    let expected = check_digit(base)?;
    let found = dv.as_bytes()[0] - b'0';
    if expected != found {
        return Err(NitError::Checksum { expected, found });
    }
    Ok(number)
}

/// Whether `input` is a valid NIT with its check digit.
pub fn is_valid(input: &str) -> bool {
    validate(input).is_ok()
}

/// Formats a NIT as DIAN prints it (`800.197.268-4`): thousands dots in the base and a hyphen
/// before the check digit. Like stdnum, it compacts but does not validate.
pub fn format(input: &str) -> Result<String, NitError> {
    let number: Vec<char> = compact(input).chars().collect();
    let Some((dv, base)) = number.split_last() else {
        return Err(NitError::Length { length: 0 });
    };
    Ok(format!("{}-{dv}", group_thousands(base)))
}

/// Joins `digits` in groups of three from the right with dots.
fn group_thousands(digits: &[char]) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(*c);
    }
    out
}

/// A valid NIT: a base of 7 to 15 digits and its matching dígito de verificación.
///
/// Valid by construction: the only ways to get one are [`Nit::parse`] (which checks the DV)
/// and [`Nit::from_base`] (which computes it). Displays as `800.197.268-4`; serialises as the
/// compact form `8001972684`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nit {
    /// The compact form, base digits followed by the DV.
    compact: String,
}

impl Nit {
    /// Parses a NIT written with its check digit, in any of the forms people type
    /// (`800.197.268-4`, `8001972684`, `800197268-4`, with spaces or Unicode dashes).
    pub fn parse(input: &str) -> Result<Nit, NitError> {
        validate(input).map(|compact| Nit { compact })
    }

    /// Builds the NIT of a base number (without DV), computing its check digit.
    ///
    /// Separators are removed as in [`compact`]; the base must then be 7 to 15 digits.
    pub fn from_base(base: &str) -> Result<Nit, NitError> {
        let base = compact(base);
        let length = base.chars().count();
        if !(MIN_LEN - 1..=MAX_LEN - 1).contains(&length) {
            return Err(NitError::BaseLength { length });
        }
        let dv = check_digit(&base)?;
        Ok(Nit {
            compact: format!("{base}{dv}"),
        })
    }

    /// The base number, without the check digit (`"800197268"`). This is the form the CUFE
    /// and the UBL `CompanyID` element use.
    pub fn base(&self) -> &str {
        &self.compact[..self.compact.len() - 1]
    }

    /// The dígito de verificación.
    pub fn check_digit(&self) -> u8 {
        self.compact.as_bytes()[self.compact.len() - 1] - b'0'
    }

    /// The compact form, base and DV with no separators (`"8001972684"`).
    pub fn as_compact(&self) -> &str {
        &self.compact
    }
}

impl fmt::Display for Nit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits: Vec<char> = self.base().chars().collect();
        write!(f, "{}-{}", group_thousands(&digits), self.check_digit())
    }
}

impl FromStr for Nit {
    type Err = NitError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nit::parse(s)
    }
}

impl serde::Serialize for Nit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.compact)
    }
}

impl<'de> serde::Deserialize<'de> for Nit {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Nit::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dian_own_nit_has_check_digit_4() {
        assert_eq!(check_digit("800197268"), Ok(4));
        assert_eq!(validate("800.197.268-4").as_deref(), Ok("8001972684"));
    }

    #[test]
    fn remainders_0_and_1_are_the_check_digit_itself() {
        // 11 - r for r >= 2, r itself for 0 and 1.
        for base in ["1", "2", "3", "10", "99", "123456789012345"] {
            let dv = check_digit(base).unwrap();
            assert!(dv <= 9, "{base} -> {dv}");
        }
    }

    #[test]
    fn compact_folds_unicode_dashes_and_spaces() {
        assert_eq!(
            compact(" 800\u{00a0}197\u{2013}268\u{2014}4 "),
            "8001972684"
        );
        assert_eq!(compact("８００.１９７"), "800197");
        assert_eq!(compact("ab\u{1c}"), "AB");
        assert_eq!(compact("ß"), "SS");
    }

    #[test]
    fn format_groups_like_stdnum() {
        assert_eq!(format("2131234321").unwrap(), "213.123.432-1");
        assert_eq!(format("1").unwrap(), "-1");
        assert_eq!(format("12").unwrap(), "1-2");
        assert_eq!(format("12345").unwrap(), "1.234-5");
        assert!(format(" - ").is_err());
    }

    #[test]
    fn errors_name_what_is_wrong() {
        assert_eq!(validate("1234567"), Err(NitError::Length { length: 7 }));
        assert_eq!(
            validate("80019726A4"),
            Err(NitError::InvalidCharacter {
                character: 'A',
                position: 8
            })
        );
        assert_eq!(
            validate("8001972685"),
            Err(NitError::Checksum {
                expected: 4,
                found: 5
            })
        );
        assert_eq!(check_digit(""), Err(NitError::BaseLength { length: 0 }));
    }

    #[test]
    fn nit_type_round_trips() {
        let nit = Nit::from_base("800.197.268").unwrap();
        assert_eq!(nit.as_compact(), "8001972684");
        assert_eq!(nit.to_string(), "800.197.268-4");
        assert_eq!("8001972684".parse::<Nit>().unwrap(), nit);
        assert_eq!(
            Nit::from_base("123456"),
            Err(NitError::BaseLength { length: 6 })
        );
    }
}

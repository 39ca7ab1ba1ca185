//! Scheme `999`: the seller's own product code.

use std::fmt;

use super::{ProductCodeError, Scheme};

/// Most characters of an own code.
pub const OWN_CODE_MAX_LEN: usize = 20;

/// A seller's own product code (scheme `999`): 1 to 20 characters, no control characters,
/// surrounding white space removed. Compared exactly (case matters).
///
/// ```
/// use bmc_core::dian::OwnCode;
///
/// assert_eq!(OwnCode::parse(" CAF-ANT-000123 ")?.as_str(), "CAF-ANT-000123");
/// assert!(OwnCode::parse("").is_err());
/// # Ok::<(), bmc_core::dian::ProductCodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OwnCode(String);

impl OwnCode {
    /// Parses an own code.
    pub fn parse(input: &str) -> Result<OwnCode, ProductCodeError> {
        let leading = input.chars().take_while(|c| c.is_whitespace()).count();
        let code = input.trim();
        let length = code.chars().count();
        if !(1..=OWN_CODE_MAX_LEN).contains(&length) {
            return Err(ProductCodeError::Length {
                scheme: Scheme::Own,
                length,
                unit: "characters",
                expected: "1 to 20 characters",
            });
        }
        if let Some((position, character)) = code.chars().enumerate().find(|(_, c)| c.is_control())
        {
            return Err(ProductCodeError::InvalidCharacter {
                scheme: Scheme::Own,
                character,
                position: leading + position,
                allowed: "an own code has no control characters",
            });
        }
        Ok(OwnCode(code.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OwnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

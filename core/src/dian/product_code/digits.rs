//! Reading the digits of a code while remembering where each character stood.

use super::{ProductCodeError, Scheme};

/// Collects the ASCII digits of `input`, skipping characters in `skip`; any other character is
/// an error naming its position in `input`. Surrounding white space is ignored.
pub(super) fn collect_digits(
    scheme: Scheme,
    input: &str,
    skip: &[char],
    allowed: &'static str,
) -> Result<String, ProductCodeError> {
    let leading = input.chars().take_while(|c| c.is_whitespace()).count();
    let mut digits = String::with_capacity(input.len());
    for (position, character) in input.trim().chars().enumerate() {
        if character.is_ascii_digit() {
            digits.push(character);
        } else if !skip.contains(&character) {
            return Err(ProductCodeError::InvalidCharacter {
                scheme,
                character,
                position: leading + position,
                allowed,
            });
        }
    }
    Ok(digits)
}

/// Checks that `digits` has one of the `lengths`, naming them in words on failure.
pub(super) fn expect_length(
    scheme: Scheme,
    digits: &str,
    lengths: &[usize],
    expected: &'static str,
) -> Result<(), ProductCodeError> {
    if lengths.contains(&digits.len()) {
        Ok(())
    } else {
        Err(ProductCodeError::Length {
            scheme,
            length: digits.len(),
            unit: "digits",
            expected,
        })
    }
}

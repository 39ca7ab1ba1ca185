//! Product codes by the scheme DIAN names in `cac:StandardItemIdentification/cbc:ID/@schemeID`.
//!
//! | scheme | type | what |
//! |---|---|---|
//! | `020` | [`TariffCode`] | subpartida arancelaria, 10 digits |
//! | `001` | [`Unspsc`] | UNSPSC, 8 digits |
//! | `010` | [`Gtin`] | GTIN-8/12/13/14 with its check digit |
//! | `999` | [`OwnCode`] | the seller's own code, up to 20 characters |
//!
//! ```
//! use bmc_core::dian::{ProductCode, Scheme};
//!
//! let code = ProductCode::parse("020", "0901.11.90.00")?;
//! assert_eq!(code.scheme(), Scheme::Tariff);
//! assert_eq!(code.as_str(), "0901119000");
//! assert_eq!(code.to_string(), "0901.11.90.00");
//! # Ok::<(), bmc_core::dian::ProductCodeError>(())
//! ```

mod digits;
mod error;
mod gtin;
mod own;
mod tariff;
mod unspsc;

use std::fmt;

pub use error::ProductCodeError;
pub use gtin::{Gtin, gs1_check_digit, gs1_check_digit_of};
pub use own::{OWN_CODE_MAX_LEN, OwnCode};
pub use tariff::{TariffCode, TariffDescription};
pub use unspsc::{Unspsc, UnspscLevel};

/// A DIAN product code scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// `020`: subpartida arancelaria.
    Tariff,
    /// `001`: UNSPSC.
    Unspsc,
    /// `010`: GTIN.
    Gtin,
    /// `999`: the seller's own code.
    Own,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: [Scheme; 4] = [Scheme::Tariff, Scheme::Unspsc, Scheme::Gtin, Scheme::Own];

    /// Parses DIAN's scheme code (`"020"`, `"001"`, `"010"`, `"999"`), ignoring surrounding
    /// white space.
    pub fn parse(code: &str) -> Result<Scheme, ProductCodeError> {
        match code.trim() {
            "020" => Ok(Scheme::Tariff),
            "001" => Ok(Scheme::Unspsc),
            "010" => Ok(Scheme::Gtin),
            "999" => Ok(Scheme::Own),
            other => Err(ProductCodeError::UnknownScheme {
                scheme: other.to_owned(),
            }),
        }
    }

    /// DIAN's code for the scheme.
    pub fn code(self) -> &'static str {
        match self {
            Scheme::Tariff => "020",
            Scheme::Unspsc => "001",
            Scheme::Gtin => "010",
            Scheme::Own => "999",
        }
    }

    /// The scheme's name in Spanish, as DIAN's list gives it.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Tariff => "Partida arancelaria",
            Scheme::Unspsc => "UNSPSC",
            Scheme::Gtin => "GTIN",
            Scheme::Own => "Estándar de adopción del contribuyente",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self {
            Scheme::Tariff => "subpartida (020)",
            Scheme::Unspsc => "UNSPSC (001)",
            Scheme::Gtin => "GTIN (010)",
            Scheme::Own => "own (999)",
        };
        f.write_str(label)
    }
}

impl std::str::FromStr for Scheme {
    type Err = ProductCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scheme::parse(s)
    }
}

/// A valid product code under one of DIAN's schemes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProductCode {
    /// `020`: subpartida arancelaria.
    Tariff(TariffCode),
    /// `001`: UNSPSC.
    Unspsc(Unspsc),
    /// `010`: GTIN.
    Gtin(Gtin),
    /// `999`: the seller's own code.
    Own(OwnCode),
}

impl ProductCode {
    /// Parses `input` under the scheme named by its DIAN code (`"020"`, ...).
    pub fn parse(scheme: &str, input: &str) -> Result<ProductCode, ProductCodeError> {
        ProductCode::parse_as(Scheme::parse(scheme)?, input)
    }

    /// Parses `input` under `scheme`.
    pub fn parse_as(scheme: Scheme, input: &str) -> Result<ProductCode, ProductCodeError> {
        Ok(match scheme {
            Scheme::Tariff => ProductCode::Tariff(TariffCode::parse(input)?),
            Scheme::Unspsc => ProductCode::Unspsc(Unspsc::parse(input)?),
            Scheme::Gtin => ProductCode::Gtin(Gtin::parse(input)?),
            Scheme::Own => ProductCode::Own(OwnCode::parse(input)?),
        })
    }

    /// The scheme of this code.
    pub fn scheme(&self) -> Scheme {
        match self {
            ProductCode::Tariff(_) => Scheme::Tariff,
            ProductCode::Unspsc(_) => Scheme::Unspsc,
            ProductCode::Gtin(_) => Scheme::Gtin,
            ProductCode::Own(_) => Scheme::Own,
        }
    }

    /// The normalised code, with no separators (`"0901119000"`).
    pub fn as_str(&self) -> &str {
        match self {
            ProductCode::Tariff(c) => c.as_str(),
            ProductCode::Unspsc(c) => c.as_str(),
            ProductCode::Gtin(c) => c.as_str(),
            ProductCode::Own(c) => c.as_str(),
        }
    }
}

impl fmt::Display for ProductCode {
    /// The code as people read it: a subpartida with dots, the others as normalised.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProductCode::Tariff(c) => c.fmt(f),
            ProductCode::Unspsc(c) => c.fmt(f),
            ProductCode::Gtin(c) => c.fmt(f),
            ProductCode::Own(c) => c.fmt(f),
        }
    }
}

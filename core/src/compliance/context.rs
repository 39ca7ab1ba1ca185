//! What validation needs beyond the invoice: the registration date, keys, the catalog.

use chrono::NaiveDate;

use crate::catalog::{Catalog, CatalogError};
use crate::dian::{Environment, NumberingKeys, TariffCode};

/// What the catalog knows of a product, for compliance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductStatus {
    /// The product's subpartida.
    pub tariff_code: TariffCode,
    /// Whether the product is active.
    pub is_active: bool,
}

/// Looks products up by code; the catalog index implements it.
pub trait ProductLookup: Sync {
    /// The product's status, `None` when the code is not in the catalog; an entry that
    /// cannot be read is an error, never an absent product.
    fn product_status(&self, code: &str) -> Result<Option<ProductStatus>, CatalogError>;
}

impl ProductStatus {
    /// What compliance needs of a catalog product.
    pub fn of(p: &crate::catalog::Product) -> ProductStatus {
        ProductStatus {
            tariff_code: p.dian_classification,
            is_active: p.is_active,
        }
    }
}

impl ProductLookup for Catalog {
    fn product_status(&self, code: &str) -> Result<Option<ProductStatus>, CatalogError> {
        Ok(self.get(code)?.as_ref().map(ProductStatus::of))
    }
}

/// A catalog held in memory (a few thousand products, tests, samples).
impl<S: std::hash::BuildHasher + Sync> ProductLookup
    for std::collections::HashMap<String, crate::catalog::Product, S>
{
    fn product_status(&self, code: &str) -> Result<Option<ProductStatus>, CatalogError> {
        Ok(self.get(code).map(ProductStatus::of))
    }
}

/// The oldest invoice that can be registered by default, in calendar days.
pub const DEFAULT_MAX_AGE_DAYS: i64 = 180;

/// The settings of a validation.
#[derive(Clone)]
pub struct Context<'a> {
    /// The date of registration: invoice age and future dates are measured from it.
    pub registration_date: NaiveDate,
    /// The oldest invoice that can be registered, in calendar days (180 by default).
    pub max_age_days: i64,
    /// One technical key for every invoice: when set, invoice CUFEs are recomputed with it
    /// (for a single seller's range; a verifier of many sellers uses `numbering_keys`).
    pub technical_key: Option<String>,
    /// One software PIN for every note: when set, credit and debit note CUDEs are recomputed.
    pub software_pin: Option<String>,
    /// The keys of the sellers' numbering ranges: a document's CUFE (or CUDE) is recomputed
    /// with its seller's key; a document whose key is unknown gets `CUFE_UNVERIFIABLE`.
    pub numbering_keys: Option<&'a NumberingKeys>,
    /// The DIAN environment the platform registers for: a document of the other
    /// environment (a test document on a production platform) is an error.
    pub environment: Environment,
    /// The catalog: when set, every line's product is looked up.
    pub catalog: Option<&'a dyn ProductLookup>,
    /// The chapters whose products can be registered (01–24 by default).
    pub eligible_chapters: std::ops::RangeInclusive<u8>,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("registration_date", &self.registration_date)
            .field("max_age_days", &self.max_age_days)
            .field(
                "technical_key",
                &self.technical_key.as_ref().map(|_| "<set>"),
            )
            .field("software_pin", &self.software_pin.as_ref().map(|_| "<set>"))
            .field(
                "numbering_keys",
                &self.numbering_keys.map(NumberingKeys::len),
            )
            .field("environment", &self.environment)
            .field("catalog", &self.catalog.is_some())
            .field("eligible_chapters", &self.eligible_chapters)
            .finish()
    }
}

impl<'a> Context<'a> {
    /// A context for registering on `registration_date`, with the defaults:
    /// [`DEFAULT_MAX_AGE_DAYS`], no keys, no catalog, chapters 01–24, production.
    pub fn new(registration_date: NaiveDate) -> Context<'a> {
        Context {
            registration_date,
            max_age_days: DEFAULT_MAX_AGE_DAYS,
            technical_key: None,
            software_pin: None,
            numbering_keys: None,
            environment: Environment::Production,
            catalog: None,
            eligible_chapters: 1..=24,
        }
    }
}

//! The products the matching step already looked up by code, handed to validation and to the
//! commission so that each line's code is looked up in the catalog once.

use std::collections::HashMap;

use crate::catalog::{Catalog, CatalogError, Product};
use crate::commission::ProductClassifier;
use crate::compliance::{ProductLookup, ProductStatus};
use crate::dian::TariffCode;
use crate::invoice::Invoice;

use super::matching::{LineMatch, MatchKind};

/// Product codes already looked up (with what was found), over the catalog for any other.
pub(super) struct LookedUp<'a> {
    catalog: &'a Catalog,
    by_code: HashMap<&'a str, Option<&'a Product>>,
}

impl<'a> LookedUp<'a> {
    /// What matching `invoice`'s lines found by code (`lines` in the invoice's line order).
    pub fn new(catalog: &'a Catalog, invoice: &'a Invoice, lines: &'a [LineMatch]) -> Self {
        let by_code = invoice
            .lines
            .iter()
            .zip(lines)
            .filter_map(|(line, matched)| {
                let code = line.product_code()?;
                // Matching looked the code up first: a code match is that product, anything
                // else means the code is not in the catalog.
                let product = match matched.matched_by {
                    MatchKind::Code => matched.product.as_ref(),
                    MatchKind::NameSearch | MatchKind::None => None,
                };
                Some((code, product))
            })
            .collect();
        LookedUp { catalog, by_code }
    }
}

impl ProductLookup for LookedUp<'_> {
    fn product_status(&self, code: &str) -> Result<Option<ProductStatus>, CatalogError> {
        match self.by_code.get(code) {
            Some(found) => Ok(found.map(ProductStatus::of)),
            None => self.catalog.product_status(code),
        }
    }
}

impl ProductClassifier for LookedUp<'_> {
    fn tariff_code(&self, product_code: &str) -> Result<Option<TariffCode>, CatalogError> {
        match self.by_code.get(product_code) {
            Some(found) => Ok(found.map(|p| p.dian_classification)),
            None => self.catalog.tariff_code(product_code),
        }
    }
}

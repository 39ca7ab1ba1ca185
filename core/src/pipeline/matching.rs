//! Each invoice line's product in the catalog: by its code, else by searching its
//! description, with a score under which the match needs a person's review.

use crate::catalog::{Catalog, Product, SearchFilters};
use crate::invoice::InvoiceLine;

/// How a line's product was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The line's product code is in the catalog.
    Code,
    /// The description found the product by name search.
    NameSearch,
    /// Nothing was found.
    None,
}

/// The product matched to one invoice line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LineMatch {
    /// The line's id.
    pub line_id: String,
    /// How the product was found.
    pub matched_by: MatchKind,
    /// The product, when one was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<Product>,
    /// The name-search score (0 for a code match, which needs no score).
    pub score: f32,
    /// True when a person should confirm the match: no product, a search score under the
    /// threshold, or an inactive product.
    pub needs_review: bool,
}

/// Matches one line: the code first, then a name search scored against `threshold`.
pub(crate) fn match_line(catalog: &Catalog, line: &InvoiceLine, threshold: f32) -> LineMatch {
    if let Some(code) = line.product_code()
        && let Ok(Some(product)) = catalog.get(code)
    {
        return LineMatch {
            line_id: line.id.clone(),
            matched_by: MatchKind::Code,
            needs_review: !product.is_active,
            product: Some(product),
            score: 0.0,
        };
    }
    let hit = catalog
        .search(&line.description, 1, &SearchFilters::default())
        .ok()
        .and_then(|hits| hits.into_iter().next());
    match hit {
        Some(hit) => LineMatch {
            line_id: line.id.clone(),
            matched_by: MatchKind::NameSearch,
            needs_review: hit.score < threshold || !hit.product.is_active,
            product: Some(hit.product),
            score: hit.score,
        },
        None => LineMatch {
            line_id: line.id.clone(),
            matched_by: MatchKind::None,
            product: None,
            score: 0.0,
            needs_review: true,
        },
    }
}

//! Each invoice line's product in the catalog: by its code, else by searching its
//! description, with a score under which the match needs a person's review.

use crate::catalog::{Catalog, CatalogError, Product, SearchFilters};
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

/// Matches one line: the code first, then a name search scored against `threshold`. A catalog
/// that fails to answer is an error, never "no match".
pub(crate) fn match_line(
    catalog: &Catalog,
    line: &InvoiceLine,
    threshold: f32,
) -> Result<LineMatch, CatalogError> {
    if let Some(code) = line.product_code()
        && let Some(product) = catalog.get(code)?
    {
        return Ok(LineMatch {
            line_id: line.id.clone(),
            matched_by: MatchKind::Code,
            needs_review: !product.is_active,
            product: Some(product),
            score: 0.0,
        });
    }
    let hit = match catalog.search(&line.description, 1, &SearchFilters::default()) {
        Ok(hits) => hits.into_iter().next(),
        // A description too long or of too many words for one search is searched by its
        // start (a search query is bounded; a description is not).
        Err(CatalogError::Query { .. }) => catalog
            .search(
                &search_text(&line.description),
                1,
                &SearchFilters::default(),
            )?
            .into_iter()
            .next(),
        Err(e) => return Err(e),
    };
    Ok(match hit {
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
    })
}

/// The part of a description a search can take: its first words, each at most as long as a
/// search word may be.
fn search_text(description: &str) -> String {
    let mut text = String::new();
    for word in description
        .split_whitespace()
        .filter(|w| w.chars().count() <= crate::catalog::MAX_QUERY_WORD_CHARS)
        .take(16)
    {
        if text.len() + word.len() >= crate::catalog::MAX_QUERY_CHARS {
            break;
        }
        text.push_str(word);
        text.push(' ');
    }
    text
}

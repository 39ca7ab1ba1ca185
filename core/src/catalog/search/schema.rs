//! What the search index holds for each product and how names are cut into words.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer, TokenStream,
};

use super::search_error;
use crate::catalog::CatalogError;
use crate::catalog::product::Product;

/// The analyzer's name in the index.
pub(super) const ANALYZER: &str = "es_folded";

/// Lower case, ASCII-folded words: how names and queries are both cut.
pub(super) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The words of `text` as the index sees them.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// A whole name folded as the index folds words, for exact-name matches.
pub(crate) fn folded_name(text: &str) -> String {
    words(text).join(" ")
}

/// The fields of a search document.
///
/// Only the name's words are searched (with their frequencies, for BM25; no positions, as
/// no query needs phrases). The filters are columns (fast fields) read for the documents
/// that match, so that a filtered search is ranked the same way as an unfiltered one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub name: Field,
    pub name_exact: Field,
    pub ord: Field,
    pub active: Field,
    pub category: Field,
    pub class: Field,
}

/// Column names.
pub(super) const ORD: &str = "ord";
pub(super) const ACTIVE: &str = "active";
pub(super) const CATEGORY: &str = "category";
pub(super) const CLASS: &str = "class";

pub(super) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        name: b.add_text_field("name", text),
        name_exact: b.add_text_field("name_exact", STRING),
        ord: b.add_u64_field(ORD, FAST),
        active: b.add_u64_field(ACTIVE, FAST),
        category: b.add_i64_field(CATEGORY, FAST),
        class: b.add_u64_field(CLASS, FAST),
    };
    (b.build(), fields)
}

pub(super) fn fields_of(schema: &Schema) -> Result<Fields, CatalogError> {
    let f = |name: &str| schema.get_field(name).map_err(search_error);
    Ok(Fields {
        name: f("name")?,
        name_exact: f("name_exact")?,
        ord: f(ORD)?,
        active: f(ACTIVE)?,
        category: f(CATEGORY)?,
        class: f(CLASS)?,
    })
}

/// A 10-digit classification as a number, so that a classification prefix is a range of
/// numbers.
pub(super) fn class_number(class: &str) -> u64 {
    class
        .bytes()
        .filter(u8::is_ascii_digit)
        .take(10)
        .fold(0, |n, b| n * 10 + u64::from(b - b'0'))
}

/// Where a product stands among equals: active products before inactive ones, then by
/// ordinal (code order). Documents are stored in this order, so the first hits a query meets
/// are the ones it prefers.
pub(super) fn search_key(active: bool, ordinal: u64) -> u64 {
    (u64::from(!active) << 32) | ordinal
}

/// The search document of a product.
pub(super) fn document(f: Fields, ordinal: u32, p: &Product) -> TantivyDocument {
    document_of(
        f,
        ordinal,
        &p.product_name,
        p.is_active,
        p.category_id,
        class_number(p.dian_classification.as_str()),
    )
}

/// The search document of a product, from the columns the search index keeps.
pub(super) fn document_of(
    f: Fields,
    ordinal: u32,
    name: &str,
    active: bool,
    category: i32,
    class: u64,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.name, name);
    doc.add_text(f.name_exact, folded_name(name));
    doc.add_u64(f.ord, u64::from(ordinal));
    doc.add_u64(f.active, u64::from(active));
    doc.add_i64(f.category, i64::from(category));
    doc.add_u64(f.class, class);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifications_become_numbers() {
        assert_eq!(class_number("0901211000"), 901_211_000);
        assert_eq!(class_number("0901.21.10.00"), 901_211_000);
    }

    #[test]
    fn active_products_come_first() {
        assert!(search_key(true, 9) < search_key(false, 0));
        assert!(search_key(true, 1) < search_key(true, 2));
        assert!(search_key(false, 1) < search_key(false, 2));
    }

    #[test]
    fn names_fold_case_and_accents() {
        assert_eq!(
            words("Café TOSTADO, x 500g"),
            ["cafe", "tostado", "x", "500g"]
        );
        assert_eq!(folded_name("  Azúcar  blanca "), "azucar blanca");
    }
}

//! The name search index (tantivy): Spanish-aware analysis (lower case, accents folded),
//! typo tolerance by word length, exact code and exact name first, then BM25, ties broken by
//! ordinal so results are deterministic.

use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer, TokenStream,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::CatalogError;
use super::product::Product;

/// Segments larger than this are not merged further during a build.
const MAX_SEGMENT_DOCS: usize = 10_000_000;

/// The analyzer's name in the index.
const ANALYZER: &str = "es_folded";

fn search_error(e: impl std::fmt::Display) -> CatalogError {
    CatalogError::Search {
        message: e.to_string(),
    }
}

/// Lower case, ASCII-folded words: how names and queries are both cut.
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The words of `text` as the index sees them.
pub(super) fn words(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// A whole name folded as the index folds words, for exact-name matches.
pub(super) fn folded_name(text: &str) -> String {
    words(text).join(" ")
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    name: Field,
    name_exact: Field,
    code: Field,
    ord: Field,
    active: Field,
    category: Field,
    class: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        name: b.add_text_field("name", text),
        name_exact: b.add_text_field("name_exact", STRING),
        code: b.add_text_field("code", STRING),
        ord: b.add_u64_field("ord", FAST),
        active: b.add_u64_field("active", INDEXED),
        category: b.add_i64_field("category", INDEXED),
        class: b.add_text_field("class", STRING),
    };
    (b.build(), fields)
}

fn fields_of(schema: &Schema) -> Result<Fields, CatalogError> {
    let f = |name: &str| schema.get_field(name).map_err(search_error);
    Ok(Fields {
        name: f("name")?,
        name_exact: f("name_exact")?,
        code: f("code")?,
        ord: f("ord")?,
        active: f("active")?,
        category: f("category")?,
        class: f("class")?,
    })
}

/// The classification prefixes a product is filed under: chapter, heading, HS-6, NANDINA
/// and the full code, each as its own term so a prefix filter is one term lookup.
fn class_terms(class: &str) -> [String; 5] {
    [2, 4, 6, 8, 10].map(|n| format!("{n:02}:{}", &class[..n]))
}

/// The search document of a product.
fn document(f: Fields, ordinal: u32, p: &Product) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.name, &p.product_name);
    doc.add_text(f.name_exact, folded_name(&p.product_name));
    doc.add_text(f.code, &p.product_code);
    doc.add_u64(f.ord, u64::from(ordinal));
    doc.add_u64(f.active, u64::from(p.is_active));
    doc.add_i64(f.category, i64::from(p.category_id));
    for term in class_terms(p.dian_classification.as_str()) {
        doc.add_text(f.class, term);
    }
    doc
}

/// Writes the search index during a build.
pub(super) struct SearchWriter {
    writer: IndexWriter<TantivyDocument>,
    fields: Fields,
}

impl SearchWriter {
    pub fn create(dir: &Path, memory: usize) -> Result<SearchWriter, CatalogError> {
        std::fs::create_dir_all(dir).map_err(|e| CatalogError::io(dir, &e))?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(dir, schema).map_err(search_error)?;
        index.tokenizers().register(ANALYZER, analyzer());
        let writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(1, memory.max(15_000_000))
            .map_err(search_error)?;
        // Segments stop merging at MAX_SEGMENT_DOCS, so a merge never maps more than that
        // much of the index at once: the build's memory stays bounded whatever the catalog's
        // size.
        let mut policy = tantivy::indexer::LogMergePolicy::default();
        policy.set_max_docs_before_merge(MAX_SEGMENT_DOCS);
        writer.set_merge_policy(Box::new(policy));
        Ok(SearchWriter { writer, fields })
    }

    pub fn add(&mut self, ordinal: u32, p: &Product) -> Result<(), CatalogError> {
        self.writer
            .add_document(document(self.fields, ordinal, p))
            .map_err(search_error)?;
        Ok(())
    }

    /// Commits and waits for the merges in flight.
    pub fn finish(mut self) -> Result<(), CatalogError> {
        self.writer.commit().map_err(search_error)?;
        self.writer.wait_merging_threads().map_err(search_error)?;
        Ok(())
    }
}

/// Filters on a search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilters {
    /// Only active products.
    pub active_only: bool,
    /// Only this category.
    pub category_id: Option<i32>,
    /// Only classifications starting with these digits (2, 4, 6, 8 or 10 of them; dots are
    /// ignored).
    pub classification_prefix: Option<String>,
}

/// How a hit matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The query is the product's code.
    Code,
    /// The query is the product's whole name (case and accents aside).
    Name,
    /// The query's words match the name (some maybe with typos).
    Words,
}

/// The searcher of an open index.
pub(super) struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    /// The `ord` column of each segment, by segment ordinal.
    ords: Vec<tantivy::columnar::Column<u64>>,
}

impl SearchIndex {
    pub fn open(dir: &Path) -> Result<SearchIndex, CatalogError> {
        SearchIndex::of(Index::open_in_dir(dir).map_err(search_error)?)
    }

    /// A search index in memory over `products` (ordinal = position), for the overlay.
    pub fn in_memory(products: &[&Product]) -> Result<SearchIndex, CatalogError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(ANALYZER, analyzer());
        let mut writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(1, 15_000_000)
            .map_err(search_error)?;
        for (i, p) in products.iter().enumerate() {
            let ordinal = u32::try_from(i).map_err(search_error)?;
            writer
                .add_document(document(fields, ordinal, p))
                .map_err(search_error)?;
        }
        writer.commit().map_err(search_error)?;
        SearchIndex::of(index)
    }

    fn of(index: Index) -> Result<SearchIndex, CatalogError> {
        index.tokenizers().register(ANALYZER, analyzer());
        let fields = fields_of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(search_error)?;
        let ords = reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64("ord").map_err(search_error))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchIndex {
            reader,
            fields,
            ords,
        })
    }

    pub fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether `word` is a term of the name field (in any segment).
    fn known(&self, searcher: &tantivy::Searcher, word: &str) -> bool {
        let term = Term::from_field_text(self.fields.name, word);
        searcher.segment_readers().iter().any(|segment| {
            segment
                .inverted_index(self.fields.name)
                .ok()
                .and_then(|inv| inv.doc_freq(&term).ok())
                .is_some_and(|n| n > 0)
        })
    }

    /// Ordinals and scores of the best `limit` matches for `text`, best first.
    ///
    /// Every word must match (a word the index does not know is matched with typos, by its
    /// length); when that finds nothing, any word may match. A whole-name match outranks
    /// everything. Stop words (`de`, `la`, `x`, ...) are left out of the query unless it has
    /// nothing else.
    pub fn search(
        &self,
        text: &str,
        limit: usize,
        filters: &SearchFilters,
    ) -> Result<Vec<(u32, f32, MatchKind)>, CatalogError> {
        let f = self.fields;
        let all_words = words(text);
        if all_words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let content: Vec<&String> = all_words.iter().filter(|w| !is_stop_word(w)).collect();
        let query_words: Vec<&String> = if content.is_empty() {
            all_words.iter().collect()
        } else {
            content
        };
        let searcher = self.reader.searcher();
        let word_clauses = |occur: Occur| -> Vec<(Occur, Box<dyn Query>)> {
            query_words
                .iter()
                .map(|word| {
                    let term = Term::from_field_text(f.name, word);
                    let distance = typo_distance(word);
                    let q: Box<dyn Query> = if distance == 0 || self.known(&searcher, word) {
                        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                    } else {
                        Box::new(FuzzyTermQuery::new(term, distance, true))
                    };
                    (occur, q)
                })
                .collect()
        };
        let mut filter_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let filter = |q: Box<dyn Query>| -> (Occur, Box<dyn Query>) {
            (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
        };
        if filters.active_only {
            filter_clauses.push(filter(Box::new(TermQuery::new(
                Term::from_field_u64(f.active, 1),
                IndexRecordOption::Basic,
            ))));
        }
        if let Some(category) = filters.category_id {
            filter_clauses.push(filter(Box::new(TermQuery::new(
                Term::from_field_i64(f.category, i64::from(category)),
                IndexRecordOption::Basic,
            ))));
        }
        if let Some(prefix) = &filters.classification_prefix {
            let digits: String = prefix.chars().filter(|c| *c != '.').collect();
            if !matches!(digits.len(), 2 | 4 | 6 | 8 | 10)
                || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(CatalogError::Query {
                    message: format!(
                        "classification prefix {prefix:?} must be 2, 4, 6, 8 or 10 digits"
                    ),
                });
            }
            let term = Term::from_field_text(f.class, &format!("{:02}:{digits}", digits.len()));
            filter_clauses.push(filter(Box::new(TermQuery::new(
                term,
                IndexRecordOption::Basic,
            ))));
        }
        let exact_name = Term::from_field_text(f.name_exact, &all_words.join(" "));
        let run = |words_occur: Occur| -> Result<Vec<(f32, tantivy::DocAddress)>, CatalogError> {
            let words_query: Box<dyn Query> =
                Box::new(BooleanQuery::new(word_clauses(words_occur)));
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Must, words_query),
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(exact_name.clone(), IndexRecordOption::Basic)),
                        EXACT_NAME_BOOST,
                    )),
                ),
            ];
            clauses.extend(filter_clauses.iter().map(|(o, q)| (*o, q.box_clone())));
            searcher
                .search(
                    &BooleanQuery::new(clauses),
                    &TopDocs::with_limit(limit).order_by_score(),
                )
                .map_err(search_error)
        };
        let mut hits = run(Occur::Must)?;
        if hits.is_empty() && query_words.len() > 1 {
            hits = run(Occur::Should)?;
        }
        let mut out = Vec::with_capacity(hits.len());
        for (score, address) in hits {
            let ord = self
                .ords
                .get(address.segment_ord as usize)
                .map(|column| column.first(address.doc_id))
                .and_then(|o| o)
                .and_then(|o| u32::try_from(o).ok())
                .ok_or_else(|| CatalogError::Search {
                    message: format!("document {address:?} has no ordinal"),
                })?;
            let kind = if score >= EXACT_NAME_BOOST {
                MatchKind::Name
            } else {
                MatchKind::Words
            };
            out.push((ord, score, kind));
        }
        // Equal scores go to the lower ordinal, so results do not depend on segment layout.
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }
}

/// The boost of a whole-name match: above any BM25 score of a product name.
const EXACT_NAME_BOOST: f32 = 1000.0;

/// Spanish words too common in product names to narrow a search.
fn is_stop_word(word: &str) -> bool {
    matches!(
        word,
        "a" | "al"
            | "con"
            | "de"
            | "del"
            | "el"
            | "en"
            | "la"
            | "las"
            | "lo"
            | "los"
            | "para"
            | "por"
            | "sin"
            | "un"
            | "una"
            | "x"
            | "y"
    )
}

/// Edits allowed for a query word: none up to 3 letters, one up to 7, two beyond.
pub fn typo_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

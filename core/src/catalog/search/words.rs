//! The words of a query as the index will look for them: stop words left out, and a word
//! the index does not know replaced by the indexed word nearest to it.

use std::collections::BTreeMap;

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::search_error;
use crate::catalog::CatalogError;

/// Edits allowed for a query word: none up to 3 letters, one up to 7, two beyond.
pub fn typo_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Spanish words too common in product names to narrow a search.
pub(super) fn is_stop_word(word: &str) -> bool {
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

/// One query word and how it is matched.
#[derive(Debug, Clone)]
pub(super) struct QueryWord {
    /// The word as typed (folded).
    pub typed: String,
    /// The indexed word it is looked up as: the word itself when the index knows it, else
    /// the indexed word nearest to it within [`typo_distance`] edits (the closest, then the
    /// most frequent, then the first in byte order); `None` when there is none.
    pub indexed: Option<String>,
    /// In how many documents the indexed word appears (0 when there is none).
    pub doc_freq: u64,
}

impl QueryWord {
    /// Whether the word was looked up as another word.
    pub fn corrected(&self) -> bool {
        self.indexed.as_deref() != Some(self.typed.as_str())
    }
}

/// The words to look for: the query's words without its stop words (all of them when it has
/// nothing else), each resolved against the name field's dictionary.
pub(super) fn query_words(
    searcher: &Searcher,
    field: Field,
    words: &[String],
) -> Result<Vec<QueryWord>, CatalogError> {
    let content: Vec<&String> = words.iter().filter(|w| !is_stop_word(w)).collect();
    let chosen: Vec<&String> = if content.is_empty() {
        words.iter().collect()
    } else {
        content
    };
    chosen
        .into_iter()
        .map(|typed| {
            let own = doc_freq(searcher, field, typed)?;
            let (indexed, doc_freq) = if own > 0 {
                (Some(typed.clone()), own)
            } else {
                // The nearest spelling: fewest edits, then most documents, then byte order.
                match spellings(searcher, field, typed, 1)?.pop() {
                    Some(nearest) => (Some(nearest.word), nearest.doc_freq),
                    None => (None, 0),
                }
            };
            Ok(QueryWord {
                typed: typed.clone(),
                indexed,
                doc_freq,
            })
        })
        .collect()
}

/// In how many documents `word` appears (all segments).
pub(super) fn doc_freq(searcher: &Searcher, field: Field, word: &str) -> Result<u64, CatalogError> {
    let term = Term::from_field_text(field, word);
    let mut n = 0;
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field).map_err(search_error)?;
        n += u64::from(inverted.doc_freq(&term).map_err(search_error)?);
    }
    Ok(n)
}

/// An indexed word spelled like a query word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Spelling {
    pub word: String,
    /// Edits from the query word (a transposition is one).
    pub edits: u8,
    /// In how many documents the word appears.
    pub doc_freq: u64,
}

/// Up to `max` indexed words within `word`'s typo distance, nearest first: fewest edits,
/// then the word in most documents, then byte order.
pub(super) fn spellings(
    searcher: &Searcher,
    field: Field,
    word: &str,
    max: usize,
) -> Result<Vec<Spelling>, CatalogError> {
    let mut found: Vec<Spelling> = Vec::new();
    for edits in 1..=typo_distance(word) {
        for (word, doc_freq) in by_frequency(within(searcher, field, word, edits)?) {
            if found.len() == max {
                return Ok(found);
            }
            // Words at fewer edits are in every wider level too.
            if !found.iter().any(|s| s.word == word) {
                found.push(Spelling {
                    word,
                    edits,
                    doc_freq,
                });
            }
        }
    }
    Ok(found)
}

/// Indexed words within `distance` edits of `word` (a transposition is one), with the number
/// of documents each is in (all segments).
fn within(
    searcher: &Searcher,
    field: Field,
    word: &str,
    distance: u8,
) -> Result<BTreeMap<Vec<u8>, u64>, CatalogError> {
    let query = FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true);
    let automaton = query.automaton().map_err(search_error)?;
    let mut found: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field).map_err(search_error)?;
        let mut stream = inverted
            .terms()
            .search(&automaton)
            .into_stream()
            .map_err(search_error)?;
        while stream.advance() {
            *found.entry(stream.key().to_vec()).or_default() += u64::from(stream.value().doc_freq);
        }
    }
    Ok(found)
}

/// Words by document count, most first, then in byte order.
fn by_frequency(words: BTreeMap<Vec<u8>, u64>) -> Vec<(String, u64)> {
    let mut words: Vec<(String, u64)> = words
        .into_iter()
        .map(|(bytes, n)| (String::from_utf8_lossy(&bytes).into_owned(), n))
        .collect();
    // Stable: equal counts stay in byte order.
    words.sort_by_key(|w| std::cmp::Reverse(w.1));
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_words_allow_more_typos() {
        assert_eq!(typo_distance("sal"), 0);
        assert_eq!(typo_distance("cafe"), 1);
        assert_eq!(typo_distance("panelas"), 1);
        assert_eq!(typo_distance("pulverizada"), 2);
        assert_eq!(typo_distance("ñame"), 1);
    }
}

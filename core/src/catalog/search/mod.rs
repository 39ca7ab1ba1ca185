//! The name search index (tantivy): Spanish-aware analysis (lower case, accents folded),
//! typo tolerance by word length, exact name first, then BM25; among equal scores active
//! products first, then the lower ordinal, so results are deterministic.
//!
//! A query runs in up to four steps, in order, each adding hits the earlier ones did not
//! find; every tantivy query is a pure intersection or a pure union of term queries, the
//! shapes tantivy prunes with block-max WAND:
//! 1. the whole name (one term of `name_exact`), scored above any word match;
//! 2. every word (a word the index does not know is replaced by its nearest indexed word, see
//!    [`words`]);
//! 3. when that leaves room and some word was replaced, every word again with the replaced
//!    ones spelled as the other indexed words within their typo distance, fewest edits
//!    first (see [`alike`]);
//! 4. when nothing matched yet, any of the words, in any of those spellings.
//!
//! Filters are checked on the columns of matching documents inside the collector
//! ([`ranked`]), so they do not change how a query is pruned or scored.
//!
//! Pruning helps least when every word of a query is in very many products (`aceite de
//! soya` in the synthetic catalog): blocks of the rarest word's postings seldom fall below
//! the threshold, so the query visits most of them; when the rarest word is in
//! [`PARALLEL_FROM_DOCS`] products or more, the segments are searched on all cores at once.

mod filters;
mod ranked;
mod schema;
#[cfg(test)]
mod tests;
mod words;
mod writer;

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use tantivy::query::{BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Executor, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use filters::SearchFilters;
pub(crate) use schema::words;
pub use words::typo_distance;
pub(crate) use writer::SearchWriter;

use self::filters::{Columns, Compiled};
use self::ranked::{Hit, Ranked};
use self::schema::{ANALYZER, Fields, analyzer, document, fields_of};
use self::words::{QueryWord, Spelling, query_words, spellings};
use super::CatalogError;
use super::product::Product;

fn search_error(e: impl std::fmt::Display) -> CatalogError {
    CatalogError::Search {
        message: e.to_string(),
    }
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

/// The most results one search returns ([`Catalog::search`](super::Catalog::search) refuses
/// a larger `limit`; pages of a classification are the way to list many products).
pub const MAX_SEARCH_LIMIT: usize = 10_000;

/// The most words a search query may have (a product name has at most 255 characters).
pub const MAX_QUERY_WORDS: usize = 64;

/// The longest search query, in characters.
pub const MAX_QUERY_CHARS: usize = 1_024;

/// The longest word of a search query, in characters: the typo-tolerant lookup builds an
/// automaton as large as the word, so a word of 100,000 letters would take a gigabyte.
pub const MAX_QUERY_WORD_CHARS: usize = 64;

/// The score added to a whole-name match: above any BM25 score of a product name.
const EXACT_NAME_BOOST: f32 = 1000.0;

/// The searcher of an open index.
pub(super) struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    /// The columns of each segment, by segment ordinal (the reader never reloads, so its
    /// segments stay these).
    columns: Vec<Columns>,
    /// Threads a heavy query may use (see [`OpenOptions`](super::OpenOptions)).
    threads: usize,
    /// The threads that search segments side by side, started by the first query heavy
    /// enough to be worth it (none with one segment or one thread, or if they cannot start:
    /// the query then runs on the calling thread).
    executor: OnceLock<Option<Executor>>,
    /// [`PARALLEL_FROM_DOCS`], except in tests.
    parallel_from_docs: u64,
}

/// A query of several words whose rarest word is in at least this many documents searches
/// its segments in parallel: below it a query takes well under a millisecond, and handing
/// segments to other threads would cost more than it saves.
const PARALLEL_FROM_DOCS: u64 = 100_000;

/// The words of a product name (or any text) as the index compares them: split at
/// anything not a letter or digit, lower case, accents folded.
pub fn name_words(text: &str) -> Vec<String> {
    words(text)
}

impl SearchIndex {
    pub fn open(dir: &Path, threads: usize) -> Result<SearchIndex, CatalogError> {
        let mut index = SearchIndex::of(Index::open_in_dir(dir).map_err(search_error)?)?;
        index.threads = threads;
        Ok(index)
    }

    fn executor(&self) -> Option<&Executor> {
        self.executor
            .get_or_init(|| {
                let threads = self.threads.min(self.columns.len());
                (threads > 1)
                    .then(|| Executor::multi_thread(threads, "bmc-search-").ok())
                    .flatten()
            })
            .as_ref()
    }

    /// A search index in memory over `products` (ordinal = position), for the overlay.
    pub fn in_memory(products: &[&Product]) -> Result<SearchIndex, CatalogError> {
        let (schema, fields) = schema::schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(ANALYZER, analyzer());
        // One thread, one commit: one segment, in key order (active products first).
        let mut writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(1, 15_000_000)
            .map_err(search_error)?;
        for active in [true, false] {
            for (i, p) in products.iter().enumerate() {
                if p.is_active == active {
                    let ordinal = u32::try_from(i).map_err(search_error)?;
                    writer
                        .add_document(document(fields, ordinal, p))
                        .map_err(search_error)?;
                }
            }
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
        let columns = reader
            .searcher()
            .segment_readers()
            .iter()
            .map(Columns::open)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchIndex {
            reader,
            fields,
            columns,
            threads: 1,
            executor: OnceLock::new(),
            parallel_from_docs: PARALLEL_FROM_DOCS,
        })
    }

    pub fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether some product's name has the word, folded as names are indexed (`Crema` and
    /// `crema` alike); a word longer than a search word never is.
    pub fn has_word(&self, word: &str) -> Result<bool, CatalogError> {
        let folded = words(word);
        let [word] = folded.as_slice() else {
            return Ok(false);
        };
        if word.chars().count() > MAX_QUERY_WORD_CHARS {
            return Ok(false);
        }
        let searcher = self.reader.searcher();
        Ok(self::words::doc_freq(&searcher, self.fields.name, word)? > 0)
    }

    /// Ordinals and scores of the best `limit` matches for `text`, best first.
    ///
    /// Every word must match; when that finds nothing, any word may match. A whole-name match
    /// outranks everything. Stop words (`de`, `la`, `x`, ...) are left out of the query unless
    /// it has nothing else.
    pub fn search(
        &self,
        text: &str,
        limit: usize,
        filters: &SearchFilters,
    ) -> Result<Vec<(u32, f32, MatchKind)>, CatalogError> {
        let typed = words(text);
        if typed.len() > MAX_QUERY_WORDS {
            return Err(CatalogError::Query {
                message: format!(
                    "the search query has {} words; at most {MAX_QUERY_WORDS} are searched",
                    typed.len()
                ),
            });
        }
        if let Some(long) = typed
            .iter()
            .find(|w| w.chars().count() > MAX_QUERY_WORD_CHARS)
        {
            return Err(CatalogError::Query {
                message: format!(
                    "a search word has {} characters (it starts {:?}); at most {MAX_QUERY_WORD_CHARS} are searched",
                    long.chars().count(),
                    long.chars().take(16).collect::<String>()
                ),
            });
        }
        let compiled = Compiled::new(filters)?;
        if typed.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let name = self.fields.name;
        let words = query_words(&searcher, name, &typed)?;
        let mut found = Found::new(limit);
        let heavy = words.len() > 1
            && words.iter().map(|w| w.doc_freq).min().unwrap_or(0) >= self.parallel_from_docs;
        let run = |query: &dyn Query, limit: usize| -> Result<Vec<Hit>, CatalogError> {
            let collector = Ranked {
                limit,
                filters: &compiled,
                columns: &self.columns,
            };
            match heavy.then(|| self.executor()).flatten() {
                Some(executor) => searcher.search_with_executor(
                    query,
                    &collector,
                    executor,
                    EnableScoring::enabled_from_searcher(&searcher),
                ),
                _ => searcher.search(query, &collector),
            }
            .map_err(search_error)
        };

        let all_indexed: Option<Vec<Term>> = words
            .iter()
            .map(|w| w.indexed.as_deref().map(|i| Term::from_field_text(name, i)))
            .collect();
        if let Some(terms) = &all_indexed {
            if !words.iter().any(QueryWord::corrected) {
                let exact = Term::from_field_text(self.fields.name_exact, &typed.join(" "));
                let mut clauses = must_all(terms);
                clauses.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(
                        Box::new(TermQuery::new(exact, IndexRecordOption::Basic)),
                        EXACT_NAME_BOOST,
                    )),
                ));
                found.add(run(&BooleanQuery::new(clauses), limit)?, MatchKind::Name)?;
            }
            if !found.full() {
                let query = all_of(terms);
                found.add(run(query.as_ref(), limit + found.len())?, MatchKind::Words)?;
            }
        }
        let mut spelled = None;
        if !found.full() && words.iter().any(QueryWord::corrected) {
            let spelled = spelled.insert(spellings_of(&searcher, name, &words)?);
            let want = limit + found.len();
            found.add(alike(name, &words, spelled, want, run)?, MatchKind::Words)?;
        }
        if found.is_empty() && words.len() > 1 {
            let spelled = match spelled {
                Some(spelled) => spelled,
                None => spellings_of(&searcher, name, &words)?,
            };
            let mut terms: Vec<Term> = Vec::new();
            for spelling in spelled.iter().flatten() {
                let term = Term::from_field_text(name, &spelling.word);
                if !terms.contains(&term) {
                    terms.push(term);
                }
            }
            found.add(run(any_of(&terms).as_ref(), limit)?, MatchKind::Words)?;
        }
        Ok(found.into_hits())
    }
}

/// Spellings a corrected word is tried as in steps 3 and 4.
const MAX_SPELLINGS: usize = 8;

/// Combinations of spellings step 3 tries at most.
const MAX_COMBINATIONS: usize = 32;

/// How each word may be spelled: as typed when the index knows it, else up to
/// [`MAX_SPELLINGS`] indexed words within its typo distance, nearest first.
fn spellings_of(
    searcher: &tantivy::Searcher,
    field: tantivy::schema::Field,
    words: &[QueryWord],
) -> Result<Vec<Vec<Spelling>>, CatalogError> {
    words
        .iter()
        .map(|w| {
            if w.corrected() {
                spellings(searcher, field, &w.typed, MAX_SPELLINGS)
            } else {
                Ok(vec![Spelling {
                    word: w.typed.clone(),
                    edits: 0,
                    doc_freq: w.doc_freq,
                }])
            }
        })
        .collect()
}

/// Step 3: every word, the corrected ones spelled as any indexed word within their typo
/// distance. Each combination of spellings is one pruned intersection; combinations with
/// fewer edits in all come first (at most [`MAX_COMBINATIONS`]), and the one step 2 ran
/// (each word's nearest spelling) is left out. The hits of one number of edits are ranked by
/// score, then key, each product once; numbers of edits are tried until `want` products are
/// found.
fn alike(
    field: tantivy::schema::Field,
    words: &[QueryWord],
    spelled: &[Vec<Spelling>],
    want: usize,
    run: impl Fn(&dyn Query, usize) -> Result<Vec<Hit>, CatalogError>,
) -> Result<Vec<Hit>, CatalogError> {
    // Combinations as (edits, one spelling per word), built word by word and kept to the
    // fewest edits at each step, so a long query never multiplies out.
    let mut combinations: Vec<(u32, Vec<&Spelling>)> = vec![(0, Vec::new())];
    for options in spelled {
        let mut longer = Vec::with_capacity(combinations.len() * options.len());
        for (edits, chosen) in &combinations {
            for spelling in options {
                let mut chosen = chosen.clone();
                chosen.push(spelling);
                longer.push((edits + u32::from(spelling.edits), chosen));
            }
        }
        // Stable: equal edits keep the nearest-first order of each word's spellings.
        longer.sort_by_key(|c| c.0);
        longer.truncate(MAX_COMBINATIONS + 1);
        combinations = longer;
    }
    let tried_in_step_2 = |chosen: &[&Spelling]| {
        chosen
            .iter()
            .zip(words)
            .all(|(s, w)| w.indexed.as_deref() == Some(s.word.as_str()))
    };
    combinations.retain(|(_, chosen)| !tried_in_step_2(chosen));
    combinations.truncate(MAX_COMBINATIONS);

    let mut hits: Vec<Hit> = Vec::new();
    let mut seen = HashSet::new();
    for level in combinations.chunk_by(|a, b| a.0 == b.0) {
        if hits.len() >= want {
            break;
        }
        let mut found = Vec::new();
        for (_, chosen) in level {
            let terms: Vec<Term> = chosen
                .iter()
                .map(|s| Term::from_field_text(field, &s.word))
                .collect();
            found.extend(run(all_of(&terms).as_ref(), want)?);
        }
        found.sort_by(Hit::rank);
        hits.extend(found.into_iter().filter(|h| seen.insert(h.ordinal)));
    }
    Ok(hits)
}

fn term_query(term: &Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs))
}

fn must_all(terms: &[Term]) -> Vec<(Occur, Box<dyn Query>)> {
    terms.iter().map(|t| (Occur::Must, term_query(t))).collect()
}

/// Every term: one term query alone, or a boolean query of nothing but term queries (the
/// shape tantivy prunes as an intersection).
fn all_of(terms: &[Term]) -> Box<dyn Query> {
    match terms {
        [one] => term_query(one),
        _ => Box::new(BooleanQuery::new(must_all(terms))),
    }
}

/// Any of the terms: a boolean query of nothing but optional term queries (the shape tantivy
/// prunes as a union).
fn any_of(terms: &[Term]) -> Box<dyn Query> {
    match terms {
        [one] => term_query(one),
        _ => Box::new(BooleanQuery::new(
            terms
                .iter()
                .map(|t| (Occur::Should, term_query(t)))
                .collect(),
        )),
    }
}

/// Hits gathered over the steps of a search: earlier steps first, each product once.
struct Found {
    limit: usize,
    hits: Vec<(u32, f32, MatchKind)>,
    seen: HashSet<u64>,
}

impl Found {
    fn new(limit: usize) -> Found {
        Found {
            limit,
            hits: Vec::with_capacity(limit),
            seen: HashSet::new(),
        }
    }

    fn len(&self) -> usize {
        self.hits.len()
    }

    fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }

    fn full(&self) -> bool {
        self.hits.len() >= self.limit
    }

    fn add(&mut self, hits: Vec<Hit>, kind: MatchKind) -> Result<(), CatalogError> {
        for hit in hits {
            if self.full() {
                break;
            }
            if self.seen.insert(hit.ordinal) {
                let ordinal = u32::try_from(hit.ordinal).map_err(|_| CatalogError::Search {
                    message: format!("document ordinal {} is out of range", hit.ordinal),
                })?;
                self.hits.push((ordinal, hit.score, kind));
            }
        }
        Ok(())
    }

    fn into_hits(self) -> Vec<(u32, f32, MatchKind)> {
        self.hits
    }
}

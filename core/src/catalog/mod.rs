//! The product catalog: an embedded, memory-mapped index of up to tens of millions of
//! products that opens in milliseconds and answers by code in microseconds.
//!
//! An index is a folder: `codes.fst` (code → ordinal), `records.bin` and `strings.bin` (the
//! products by ordinal), `classes.fst` and `postings.bin` (products by classification), a
//! tantivy index of names under `search/`, and `manifest.json` (format version, counts,
//! checksums, build parameters). [`build::build`] writes one from the seed's product CSV;
//! [`Catalog::open`] maps it.

pub mod build;
mod classes;
mod error;
#[cfg(feature = "samples")]
pub mod generate;
mod index;
pub mod manifest;
mod options;
pub mod overlay;
mod product;
mod search;
pub mod source;
mod store;

pub use build::{
    BuildOptions, BuildReport, Duplicate, OnInvalid, Phase, Progress, build, build_from_path,
};
pub use error::CatalogError;
pub use index::{Catalog, ClassPage, OpenOptions, SearchHit, SharedCatalog, Stats};
pub use overlay::{DeltaReport, apply_delta, compact};
pub use product::{COLUMNS, Product, format_timestamp, parse_timestamp};
pub use search::{
    MAX_QUERY_CHARS, MAX_QUERY_WORD_CHARS, MAX_QUERY_WORDS, MAX_SEARCH_LIMIT, MatchKind,
    SearchFilters, name_words, typo_distance,
};
pub use source::{RowProblem, read_products};

//! Search over an index of several segments, checked against exhaustive runs of the same
//! queries: pruning, filters and the ordinal tie-break must never change what a query returns.

use std::path::{Path, PathBuf};

use super::*;
use crate::catalog::source::read_products;

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sample() -> Vec<Product> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample-catalog.csv.gz");
    read_products(&path, 20_000).unwrap()
}

/// An index of `products` written as segments of `per_segment` documents, then merged into
/// segments of up to `max_docs`.
fn index_of(
    name: &str,
    products: &[Product],
    per_segment: usize,
    max_docs: u64,
) -> (TempDir, SearchIndex) {
    let (dir, index, _) = index_reporting(name, products, per_segment, max_docs);
    (dir, index)
}

/// [`index_of`], with the merge's progress reports (documents merged, documents to merge).
fn index_reporting(
    name: &str,
    products: &[Product],
    per_segment: usize,
    max_docs: u64,
) -> (TempDir, SearchIndex, Vec<(u64, u64)>) {
    let dir =
        TempDir(std::env::temp_dir().join(format!("bmc-search-{}-{name}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    let mut writer = SearchWriter::create(&dir.0, 20_000_000).unwrap();
    for (i, p) in products.iter().enumerate() {
        writer.add(i as u32, p).unwrap();
        if (i + 1) % per_segment == 0 {
            writer.commit().unwrap();
        }
    }
    let mut reports = Vec::new();
    writer
        .finish_merging(max_docs, &mut |done, total| reports.push((done, total)))
        .unwrap();
    let index = SearchIndex::open(&dir.0, 2).unwrap();
    (dir, index, reports)
}

const QUERIES: [&str; 14] = [
    "panela",
    "cafe",
    "Café tostado",
    "arroz blanco",
    "aceite de soya",
    "leche entera uht",
    "panela pulverisada",
    "cafe tostdo",
    "aguacte hass",
    "chocolate de mesaa",
    "de la",
    "zzzz qqqq",
    "panela zzzzzz",
    "x",
];

fn filter_sets(products: &[Product]) -> Vec<SearchFilters> {
    let category = products[0].category_id;
    vec![
        SearchFilters::default(),
        SearchFilters {
            active_only: true,
            ..SearchFilters::default()
        },
        SearchFilters {
            category_id: Some(category),
            ..SearchFilters::default()
        },
        SearchFilters {
            classification_prefix: Some("17".into()),
            ..SearchFilters::default()
        },
        SearchFilters {
            active_only: true,
            classification_prefix: Some("0901.21".into()),
            ..SearchFilters::default()
        },
    ]
}

#[test]
fn segments_are_merged_in_key_order() {
    let products = sample();
    assert!(products.iter().any(|p| !p.is_active));
    let (_dir, index, reports) = index_reporting("merged", &products, 1_500, 6_000);
    // Merges are reported from none done to all done, in order.
    let (first, last) = (reports[0], reports[reports.len() - 1]);
    assert_eq!(first.0, 0);
    assert!(last.1 > 0 && last.0 == last.1, "{reports:?}");
    assert!(
        reports
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 == w[1].1)
    );
    let searcher = index.reader.searcher();
    let segments = searcher.segment_readers();
    assert!(segments.len() > 1, "{} segments", segments.len());
    let mut ranges = Vec::new();
    for (segment, columns) in segments.iter().zip(&index.columns) {
        assert!(segment.num_docs() <= 6_000);
        let keys: Vec<u64> = (0..segment.max_doc())
            .map(|d| columns.ordinal_and_key(d).unwrap().1)
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "not in key order");
        ranges.push((keys[0], keys[keys.len() - 1]));
    }
    ranges.sort_unstable();
    assert!(
        ranges.windows(2).all(|w| w[0].1 < w[1].0),
        "segments overlap"
    );
    assert_eq!(index.documents(), products.len() as u64);
}

#[test]
fn pruned_searches_return_the_exhaustive_ranking() {
    let products = sample();
    let (_dir, index) = index_of("pruned", &products, 1_500, 6_000);
    let mut ties_across_activity = 0;
    for filters in filter_sets(&products) {
        for query in QUERIES {
            let all = index.search(query, 100_000, &filters).unwrap();
            for hit in &all {
                let p = &products[hit.0 as usize];
                assert!(
                    crate::catalog::index::passes(p, &filters),
                    "{query:?} {filters:?}: {} does not pass",
                    p.product_code
                );
            }
            for limit in [1, 3, 10, 50] {
                let top = index.search(query, limit, &filters).unwrap();
                let expected = &all[..all.len().min(limit)];
                assert_eq!(top, expected, "{query:?} limit {limit} {filters:?}");
            }
            // Within a step, better scores first; among equal scores active products first,
            // then the lower ordinal.
            for w in all.windows(2) {
                if w[0].2 == w[1].2 && w[0].1 == w[1].1 {
                    let key = |ordinal: u32| {
                        let p = &products[ordinal as usize];
                        (!p.is_active, ordinal)
                    };
                    assert!(
                        key(w[0].0) < key(w[1].0),
                        "{query:?}: tie out of order {w:?}"
                    );
                    ties_across_activity += usize::from(key(w[0].0).0 != key(w[1].0).0);
                }
            }
        }
    }
    assert!(
        ties_across_activity > 0,
        "no tie between an active and an inactive product"
    );
}

#[test]
fn the_same_query_ranks_the_same_whatever_the_segments() {
    let products = sample();
    let (_one, single) = index_of("single", &products, usize::MAX, u64::MAX);
    let (_many, several) = index_of("several", &products, 700, 2_500);
    let (_parallel, mut parallel) = index_of("parallel", &products, 700, 2_500);
    assert!(parallel.executor().is_some());
    parallel.parallel_from_docs = 0;
    for filters in filter_sets(&products) {
        for query in QUERIES {
            let ordinals = |index: &SearchIndex| -> Vec<(u32, MatchKind)> {
                index
                    .search(query, 25, &filters)
                    .unwrap()
                    .into_iter()
                    .map(|(ordinal, _, kind)| (ordinal, kind))
                    .collect()
            };
            assert_eq!(
                ordinals(&single),
                ordinals(&several),
                "{query:?} {filters:?}"
            );
            assert_eq!(
                ordinals(&single),
                ordinals(&parallel),
                "{query:?} {filters:?}"
            );
        }
    }
}

#[test]
fn whole_names_come_first_and_typos_are_corrected() {
    let products = sample();
    let (_dir, index) = index_of("names", &products, 5_000, 20_000);
    let target = &products[1234];
    let hits = index
        .search(
            &target.product_name.to_uppercase(),
            5,
            &SearchFilters::default(),
        )
        .unwrap();
    assert_eq!(hits[0].2, MatchKind::Name);
    assert_eq!(
        products[hits[0].0 as usize].product_name,
        target.product_name
    );
    assert!(hits[0].1 >= EXACT_NAME_BOOST);

    let hits = index
        .search("pulverisada panela", 5, &SearchFilters::default())
        .unwrap();
    assert!(!hits.is_empty());
    for (ordinal, _, kind) in hits {
        assert_eq!(kind, MatchKind::Words);
        let name = products[ordinal as usize].product_name.to_lowercase();
        assert!(name.contains("panela pulverizada"), "{name}");
    }
    // A word within no typo distance of any indexed word matches nothing, so any word will do.
    let hits = index
        .search("panela qqqqqqqq", 5, &SearchFilters::default())
        .unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| {
        products[h.0 as usize]
            .product_name
            .to_lowercase()
            .contains("panela")
    }));
}

#[test]
fn a_corrected_word_is_tried_in_each_spelling_near_it() {
    let products = sample();
    let (_dir, index) = index_of("spellings", &products, 5_000, 20_000);
    let names = |query: &str, limit: usize| -> Vec<String> {
        index
            .search(query, limit, &SearchFilters::default())
            .unwrap()
            .into_iter()
            .map(|(ordinal, _, kind)| {
                assert_eq!(kind, MatchKind::Words, "{query:?}");
                fold(&products[ordinal as usize].product_name)
            })
            .collect()
    };
    // `blancx` is one edit from `blanca` (the more frequent, so step 2's) and `blanco`: rice
    // is sold `blanco`, never `blanca`, so every hit comes from step 3.
    let rice = names("arroz blancx", 10);
    assert_eq!(rice.len(), 10);
    assert!(rice.iter().all(|n| n.contains("arroz blanco")), "{rice:?}");
    // Sugar is `blanca`: step 2's hits first, and there are enough of them.
    let sugar = names("azucar blancx", 10);
    assert!(
        sugar.iter().all(|n| n.contains("azucar blanca")),
        "{sugar:?}"
    );
    // Every spelling at one edit, then those at two: `pulverisadx` is two edits from
    // `pulverizada`, the only indexed word that near.
    let powder = names("panela pulverisadx", 5);
    assert!(!powder.is_empty());
    assert!(
        powder.iter().all(|n| n.contains("panela pulverizada")),
        "{powder:?}"
    );
    // A word with no spelling near it leaves step 3 empty; step 4 takes any word, in any
    // spelling near it.
    let any = names("qqqqqqqq blancx", 1_000);
    assert!(any.iter().any(|n| n.contains("blanca")), "{any:?}");
    assert!(any.iter().any(|n| n.contains("blanco")), "{any:?}");
}

/// A name as the index folds it: lower case, accents off.
fn fold(name: &str) -> String {
    words(name).join(" ")
}

#[test]
fn a_word_is_known_when_some_name_has_it() {
    let products = sample();
    let (_dir, index) = index_of("words", &products[..2_000], 1_000, 2_000);
    assert!(index.has_word("Panela").unwrap());
    assert!(index.has_word("CAFÉ").unwrap());
    assert!(!index.has_word("gy").unwrap());
    assert!(!index.has_word("20L").unwrap());
    // Two words are not a word.
    assert!(!index.has_word("panela redonda").unwrap());
}

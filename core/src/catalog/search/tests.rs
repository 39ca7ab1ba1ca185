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
    writer.finish_merging(max_docs).unwrap();
    let index = SearchIndex::open(&dir.0, 2).unwrap();
    (dir, index)
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
    let (_dir, index) = index_of("merged", &products, 1_500, 6_000);
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

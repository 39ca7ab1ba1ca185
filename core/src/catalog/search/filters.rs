//! Search filters (active, category, classification prefix), checked against the columns of
//! the documents a query matches.

use tantivy::columnar::Column;
use tantivy::{DocId, SegmentReader};

use super::schema::{ACTIVE, CATEGORY, CLASS, ORD, search_key};
use super::search_error;
use crate::catalog::CatalogError;

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

impl SearchFilters {
    /// The prefix's digits (dots left out), or an error naming it if it is not 2, 4, 6, 8 or
    /// 10 digits.
    pub(crate) fn classification_digits(&self) -> Result<Option<String>, CatalogError> {
        let Some(prefix) = &self.classification_prefix else {
            return Ok(None);
        };
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
        Ok(Some(digits))
    }
}

/// Filters made ready for the columns: the classification prefix as a range of 10-digit
/// numbers.
#[derive(Debug, Clone, Default)]
pub(super) struct Compiled {
    active_only: bool,
    category: Option<i64>,
    class: Option<std::ops::RangeInclusive<u64>>,
}

impl Compiled {
    pub fn new(filters: &SearchFilters) -> Result<Compiled, CatalogError> {
        let class = filters.classification_digits()?.map(|digits| {
            let width = 10 - digits.len() as u32;
            let low = digits
                .bytes()
                .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))
                * 10u64.pow(width);
            low..=low + 10u64.pow(width) - 1
        });
        Ok(Compiled {
            active_only: filters.active_only,
            category: filters.category_id.map(i64::from),
            class,
        })
    }

    /// The check for one segment's documents, or `None` when nothing is filtered.
    pub fn for_segment(&self, columns: &Columns) -> Option<SegmentFilter> {
        if !self.active_only && self.category.is_none() && self.class.is_none() {
            return None;
        }
        Some(SegmentFilter {
            active: self.active_only.then(|| columns.active.clone()),
            category: self.category.map(|c| (columns.category.clone(), c)),
            class: self
                .class
                .clone()
                .map(|range| (columns.class.clone(), range)),
        })
    }
}

/// One segment's columns, opened once when the index is opened (opening a column reads its
/// block index, which costs more than a whole query).
#[derive(Clone)]
pub(super) struct Columns {
    ord: Column<u64>,
    active: Column<u64>,
    category: Column<i64>,
    class: Column<u64>,
}

impl Columns {
    /// The ordinal of document `doc` and its [`search_key`].
    pub fn ordinal_and_key(&self, doc: DocId) -> Option<(u64, u64)> {
        let ordinal = self.ord.first(doc)?;
        let active = self.active.first(doc)? == 1;
        Some((ordinal, search_key(active, ordinal)))
    }

    pub fn open(segment: &SegmentReader) -> Result<Columns, CatalogError> {
        let fast = segment.fast_fields();
        Ok(Columns {
            ord: fast.u64(ORD).map_err(search_error)?,
            active: fast.u64(ACTIVE).map_err(search_error)?,
            category: fast.i64(CATEGORY).map_err(search_error)?,
            class: fast.u64(CLASS).map_err(search_error)?,
        })
    }
}

/// The filters bound to one segment's columns.
pub(super) struct SegmentFilter {
    active: Option<Column<u64>>,
    category: Option<(Column<i64>, i64)>,
    class: Option<(Column<u64>, std::ops::RangeInclusive<u64>)>,
}

impl SegmentFilter {
    /// Whether document `doc` passes every filter.
    pub fn passes(&self, doc: DocId) -> bool {
        self.active
            .as_ref()
            .is_none_or(|column| column.first(doc) == Some(1))
            && self
                .category
                .as_ref()
                .is_none_or(|(column, c)| column.first(doc) == Some(*c))
            && self
                .class
                .as_ref()
                .is_none_or(|(column, range)| column.first(doc).is_some_and(|n| range.contains(&n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_a_range_of_classifications() {
        let filters = SearchFilters {
            classification_prefix: Some("09.01".into()),
            ..SearchFilters::default()
        };
        let compiled = Compiled::new(&filters).unwrap();
        assert_eq!(compiled.class, Some(901_000_000..=901_999_999));
        let full = SearchFilters {
            classification_prefix: Some("0901211000".into()),
            ..SearchFilters::default()
        };
        assert_eq!(
            Compiled::new(&full).unwrap().class,
            Some(901_211_000..=901_211_000)
        );
    }

    #[test]
    fn a_bad_prefix_is_refused() {
        for bad in ["9", "090", "09a1", "09012110001"] {
            let filters = SearchFilters {
                classification_prefix: Some(bad.into()),
                ..SearchFilters::default()
            };
            assert!(Compiled::new(&filters).is_err(), "{bad}");
        }
    }
}

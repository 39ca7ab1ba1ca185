//! Collecting the best hits of a query: the top `limit` by score, equal scores to active
//! products then the lower ordinal, filters checked on the way, and tantivy's block-max
//! pruning kept (documents that cannot enter the top are never scored).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::filters::{Columns, Compiled, SegmentFilter};

/// A hit: the product's ordinal, its score and its place among equals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Hit {
    pub score: Score,
    pub ordinal: u64,
    /// [`search_key`](super::schema::search_key): active first, then by ordinal.
    pub key: u64,
}

impl Hit {
    /// Better hits sort first: higher score, then lower key.
    pub fn rank(&self, other: &Hit) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.key.cmp(&other.key))
    }
}

/// In the heap the worst hit is on top, so it is the one replaced.
struct Worst(Hit);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Worst {}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.rank(&other.0)
    }
}

/// The best `limit` hits that pass `filters`.
///
/// Within a segment, documents arrive in document order and a document scoring the same as
/// the worst kept hit is not offered again (tantivy's pruning asks for a strictly better
/// score), so equal scores go to the lower key as long as each segment holds its documents
/// in key order, which the build guarantees (see `SearchWriter`).
pub(super) struct Ranked<'a> {
    pub limit: usize,
    pub filters: &'a Compiled,
    /// The columns of each segment, by segment ordinal.
    pub columns: &'a [Columns],
}

pub(super) struct SegmentRanked {
    limit: usize,
    heap: BinaryHeap<Worst>,
    columns: Columns,
    filter: Option<SegmentFilter>,
}

impl SegmentRanked {
    /// The score a document must beat to be kept.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.limit => worst.0.score,
            _ => Score::MIN,
        }
    }

    fn offer(&mut self, doc: DocId, score: Score) {
        if self.filter.as_ref().is_some_and(|f| !f.passes(doc)) {
            return;
        }
        let Some((ordinal, key)) = self.columns.ordinal_and_key(doc) else {
            return;
        };
        let hit = Worst(Hit {
            score,
            ordinal,
            key,
        });
        if self.heap.len() < self.limit {
            self.heap.push(hit);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && hit < *worst
        {
            *worst = hit;
        }
    }
}

impl SegmentCollector for SegmentRanked {
    type Fruit = Vec<Hit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.offer(doc, score);
    }

    fn harvest(self) -> Vec<Hit> {
        self.heap.into_iter().map(|w| w.0).collect()
    }
}

impl Collector for Ranked<'_> {
    type Fruit = Vec<Hit>;
    type Child = SegmentRanked;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        _segment: &SegmentReader,
    ) -> tantivy::Result<SegmentRanked> {
        let columns = self.columns.get(segment_ord as usize).ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!("segment {segment_ord} has no columns"))
        })?;
        Ok(SegmentRanked {
            limit: self.limit,
            heap: BinaryHeap::with_capacity(self.limit + 1),
            columns: columns.clone(),
            filter: self.filters.for_segment(columns),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Hit>>) -> tantivy::Result<Vec<Hit>> {
        let mut all: Vec<Hit> = fruits.into_iter().flatten().collect();
        all.sort_by(Hit::rank);
        all.truncate(self.limit);
        Ok(all)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<Hit>> {
        let mut child = self.for_segment(segment_ord, reader)?;
        if self.limit == 0 {
            return Ok(Vec::new());
        }
        match reader.alive_bitset() {
            // Indexes are written once and never delete, but an index with deletions is
            // still read right, without pruning.
            Some(alive) => weight.for_each(reader, &mut |doc, score| {
                if alive.is_alive(doc) {
                    child.offer(doc, score);
                }
            })?,
            None => weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
                child.offer(doc, score);
                child.threshold()
            })?,
        }
        Ok(child.harvest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_rank_by_score_then_ordinal() {
        let mut hits = [
            Hit {
                score: 1.0,
                ordinal: 5,
                key: 5,
            },
            Hit {
                score: 2.0,
                ordinal: 9,
                key: 9,
            },
            Hit {
                score: 1.0,
                ordinal: 3,
                key: 3,
            },
        ];
        hits.sort_by(Hit::rank);
        let ordinals: Vec<u64> = hits.iter().map(|h| h.ordinal).collect();
        assert_eq!(ordinals, [9, 3, 5]);
    }
}

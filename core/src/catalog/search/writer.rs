//! Writing the search index during a build.

use std::path::Path;

use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexWriter, SegmentReader, TantivyDocument};

use super::schema::{ANALYZER, Fields, ORD, analyzer, document, schema};
use super::search_error;
use crate::catalog::CatalogError;
use crate::catalog::product::Product;

/// Segments are merged up to this many documents, so a merge never maps more than that much
/// of the index at once: the build's memory stays bounded whatever the catalog's size.
const MAX_SEGMENT_DOCS: u64 = 10_000_000;

/// Merges running at once at the end of a build.
const PARALLEL_MERGES: usize = 2;

/// Writes the search index during a build. Products must be added in ordinal order.
pub(crate) struct SearchWriter {
    index: Index,
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
        // One indexing thread writes segments of consecutive ordinals; merging waits for
        // `finish`, which merges neighbours only, so every segment keeps its documents in
        // ordinal order (what ties in search rely on).
        writer.set_merge_policy(Box::new(NoMergePolicy));
        Ok(SearchWriter {
            index,
            writer,
            fields,
        })
    }

    pub fn add(&mut self, ordinal: u32, p: &Product) -> Result<(), CatalogError> {
        self.writer
            .add_document(document(self.fields, ordinal, p))
            .map_err(search_error)?;
        Ok(())
    }

    /// Commits what was added so far as segments of its own (tests use it to make several).
    #[cfg(test)]
    pub fn commit(&mut self) -> Result<(), CatalogError> {
        self.writer.commit().map_err(search_error)?;
        Ok(())
    }

    /// Commits, then merges runs of neighbouring segments (in ordinal order) into segments of
    /// up to [`MAX_SEGMENT_DOCS`] documents.
    pub fn finish(self) -> Result<(), CatalogError> {
        self.finish_merging(MAX_SEGMENT_DOCS)
    }

    /// [`finish`](Self::finish) with segments of up to `max_docs` documents.
    pub(super) fn finish_merging(mut self, max_docs: u64) -> Result<(), CatalogError> {
        self.writer.commit().map_err(search_error)?;
        let mut segments = Vec::new();
        for segment in self.index.searchable_segments().map_err(search_error)? {
            let reader = SegmentReader::open(&segment).map_err(search_error)?;
            let first = reader
                .fast_fields()
                .u64(ORD)
                .map_err(search_error)?
                .first(0)
                .unwrap_or(0);
            segments.push((first, segment.id(), u64::from(reader.num_docs())));
        }
        segments.sort_unstable_by_key(|s| s.0);
        let mut groups: Vec<Vec<tantivy::index::SegmentId>> = Vec::new();
        let mut docs_in_last = u64::MAX;
        for (_, id, docs) in segments {
            match groups.last_mut() {
                Some(group) if docs_in_last.saturating_add(docs) <= max_docs => {
                    group.push(id);
                    docs_in_last += docs;
                }
                _ => {
                    groups.push(vec![id]);
                    docs_in_last = docs;
                }
            }
        }
        let merges: Vec<Vec<tantivy::index::SegmentId>> =
            groups.into_iter().filter(|g| g.len() > 1).collect();
        for batch in merges.chunks(PARALLEL_MERGES) {
            let running: Vec<_> = batch.iter().map(|ids| self.writer.merge(ids)).collect();
            for merge in running {
                merge.wait().map_err(search_error)?;
            }
        }
        self.writer.wait_merging_threads().map_err(search_error)?;
        Ok(())
    }
}

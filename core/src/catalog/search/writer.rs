//! Writing the search index during a build.
//!
//! Documents are stored in [`search_key`] order: active products first (in ordinal order),
//! then inactive ones. Products arrive in ordinal order, so inactive ones are set aside in a
//! spill file beside the index and added at the end.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexWriter, SegmentReader, TantivyDocument};

use super::schema::{
    ACTIVE, ANALYZER, Fields, ORD, analyzer, class_number, document, document_of, schema,
    search_key,
};
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
    /// Inactive products, added after the active ones.
    spill: Spill,
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
        let mut spill_name = dir.as_os_str().to_owned();
        spill_name.push(".inactive");
        Ok(SearchWriter {
            index,
            writer,
            fields,
            spill: Spill::create(PathBuf::from(spill_name))?,
        })
    }

    pub fn add(&mut self, ordinal: u32, p: &Product) -> Result<(), CatalogError> {
        if !p.is_active {
            return self.spill.push(ordinal, p);
        }
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

    /// Adds the inactive products, commits, then merges runs of neighbouring segments (in
    /// key order) into segments of up to [`MAX_SEGMENT_DOCS`] documents, reporting the
    /// documents merged so far and the documents to merge as it goes.
    pub fn finish(self, progress: &mut dyn FnMut(u64, u64)) -> Result<(), CatalogError> {
        self.finish_merging(MAX_SEGMENT_DOCS, progress)
    }

    /// [`finish`](Self::finish) with segments of up to `max_docs` documents.
    pub(super) fn finish_merging(
        mut self,
        max_docs: u64,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(), CatalogError> {
        let fields = self.fields;
        let writer = &self.writer;
        self.spill.drain(|ordinal, name, category, class| {
            writer
                .add_document(document_of(fields, ordinal, name, false, category, class))
                .map(|_| ())
                .map_err(search_error)
        })?;
        self.writer.commit().map_err(search_error)?;
        let mut segments = Vec::new();
        for segment in self.index.searchable_segments().map_err(search_error)? {
            let reader = SegmentReader::open(&segment).map_err(search_error)?;
            let fast = reader.fast_fields();
            let ordinal = fast.u64(ORD).map_err(search_error)?.first(0).unwrap_or(0);
            let active = fast.u64(ACTIVE).map_err(search_error)?.first(0) == Some(1);
            let first = search_key(active, ordinal);
            segments.push((first, segment.id(), u64::from(reader.num_docs())));
        }
        segments.sort_unstable_by_key(|s| s.0);
        // Groups of neighbours: (segments, documents in them).
        let mut groups: Vec<(Vec<tantivy::index::SegmentId>, u64)> = Vec::new();
        for (_, id, docs) in segments {
            match groups.last_mut() {
                Some((group, in_group)) if in_group.saturating_add(docs) <= max_docs => {
                    group.push(id);
                    *in_group += docs;
                }
                _ => groups.push((vec![id], docs)),
            }
        }
        groups.retain(|(group, _)| group.len() > 1);
        let total: u64 = groups.iter().map(|g| g.1).sum();
        let mut done = 0;
        if total > 0 {
            progress(done, total);
        }
        for batch in groups.chunks(PARALLEL_MERGES) {
            let running: Vec<_> = batch.iter().map(|g| self.writer.merge(&g.0)).collect();
            for merge in running {
                merge.wait().map_err(search_error)?;
            }
            done += batch.iter().map(|g| g.1).sum::<u64>();
            progress(done, total);
        }
        self.writer.wait_merging_threads().map_err(search_error)?;
        Ok(())
    }
}

/// Inactive products set aside during a build: ordinal (u32), category (i32), classification
/// (u64), name length (u16), little-endian, then the name's bytes.
struct Spill {
    path: PathBuf,
    out: Option<BufWriter<File>>,
}

impl Spill {
    fn create(path: PathBuf) -> Result<Spill, CatalogError> {
        let file = File::create(&path).map_err(|e| CatalogError::io(&path, &e))?;
        Ok(Spill {
            out: Some(BufWriter::with_capacity(1 << 20, file)),
            path,
        })
    }

    fn push(&mut self, ordinal: u32, p: &Product) -> Result<(), CatalogError> {
        let name = p.product_name.as_bytes();
        // Names are at most 255 characters of at most 4 bytes (checked when read).
        let len = u16::try_from(name.len()).map_err(search_error)?;
        let class = class_number(p.dian_classification.as_str());
        let out = self
            .out
            .as_mut()
            .ok_or_else(|| search_error("spill already read"))?;
        let mut record = Vec::with_capacity(18 + name.len());
        record.extend_from_slice(&ordinal.to_le_bytes());
        record.extend_from_slice(&p.category_id.to_le_bytes());
        record.extend_from_slice(&class.to_le_bytes());
        record.extend_from_slice(&len.to_le_bytes());
        record.extend_from_slice(name);
        out.write_all(&record)
            .map_err(|e| CatalogError::io(&self.path, &e))
    }

    /// Reads every record back, in the order written, then deletes the file.
    fn drain(
        &mut self,
        mut each: impl FnMut(u32, &str, i32, u64) -> Result<(), CatalogError>,
    ) -> Result<(), CatalogError> {
        let io = |e: std::io::Error| CatalogError::io(&self.path, &e);
        if let Some(out) = self.out.take() {
            out.into_inner().map_err(|e| io(e.into_error()))?;
        }
        let mut input = BufReader::with_capacity(1 << 20, File::open(&self.path).map_err(io)?);
        let mut head = [0u8; 18];
        let mut name = Vec::new();
        loop {
            match input.read_exact(&mut head) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(io(e)),
            }
            let field = |at: usize, n: usize| &head[at..at + n];
            let ordinal = u32::from_le_bytes(field(0, 4).try_into().map_err(search_error)?);
            let category = i32::from_le_bytes(field(4, 4).try_into().map_err(search_error)?);
            let class = u64::from_le_bytes(field(8, 8).try_into().map_err(search_error)?);
            let len = u16::from_le_bytes(field(16, 2).try_into().map_err(search_error)?);
            name.resize(usize::from(len), 0);
            input.read_exact(&mut name).map_err(io)?;
            let text = std::str::from_utf8(&name).map_err(search_error)?;
            each(ordinal, text, category, class)?;
        }
        drop(input);
        std::fs::remove_file(&self.path).map_err(io)
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        // A build that fails midway leaves no spill behind.
        let _ = std::fs::remove_file(&self.path);
    }
}

//! The classification index: for each subpartida, the ordinals of its products, answering
//! exact and prefix queries (chapter, heading, HS-6, NANDINA, full code) in code order.
//!
//! `classes.fst` maps each 10-digit classification to its number; `postings.bin` holds magic
//! `BMCPST01`, the class count (u64 LE), `count + 1` offsets (u64 LE) into the ordinal array,
//! then the ordinals (u32 LE), ascending within each class.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::Path;

use fst::{IntoStreamer, Streamer};

use super::CatalogError;
use super::store::{CLASS_AT, RECORDS_HEADER, ROW};

pub(super) const POSTINGS_MAGIC: &[u8; 8] = b"BMCPST01";

/// Writes `classes.fst` and `postings.bin` from a finished `records.bin`, which holds each
/// product's classification at a fixed place in its row. Two sequential passes: the first
/// counts products per class, the second fills one array of ordinals laid out class by class,
/// so memory is four bytes a product and nothing else grows with the catalog.
pub(super) fn write_from_records(
    records: &Path,
    fst_out: impl Write,
    mut postings: impl Write,
) -> Result<u64, CatalogError> {
    let io = |e: std::io::Error| CatalogError::io(records, &e);
    let mut counts: BTreeMap<[u8; 10], u32> = BTreeMap::new();
    each_class(records, |class, _| {
        *counts.entry(class).or_default() += 1;
    })?;
    let mut next: HashMap<[u8; 10], usize> = HashMap::with_capacity(counts.len());
    let mut offsets = Vec::with_capacity(counts.len() + 1);
    let mut total = 0usize;
    for (class, count) in &counts {
        next.insert(*class, total);
        offsets.push(total as u64);
        total += *count as usize;
    }
    offsets.push(total as u64);
    let mut ordinals = vec![0u32; total];
    each_class(records, |class, ordinal| {
        if let Some(slot) = next.get_mut(&class) {
            ordinals[*slot] = ordinal;
            *slot += 1;
        }
    })?;
    let mut map = fst::MapBuilder::new(fst_out).map_err(|e| io(std::io::Error::other(e)))?;
    for (i, class) in counts.keys().enumerate() {
        map.insert(class, i as u64)
            .map_err(|e| io(std::io::Error::other(e)))?;
    }
    map.finish().map_err(|e| io(std::io::Error::other(e)))?;
    postings.write_all(POSTINGS_MAGIC).map_err(io)?;
    postings
        .write_all(&(counts.len() as u64).to_le_bytes())
        .map_err(io)?;
    for o in &offsets {
        postings.write_all(&o.to_le_bytes()).map_err(io)?;
    }
    for o in &ordinals {
        postings.write_all(&o.to_le_bytes()).map_err(io)?;
    }
    postings.flush().map_err(io)?;
    Ok(counts.len() as u64)
}

/// Calls `each(classification, ordinal)` for every row of `records.bin`, in ordinal order.
fn each_class(records: &Path, mut each: impl FnMut([u8; 10], u32)) -> Result<(), CatalogError> {
    let io = |e: std::io::Error| CatalogError::io(records, &e);
    let file = std::fs::File::open(records).map_err(io)?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut header = [0u8; RECORDS_HEADER];
    reader.read_exact(&mut header).map_err(io)?;
    let mut row = [0u8; ROW];
    let mut ordinal = 0u32;
    loop {
        match reader.read_exact(&mut row) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(io(e)),
        }
        let mut class = [0u8; 10];
        class.copy_from_slice(&row[CLASS_AT..CLASS_AT + 10]);
        each(class, ordinal);
        ordinal = ordinal.wrapping_add(1);
    }
}

/// Reads the classification index from mapped files.
pub(super) struct ClassesReader<'a> {
    pub map: &'a fst::Map<memmap2::Mmap>,
    pub postings: &'a [u8],
    pub path: &'a Path,
}

impl ClassesReader<'_> {
    fn count(&self) -> Result<usize, CatalogError> {
        if self.postings.get(..8) != Some(POSTINGS_MAGIC.as_slice()) {
            return Err(CatalogError::corrupt(self.path, "not a bmc postings file"));
        }
        let count = u64::from_le_bytes(
            self.postings
                .get(8..16)
                .and_then(|s| s.try_into().ok())
                .unwrap_or_default(),
        );
        usize::try_from(count)
            .map_err(|_| CatalogError::corrupt(self.path, "class count too large"))
    }

    pub fn check(&self, expected_classes: u64) -> Result<(), CatalogError> {
        let count = self.count()?;
        if count as u64 != expected_classes || self.map.len() != count {
            return Err(CatalogError::corrupt(
                self.path,
                format!("holds {count} classes; the manifest says {expected_classes}"),
            ));
        }
        let total = self.offset(count)?;
        let expected_len = 16 + (count + 1) * 8 + total * 4;
        if self.postings.len() != expected_len {
            return Err(CatalogError::corrupt(
                self.path,
                "size does not match its offsets",
            ));
        }
        Ok(())
    }

    fn offset(&self, i: usize) -> Result<usize, CatalogError> {
        let at = 16 + i * 8;
        let value = self
            .postings
            .get(at..at + 8)
            .and_then(|s| s.try_into().ok())
            .map(u64::from_le_bytes)
            .ok_or_else(|| CatalogError::corrupt(self.path, "offset outside the file"))?;
        usize::try_from(value).map_err(|_| CatalogError::corrupt(self.path, "offset too large"))
    }

    /// The ordinals of class number `i`.
    fn ordinals(&self, i: usize) -> Result<impl Iterator<Item = u32> + '_, CatalogError> {
        let count = self.count()?;
        let (start, end) = (self.offset(i)?, self.offset(i + 1)?);
        let base = 16 + (count + 1) * 8;
        let bytes = self
            .postings
            .get(base + start * 4..base + end * 4)
            .ok_or_else(|| CatalogError::corrupt(self.path, "postings outside the file"))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
    }

    /// Calls `each` with the ordinals of every class starting with `prefix`, in class order
    /// then ordinal order, until it returns `false`.
    pub fn for_each(
        &self,
        prefix: &str,
        mut each: impl FnMut(u32) -> Result<bool, CatalogError>,
    ) -> Result<(), CatalogError> {
        let matcher = fst::automaton::Str::new(prefix);
        let mut stream = self
            .map
            .search(fst::Automaton::starts_with(matcher))
            .into_stream();
        while let Some((_, class_no)) = stream.next() {
            let i = usize::try_from(class_no)
                .map_err(|_| CatalogError::corrupt(self.path, "class number too large"))?;
            for ordinal in self.ordinals(i)? {
                if !each(ordinal)? {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

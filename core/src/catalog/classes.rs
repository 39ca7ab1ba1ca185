//! The classification index: for each subpartida, the ordinals of its products, answering
//! exact and prefix queries (chapter, heading, HS-6, NANDINA, full code) in code order.
//!
//! `classes.fst` maps each 10-digit classification to its number; `postings.bin` holds magic
//! `BMCPST01`, the class count (u64 LE), `count + 1` offsets (u64 LE) into the ordinal array,
//! then the ordinals (u32 LE), ascending within each class.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use fst::{IntoStreamer, Streamer};

use super::CatalogError;

pub(super) const POSTINGS_MAGIC: &[u8; 8] = b"BMCPST01";

/// Collects (classification, ordinal) pairs during a build.
#[derive(Debug, Default)]
pub(super) struct ClassesWriter {
    postings: HashMap<[u8; 10], Vec<u32>>,
}

impl ClassesWriter {
    pub fn push(&mut self, class: [u8; 10], ordinal: u32) {
        self.postings.entry(class).or_default().push(ordinal);
    }

    /// Writes `classes.fst` and `postings.bin`; returns the number of classes.
    pub fn finish(
        self,
        fst_out: impl Write,
        mut postings: impl Write,
    ) -> Result<u64, std::io::Error> {
        let mut classes: Vec<([u8; 10], Vec<u32>)> = self.postings.into_iter().collect();
        classes.sort_unstable_by_key(|c| c.0);
        let mut map = fst::MapBuilder::new(fst_out).map_err(std::io::Error::other)?;
        postings.write_all(POSTINGS_MAGIC)?;
        postings.write_all(&(classes.len() as u64).to_le_bytes())?;
        let mut offset = 0u64;
        for (i, (class, ordinals)) in classes.iter().enumerate() {
            map.insert(class, i as u64).map_err(std::io::Error::other)?;
            postings.write_all(&offset.to_le_bytes())?;
            offset += ordinals.len() as u64;
        }
        postings.write_all(&offset.to_le_bytes())?;
        for (_, ordinals) in &classes {
            for o in ordinals {
                postings.write_all(&o.to_le_bytes())?;
            }
        }
        map.finish().map_err(std::io::Error::other)?;
        postings.flush()?;
        Ok(classes.len() as u64)
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

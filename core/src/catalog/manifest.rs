//! The index's manifest: format version, counts, the source's checksum, every file's size and
//! SHA-256, and the build parameters. Opening checks the version and every file's size;
//! [`Catalog::verify`](super::Catalog::verify) checks every checksum.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::CatalogError;
use super::options::BuildOptions;

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The index format this library writes and reads.
pub const FORMAT_VERSION: u32 = 2;
/// The format's name.
pub const FORMAT: &str = "bmc-catalog";

pub(super) const CODES: &str = "codes.fst";
pub(super) const RECORDS: &str = "records.bin";
pub(super) const STRINGS: &str = "strings.bin";
pub(super) const CLASSES: &str = "classes.fst";
pub(super) const POSTINGS: &str = "postings.bin";
pub(super) const SEARCH: &str = "search";
/// Every file of an index, checked on open.
pub(super) const FILES: [&str; 5] = [CODES, RECORDS, STRINGS, CLASSES, POSTINGS];

/// The manifest entries of the search index's files (`search/<file>`), in name order. Lock
/// files (empty, only for writers) are left out.
pub(super) fn search_entries(dir: &Path) -> Result<Vec<FileEntry>, CatalogError> {
    let search = dir.join(SEARCH);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&search).map_err(|e| CatalogError::io(&search, &e))? {
        let entry = entry.map_err(|e| CatalogError::io(&search, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry
            .file_type()
            .map_err(|e| CatalogError::io(&search, &e))?
            .is_file();
        if is_file && !name.starts_with(".tantivy-") {
            names.push(name);
        }
    }
    names.sort();
    names
        .iter()
        .map(|name| FileEntry::of(&search.join(name), &format!("{SEARCH}/{name}")))
        .collect()
}

/// Whether a manifest entry is one of the search index's files.
pub(super) fn is_search_entry(name: &str) -> bool {
    name.strip_prefix(SEARCH)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// One file of the index.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileEntry {
    /// The file's name in the index folder.
    pub name: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256 (hex).
    pub sha256: String,
}

impl FileEntry {
    pub(super) fn of(path: &Path, name: &str) -> Result<FileEntry, CatalogError> {
        let (bytes, sha256) = sha256_file(path)?;
        Ok(FileEntry {
            name: name.to_owned(),
            bytes,
            sha256,
        })
    }
}

/// Where the index came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceInfo {
    /// The input's name (path or `stdin`).
    pub name: String,
    /// SHA-256 of the input as read (compressed bytes for a compressed file).
    pub sha256: String,
    /// Bytes read.
    pub bytes: u64,
    /// Data rows read.
    pub rows: u64,
    /// Rows left out as invalid.
    pub invalid: u64,
    /// Rows left out as duplicate codes.
    pub duplicates: u64,
}

/// The manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// Always `bmc-catalog`.
    pub format: String,
    /// The format version.
    pub format_version: u32,
    /// The library that wrote the index.
    pub created_by: String,
    /// Products in the index.
    pub products: u64,
    /// Distinct classifications.
    pub classes: u64,
    /// The source.
    pub source: SourceInfo,
    /// Every file but the search index (which tantivy checks itself).
    pub files: Vec<FileEntry>,
    /// The build parameters, as given.
    pub build: serde_json::Value,
}

impl Manifest {
    pub(super) fn new(
        products: u64,
        classes: u64,
        source: SourceInfo,
        files: Vec<FileEntry>,
        options: BuildOptions,
    ) -> Manifest {
        Manifest {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            created_by: concat!("bmc-core ", env!("CARGO_PKG_VERSION")).to_owned(),
            products,
            classes,
            source,
            files,
            build: serde_json::to_value(options).unwrap_or_default(),
        }
    }

    pub(super) fn write(&self, dir: &Path) -> Result<(), CatalogError> {
        let path = dir.join(MANIFEST);
        let text = serde_json::to_string_pretty(self).map_err(|e| CatalogError::Format {
            path: path.clone(),
            message: e.to_string(),
        })?;
        std::fs::write(&path, text).map_err(|e| CatalogError::io(&path, &e))
    }

    /// Reads and checks the manifest of the index in `dir`.
    pub fn read(dir: &Path) -> Result<Manifest, CatalogError> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CatalogError::Format {
                path: dir.to_owned(),
                message: format!("not a catalog index (no {MANIFEST})"),
            },
            _ => CatalogError::io(&path, &e),
        })?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| CatalogError::Format {
            path: path.clone(),
            message: format!("not a valid manifest: {e}"),
        })?;
        if m.format != FORMAT || m.format_version != FORMAT_VERSION {
            return Err(CatalogError::Format {
                path,
                message: format!(
                    "index format {} version {}; this library reads {FORMAT} version {FORMAT_VERSION}: rebuild the index",
                    m.format, m.format_version
                ),
            });
        }
        for name in FILES {
            if !m.files.iter().any(|f| f.name == name) {
                return Err(CatalogError::Format {
                    path,
                    message: format!("the manifest does not list {name}"),
                });
            }
        }
        if !m.files.iter().any(|f| is_search_entry(&f.name)) {
            return Err(CatalogError::Format {
                path,
                message: format!(
                    "the manifest does not list the files of {SEARCH}/: rebuild the index"
                ),
            });
        }
        if let Some(f) = m.files.iter().find(|f| {
            Path::new(&f.name)
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        }) {
            return Err(CatalogError::Format {
                path,
                message: format!("the manifest lists a file outside the index: {:?}", f.name),
            });
        }
        Ok(m)
    }

    /// The entry of file `name`.
    pub(super) fn file(&self, name: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// Size and SHA-256 of a file, read in 1 MiB blocks.
pub(super) fn sha256_file(path: &Path) -> Result<(u64, String), CatalogError> {
    let mut file = std::fs::File::open(path).map_err(|e| CatalogError::io(path, &e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| CatalogError::io(path, &e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((bytes, crate::hex::lower(&hasher.finalize())))
}

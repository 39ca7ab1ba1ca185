//! An open index: memory-mapped files and the queries over them.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use fst::{IntoStreamer, Streamer};
use memmap2::Mmap;

use super::CatalogError;
use super::classes::ClassesReader;
use super::manifest::{self, Manifest};
use super::product::Product;
use super::search::{MatchKind, SearchFilters, SearchIndex};
use super::store::StoreReader;

/// An open catalog index. Cheap to share between threads (`Catalog: Send + Sync`); every
/// query reads the mapped files directly.
pub struct Catalog {
    dir: PathBuf,
    manifest: Manifest,
    codes: fst::Map<Mmap>,
    records: Mmap,
    strings: Mmap,
    classes: fst::Map<Mmap>,
    postings: Mmap,
    search: SearchIndex,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("dir", &self.dir)
            .field("products", &self.manifest.products)
            .finish_non_exhaustive()
    }
}

/// A page of products by classification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClassPage {
    /// The products, in classification then code order.
    pub products: Vec<Product>,
    /// The offset of the next page, `None` on the last page.
    pub next_offset: Option<usize>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchHit {
    /// The product.
    pub product: Product,
    /// The relevance score (higher is better; exact code and name matches rank first).
    pub score: f32,
    /// How it matched.
    pub matched: MatchKind,
}

/// Sizes and counts of an open index.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Products.
    pub products: u64,
    /// Distinct classifications.
    pub classes: u64,
    /// Documents in the search index.
    pub search_documents: u64,
    /// Each file's size in bytes (the search index as one entry).
    pub files: Vec<(String, u64)>,
    /// Where the index was built from.
    pub source: manifest::SourceInfo,
}

/// Maps a file read-only after checking its size against the manifest.
///
/// Mapping is the one `unsafe` of the crate: a map is only sound while nobody changes the file.
/// Index files are never modified in place: a build writes a new folder and renames it over the
/// old one, so an open catalog keeps reading the old files (which the OS keeps until they are
/// unmapped).
#[allow(unsafe_code)]
fn map(dir: &Path, m: &Manifest, name: &str) -> Result<Mmap, CatalogError> {
    let path = dir.join(name);
    let expected = m.file(name).map_or(0, |f| f.bytes);
    let file = File::open(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CatalogError::Format {
            path: path.clone(),
            message: "missing from the index".to_owned(),
        },
        _ => CatalogError::io(&path, &e),
    })?;
    let actual = file
        .metadata()
        .map_err(|e| CatalogError::io(&path, &e))?
        .len();
    if actual != expected {
        return Err(CatalogError::Truncated {
            path,
            expected,
            actual,
        });
    }
    // SAFETY: see the function's documentation; the file is opened read-only and index files
    // are never written after publication.
    unsafe { Mmap::map(&file) }.map_err(|e| CatalogError::io(&path, &e))
}

fn fst_map(dir: &Path, m: &Manifest, name: &str) -> Result<fst::Map<Mmap>, CatalogError> {
    let data = map(dir, m, name)?;
    fst::Map::new(data).map_err(|e| CatalogError::corrupt(&dir.join(name), e.to_string()))
}

impl Catalog {
    /// Opens the index in `dir`: reads and checks the manifest (format version, every file
    /// present with its recorded size), maps the files and checks their headers. Contents are
    /// checked against their checksums by [`Catalog::verify`].
    pub fn open(dir: &Path) -> Result<Catalog, CatalogError> {
        let manifest = Manifest::read(dir)?;
        let catalog = Catalog {
            codes: fst_map(dir, &manifest, manifest::CODES)?,
            records: map(dir, &manifest, manifest::RECORDS)?,
            strings: map(dir, &manifest, manifest::STRINGS)?,
            classes: fst_map(dir, &manifest, manifest::CLASSES)?,
            postings: map(dir, &manifest, manifest::POSTINGS)?,
            search: SearchIndex::open(&dir.join(manifest::SEARCH))?,
            dir: dir.to_owned(),
            manifest,
        };
        catalog.store().check_headers(catalog.manifest.products)?;
        catalog.class_index().check(catalog.manifest.classes)?;
        if catalog.codes.len() as u64 != catalog.manifest.products {
            return Err(CatalogError::corrupt(
                &dir.join(manifest::CODES),
                format!(
                    "holds {} codes; the manifest says {}",
                    catalog.codes.len(),
                    catalog.manifest.products
                ),
            ));
        }
        if catalog.search.documents() != catalog.manifest.products {
            return Err(CatalogError::corrupt(
                &dir.join(manifest::SEARCH),
                format!(
                    "holds {} documents; the manifest says {}",
                    catalog.search.documents(),
                    catalog.manifest.products
                ),
            ));
        }
        Ok(catalog)
    }

    /// Recomputes every file's SHA-256 and compares it with the manifest.
    pub fn verify(&self) -> Result<(), CatalogError> {
        for entry in &self.manifest.files {
            let path = self.dir.join(&entry.name);
            let (bytes, sha256) = manifest::sha256_file(&path)?;
            if bytes != entry.bytes || sha256 != entry.sha256 {
                return Err(CatalogError::corrupt(
                    &path,
                    "content does not match the manifest's checksum",
                ));
            }
        }
        Ok(())
    }

    fn store(&self) -> StoreReader<'_> {
        StoreReader {
            records: &self.records,
            strings: &self.strings,
            records_path: Path::new(manifest::RECORDS),
            strings_path: Path::new(manifest::STRINGS),
        }
    }

    fn class_index(&self) -> ClassesReader<'_> {
        ClassesReader {
            map: &self.classes,
            postings: &self.postings,
            path: Path::new(manifest::POSTINGS),
        }
    }

    /// The folder the index was opened from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// How many products the index holds.
    pub fn len(&self) -> u64 {
        self.manifest.products
    }

    /// Whether the index holds no product.
    pub fn is_empty(&self) -> bool {
        self.manifest.products == 0
    }

    /// The product with `code`, exactly as written in the source.
    pub fn get(&self, code: &str) -> Result<Option<Product>, CatalogError> {
        match self.codes.get(code) {
            Some(ordinal) => self.store().product(ordinal).map(Some),
            None => Ok(None),
        }
    }

    /// The product of each code, in order.
    pub fn get_many<S: AsRef<str>>(
        &self,
        codes: &[S],
    ) -> Result<Vec<Option<Product>>, CatalogError> {
        codes.iter().map(|c| self.get(c.as_ref())).collect()
    }

    /// Up to `limit` products whose code starts with `prefix`, in code order.
    pub fn prefix(&self, prefix: &str, limit: usize) -> Result<Vec<Product>, CatalogError> {
        let matcher = fst::automaton::Str::new(prefix);
        let mut stream = self
            .codes
            .search(fst::Automaton::starts_with(matcher))
            .into_stream();
        let store = self.store();
        let mut out = Vec::new();
        while out.len() < limit
            && let Some((_, ordinal)) = stream.next()
        {
            out.push(store.product(ordinal)?);
        }
        Ok(out)
    }

    /// Products whose classification starts with `prefix` (1 to 10 digits; dots ignored:
    /// `09` chapter, `0901` heading, `0901.11` HS-6, the full subpartida), in classification
    /// then code order, `limit` of them after skipping `offset`.
    pub fn by_classification(
        &self,
        prefix: &str,
        active_only: bool,
        offset: usize,
        limit: usize,
    ) -> Result<ClassPage, CatalogError> {
        let digits: String = prefix.chars().filter(|c| *c != '.').collect();
        if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CatalogError::Query {
                message: format!(
                    "classification prefix {prefix:?} must be 1 to 10 digits (dots allowed)"
                ),
            });
        }
        let store = self.store();
        let mut products = Vec::with_capacity(limit.min(1024));
        let mut matched = 0usize;
        let mut more = false;
        self.class_index().for_each(&digits, |ordinal| {
            let ordinal = u64::from(ordinal);
            if active_only && !store.is_active(ordinal)? {
                return Ok(true);
            }
            matched += 1;
            if matched <= offset {
                return Ok(true);
            }
            if products.len() == limit {
                more = true;
                return Ok(false);
            }
            products.push(store.product(ordinal)?);
            Ok(true)
        })?;
        Ok(ClassPage {
            next_offset: more.then_some(offset + products.len()),
            products,
        })
    }

    /// Up to `limit` products for a free-text query: the product whose code is the query
    /// first, then a product whose whole name is the query, then by BM25 over the name's words,
    /// with typos tolerated by word length (see [`typo_distance`](super::typo_distance)); ties
    /// go to the lower ordinal (the code order).
    pub fn search(
        &self,
        text: &str,
        limit: usize,
        filters: &SearchFilters,
    ) -> Result<Vec<SearchHit>, CatalogError> {
        let mut hits = Vec::with_capacity(limit);
        let store = self.store();
        let by_code = self.codes.get(text.trim());
        if let Some(ordinal) = by_code
            && limit > 0
        {
            let product = store.product(ordinal)?;
            if passes(&product, filters) {
                hits.push(SearchHit {
                    product,
                    score: f32::INFINITY,
                    matched: MatchKind::Code,
                });
            }
        }
        for (ordinal, score, matched) in self.search.search(text, limit, filters)? {
            if hits.len() == limit {
                break;
            }
            if Some(u64::from(ordinal)) == by_code {
                continue;
            }
            hits.push(SearchHit {
                product: store.product(u64::from(ordinal))?,
                score,
                matched,
            });
        }
        Ok(hits)
    }

    /// Counts and sizes.
    pub fn stats(&self) -> Stats {
        let mut files: Vec<(String, u64)> = self
            .manifest
            .files
            .iter()
            .map(|f| (f.name.clone(), f.bytes))
            .collect();
        files.push((
            manifest::SEARCH.to_owned(),
            dir_size(&self.dir.join(manifest::SEARCH)),
        ));
        Stats {
            products: self.manifest.products,
            classes: self.manifest.classes,
            search_documents: self.search.documents(),
            files,
            source: self.manifest.source.clone(),
        }
    }
}

fn passes(p: &Product, filters: &SearchFilters) -> bool {
    (!filters.active_only || p.is_active)
        && filters.category_id.is_none_or(|c| c == p.category_id)
        && filters
            .classification_prefix
            .as_deref()
            .is_none_or(|prefix| {
                let digits: String = prefix.chars().filter(|c| *c != '.').collect();
                p.dian_classification.as_str().starts_with(&digits)
            })
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// A catalog a long-running process can swap for a newer build while readers of the old one
/// finish: readers take an `Arc` of the current catalog; [`SharedCatalog::reload`] opens the
/// folder again (after a new build was published there) and swaps it in.
#[derive(Debug)]
pub struct SharedCatalog {
    current: RwLock<Arc<Catalog>>,
}

impl SharedCatalog {
    /// Starts with `catalog`.
    pub fn new(catalog: Catalog) -> SharedCatalog {
        SharedCatalog {
            current: RwLock::new(Arc::new(catalog)),
        }
    }

    /// The catalog in use now.
    pub fn get(&self) -> Arc<Catalog> {
        match self.current.read() {
            Ok(c) => Arc::clone(&c),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Puts `catalog` in use.
    pub fn replace(&self, catalog: Catalog) {
        let catalog = Arc::new(catalog);
        match self.current.write() {
            Ok(mut c) => *c = catalog,
            Err(poisoned) => *poisoned.into_inner() = catalog,
        }
    }

    /// Opens the current catalog's folder again and swaps it in; on error the current one
    /// stays.
    pub fn reload(&self) -> Result<(), CatalogError> {
        let dir = self.get().dir().to_owned();
        self.replace(Catalog::open(&dir)?);
        Ok(())
    }
}

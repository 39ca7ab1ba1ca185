//! An open index: memory-mapped files and the queries over them.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fst::{IntoStreamer, Streamer};
use memmap2::Mmap;

use super::classes::ClassesReader;
use super::manifest::{self, Manifest};
use super::overlay::Overlay;
use super::product::Product;
use super::search::{MAX_SEARCH_LIMIT, MatchKind, SearchFilters, SearchIndex};
use super::store::StoreReader;
use super::{BuildOptions, BuildReport, CatalogError, Progress};
use crate::swap::Swap;

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
    overlay: Overlay,
    /// Overlay products whose code is not in the base index.
    added: u64,
    options: OpenOptions,
}

/// How a catalog is opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// Threads one search may use to search the index's segments side by side, for queries
    /// whose words are each in very many products (such a query must visit every product of
    /// its rarest word). `None`: one per core. `Some(1)` (or 0): always on the calling
    /// thread, for a service that already runs one query per core.
    pub search_threads: Option<usize>,
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
    /// Products in the overlay of daily changes.
    pub overlay_products: u64,
}

/// Maps a file read-only after checking its size against the manifest.
///
/// Mapping is the one `unsafe` of the crate: a map is only sound while nobody changes the file.
/// Index files are never modified in place: a build writes a new folder and renames it over the
/// old one, so an open catalog keeps reading the old files (which the OS keeps until they are
/// unmapped).
#[allow(unsafe_code)]
fn map(dir: &Path, m: &Manifest, name: &str) -> Result<Mmap, CatalogError> {
    let (path, file) = open_listed(dir, m.file(name).map_or(0, |f| f.bytes), name)?;
    // SAFETY: see the function's documentation; the file is opened read-only and index files
    // are never written after publication.
    unsafe { Mmap::map(&file) }.map_err(|e| CatalogError::io(&path, &e))
}

/// Opens file `name` of the index, checking that it has the size the manifest gives.
fn open_listed(dir: &Path, expected: u64, name: &str) -> Result<(PathBuf, File), CatalogError> {
    let path = dir.join(name);
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
    Ok((path, file))
}

/// Maps an fst file and checks its checksum (CRC-32C over the whole file, written by the
/// fst crate): the fst crate trusts its input, so a changed byte could otherwise send a
/// lookup to another product or make it panic.
fn fst_map(dir: &Path, m: &Manifest, name: &str) -> Result<fst::Map<Mmap>, CatalogError> {
    let data = map(dir, m, name)?;
    let corrupt = |e: fst::Error| CatalogError::corrupt(&dir.join(name), e.to_string());
    let map = fst::Map::new(data).map_err(corrupt)?;
    map.as_fst().verify().map_err(corrupt)?;
    Ok(map)
}

impl Catalog {
    /// Opens the index in `dir`: reads and checks the manifest (format version, every file
    /// present with its recorded size), maps the files, checks their headers, and checks the
    /// two fst files against their own checksums (a corrupted fst is an error here, not a
    /// wrong answer or a panic later). Every other file's contents are checked against the
    /// manifest's SHA-256 by [`Catalog::verify`]; a lookup by code never returns a product
    /// whose code is not the one asked, whatever the files hold.
    pub fn open(dir: &Path) -> Result<Catalog, CatalogError> {
        Catalog::open_with(dir, &OpenOptions::default())
    }

    /// [`Catalog::open`] with `options`.
    pub fn open_with(dir: &Path, options: &OpenOptions) -> Result<Catalog, CatalogError> {
        let manifest = Manifest::read(dir)?;
        // tantivy reads its own files; their presence and sizes are checked here first.
        for entry in manifest
            .files
            .iter()
            .filter(|f| manifest::is_search_entry(&f.name))
        {
            open_listed(dir, entry.bytes, &entry.name)?;
        }
        let search_threads = options
            .search_threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
        let catalog = Catalog {
            codes: fst_map(dir, &manifest, manifest::CODES)?,
            records: map(dir, &manifest, manifest::RECORDS)?,
            strings: map(dir, &manifest, manifest::STRINGS)?,
            classes: fst_map(dir, &manifest, manifest::CLASSES)?,
            postings: map(dir, &manifest, manifest::POSTINGS)?,
            search: SearchIndex::open(&dir.join(manifest::SEARCH), search_threads)?,
            overlay: Overlay::load(dir)?,
            added: 0,
            options: options.clone(),
            dir: dir.to_owned(),
            manifest,
        };
        let mut catalog = catalog;
        catalog.added = catalog
            .overlay
            .products
            .keys()
            .filter(|code| catalog.codes.get(code).is_none())
            .count() as u64;
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

    /// Reads every page of the mapped files once so that later lookups find them in memory
    /// (what "warm" means in the benchmarks). Returns the bytes touched. Useful after opening
    /// a large index in a service that must answer its first requests fast.
    pub fn warm(&self) -> u64 {
        let files: [&[u8]; 5] = [
            self.codes.as_fst().as_bytes(),
            &self.records,
            &self.strings,
            self.classes.as_fst().as_bytes(),
            &self.postings,
        ];
        let mut checksum = 0u8;
        let mut bytes = 0u64;
        for data in files {
            for page in data.chunks(4096) {
                checksum ^= page[0];
            }
            bytes += data.len() as u64;
        }
        std::hint::black_box(checksum);
        bytes
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

    /// How many products the index holds, its overlay included.
    pub fn len(&self) -> u64 {
        self.manifest.products + self.added
    }

    /// Whether the index holds no product.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many products the overlay of daily changes holds.
    pub fn overlay_len(&self) -> usize {
        self.overlay.len()
    }

    /// The product with `code`, exactly as written in the source (the overlay's version when
    /// a delta changed it).
    pub fn get(&self, code: &str) -> Result<Option<Product>, CatalogError> {
        if let Some(p) = self.overlay.products.get(code) {
            return Ok(Some(p.clone()));
        }
        match self.codes.get(code) {
            Some(ordinal) => self.product_at(code.as_bytes(), ordinal).map(Some),
            None => Ok(None),
        }
    }

    /// The stored product at `ordinal`, which the codes map gave for `code`: a record whose
    /// code differs means the files disagree, an error rather than another product.
    fn product_at(&self, code: &[u8], ordinal: u64) -> Result<Product, CatalogError> {
        let product = self.store().product(ordinal)?;
        if product.product_code.as_bytes() != code {
            return Err(CatalogError::corrupt(
                &self.dir.join(manifest::RECORDS),
                format!(
                    "record {ordinal} holds product {:?} where the codes map points code {:?}; run verify",
                    product.product_code,
                    String::from_utf8_lossy(code)
                ),
            ));
        }
        Ok(product)
    }

    /// Calls `each` with every product in code order, overlay applied (for compaction).
    pub(super) fn for_each_merged(
        &self,
        mut each: impl FnMut(&Product) -> Result<(), CatalogError>,
    ) -> Result<(), CatalogError> {
        let mut pending = self.overlay.products.iter().peekable();
        let mut stream = self.codes.stream();
        while let Some((code, ordinal)) = stream.next() {
            while let Some((oc, op)) = pending.peek() {
                if oc.as_bytes() < code {
                    each(op)?;
                    pending.next();
                } else {
                    break;
                }
            }
            if let Some((oc, op)) = pending.peek()
                && oc.as_bytes() == code
            {
                each(op)?;
                pending.next();
                continue;
            }
            each(&self.product_at(code, ordinal)?)?;
        }
        for (_, p) in pending {
            each(p)?;
        }
        Ok(())
    }

    /// The product of each code, in order.
    pub fn get_many<S: AsRef<str>>(
        &self,
        codes: &[S],
    ) -> Result<Vec<Option<Product>>, CatalogError> {
        codes.iter().map(|c| self.get(c.as_ref())).collect()
    }

    /// Up to `limit` products whose code starts with `prefix`, in code order (overlay
    /// applied).
    pub fn prefix(&self, prefix: &str, limit: usize) -> Result<Vec<Product>, CatalogError> {
        let matcher = fst::automaton::Str::new(prefix);
        let mut stream = self
            .codes
            .search(fst::Automaton::starts_with(matcher))
            .into_stream();
        let mut pending = self
            .overlay
            .products
            .range(prefix.to_owned()..)
            .take_while(|(code, _)| code.starts_with(prefix));
        let mut base = stream.next().map(|(c, o)| (c.to_vec(), o));
        let mut over = pending.next();
        let mut out = Vec::new();
        while out.len() < limit {
            match (&base, over) {
                (None, None) => break,
                (Some((code, _)), Some((oc, op))) if oc.as_bytes() <= code.as_slice() => {
                    if oc.as_bytes() == code.as_slice() {
                        base = stream.next().map(|(c, o)| (c.to_vec(), o));
                    }
                    out.push(op.clone());
                    over = pending.next();
                }
                (Some((code, ordinal)), _) => {
                    out.push(self.product_at(code, *ordinal)?);
                    base = stream.next().map(|(c, o)| (c.to_vec(), o));
                }
                (None, Some((_, op))) => {
                    out.push(op.clone());
                    over = pending.next();
                }
            }
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
        let mut page = Page {
            products: Vec::with_capacity(limit.min(1024)),
            matched: 0,
            more: false,
            offset,
            limit,
            active_only,
        };
        if self.overlay.len() == 0 {
            self.class_index().for_each(&digits, |ordinal| {
                let ordinal = u64::from(ordinal);
                if active_only && !store.is_active(ordinal)? {
                    return Ok(true);
                }
                page.offer_with(|| store.product(ordinal))
            })?;
        } else {
            // Merge the base postings with the overlay's products, both in (class, code)
            // order; a base product the overlay replaced is left out (its new version appears
            // under its own classification).
            let mut pending = self
                .overlay
                .by_class
                .iter()
                .filter(|(class, _)| class.as_str().starts_with(&digits))
                .filter_map(|(_, code)| self.overlay.products.get(code))
                .peekable();
            let mut going = true;
            self.class_index().for_each(&digits, |ordinal| {
                let p = store.product(u64::from(ordinal))?;
                while going
                    && let Some(op) = pending.peek()
                    && (op.dian_classification, op.product_code.as_str())
                        < (p.dian_classification, p.product_code.as_str())
                {
                    going = page.offer((*op).clone())?;
                    pending.next();
                }
                if going && !self.overlay.products.contains_key(&p.product_code) {
                    going = page.offer(p)?;
                }
                Ok(going)
            })?;
            for op in pending {
                if !going {
                    break;
                }
                going = page.offer(op.clone())?;
            }
        }
        Ok(ClassPage {
            next_offset: page.more.then_some(offset + page.products.len()),
            products: page.products,
        })
    }

    /// Whether some product's name (overlay included) has `word` as one of its words,
    /// compared as search compares them (case and accents aside). A text with more than one
    /// word (`20L` is one, `x-5` two) is not a word.
    pub fn knows_word(&self, word: &str) -> Result<bool, CatalogError> {
        if self.search.has_word(word)? {
            return Ok(true);
        }
        match &self.overlay.search {
            Some(search) => search.has_word(word),
            None => Ok(false),
        }
    }

    /// Up to `limit` products for a free-text query: the product whose code is the query
    /// first, then a product whose whole name is the query, then by BM25 over the name's words,
    /// with typos tolerated by word length (see [`typo_distance`](super::typo_distance));
    /// among equal scores active products come first, then the lower code.
    ///
    /// A `limit` above [`MAX_SEARCH_LIMIT`], a query of more than
    /// [`MAX_QUERY_CHARS`](super::MAX_QUERY_CHARS) characters or
    /// [`MAX_QUERY_WORDS`](super::MAX_QUERY_WORDS) words, or a word of more than
    /// [`MAX_QUERY_WORD_CHARS`](super::MAX_QUERY_WORD_CHARS) characters
    /// is a [`CatalogError::Query`], refused before any lookup.
    pub fn search(
        &self,
        text: &str,
        limit: usize,
        filters: &SearchFilters,
    ) -> Result<Vec<SearchHit>, CatalogError> {
        if limit > MAX_SEARCH_LIMIT {
            return Err(CatalogError::Query {
                message: format!(
                    "search limit {limit} is above the most a search returns, {MAX_SEARCH_LIMIT}"
                ),
            });
        }
        let chars = text.chars().count();
        if chars > super::search::MAX_QUERY_CHARS {
            return Err(CatalogError::Query {
                message: format!(
                    "the search query has {chars} characters; at most {} are searched",
                    super::search::MAX_QUERY_CHARS
                ),
            });
        }
        let mut hits = Vec::with_capacity(limit);
        if limit == 0 {
            return Ok(hits);
        }
        let store = self.store();
        let code = text.trim();
        let by_code = match self.overlay.products.get(code) {
            Some(p) => Some(p.clone()),
            None => self.codes.get(code).map(|o| store.product(o)).transpose()?,
        };
        if let Some(product) = by_code.filter(|p| passes(p, filters)) {
            hits.push(SearchHit {
                product,
                score: f32::INFINITY,
                matched: MatchKind::Code,
            });
        }
        // Base hits the overlay replaced are dropped, so ask for that many more.
        let replaced = self.overlay.len().min(1000);
        let mut ranked: Vec<SearchHit> = Vec::new();
        for (ordinal, score, matched) in self.search.search(text, limit + replaced, filters)? {
            let product = store.product(u64::from(ordinal))?;
            if !self.overlay.products.contains_key(&product.product_code) {
                ranked.push(SearchHit {
                    product,
                    score,
                    matched,
                });
            }
        }
        if let Some(search) = &self.overlay.search {
            for (ordinal, score, matched) in search.search(text, limit, filters)? {
                let product = self
                    .overlay
                    .codes
                    .get(ordinal as usize)
                    .and_then(|c| self.overlay.products.get(c))
                    .cloned()
                    .ok_or_else(|| CatalogError::Search {
                        message: format!("overlay document {ordinal} has no product"),
                    })?;
                ranked.push(SearchHit {
                    product,
                    score,
                    matched,
                });
            }
            ranked.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then_with(|| a.product.product_code.cmp(&b.product.product_code))
            });
        }
        let code_hit = hits.first().map(|h| h.product.product_code.clone());
        for hit in ranked {
            if hits.len() == limit {
                break;
            }
            if code_hit.as_deref() != Some(hit.product.product_code.as_str()) {
                hits.push(hit);
            }
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
            overlay_products: self.overlay.len() as u64,
        }
    }
}

/// A page being filled: skips `offset` matches, keeps `limit`, notes whether more follow.
struct Page {
    products: Vec<Product>,
    matched: usize,
    more: bool,
    offset: usize,
    limit: usize,
    active_only: bool,
}

impl Page {
    /// Offers a product; `Ok(false)` once the page is full and one more was seen.
    fn offer(&mut self, p: Product) -> Result<bool, CatalogError> {
        self.offer_with(|| Ok(p))
    }

    fn offer_with(
        &mut self,
        p: impl FnOnce() -> Result<Product, CatalogError>,
    ) -> Result<bool, CatalogError> {
        let p = p()?;
        if self.active_only && !p.is_active {
            return Ok(true);
        }
        if self.products.len() == self.limit {
            self.more = true;
            return Ok(false);
        }
        self.matched += 1;
        if self.matched > self.offset {
            self.products.push(p);
        }
        Ok(true)
    }
}

/// Whether `p` passes `filters` (an invalid classification prefix filters nothing; the search
/// reports it).
pub(crate) fn passes(p: &Product, filters: &SearchFilters) -> bool {
    (!filters.active_only || p.is_active)
        && filters.category_id.is_none_or(|c| c == p.category_id)
        && filters
            .classification_digits()
            .ok()
            .flatten()
            .is_none_or(|digits| p.dian_classification.as_str().starts_with(&digits))
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
    current: Swap<Catalog>,
}

impl SharedCatalog {
    /// Starts with `catalog`.
    pub fn new(catalog: Catalog) -> SharedCatalog {
        SharedCatalog {
            current: Swap::new(catalog),
        }
    }

    /// The catalog in use now.
    pub fn get(&self) -> Arc<Catalog> {
        self.current.get()
    }

    /// Puts `catalog` in use.
    pub fn replace(&self, catalog: Catalog) {
        self.current.replace(catalog);
    }

    /// Opens the current catalog's folder again and swaps it in; on error the current one
    /// stays.
    pub fn reload(&self) -> Result<(), CatalogError> {
        let current = self.get();
        self.replace(Catalog::open_with(current.dir(), &current.options)?);
        Ok(())
    }

    /// Applies the delta CSV at `source` (plain, gzip or zstd) to the current catalog's
    /// folder (see [`apply_delta`](super::apply_delta)) and swaps the result in; calls
    /// already running finish with the previous catalog.
    pub fn apply_delta(
        &self,
        source: &Path,
        options: &BuildOptions,
    ) -> Result<super::DeltaReport, CatalogError> {
        let dir = self.get().dir().to_owned();
        let input = super::source::open_path(source)?;
        let report = super::apply_delta(&dir, input, &source.display().to_string(), options)?;
        self.reload()?;
        Ok(report)
    }

    /// Folds the current catalog's applied deltas into a new base index (see
    /// [`compact`](super::compact)) and swaps it in.
    pub fn compact(
        &self,
        options: &BuildOptions,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<BuildReport, CatalogError> {
        let dir = self.get().dir().to_owned();
        let report = super::compact(&dir, options, progress)?;
        self.reload()?;
        Ok(report)
    }
}

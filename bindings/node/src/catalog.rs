//! `Catalog` and products.

use std::sync::Arc;

use bmc_core::catalog::{
    self, BuildOptions, Catalog as CoreCatalog, MatchKind, OnInvalid, OpenOptions,
    Product as CoreProduct, SearchFilters, SharedCatalog,
};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::errors::{Result, to_js};

/// A catalog product; fields are the seed's columns in camelCase.
#[derive(Debug)]
#[napi(object)]
pub struct Product {
    /// product_id
    pub product_id: i64,
    /// product_code
    pub product_code: String,
    /// product_name
    pub product_name: String,
    /// dian_classification: the subpartida's 10 digits.
    pub dian_classification: String,
    /// category_id
    pub category_id: i32,
    /// unit_type
    pub unit_type: String,
    /// is_active
    pub is_active: bool,
    /// created_at as `YYYY-MM-DD HH:MM:SS[.ffffff]` (no time zone), or null.
    pub created_at: Option<String>,
    /// updated_at, likewise.
    pub updated_at: Option<String>,
}

fn product(p: CoreProduct) -> Product {
    Product {
        product_id: p.product_id,
        dian_classification: p.dian_classification.as_str().to_owned(),
        product_code: p.product_code,
        product_name: p.product_name,
        category_id: p.category_id,
        unit_type: p.unit_type,
        is_active: p.is_active,
        created_at: p.created_at.as_ref().map(catalog::format_timestamp),
        updated_at: p.updated_at.as_ref().map(catalog::format_timestamp),
    }
}

/// Build options.
#[derive(Debug, Default)]
#[napi(object)]
pub struct BuildCatalogOptions {
    /// Leave invalid rows and duplicate codes out and report them, instead of failing.
    pub skip_invalid: Option<bool>,
    /// Memory for each sorted run, in MiB (512 by default).
    pub sort_memory_mib: Option<u32>,
}

/// Open options.
#[derive(Debug, Default)]
#[napi(object)]
pub struct OpenCatalogOptions {
    /// Threads one search may use to search the index's segments side by side when its words
    /// are each in very many products (default: one per core; 1 keeps every search on the
    /// thread that runs it).
    pub search_threads: Option<u32>,
}

/// A row left out of a build.
#[derive(Debug)]
#[napi(object)]
pub struct RowProblem {
    /// The line (1-based; the header is line 1).
    pub line: i64,
    /// The column, or `row`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// What a build did.
#[derive(Debug)]
#[napi(object)]
pub struct BuildReport {
    /// Data rows read.
    pub rows: i64,
    /// Products in the index.
    pub products: i64,
    /// Distinct classifications.
    pub classes: i64,
    /// Rows that could not be read.
    pub invalid_count: i64,
    /// The first of them.
    pub invalid: Vec<RowProblem>,
    /// Rows whose code appeared before.
    pub duplicate_count: i64,
    /// Seconds the build took.
    pub seconds: f64,
}

/// Search options.
#[derive(Debug, Default)]
#[napi(object)]
pub struct SearchOptions {
    /// How many results (10 by default).
    pub limit: Option<u32>,
    /// Only active products.
    pub active_only: Option<bool>,
    /// Only this category.
    pub category_id: Option<i32>,
    /// Only this classification prefix (2, 4, 6, 8 or 10 digits).
    pub classification_prefix: Option<String>,
}

/// One search result.
#[derive(Debug)]
#[napi(object)]
pub struct SearchHit {
    /// The product.
    pub product: Product,
    /// Relevance (exact code and name matches first).
    pub score: f64,
    /// How it matched.
    #[napi(ts_type = "'code' | 'name' | 'words'")]
    pub matched: String,
}

/// Paging by classification.
#[derive(Debug, Default)]
#[napi(object)]
pub struct ClassOptions {
    /// Only active products.
    pub active_only: Option<bool>,
    /// Skip this many (default 0).
    pub offset: Option<u32>,
    /// How many (default 20).
    pub limit: Option<u32>,
}

/// A page of products by classification.
#[derive(Debug)]
#[napi(object)]
pub struct ClassPage {
    /// The products.
    pub products: Vec<Product>,
    /// Offset of the next page, or null on the last page.
    pub next_offset: Option<u32>,
}

fn build_options(o: &BuildCatalogOptions) -> BuildOptions {
    BuildOptions {
        on_invalid: if o.skip_invalid.unwrap_or(false) {
            OnInvalid::SkipAndReport
        } else {
            OnInvalid::Reject
        },
        sort_memory: usize_of(o.sort_memory_mib, 512) << 20,
        ..BuildOptions::default()
    }
}

fn report(r: catalog::BuildReport) -> BuildReport {
    BuildReport {
        rows: n(r.rows),
        products: n(r.products),
        classes: n(r.classes),
        invalid_count: n(r.invalid_count),
        invalid: r
            .invalid
            .into_iter()
            .map(|p| RowProblem {
                line: n(p.line),
                field: p.field,
                message: p.message,
            })
            .collect(),
        duplicate_count: n(r.duplicate_count),
        seconds: r.millis as f64 / 1000.0,
    }
}

fn n(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn usize_of(v: Option<u32>, default: usize) -> usize {
    v.map_or(default, |v| v as usize)
}

fn hits(found: Vec<catalog::SearchHit>) -> Vec<SearchHit> {
    found
        .into_iter()
        .map(|h| SearchHit {
            product: product(h.product),
            score: f64::from(h.score),
            matched: match h.matched {
                MatchKind::Code => "code",
                MatchKind::Name => "name",
                MatchKind::Words => "words",
            }
            .to_owned(),
        })
        .collect()
}

fn filters(o: &SearchOptions) -> SearchFilters {
    SearchFilters {
        active_only: o.active_only.unwrap_or(false),
        category_id: o.category_id,
        classification_prefix: o.classification_prefix.clone(),
    }
}

/// The product catalog index: memory-mapped and shared by every call.
#[derive(Debug)]
#[napi]
pub struct Catalog {
    shared: SharedCatalog,
}

impl Catalog {
    /// The shared index, for the other modules of the addon.
    pub fn shared(&self) -> &SharedCatalog {
        &self.shared
    }
}

#[napi]
impl Catalog {
    /// Builds an index at `indexDir` from a product CSV (the seed's columns; plain, gzip or
    /// zstd). Throws `CATALOG_BUILD_REJECTED` on invalid rows or duplicate codes unless
    /// `skipInvalid` is set.
    #[napi]
    pub fn build(
        env: Env,
        source: String,
        index_dir: String,
        options: Option<BuildCatalogOptions>,
    ) -> Result<BuildReport> {
        let r = catalog::build_from_path(
            std::path::Path::new(&source),
            std::path::Path::new(&index_dir),
            &build_options(&options.unwrap_or_default()),
            &mut |_| {},
        )
        .map_err(|e| to_js(&env, e))?;
        Ok(report(r))
    }

    /// `build` off the JS thread: resolves to the report, rejects with the coded error.
    /// `onProgress`, when given, is called on the JS thread as the build goes (reading rows,
    /// writing products, merging the search index, finishing), at most a few times a second.
    #[napi(
        ts_args_type = "source: string, indexDir: string, options?: BuildCatalogOptions | undefined | null, onProgress?: ((progress: BuildProgress) => void) | undefined | null",
        ts_return_type = "Promise<BuildReport>"
    )]
    pub fn build_async(
        source: String,
        index_dir: String,
        options: Option<BuildCatalogOptions>,
        on_progress: Option<ProgressCallback>,
    ) -> AsyncTask<BuildTask> {
        AsyncTask::new(BuildTask {
            source,
            index_dir,
            options: build_options(&options.unwrap_or_default()),
            on_progress,
        })
    }

    /// Opens the index at `indexDir` (memory-mapped; the codes map's checksum is checked,
    /// about 25 ms at 10 million products).
    #[napi(factory)]
    pub fn open(
        env: Env,
        index_dir: String,
        options: Option<OpenCatalogOptions>,
    ) -> Result<Catalog> {
        let options = OpenOptions {
            search_threads: options.and_then(|o| o.search_threads).map(|n| n as usize),
        };
        let c = CoreCatalog::open_with(std::path::Path::new(&index_dir), &options)
            .map_err(|e| to_js(&env, e))?;
        Ok(Catalog {
            shared: SharedCatalog::new(c),
        })
    }

    /// Applies a delta CSV (changed rows; deactivations as isActive = f) without a rebuild,
    /// then reloads. Returns how many products the overlay holds.
    #[napi]
    pub fn apply_delta(
        &self,
        env: Env,
        source: String,
        options: Option<BuildCatalogOptions>,
    ) -> Result<i64> {
        let build_options = build_options(&options.unwrap_or_default());
        let report = self
            .shared
            .apply_delta(std::path::Path::new(&source), &build_options)
            .map_err(|e| to_js(&env, e))?;
        Ok(n(report.overlay_products))
    }

    /// Folds the applied deltas into a new base index (a full rebuild), then reloads.
    #[napi]
    pub fn compact(&self, env: Env) -> Result<i64> {
        let report = self
            .shared
            .compact(&BuildOptions::default(), &mut |_| {})
            .map_err(|e| to_js(&env, e))?;
        Ok(n(report.products))
    }

    /// Re-opens the same folder after a new build was published there.
    #[napi]
    pub fn reload(&self, env: Env) -> Result<()> {
        self.shared.reload().map_err(|e| to_js(&env, e))
    }

    /// Reads every page of the index once so that first queries are fast; returns the bytes
    /// touched.
    #[napi]
    pub fn warm(&self) -> i64 {
        n(self.shared.get().warm())
    }

    /// Checks every index file against the manifest's checksums.
    #[napi]
    pub fn verify(&self, env: Env) -> Result<()> {
        self.shared.get().verify().map_err(|e| to_js(&env, e))
    }

    /// How many products the index holds.
    #[napi(getter)]
    pub fn length(&self) -> i64 {
        n(self.shared.get().len())
    }

    /// The product with `code`, or null.
    #[napi]
    pub fn get(&self, env: Env, code: String) -> Result<Option<Product>> {
        self.shared
            .get()
            .get(&code)
            .map(|p| p.map(product))
            .map_err(|e| to_js(&env, e))
    }

    /// The product of each code (null where unknown).
    #[napi]
    pub fn get_many(&self, env: Env, codes: Vec<String>) -> Result<Vec<Option<Product>>> {
        self.shared
            .get()
            .get_many(&codes)
            .map(|found| found.into_iter().map(|p| p.map(product)).collect())
            .map_err(|e| to_js(&env, e))
    }

    /// `getMany` off the JS thread.
    #[napi(ts_return_type = "Promise<Array<Product | null>>")]
    pub fn get_many_async(&self, codes: Vec<String>) -> AsyncTask<GetManyTask> {
        AsyncTask::new(GetManyTask {
            catalog: self.shared.get(),
            codes,
        })
    }

    /// Up to `limit` (20) products whose code starts with `prefix`, in code order.
    #[napi]
    pub fn prefix(&self, env: Env, prefix: String, limit: Option<u32>) -> Result<Vec<Product>> {
        self.shared
            .get()
            .prefix(&prefix, usize_of(limit, 20))
            .map(|list| list.into_iter().map(product).collect())
            .map_err(|e| to_js(&env, e))
    }

    /// Products whose classification starts with `prefix` (1 to 10 digits, dots allowed).
    #[napi]
    pub fn by_classification(
        &self,
        env: Env,
        prefix: String,
        options: Option<ClassOptions>,
    ) -> Result<ClassPage> {
        let o = options.unwrap_or_default();
        let page = self
            .shared
            .get()
            .by_classification(
                &prefix,
                o.active_only.unwrap_or(false),
                usize_of(o.offset, 0),
                usize_of(o.limit, 20),
            )
            .map_err(|e| to_js(&env, e))?;
        Ok(ClassPage {
            products: page.products.into_iter().map(product).collect(),
            next_offset: page
                .next_offset
                .map(|v| u32::try_from(v).unwrap_or(u32::MAX)),
        })
    }

    /// Free-text search: exact code first, then exact name, then BM25 with typos tolerated.
    #[napi]
    pub fn search(
        &self,
        env: Env,
        text: String,
        options: Option<SearchOptions>,
    ) -> Result<Vec<SearchHit>> {
        let o = options.unwrap_or_default();
        self.shared
            .get()
            .search(&text, usize_of(o.limit, 10), &filters(&o))
            .map(hits)
            .map_err(|e| to_js(&env, e))
    }

    /// `search` off the JS thread.
    #[napi(ts_return_type = "Promise<Array<SearchHit>>")]
    pub fn search_async(
        &self,
        text: String,
        options: Option<SearchOptions>,
    ) -> AsyncTask<SearchTask> {
        let o = options.unwrap_or_default();
        AsyncTask::new(SearchTask {
            catalog: self.shared.get(),
            limit: usize_of(o.limit, 10),
            filters: filters(&o),
            text,
        })
    }
}

impl Catalog {
    /// The catalog in use now.
    pub fn current(&self) -> Arc<CoreCatalog> {
        self.shared.get()
    }
}

/// The work of `getManyAsync`.
#[derive(Debug)]
pub struct GetManyTask {
    catalog: Arc<CoreCatalog>,
    codes: Vec<String>,
}

impl Task for GetManyTask {
    type Output = std::result::Result<Vec<Option<CoreProduct>>, catalog::CatalogError>;
    type JsValue = Vec<Option<Product>>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.catalog.get_many(&self.codes))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output
            .map(|found| found.into_iter().map(|p| p.map(product)).collect())
            .map_err(|e| to_js(&env, e))
    }
}

/// The work of `searchAsync`.
#[derive(Debug)]
pub struct SearchTask {
    catalog: Arc<CoreCatalog>,
    text: String,
    limit: usize,
    filters: SearchFilters,
}

impl Task for SearchTask {
    type Output = std::result::Result<Vec<catalog::SearchHit>, catalog::CatalogError>;
    type JsValue = Vec<SearchHit>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.catalog.search(&self.text, self.limit, &self.filters))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output.map(hits).map_err(|e| to_js(&env, e))
    }
}

/// Where a catalog build is, as `buildAsync` reports it.
#[derive(Debug, Clone)]
#[napi(object)]
pub struct BuildProgress {
    /// `reading`, `writing`, `merging` or `finishing`.
    pub phase: String,
    /// Rows read (reading), products written (writing, finishing) or documents of the search
    /// index merged (merging) so far.
    pub done: i64,
    /// Rows in all, once reading is over (0 before); documents to merge (merging).
    pub total: i64,
    /// Input bytes read so far.
    pub bytes: i64,
}

/// The JS progress callback, called from the build's thread through napi's queue.
pub type ProgressCallback = napi::threadsafe_function::ThreadsafeFunction<
    BuildProgress,
    (),
    BuildProgress,
    napi::Status,
    false,
>;

/// The work of `buildAsync`.
pub struct BuildTask {
    source: String,
    index_dir: String,
    options: BuildOptions,
    on_progress: Option<ProgressCallback>,
}

impl std::fmt::Debug for BuildTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildTask")
            .field("source", &self.source)
            .field("index_dir", &self.index_dir)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl Task for BuildTask {
    type Output = std::result::Result<catalog::BuildReport, catalog::CatalogError>;
    type JsValue = BuildReport;

    fn compute(&mut self) -> Result<Self::Output> {
        let callback = self.on_progress.as_ref();
        let mut last = std::time::Instant::now();
        let mut last_phase: Option<catalog::Phase> = None;
        let mut report_progress = |p: &catalog::Progress| {
            let Some(callback) = callback else { return };
            // Each new phase is reported; the rest at most four times a second.
            let phase = p.phase.as_str();
            let due = last.elapsed() >= std::time::Duration::from_millis(250)
                || last_phase != Some(p.phase);
            if due {
                last = std::time::Instant::now();
                last_phase = Some(p.phase);
                callback.call(
                    BuildProgress {
                        phase: phase.to_owned(),
                        done: i64::try_from(p.done).unwrap_or(i64::MAX),
                        total: i64::try_from(p.total).unwrap_or(i64::MAX),
                        bytes: i64::try_from(p.bytes).unwrap_or(i64::MAX),
                    },
                    napi::threadsafe_function::ThreadsafeFunctionCallMode::NonBlocking,
                );
            }
        };
        Ok(catalog::build_from_path(
            std::path::Path::new(&self.source),
            std::path::Path::new(&self.index_dir),
            &self.options,
            &mut report_progress,
        ))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output.map(report).map_err(|e| to_js(&env, e))
    }
}

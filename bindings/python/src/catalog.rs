//! `Catalog` and `Product`.

use std::path::PathBuf;

use bmc_core::catalog::{
    self, BuildOptions, BuildReport, Catalog as CoreCatalog, OnInvalid, OpenOptions,
    Product as CoreProduct, SearchFilters, SharedCatalog,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::to_py;
use crate::numbers::Whole;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Catalog>()?;
    m.add_class::<Product>()?;
    Ok(())
}

/// A catalog product; attributes are named as the seed's columns.
#[derive(Debug, Clone)]
#[pyclass(frozen, module = "bmc_core", eq)]
pub struct Product {
    inner: CoreProduct,
}

impl PartialEq for Product {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

#[pymethods]
impl Product {
    /// product_id
    #[getter]
    fn product_id(&self) -> i64 {
        self.inner.product_id
    }
    /// product_code
    #[getter]
    fn product_code(&self) -> &str {
        &self.inner.product_code
    }
    /// product_name
    #[getter]
    fn product_name(&self) -> &str {
        &self.inner.product_name
    }
    /// dian_classification: the subpartida's 10 digits.
    #[getter]
    fn dian_classification(&self) -> &str {
        self.inner.dian_classification.as_str()
    }
    /// category_id
    #[getter]
    fn category_id(&self) -> i32 {
        self.inner.category_id
    }
    /// unit_type
    #[getter]
    fn unit_type(&self) -> &str {
        &self.inner.unit_type
    }
    /// is_active
    #[getter]
    fn is_active(&self) -> bool {
        self.inner.is_active
    }
    /// created_at (naive datetime) or None.
    #[getter]
    fn created_at(&self) -> Option<chrono::NaiveDateTime> {
        self.inner.created_at
    }
    /// updated_at (naive datetime) or None.
    #[getter]
    fn updated_at(&self) -> Option<chrono::NaiveDateTime> {
        self.inner.updated_at
    }

    /// The product as a dict of its columns.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("product_id", self.inner.product_id)?;
        d.set_item("product_code", &self.inner.product_code)?;
        d.set_item("product_name", &self.inner.product_name)?;
        d.set_item(
            "dian_classification",
            self.inner.dian_classification.as_str(),
        )?;
        d.set_item("category_id", self.inner.category_id)?;
        d.set_item("unit_type", &self.inner.unit_type)?;
        d.set_item("is_active", self.inner.is_active)?;
        d.set_item("created_at", self.inner.created_at)?;
        d.set_item("updated_at", self.inner.updated_at)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Product(product_code={:?}, product_name={:?}, dian_classification={:?}, is_active={})",
            self.inner.product_code,
            self.inner.product_name,
            self.inner.dian_classification.as_str(),
            if self.inner.is_active {
                "True"
            } else {
                "False"
            }
        )
    }
}

fn products(list: Vec<CoreProduct>) -> Vec<Product> {
    list.into_iter().map(|inner| Product { inner }).collect()
}

fn report_dict<'py>(py: Python<'py>, r: &BuildReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("rows", r.rows)?;
    d.set_item("products", r.products)?;
    d.set_item("classes", r.classes)?;
    d.set_item("invalid_count", r.invalid_count)?;
    d.set_item("duplicate_count", r.duplicate_count)?;
    let invalid = PyList::empty(py);
    for p in &r.invalid {
        let e = PyDict::new(py);
        e.set_item("line", p.line)?;
        e.set_item("field", &p.field)?;
        e.set_item("message", &p.message)?;
        invalid.append(e)?;
    }
    d.set_item("invalid", invalid)?;
    let duplicates = PyList::empty(py);
    for x in &r.duplicates {
        let e = PyDict::new(py);
        e.set_item("product_code", &x.product_code)?;
        e.set_item("line", x.line)?;
        e.set_item("first_line", x.first_line)?;
        duplicates.append(e)?;
    }
    d.set_item("duplicates", duplicates)?;
    d.set_item("seconds", r.millis as f64 / 1000.0)?;
    Ok(d)
}

/// The product catalog index: memory-mapped, shared safely between threads.
#[derive(Debug)]
#[pyclass(frozen, module = "bmc_core")]
pub struct Catalog {
    shared: SharedCatalog,
}

impl Catalog {
    /// The shared index, for the other modules of the extension.
    pub fn shared(&self) -> &SharedCatalog {
        &self.shared
    }
}

#[pymethods]
impl Catalog {
    /// Build an index at `index_dir` from a product CSV (the seed's columns; plain, gzip or
    /// zstd). `progress`, if given, is called with a dict {phase, done, total, bytes} every
    /// 100,000 rows (it can drive a tqdm bar). Invalid rows and duplicate codes make the build
    /// fail with InvalidInput (code CATALOG_BUILD_REJECTED) unless `skip_invalid` is true; the
    /// returned report lists them with their lines. The GIL is released while building.
    #[staticmethod]
    #[pyo3(
        signature = (source, index_dir, progress = None, skip_invalid = false, sort_memory_mib = Whole(512)),
        text_signature = "(source, index_dir, progress=None, skip_invalid=False, sort_memory_mib=512)"
    )]
    fn build<'py>(
        py: Python<'py>,
        source: PathBuf,
        index_dir: PathBuf,
        progress: Option<Py<PyAny>>,
        skip_invalid: bool,
        sort_memory_mib: Whole<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let sort_memory = sort_memory_mib.0.checked_mul(1 << 20).ok_or_else(|| {
            crate::errors::invalid_input("INVALID_ARGUMENT", "sort_memory_mib is too large")
        })?;
        let options = BuildOptions {
            on_invalid: if skip_invalid {
                OnInvalid::SkipAndReport
            } else {
                OnInvalid::Reject
            },
            sort_memory,
            ..BuildOptions::default()
        };
        let mut callback_error: Option<PyErr> = None;
        let result = py.detach(|| {
            let mut on_progress = |p: &catalog::Progress| {
                let Some(cb) = &progress else { return };
                if callback_error.is_some() {
                    return;
                }
                Python::attach(|py| {
                    let call = || -> PyResult<()> {
                        let d = PyDict::new(py);
                        let phase = p.phase.as_str();
                        d.set_item("phase", phase)?;
                        d.set_item("done", p.done)?;
                        d.set_item("total", p.total)?;
                        d.set_item("bytes", p.bytes)?;
                        cb.call1(py, (d,))?;
                        Ok(())
                    };
                    if let Err(e) = call() {
                        callback_error = Some(e);
                    }
                });
            };
            catalog::build_from_path(&source, &index_dir, &options, &mut on_progress)
        });
        if let Some(e) = callback_error {
            return Err(e);
        }
        match result {
            Ok(report) => report_dict(py, &report),
            Err(e) => Err(to_py(py, e)),
        }
    }

    /// Open the index at `index_dir` (files are memory-mapped; the codes map's checksum is
    /// checked, about 25 ms at 10 million products). A search whose
    /// words are each in very many products searches the index's segments on up to
    /// `search_threads` threads (default: one per core; 1 keeps every search on the calling
    /// thread).
    #[staticmethod]
    #[pyo3(signature = (index_dir, search_threads = None))]
    fn open(
        py: Python<'_>,
        index_dir: PathBuf,
        search_threads: Option<Whole<usize>>,
    ) -> PyResult<Catalog> {
        let options = OpenOptions {
            search_threads: search_threads.map(|n| n.0),
        };
        let catalog = py
            .detach(|| CoreCatalog::open_with(&index_dir, &options))
            .map_err(|e| to_py(py, e))?;
        Ok(Catalog {
            shared: SharedCatalog::new(catalog),
        })
    }

    /// Apply a delta CSV (changed rows; deactivations as is_active = f) to this index without
    /// a rebuild, then reload. Returns {rows, upserted, invalid_count, invalid, overlay_products}.
    #[pyo3(signature = (source, skip_invalid = false))]
    fn apply_delta<'py>(
        &self,
        py: Python<'py>,
        source: PathBuf,
        skip_invalid: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let options = BuildOptions {
            on_invalid: if skip_invalid {
                OnInvalid::SkipAndReport
            } else {
                OnInvalid::Reject
            },
            ..BuildOptions::default()
        };
        let report = py
            .detach(|| self.shared.apply_delta(&source, &options))
            .map_err(|e| to_py(py, e))?;
        let d = PyDict::new(py);
        d.set_item("rows", report.rows)?;
        d.set_item("upserted", report.upserted)?;
        d.set_item("invalid_count", report.invalid_count)?;
        let invalid = PyList::empty(py);
        for p in &report.invalid {
            let e = PyDict::new(py);
            e.set_item("line", p.line)?;
            e.set_item("field", &p.field)?;
            e.set_item("message", &p.message)?;
            invalid.append(e)?;
        }
        d.set_item("invalid", invalid)?;
        d.set_item("overlay_products", report.overlay_products)?;
        Ok(d)
    }

    /// Fold the applied deltas into a new base index (a full rebuild), then reload.
    fn compact<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let report = py
            .detach(|| self.shared.compact(&BuildOptions::default(), &mut |_| {}))
            .map_err(|e| to_py(py, e))?;
        report_dict(py, &report)
    }

    /// Re-open the same folder (after a new build was published there) and swap it in;
    /// calls already running finish with the previous index.
    fn reload(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.shared.reload()).map_err(|e| to_py(py, e))
    }

    /// Read every page of the index once so that first queries are fast; returns the bytes
    /// touched. The GIL is released.
    fn warm(&self, py: Python<'_>) -> u64 {
        let catalog = self.shared.get();
        py.detach(|| catalog.warm())
    }

    /// Check every index file against the manifest's checksums.
    fn verify(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.shared.get().verify())
            .map_err(|e| to_py(py, e))
    }

    fn __len__(&self) -> usize {
        usize::try_from(self.shared.get().len()).unwrap_or(usize::MAX)
    }

    /// The product with `code`, or None.
    fn get(&self, py: Python<'_>, code: &str) -> PyResult<Option<Product>> {
        self.shared
            .get()
            .get(code)
            .map(|p| p.map(|inner| Product { inner }))
            .map_err(|e| to_py(py, e))
    }

    /// The product of each code (None where unknown), without holding the GIL.
    fn get_many(&self, py: Python<'_>, codes: Vec<String>) -> PyResult<Vec<Option<Product>>> {
        let catalog = self.shared.get();
        let found = py
            .detach(|| catalog.get_many(&codes))
            .map_err(|e| to_py(py, e))?;
        Ok(found
            .into_iter()
            .map(|p| p.map(|inner| Product { inner }))
            .collect())
    }

    /// Up to `limit` products whose code starts with `prefix`, in code order.
    #[pyo3(signature = (prefix, limit = Whole(20)), text_signature = "(self, prefix, limit=20)")]
    fn prefix(&self, py: Python<'_>, prefix: &str, limit: Whole<usize>) -> PyResult<Vec<Product>> {
        self.shared
            .get()
            .prefix(prefix, limit.0)
            .map(products)
            .map_err(|e| to_py(py, e))
    }

    /// Products whose dian_classification starts with `prefix` (1 to 10 digits, dots
    /// allowed): {"products": [...], "next_offset": int | None}.
    #[pyo3(
        signature = (prefix, active_only = false, offset = Whole(0), limit = Whole(20)),
        text_signature = "(self, prefix, active_only=False, offset=0, limit=20)"
    )]
    fn by_classification<'py>(
        &self,
        py: Python<'py>,
        prefix: &str,
        active_only: bool,
        offset: Whole<usize>,
        limit: Whole<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let page = self
            .shared
            .get()
            .by_classification(prefix, active_only, offset.0, limit.0)
            .map_err(|e| to_py(py, e))?;
        let d = PyDict::new(py);
        d.set_item("products", products(page.products))?;
        d.set_item("next_offset", page.next_offset)?;
        Ok(d)
    }

    /// Up to `limit` products for a free-text query (exact code first, then exact name, then
    /// BM25 with typos tolerated), as dicts {product, score, matched}. The GIL is released.
    #[pyo3(
        signature = (text, limit = Whole(10), active_only = false, category_id = None, classification_prefix = None),
        text_signature = "(self, text, limit=10, active_only=False, category_id=None, classification_prefix=None)"
    )]
    fn search<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        limit: Whole<usize>,
        active_only: bool,
        category_id: Option<Whole<i32>>,
        classification_prefix: Option<String>,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let limit = limit.0;
        let filters = SearchFilters {
            active_only,
            category_id: category_id.map(|c| c.0),
            classification_prefix,
        };
        let catalog = self.shared.get();
        let hits = py
            .detach(|| catalog.search(text, limit, &filters))
            .map_err(|e| to_py(py, e))?;
        hits.into_iter()
            .map(|h| {
                let d = PyDict::new(py);
                d.set_item("product", Product { inner: h.product })?;
                d.set_item("score", h.score)?;
                let matched = match h.matched {
                    catalog::MatchKind::Code => "code",
                    catalog::MatchKind::Name => "name",
                    catalog::MatchKind::Words => "words",
                };
                d.set_item("matched", matched)?;
                Ok(d)
            })
            .collect()
    }

    /// Counts, file sizes and the source of the index.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.shared.get().stats();
        let d = PyDict::new(py);
        d.set_item("products", s.products)?;
        d.set_item("classes", s.classes)?;
        d.set_item("search_documents", s.search_documents)?;
        let files = PyDict::new(py);
        for (name, bytes) in &s.files {
            files.set_item(name, bytes)?;
        }
        d.set_item("files", files)?;
        d.set_item("source_sha256", &s.source.sha256)?;
        d.set_item("source_rows", s.source.rows)?;
        d.set_item("overlay_products", s.overlay_products)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let c = self.shared.get();
        format!(
            "Catalog({:?}, products={})",
            c.dir().display().to_string(),
            c.len()
        )
    }
}

impl Catalog {
    /// The catalog in use now, for commission lines that give a product code.
    pub fn current(&self) -> std::sync::Arc<CoreCatalog> {
        self.shared.get()
    }
}

//! Daily changes without a full rebuild: an overlay of upserted products (a deactivation is an
//! upsert with `is_active = f`) kept beside the index in `overlay.jsonl`. Lookups, prefix and
//! classification queries and search all see the overlay before the base index;
//! [`compact`] folds it into a new base index.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::build::{BuildOptions, BuildReport, OnInvalid, Progress, build_from_path};
use super::product::{COLUMNS, Product, format_timestamp};
use super::search::SearchIndex;
use super::source::{self, ProductReader, RowProblem};
use super::{Catalog, CatalogError};
use crate::dian::TariffCode;

/// The overlay's file name in the index folder.
pub const OVERLAY: &str = "overlay.jsonl";
const HEADER: &str = r#"{"format":"bmc-catalog-overlay","version":1}"#;

/// The overlay of an open catalog.
pub(super) struct Overlay {
    /// Products by code.
    pub products: BTreeMap<String, Product>,
    /// (classification, code) of every overlay product, sorted.
    pub by_class: Vec<(TariffCode, String)>,
    /// Codes in overlay-ordinal order (the ordinals of `search`).
    pub codes: Vec<String>,
    /// A search index over the overlay's products (none when the overlay is empty).
    pub search: Option<SearchIndex>,
}

impl Overlay {
    pub fn empty() -> Overlay {
        Overlay {
            products: BTreeMap::new(),
            by_class: Vec::new(),
            codes: Vec::new(),
            search: None,
        }
    }

    /// Reads `overlay.jsonl` from `dir` (an empty overlay when there is none).
    pub fn load(dir: &Path) -> Result<Overlay, CatalogError> {
        let products = read_products(dir)?;
        if products.is_empty() {
            return Ok(Overlay::empty());
        }
        let mut by_class: Vec<(TariffCode, String)> = products
            .values()
            .map(|p| (p.dian_classification, p.product_code.clone()))
            .collect();
        by_class.sort();
        let codes: Vec<String> = products.keys().cloned().collect();
        let list: Vec<&Product> = products.values().collect();
        let search = Some(SearchIndex::in_memory(&list)?);
        Ok(Overlay {
            products,
            by_class,
            codes,
            search,
        })
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }
}

fn read_products(dir: &Path) -> Result<BTreeMap<String, Product>, CatalogError> {
    let path = dir.join(OVERLAY);
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(CatalogError::io(&path, &e)),
    };
    let mut products = BTreeMap::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| CatalogError::io(&path, &e))?;
        if i == 0 {
            if line != HEADER {
                return Err(CatalogError::Format {
                    path,
                    message: "not a bmc catalog overlay of version 1".to_owned(),
                });
            }
            continue;
        }
        let p: Product = serde_json::from_str(&line)
            .map_err(|e| CatalogError::corrupt(&path, format!("line {}: {e}", i + 1)))?;
        products.insert(p.product_code.clone(), p);
    }
    Ok(products)
}

fn write_products(dir: &Path, products: &BTreeMap<String, Product>) -> Result<(), CatalogError> {
    let path = dir.join(OVERLAY);
    let tmp = dir.join(format!(".{OVERLAY}.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut out = BufWriter::new(std::fs::File::create(&tmp)?);
        writeln!(out, "{HEADER}")?;
        for p in products.values() {
            serde_json::to_writer(&mut out, p)?;
            writeln!(out)?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    };
    write().map_err(|e| CatalogError::io(&tmp, &e))?;
    std::fs::rename(&tmp, &path).map_err(|e| CatalogError::io(&path, &e))
}

/// What applying a delta did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeltaReport {
    /// Data rows read.
    pub rows: u64,
    /// Products upserted into the overlay (a code seen twice counts once; the later row wins).
    pub upserted: u64,
    /// Rows that could not be read.
    pub invalid_count: u64,
    /// The first `report_limit` of them.
    pub invalid: Vec<RowProblem>,
    /// Products in the overlay afterwards.
    pub overlay_products: u64,
}

/// Applies a delta CSV (the seed's columns: rows changed since the last sync, deactivations as
/// `is_active = f`) to the index in `index_dir`, without rebuilding it. Open catalogs see the
/// change after [`SharedCatalog::reload`](super::SharedCatalog::reload). With
/// [`OnInvalid::Reject`], an invalid row changes nothing.
pub fn apply_delta(
    index_dir: &Path,
    input: Box<dyn Read + Send>,
    source_name: &str,
    options: &BuildOptions,
) -> Result<DeltaReport, CatalogError> {
    super::manifest::Manifest::read(index_dir)?;
    let mut products = read_products(index_dir)?;
    let decoded = source::decompress(input).map_err(|e| CatalogError::Source {
        source_name: source_name.to_owned(),
        message: e.to_string(),
    })?;
    let mut reader = ProductReader::new(decoded, source_name)?;
    let mut report = DeltaReport {
        rows: 0,
        upserted: 0,
        invalid_count: 0,
        invalid: Vec::new(),
        overlay_products: 0,
    };
    let mut changed = BTreeMap::new();
    while let Some((_, row)) = reader.next_row()? {
        report.rows += 1;
        match row {
            Ok(p) => {
                changed.insert(p.product_code.clone(), p);
            }
            Err(problem) => {
                report.invalid_count += 1;
                if report.invalid.len() < options.report_limit {
                    report.invalid.push(problem);
                }
            }
        }
    }
    if options.on_invalid == OnInvalid::Reject && report.invalid_count > 0 {
        let first = &report.invalid[0];
        return Err(CatalogError::Source {
            source_name: source_name.to_owned(),
            message: format!(
                "{} invalid rows; nothing was applied; first: line {}: {}: {}",
                report.invalid_count, first.line, first.field, first.message
            ),
        });
    }
    report.upserted = changed.len() as u64;
    products.extend(changed);
    report.overlay_products = products.len() as u64;
    write_products(index_dir, &products)?;
    Ok(report)
}

/// Folds the overlay into a new base index (a full build from the merged products, published
/// atomically in place of the old index, with no overlay).
pub fn compact(
    index_dir: &Path,
    options: &BuildOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<BuildReport, CatalogError> {
    let catalog = Catalog::open(index_dir)?;
    let parent = index_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let merged = parent.join(format!(".bmc-compact-{}.csv", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&merged).map_err(|e| CatalogError::io(&merged, &e))?;
        let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
        let io = |e: csv::Error| CatalogError::Io {
            path: merged.clone(),
            message: e.to_string(),
        };
        w.write_record(COLUMNS).map_err(io)?;
        catalog.for_each_merged(|p| w.write_record(record(p)).map_err(io))?;
        w.flush().map_err(|e| CatalogError::io(&merged, &e))?;
        drop(w);
        drop(catalog);
        build_from_path(&merged, index_dir, options, progress)
    })();
    let _ = std::fs::remove_file(&merged);
    result
}

/// A product as a CSV record in [`COLUMNS`] order.
fn record(p: &Product) -> [String; 9] {
    [
        p.product_id.to_string(),
        p.product_code.clone(),
        p.product_name.clone(),
        p.dian_classification.as_str().to_owned(),
        p.category_id.to_string(),
        p.unit_type.clone(),
        if p.is_active { "t" } else { "f" }.to_owned(),
        p.created_at
            .as_ref()
            .map(format_timestamp)
            .unwrap_or_default(),
        p.updated_at
            .as_ref()
            .map(format_timestamp)
            .unwrap_or_default(),
    ]
}

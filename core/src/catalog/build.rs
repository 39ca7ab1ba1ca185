//! Building an index from the product CSV: streaming, with an external sort so memory stays
//! bounded whatever the input size, invalid rows and duplicate codes reported with their
//! lines, progress through a callback, and an atomic publish (built aside, then renamed).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::CatalogError;
use super::classes;
use super::manifest::{self, FileEntry, Manifest, SourceInfo};
pub use super::options::{BuildOptions, OnInvalid};
use super::product::Product;
use super::search::SearchWriter;
use super::source::{self, ProductReader, RowProblem};
use super::store::{RECORDS_MAGIC, StoreWriter, run};

/// The phase a build is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading and sorting the input in runs.
    Reading,
    /// Merging the runs and writing the index.
    Writing,
    /// Merging the search index's segments.
    Merging,
    /// Writing the classification index and the checksums.
    Finishing,
}

impl Phase {
    /// The phase's name as progress callbacks in every language report it: `reading`,
    /// `writing`, `merging` or `finishing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Reading => "reading",
            Phase::Writing => "writing",
            Phase::Merging => "merging",
            Phase::Finishing => "finishing",
        }
    }
}

/// Where a build is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    /// The phase.
    pub phase: Phase,
    /// Rows read so far (`Reading`), products written so far (`Writing` and `Finishing`), or
    /// documents in the search index's segments merged so far (`Merging`).
    pub done: u64,
    /// Rows read in all (known once reading is over; 0 before), or the documents in the
    /// segments to merge (`Merging`).
    pub total: u64,
    /// Input bytes read so far.
    pub bytes: u64,
}

/// A code that appeared again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Duplicate {
    /// The code.
    pub product_code: String,
    /// The line of the row that was left out.
    pub line: u64,
    /// The line of the row that was kept (the first).
    pub first_line: u64,
}

/// What a build did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BuildReport {
    /// Data rows read.
    pub rows: u64,
    /// Products in the index.
    pub products: u64,
    /// Distinct classifications.
    pub classes: u64,
    /// Rows that could not be read.
    pub invalid_count: u64,
    /// The first `report_limit` of them.
    pub invalid: Vec<RowProblem>,
    /// Rows whose code appeared before.
    pub duplicate_count: u64,
    /// The first `report_limit` of them.
    pub duplicates: Vec<Duplicate>,
    /// Milliseconds the build took.
    pub millis: u64,
}

/// Hashes and counts the raw input as it is read.
struct Counting<R> {
    inner: R,
    hasher: Sha256,
    bytes: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Builds an index of the CSV file at `source_path` (plain, gzip or zstd) into `index_dir`.
pub fn build_from_path(
    source_path: &Path,
    index_dir: &Path,
    options: &BuildOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<BuildReport, CatalogError> {
    let file = File::open(source_path).map_err(|e| CatalogError::io(source_path, &e))?;
    build(
        Box::new(file),
        &source_path.display().to_string(),
        index_dir,
        options,
        progress,
    )
}

/// Builds an index of the product CSV read from `input` into `index_dir`, replacing what is
/// there only once the new index is complete.
pub fn build(
    input: Box<dyn Read + Send>,
    source_name: &str,
    index_dir: &Path,
    options: &BuildOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<BuildReport, CatalogError> {
    let started = Instant::now();
    let staging = staging_dir(index_dir)?;
    let result = build_into(input, source_name, &staging, options, progress, started);
    match result {
        Ok(report) => {
            publish(&staging, index_dir)?;
            Ok(report)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

fn staging_dir(index_dir: &Path) -> Result<PathBuf, CatalogError> {
    let name = index_dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| CatalogError::Query {
            message: format!("{} is not a folder name", index_dir.display()),
        })?;
    let parent = index_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| CatalogError::io(parent, &e))?;
    let staging = parent.join(format!(".{name}.building-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| CatalogError::io(&staging, &e))?;
    }
    std::fs::create_dir_all(&staging).map_err(|e| CatalogError::io(&staging, &e))?;
    Ok(staging)
}

/// Puts the finished index in place: the old one (if any) is renamed away first and removed
/// after, so a reader never sees a half-written folder at `index_dir`. Processes that have the
/// old index open keep reading it until they let go.
fn publish(staging: &Path, index_dir: &Path) -> Result<(), CatalogError> {
    let old = index_dir.with_file_name(format!(
        ".{}.old-{}",
        index_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("index"),
        std::process::id()
    ));
    let had_old = index_dir.exists();
    if had_old {
        std::fs::rename(index_dir, &old).map_err(|e| CatalogError::io(index_dir, &e))?;
    }
    std::fs::rename(staging, index_dir).map_err(|e| CatalogError::io(index_dir, &e))?;
    if had_old {
        std::fs::remove_dir_all(&old).map_err(|e| CatalogError::io(&old, &e))?;
    }
    Ok(())
}

fn build_into(
    input: Box<dyn Read + Send>,
    source_name: &str,
    dir: &Path,
    options: &BuildOptions,
    progress: &mut dyn FnMut(&Progress),
    started: Instant,
) -> Result<BuildReport, CatalogError> {
    let mut read = read_runs(input, source_name, dir, options, progress)?;
    let ordinal = write_index(&mut read, dir, options, progress, started)?;
    finish_index(read, ordinal, source_name, dir, options, progress, started)
}

/// What the reading phase leaves: the report so far, the sorted runs, and the source's size
/// and SHA-256.
struct ReadPhase {
    report: BuildReport,
    runs_dir: PathBuf,
    runs: Vec<PathBuf>,
    source_sha256: String,
    total_bytes: u64,
}

/// Phase 1: reads and checks every row, sorting the valid ones in runs on disk, while the
/// raw input is hashed.
fn read_runs(
    input: Box<dyn Read + Send>,
    source_name: &str,
    dir: &Path,
    options: &BuildOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<ReadPhase, CatalogError> {
    let bytes = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counting = Counting {
        inner: input,
        hasher: Sha256::new(),
        bytes: bytes.clone(),
    };
    let (hash_tx, hash_rx) = std::sync::mpsc::channel();
    let reader = HashOnDrop {
        inner: Some(counting),
        done: hash_tx,
    };
    let decoded = source::decompress(Box::new(reader)).map_err(|e| CatalogError::Source {
        source_name: source_name.to_owned(),
        message: e.to_string(),
    })?;
    let mut rows = ProductReader::new(decoded, source_name)?;
    let read_bytes = || bytes.load(std::sync::atomic::Ordering::Relaxed);

    progress(&Progress {
        phase: Phase::Reading,
        done: 0,
        total: 0,
        bytes: 0,
    });
    let runs_dir = dir.join("runs");
    std::fs::create_dir_all(&runs_dir).map_err(|e| CatalogError::io(&runs_dir, &e))?;
    let mut report = empty_report();
    let mut runs: Vec<PathBuf> = Vec::new();
    let mut chunk: Vec<(u64, Product)> = Vec::new();
    let mut chunk_bytes = 0usize;
    while let Some((line, row)) = rows.next_row()? {
        report.rows += 1;
        match row {
            Ok(p) => {
                chunk_bytes +=
                    160 + p.product_code.len() + p.product_name.len() + p.unit_type.len();
                chunk.push((line, p));
                if chunk_bytes >= options.sort_memory {
                    runs.push(spill(&runs_dir, runs.len(), &mut chunk)?);
                    chunk_bytes = 0;
                }
            }
            Err(problem) => {
                report.invalid_count += 1;
                if report.invalid.len() < options.report_limit {
                    report.invalid.push(problem);
                }
            }
        }
        if report.rows.is_multiple_of(100_000) {
            progress(&Progress {
                phase: Phase::Reading,
                done: report.rows,
                total: 0,
                bytes: read_bytes(),
            });
        }
    }
    if !chunk.is_empty() || runs.is_empty() {
        runs.push(spill(&runs_dir, runs.len(), &mut chunk)?);
    }
    // The run buffer keeps its capacity after spilling; give it back before merging.
    drop(chunk);
    drop(rows);
    let source_sha256 = match hash_rx.recv() {
        Ok(Ok(hash)) => hash,
        Ok(Err(message)) => {
            return Err(CatalogError::Source {
                source_name: source_name.to_owned(),
                message: format!("reading the rest of the source to hash it failed: {message}"),
            });
        }
        Err(_) => {
            return Err(CatalogError::Source {
                source_name: source_name.to_owned(),
                message: "the source's SHA-256 was not computed".to_owned(),
            });
        }
    };
    Ok(ReadPhase {
        report,
        runs_dir,
        runs,
        source_sha256,
        total_bytes: read_bytes(),
    })
}

/// Phase 2: merges the runs in code order and writes the codes map, the record store and the
/// search index, reporting duplicates; returns how many products were written.
fn write_index(
    read: &mut ReadPhase,
    dir: &Path,
    options: &BuildOptions,
    progress: &mut dyn FnMut(&Progress),
    started: Instant,
) -> Result<u32, CatalogError> {
    let total_bytes = read.total_bytes;
    let report = &mut read.report;
    progress(&Progress {
        phase: Phase::Writing,
        done: 0,
        total: report.rows,
        bytes: total_bytes,
    });
    let mut merge = Merge::open(&read.runs)?;
    let codes_path = dir.join(manifest::CODES);
    let mut codes = fst::MapBuilder::new(BufWriter::new(create(&codes_path)?))
        .map_err(|e| CatalogError::io(&codes_path, &std::io::Error::other(e)))?;
    let records_path = dir.join(manifest::RECORDS);
    let strings_path = dir.join(manifest::STRINGS);
    let mut store = StoreWriter::new(
        BufWriter::with_capacity(1 << 20, create(&records_path)?),
        BufWriter::with_capacity(1 << 20, create(&strings_path)?),
    )
    .map_err(|e| CatalogError::io(&records_path, &e))?;
    let mut search = SearchWriter::create(&dir.join(manifest::SEARCH), options.search_memory)?;
    let mut last: Option<(String, u64)> = None;
    let mut ordinal: u32 = 0;
    while let Some((line, product)) = merge.next()? {
        if let Some((code, first_line)) = &last
            && *code == product.product_code
        {
            report.duplicate_count += 1;
            if report.duplicates.len() < options.report_limit {
                report.duplicates.push(Duplicate {
                    product_code: code.clone(),
                    line,
                    first_line: *first_line,
                });
            }
            continue;
        }
        if options.on_invalid == OnInvalid::Reject
            && (report.invalid_count > 0 || report.duplicate_count > 0)
        {
            // Keep merging only to count duplicates for the report.
            last = Some((product.product_code, line));
            continue;
        }
        codes
            .insert(product.product_code.as_bytes(), u64::from(ordinal))
            .map_err(|e| CatalogError::io(&codes_path, &std::io::Error::other(e)))?;
        store
            .push(&product)
            .map_err(|e| CatalogError::io(&records_path, &e))?;
        search.add(ordinal, &product)?;
        ordinal = ordinal.checked_add(1).ok_or_else(|| CatalogError::Query {
            message: "more than 4,294,967,295 products".to_owned(),
        })?;
        if ordinal.is_multiple_of(100_000) {
            progress(&Progress {
                phase: Phase::Writing,
                done: u64::from(ordinal),
                total: report.rows,
                bytes: total_bytes,
            });
        }
        last = Some((product.product_code, line));
    }
    drop(merge);
    let _ = std::fs::remove_dir_all(&read.runs_dir);

    if options.on_invalid == OnInvalid::Reject
        && (report.invalid_count > 0 || report.duplicate_count > 0)
    {
        let (first_line, first_message) = first_problem(report);
        report.millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        return Err(CatalogError::Rejected {
            invalid: report.invalid_count,
            duplicates: report.duplicate_count,
            first_line,
            first_message,
            report: Box::new(std::mem::replace(report, empty_report())),
        });
    }

    codes
        .finish()
        .map_err(|e| CatalogError::io(&codes_path, &std::io::Error::other(e)))?;
    let (records, _, rows_written) = store
        .finish()
        .map_err(|e| CatalogError::io(&records_path, &e))?;
    patch_row_count(records, rows_written).map_err(|e| CatalogError::io(&records_path, &e))?;
    // The search index first: its writer's memory is freed before the class index needs its
    // own.
    search.finish(&mut |done, total| {
        progress(&Progress {
            phase: Phase::Merging,
            done,
            total,
            bytes: total_bytes,
        });
    })?;
    Ok(ordinal)
}

/// Phase 3: writes the classification index from the records, then the manifest with every
/// file's size and SHA-256.
fn finish_index(
    read: ReadPhase,
    ordinal: u32,
    source_name: &str,
    dir: &Path,
    options: &BuildOptions,
    progress: &mut dyn FnMut(&Progress),
    started: Instant,
) -> Result<BuildReport, CatalogError> {
    let mut report = read.report;
    progress(&Progress {
        phase: Phase::Finishing,
        done: u64::from(ordinal),
        total: report.rows,
        bytes: read.total_bytes,
    });
    report.classes = classes::write_from_records(
        &dir.join(manifest::RECORDS),
        BufWriter::new(create(&dir.join(manifest::CLASSES))?),
        BufWriter::new(create(&dir.join(manifest::POSTINGS))?),
    )?;
    report.products = u64::from(ordinal);

    let mut files = Vec::new();
    for name in manifest::FILES {
        files.push(FileEntry::of(&dir.join(name), name)?);
    }
    files.extend(manifest::search_entries(dir)?);
    report.millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let m = Manifest::new(
        report.products,
        report.classes,
        SourceInfo {
            name: source_name.to_owned(),
            sha256: read.source_sha256,
            bytes: read.total_bytes,
            rows: report.rows,
            invalid: report.invalid_count,
            duplicates: report.duplicate_count,
        },
        files,
        options.clone(),
    );
    m.write(dir)?;
    Ok(report)
}

fn empty_report() -> BuildReport {
    BuildReport {
        rows: 0,
        products: 0,
        classes: 0,
        invalid_count: 0,
        invalid: Vec::new(),
        duplicate_count: 0,
        duplicates: Vec::new(),
        millis: 0,
    }
}

fn first_problem(report: &BuildReport) -> (u64, String) {
    let invalid = report
        .invalid
        .first()
        .map(|p| (p.line, format!("{}: {}", p.field, p.message)));
    let duplicate = report.duplicates.first().map(|d| {
        (
            d.line,
            format!(
                "product_code {} already on line {}",
                d.product_code, d.first_line
            ),
        )
    });
    match (invalid, duplicate) {
        (Some(a), Some(b)) => {
            if a.0 <= b.0 {
                a
            } else {
                b
            }
        }
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => (0, String::new()),
    }
}

fn create(path: &Path) -> Result<File, CatalogError> {
    File::create(path).map_err(|e| CatalogError::io(path, &e))
}

fn patch_row_count(records: BufWriter<File>, rows: u64) -> std::io::Result<()> {
    let mut file = records.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(RECORDS_MAGIC.len() as u64))?;
    file.write_all(&rows.to_le_bytes())?;
    file.sync_all()
}

/// Sorts `chunk` by code (then line) and writes it as run number `n`.
fn spill(dir: &Path, n: usize, chunk: &mut Vec<(u64, Product)>) -> Result<PathBuf, CatalogError> {
    chunk.sort_unstable_by(|a, b| {
        a.1.product_code
            .as_bytes()
            .cmp(b.1.product_code.as_bytes())
            .then(a.0.cmp(&b.0))
    });
    let path = dir.join(format!("run-{n:05}"));
    let mut out = BufWriter::with_capacity(1 << 20, create(&path)?);
    for (line, p) in chunk.drain(..) {
        run::write(&mut out, line, &p).map_err(|e| CatalogError::io(&path, &e))?;
    }
    out.flush().map_err(|e| CatalogError::io(&path, &e))?;
    Ok(path)
}

/// A k-way merge of sorted runs, yielding products in (code, line) order.
struct Merge {
    readers: Vec<(PathBuf, BufReader<File>)>,
    heads: Vec<Option<(u64, Product)>>,
    heap: BinaryHeap<Reverse<(Vec<u8>, u64, usize)>>,
    buf: Vec<u8>,
}

impl Merge {
    fn open(runs: &[PathBuf]) -> Result<Merge, CatalogError> {
        let mut m = Merge {
            readers: Vec::with_capacity(runs.len()),
            heads: Vec::with_capacity(runs.len()),
            heap: BinaryHeap::with_capacity(runs.len()),
            buf: Vec::new(),
        };
        for path in runs {
            let file = File::open(path).map_err(|e| CatalogError::io(path, &e))?;
            m.readers
                .push((path.clone(), BufReader::with_capacity(1 << 20, file)));
            m.heads.push(None);
            let i = m.readers.len() - 1;
            m.advance(i)?;
        }
        Ok(m)
    }

    fn advance(&mut self, i: usize) -> Result<(), CatalogError> {
        let (path, reader) = &mut self.readers[i];
        let next = run::read(reader, &mut self.buf).map_err(|e| CatalogError::io(path, &e))?;
        if let Some((line, p)) = &next {
            self.heap
                .push(Reverse((p.product_code.as_bytes().to_vec(), *line, i)));
        }
        self.heads[i] = next;
        Ok(())
    }

    fn next(&mut self) -> Result<Option<(u64, Product)>, CatalogError> {
        let Some(Reverse((_, _, i))) = self.heap.pop() else {
            return Ok(None);
        };
        let head = self.heads[i].take();
        self.advance(i)?;
        Ok(head)
    }
}

/// Sends the input's SHA-256 when the reader is dropped: the bytes the CSV reader left
/// unread (after the last row, or past a compressed stream's end) are read and hashed first,
/// so the hash is always the whole source's; a read that fails is sent as its message.
struct HashOnDrop<R: Read> {
    inner: Option<Counting<R>>,
    done: std::sync::mpsc::Sender<Result<String, String>>,
}

impl<R: Read> Read for HashOnDrop<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match &mut self.inner {
            Some(r) => r.read(buf),
            None => Ok(0),
        }
    }
}

impl<R: Read> Drop for HashOnDrop<R> {
    fn drop(&mut self) {
        if let Some(mut r) = self.inner.take() {
            let result = match std::io::copy(&mut r, &mut std::io::sink()) {
                Ok(_) => Ok(crate::hex::lower(&r.hasher.finalize())),
                Err(e) => Err(e.to_string()),
            };
            // The receiver is gone only when the build already failed.
            let _ = self.done.send(result);
        }
    }
}

//! Reading products from CSV exactly as PostgreSQL's `COPY ... TO STDOUT WITH (FORMAT csv,
//! HEADER)` writes them: quoted fields with commas, quotes and newlines, UTF-8, empty fields for
//! NULL, `t`/`f` booleans. The input may be plain, gzip or zstd (recognised by its first bytes),
//! from a file or any reader.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::CatalogError;
use super::product::{COLUMNS, MAX_CODE_LEN, MAX_NAME_LEN, MAX_UNIT_LEN, Product, parse_timestamp};
use crate::dian::TariffCode;

/// A row that could not be read, with its line and field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowProblem {
    /// The line the row starts on (1-based; the header is line 1).
    pub line: u64,
    /// The column, or `row` for a problem with the whole row.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Opens a file, undoing gzip or zstd compression when the content says so.
pub fn open_path(path: &Path) -> Result<Box<dyn Read + Send>, CatalogError> {
    let file = File::open(path).map_err(|e| CatalogError::io(path, &e))?;
    decompress(Box::new(file)).map_err(|e| CatalogError::io(path, &e))
}

/// Wraps `input` in a decoder when it starts with the gzip or zstd magic bytes.
pub fn decompress(input: Box<dyn Read + Send>) -> std::io::Result<Box<dyn Read + Send>> {
    let mut buffered = BufReader::with_capacity(1 << 20, input);
    let head = buffered.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(buffered)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Ok(Box::new(zstd::stream::read::Decoder::with_buffer(
            buffered,
        )?))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Reads product rows; each row is a product or the problem that stopped it.
pub struct ProductReader {
    reader: csv::Reader<Box<dyn Read + Send>>,
    index: [usize; 9],
    columns: usize,
    record: csv::StringRecord,
}

impl std::fmt::Debug for ProductReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProductReader").finish_non_exhaustive()
    }
}

impl ProductReader {
    /// Starts reading: checks the header names every column of the seed's table (in any
    /// order; extra columns are ignored). Every row must have as many fields as the header:
    /// a row with fewer or more (a truncated or shifted row) is a problem at its line.
    pub fn new(input: Box<dyn Read + Send>, name: &str) -> Result<ProductReader, CatalogError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| CatalogError::Source {
                source_name: name.to_owned(),
                message: format!("cannot read the header: {e}"),
            })?
            .clone();
        let mut index = [0usize; 9];
        for (slot, column) in index.iter_mut().zip(COLUMNS) {
            *slot = headers
                .iter()
                .position(|h| h.trim().trim_start_matches('\u{feff}') == column)
                .ok_or_else(|| CatalogError::Source {
                    source_name: name.to_owned(),
                    message: format!(
                        "the header has no {column:?} column (expected {})",
                        COLUMNS.join(",")
                    ),
                })?;
        }
        Ok(ProductReader {
            reader,
            index,
            columns: headers.len(),
            record: csv::StringRecord::new(),
        })
    }

    /// The next row, `None` at the end. The outer error is a failure to read the input at all
    /// (an I/O error, a broken compressed stream); a row that is wrong is the inner error.
    #[allow(clippy::type_complexity)]
    pub fn next_row(&mut self) -> Result<Option<(u64, Result<Product, RowProblem>)>, CatalogError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                if self.record.len() != self.columns {
                    return Ok(Some((
                        line,
                        Err(RowProblem {
                            line,
                            field: "row".to_owned(),
                            message: format!(
                                "has {} fields; the header has {}",
                                self.record.len(),
                                self.columns
                            ),
                        }),
                    )));
                }
                Ok(Some((line, parse_row(&self.record, &self.index, line))))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                match e.kind() {
                    csv::ErrorKind::Io(_) => Err(CatalogError::Source {
                        source_name: "input".to_owned(),
                        message: format!("read failed near line {line}: {e}"),
                    }),
                    _ => Ok(Some((
                        line,
                        Err(RowProblem {
                            line,
                            field: "row".to_owned(),
                            message: e.to_string(),
                        }),
                    ))),
                }
            }
        }
    }
}

fn parse_row(
    record: &csv::StringRecord,
    index: &[usize; 9],
    line: u64,
) -> Result<Product, RowProblem> {
    let problem = |field: &str, message: String| RowProblem {
        line,
        field: field.to_owned(),
        message,
    };
    let get = |i: usize| record.get(index[i]).unwrap_or("");
    let text = |i: usize, max: usize| -> Result<String, RowProblem> {
        let value = get(i);
        if value.trim().is_empty() {
            return Err(problem(COLUMNS[i], "is empty".to_owned()));
        }
        if value.chars().count() > max {
            return Err(problem(
                COLUMNS[i],
                format!("is longer than {max} characters"),
            ));
        }
        Ok(value.to_owned())
    };
    let product_id = get(0)
        .trim()
        .parse::<i64>()
        .map_err(|_| problem("product_id", format!("{:?} is not an integer", get(0))))?;
    let product_code = text(1, MAX_CODE_LEN)?;
    if product_code.chars().any(char::is_control) {
        return Err(problem(
            "product_code",
            "contains a control character".to_owned(),
        ));
    }
    let product_name = text(2, MAX_NAME_LEN)?;
    let dian_classification = TariffCode::parse(get(3))
        .map_err(|e| problem("dian_classification", format!("{e} [{}]", e.code())))?;
    let category_id = get(4)
        .trim()
        .parse::<i32>()
        .map_err(|_| problem("category_id", format!("{:?} is not an integer", get(4))))?;
    let unit_type = text(5, MAX_UNIT_LEN)?;
    // An empty is_active is refused rather than read as active: a truncated delta row must
    // not reactivate a product.
    let is_active = match get(6).trim() {
        "t" | "true" | "TRUE" | "1" => true,
        "f" | "false" | "FALSE" | "0" => false,
        "" => return Err(problem("is_active", "is empty; expected t or f".to_owned())),
        other => return Err(problem("is_active", format!("{other:?} is not t or f"))),
    };
    let timestamp = |i: usize| -> Result<_, RowProblem> {
        let value = get(i).trim();
        if value.is_empty() {
            return Ok(None);
        }
        parse_timestamp(value)
            .map(Some)
            .ok_or_else(|| problem(COLUMNS[i], format!("{value:?} is not a timestamp")))
    };
    Ok(Product {
        product_id,
        product_code,
        product_name,
        dian_classification,
        category_id,
        unit_type,
        is_active,
        created_at: timestamp(7)?,
        updated_at: timestamp(8)?,
    })
}

/// Reads every valid product of a CSV (plain, gzip or zstd) into memory, up to `limit`
/// products; rows that are wrong are skipped. For samples and generators, not for building
/// an index (which streams).
pub fn read_products(path: &std::path::Path, limit: usize) -> Result<Vec<Product>, CatalogError> {
    let input = decompress(open_path(path)?).map_err(|e| CatalogError::Source {
        source_name: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut reader = ProductReader::new(input, &path.display().to_string())?;
    let mut products = Vec::new();
    while products.len() < limit {
        match reader.next_row()? {
            Some((_, Ok(product))) => products.push(product),
            Some((_, Err(_))) => {}
            None => break,
        }
    }
    Ok(products)
}

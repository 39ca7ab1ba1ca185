//! The record store: one fixed-width row per product, addressed by ordinal, and a heap of the
//! products' strings. Rows hold numbers and the heap offset; the heap holds code, name and
//! unit back to back.
//!
//! `records.bin`: magic `BMCREC01`, row count (u64 LE), then `ROW` bytes a row.
//! `strings.bin`: magic `BMCSTR01`, then the strings.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime};

use super::CatalogError;
use super::product::Product;
use crate::dian::TariffCode;

pub(super) const RECORDS_MAGIC: &[u8; 8] = b"BMCREC01";
pub(super) const STRINGS_MAGIC: &[u8; 8] = b"BMCSTR01";
/// Bytes before the first row.
pub(super) const RECORDS_HEADER: usize = 16;
/// Bytes a row.
pub(super) const ROW: usize = 56;
/// Where a row holds its 10-digit classification.
pub(super) const CLASS_AT: usize = 42;

const NULL_TIME: i64 = i64::MIN;

fn micros(t: Option<NaiveDateTime>) -> i64 {
    t.map_or(NULL_TIME, |t| t.and_utc().timestamp_micros())
}

fn from_micros(m: i64) -> Option<NaiveDateTime> {
    (m != NULL_TIME)
        .then(|| DateTime::from_timestamp_micros(m).map(|t| t.naive_utc()))
        .flatten()
}

/// Writes rows and strings in ordinal order.
pub(super) struct StoreWriter<W: Write> {
    records: W,
    strings: W,
    heap_len: u64,
    rows: u64,
}

impl<W: Write> StoreWriter<W> {
    pub fn new(mut records: W, mut strings: W) -> std::io::Result<StoreWriter<W>> {
        records.write_all(RECORDS_MAGIC)?;
        records.write_all(&0u64.to_le_bytes())?; // row count, patched by the builder
        strings.write_all(STRINGS_MAGIC)?;
        Ok(StoreWriter {
            records,
            strings,
            heap_len: STRINGS_MAGIC.len() as u64,
            rows: 0,
        })
    }

    pub fn push(&mut self, p: &Product) -> std::io::Result<()> {
        let code = p.product_code.as_bytes();
        let name = p.product_name.as_bytes();
        let unit = p.unit_type.as_bytes();
        let mut row = [0u8; ROW];
        row[0..8].copy_from_slice(&p.product_id.to_le_bytes());
        row[8..16].copy_from_slice(&micros(p.created_at).to_le_bytes());
        row[16..24].copy_from_slice(&micros(p.updated_at).to_le_bytes());
        row[24..32].copy_from_slice(&self.heap_len.to_le_bytes());
        row[32..36].copy_from_slice(&p.category_id.to_le_bytes());
        // Lengths are bounded by the source checks (50, 255 and 20 characters of at most four
        // bytes each), so they fit these widths.
        row[36..38].copy_from_slice(&(code.len() as u16).to_le_bytes());
        row[38..40].copy_from_slice(&(name.len() as u16).to_le_bytes());
        row[40] = unit.len() as u8;
        row[41] = u8::from(p.is_active);
        row[CLASS_AT..CLASS_AT + 10].copy_from_slice(p.dian_classification.as_str().as_bytes());
        self.records.write_all(&row)?;
        self.strings.write_all(code)?;
        self.strings.write_all(name)?;
        self.strings.write_all(unit)?;
        self.heap_len += (code.len() + name.len() + unit.len()) as u64;
        self.rows += 1;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<(W, W, u64)> {
        self.records.flush()?;
        self.strings.flush()?;
        Ok((self.records, self.strings, self.rows))
    }
}

/// Reads rows from the mapped files, checking every offset.
pub(super) struct StoreReader<'a> {
    pub records: &'a [u8],
    pub strings: &'a [u8],
    pub records_path: &'a Path,
    pub strings_path: &'a Path,
}

impl StoreReader<'_> {
    pub fn check_headers(&self, expected_rows: u64) -> Result<(), CatalogError> {
        if self.records.get(..8) != Some(RECORDS_MAGIC.as_slice()) {
            return Err(CatalogError::corrupt(
                self.records_path,
                "not a bmc records file",
            ));
        }
        if self.strings.get(..8) != Some(STRINGS_MAGIC.as_slice()) {
            return Err(CatalogError::corrupt(
                self.strings_path,
                "not a bmc strings file",
            ));
        }
        let rows = u64::from_le_bytes(self.records[8..16].try_into().unwrap_or_default());
        let expected_len = RECORDS_HEADER as u64 + rows * ROW as u64;
        if rows != expected_rows || self.records.len() as u64 != expected_len {
            return Err(CatalogError::corrupt(
                self.records_path,
                format!(
                    "holds {rows} rows in {} bytes; the manifest says {expected_rows}",
                    self.records.len()
                ),
            ));
        }
        Ok(())
    }

    fn row(&self, ordinal: u64) -> Result<&[u8], CatalogError> {
        let start = usize::try_from(ordinal)
            .ok()
            .and_then(|o| o.checked_mul(ROW))
            .and_then(|o| o.checked_add(RECORDS_HEADER))
            .ok_or_else(|| {
                CatalogError::corrupt(
                    self.records_path,
                    format!("ordinal {ordinal} is out of range"),
                )
            })?;
        self.records.get(start..start + ROW).ok_or_else(|| {
            CatalogError::corrupt(
                self.records_path,
                format!("ordinal {ordinal} is past the last row"),
            )
        })
    }

    /// Whether the product at `ordinal` is active.
    pub fn is_active(&self, ordinal: u64) -> Result<bool, CatalogError> {
        Ok(self.row(ordinal)?[41] & 1 == 1)
    }

    fn layout(&self, row: &[u8]) -> (usize, usize, usize, usize) {
        let le16 = |i: usize| usize::from(u16::from_le_bytes([row[i], row[i + 1]]));
        let offset = u64::from_le_bytes(row[24..32].try_into().unwrap_or_default());
        (
            usize::try_from(offset).unwrap_or(usize::MAX),
            le16(36),
            le16(38),
            usize::from(row[40]),
        )
    }

    fn text(&self, start: usize, len: usize) -> Result<&str, CatalogError> {
        let bytes = start
            .checked_add(len)
            .and_then(|end| self.strings.get(start..end))
            .ok_or_else(|| {
                CatalogError::corrupt(
                    self.strings_path,
                    format!("string at {start}+{len} is outside the file"),
                )
            })?;
        std::str::from_utf8(bytes).map_err(|_| {
            CatalogError::corrupt(self.strings_path, format!("string at {start} is not UTF-8"))
        })
    }

    /// The product at `ordinal`.
    pub fn product(&self, ordinal: u64) -> Result<Product, CatalogError> {
        let row = self.row(ordinal)?;
        let i64_at = |i: usize| i64::from_le_bytes(row[i..i + 8].try_into().unwrap_or_default());
        let (offset, code_len, name_len, unit_len) = self.layout(row);
        let code = self.text(offset, code_len)?;
        let name = self.text(offset + code_len, name_len)?;
        let unit = self.text(offset + code_len + name_len, unit_len)?;
        let class = std::str::from_utf8(&row[CLASS_AT..CLASS_AT + 10])
            .ok()
            .and_then(|c| TariffCode::parse(c).ok())
            .ok_or_else(|| {
                CatalogError::corrupt(
                    self.records_path,
                    format!("row {ordinal} has a bad classification"),
                )
            })?;
        Ok(Product {
            product_id: i64_at(0),
            product_code: code.to_owned(),
            product_name: name.to_owned(),
            dian_classification: class,
            category_id: i32::from_le_bytes(row[32..36].try_into().unwrap_or_default()),
            unit_type: unit.to_owned(),
            is_active: row[41] & 1 == 1,
            created_at: from_micros(i64_at(8)),
            updated_at: from_micros(i64_at(16)),
        })
    }
}

/// Products in a sort run: length-prefixed, with the source line for duplicate reports.
pub(super) mod run {
    use std::io::{self, Read, Write};

    use super::{from_micros, micros};
    use crate::catalog::product::Product;
    use crate::dian::TariffCode;

    pub fn write(out: &mut impl Write, line: u64, p: &Product) -> io::Result<()> {
        let code = p.product_code.as_bytes();
        let name = p.product_name.as_bytes();
        let unit = p.unit_type.as_bytes();
        let len = 8 + 8 + 8 + 8 + 4 + 1 + 10 + 2 + code.len() + 2 + name.len() + 1 + unit.len();
        out.write_all(&(len as u32).to_le_bytes())?;
        out.write_all(&line.to_le_bytes())?;
        out.write_all(&p.product_id.to_le_bytes())?;
        out.write_all(&micros(p.created_at).to_le_bytes())?;
        out.write_all(&micros(p.updated_at).to_le_bytes())?;
        out.write_all(&p.category_id.to_le_bytes())?;
        out.write_all(&[u8::from(p.is_active)])?;
        out.write_all(p.dian_classification.as_str().as_bytes())?;
        out.write_all(&(code.len() as u16).to_le_bytes())?;
        out.write_all(code)?;
        out.write_all(&(name.len() as u16).to_le_bytes())?;
        out.write_all(name)?;
        out.write_all(&[unit.len() as u8])?;
        out.write_all(unit)
    }

    pub fn read(input: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<Option<(u64, Product)>> {
        let mut len = [0u8; 4];
        match input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        buf.resize(u32::from_le_bytes(len) as usize, 0);
        input.read_exact(buf)?;
        let bad = || io::Error::new(io::ErrorKind::InvalidData, "corrupt sort run");
        let mut at = 0usize;
        let mut take = |n: usize| -> io::Result<&[u8]> {
            let s = buf.get(at..at + n).ok_or_else(bad)?;
            at += n;
            Ok(s)
        };
        let i64_of = |s: &[u8]| i64::from_le_bytes(s.try_into().unwrap_or_default());
        let line = u64::from_le_bytes(take(8)?.try_into().unwrap_or_default());
        let product_id = i64_of(take(8)?);
        let created = i64_of(take(8)?);
        let updated = i64_of(take(8)?);
        let category_id = i32::from_le_bytes(take(4)?.try_into().unwrap_or_default());
        let is_active = take(1)?[0] == 1;
        let class = std::str::from_utf8(take(10)?).map_err(|_| bad())?;
        let dian_classification = TariffCode::parse(class).map_err(|_| bad())?;
        let text = |s: &[u8]| String::from_utf8(s.to_vec()).map_err(|_| bad());
        let code_len = u16::from_le_bytes(take(2)?.try_into().unwrap_or_default()) as usize;
        let product_code = text(take(code_len)?)?;
        let name_len = u16::from_le_bytes(take(2)?.try_into().unwrap_or_default()) as usize;
        let product_name = text(take(name_len)?)?;
        let unit_len = take(1)?[0] as usize;
        let unit_type = text(take(unit_len)?)?;
        Ok(Some((
            line,
            Product {
                product_id,
                product_code,
                product_name,
                dian_classification,
                category_id,
                unit_type,
                is_active,
                created_at: from_micros(created),
                updated_at: from_micros(updated),
            },
        )))
    }
}

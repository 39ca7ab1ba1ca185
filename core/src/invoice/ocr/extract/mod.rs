//! Text lines → invoice fields, each with the confidence of the words it came from.
//!
//! The reader finds fields, not a layout: labels are a vocabulary ([`vocabulary`]) with many
//! spellings per field, values are read beside or below their label wherever it sits on
//! the page, the lines table is recognised by its header row whatever its columns and
//! their order ([`table`]), and a product code is read from its own column, from inside the
//! description (in parentheses or before a dash) or not at all. A field that is not found
//! is left out, so everything else still comes back; only text without an invoice in it is
//! refused.

mod header;
mod table;
mod tokens;
mod totals;
mod vocabulary;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::numbers::detect_mark;
use super::text::{TextLine, Word, min_confidence};
use crate::invoice::{DocumentKind, InvoiceError, ItemCode, Party};

/// A value read from the page and the lowest confidence of its words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Read<T> {
    pub value: T,
    pub confidence: f32,
}

pub(crate) fn read<T>(value: T, words: &[Word]) -> Read<T> {
    Read {
        value,
        confidence: min_confidence(words),
    }
}

/// An id read: the number, the check digit when printed, and the DIAN id type.
pub(crate) type IdRead = (Read<String>, Option<Read<String>>, String);

/// One row of the lines table.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub id: Read<String>,
    pub code: Option<Read<String>>,
    pub description: Read<String>,
    pub quantity: Read<Decimal>,
    pub unit_price: Read<Decimal>,
    pub tax_percent: Option<Read<Decimal>>,
    pub base: Read<Decimal>,
    /// Where the description starts on the page, to recognise its continuation lines.
    pub description_left: f32,
}

/// Everything found on the page, before it becomes an [`Invoice`](crate::invoice::Invoice).
#[derive(Debug, Clone, Default)]
pub(crate) struct Found {
    pub kind: Option<(DocumentKind, String)>,
    pub number: Option<Read<String>>,
    pub issue_date: Option<Read<NaiveDate>>,
    pub issue_time: Option<Read<String>>,
    pub due_date: Option<Read<NaiveDate>>,
    pub billing_reference: Option<Read<String>>,
    pub seller_name: Option<Read<String>>,
    pub seller: Option<IdRead>,
    pub buyer_name: Option<Read<String>>,
    pub buyer: Option<IdRead>,
    pub rows: Vec<Row>,
    pub unreadable_rows: Vec<String>,
    /// Whether the table prints each line's IVA rate (without, the rates are inferred).
    pub rates_printed: bool,
    pub subtotal: Option<Read<Decimal>>,
    pub taxes: BTreeMap<String, Read<Decimal>>,
    pub total: Option<Read<Decimal>>,
    pub cufe: Option<Read<String>>,
}

/// Reads the fields of an invoice from its lines: the lines table first (its rows are not
/// searched for labels), then every label outside it, then the header's fields, the
/// totals and the CUFE.
pub(crate) fn extract(lines: &[TextLine]) -> Result<Found, InvoiceError> {
    let mark = detect_mark(
        lines
            .iter()
            .flat_map(|l| l.words.iter().map(|w| w.text.as_str())),
    );
    let mut found = Found::default();
    let table = table::read_table(lines, mark, &mut found);
    let outside = (0..lines.len()).filter(|l| !table.as_ref().is_some_and(|t| t.contains(*l)));
    let labels = vocabulary::find_labels(lines, outside);
    let header_end = table.as_ref().map_or(lines.len(), |t| t.start);
    let tail_start = table.as_ref().map_or(0, |t| t.end);
    header::read_header(lines, &labels, header_end, &mut found);
    totals::read_totals(lines, &labels, tail_start, mark, &mut found);
    enough(found)
}

/// The fields read, or `OCR_NO_INVOICE` when the text holds no invoice: fewer than two of
/// a number, an issue date, and lines or a total.
fn enough(found: Found) -> Result<Found, InvoiceError> {
    let mut missing = Vec::new();
    if found.number.is_none() {
        missing.push("number");
    }
    if found.issue_date.is_none() {
        missing.push("issue date");
    }
    if found.rows.is_empty() && found.total.is_none() {
        missing.push("lines and total");
    }
    if missing.len() >= 2 {
        return Err(InvoiceError::NoInvoiceInText {
            missing: missing.join(", "),
        });
    }
    Ok(found)
}

/// Builds the party from an id read and a name read.
pub(crate) fn party(id: &Option<IdRead>, name: &Option<Read<String>>) -> Party {
    Party {
        id_type: id.as_ref().map(|i| i.2.clone()).unwrap_or_default(),
        id: id.as_ref().map(|i| i.0.value.clone()).unwrap_or_default(),
        check_digit: id
            .as_ref()
            .and_then(|i| i.1.as_ref())
            .map(|dv| dv.value.clone()),
        name: name.as_ref().map(|n| n.value.clone()).unwrap_or_default(),
    }
}

/// The scheme a printed product code most likely belongs to: a valid subpartida is `020`,
/// a GTIN with a right check digit `010`, anything else the seller's own `999`.
pub(crate) fn item_code(code: &str) -> ItemCode {
    use crate::dian::ProductCode;
    let scheme = if code.len() == 10 && ProductCode::parse("020", code).is_ok() {
        "020"
    } else if matches!(code.len(), 8 | 12 | 13 | 14) && ProductCode::parse("010", code).is_ok() {
        "010"
    } else {
        "999"
    };
    ItemCode {
        scheme: scheme.to_string(),
        code: code.to_string(),
    }
}

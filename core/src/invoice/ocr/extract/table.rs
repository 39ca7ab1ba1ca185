//! The lines table, recognised by its header row whatever its columns and their order:
//! each heading (`Descripción`, `Detalle`, `Concepto`; `Cant.`, `Cantidad`; `Vr. unitario`,
//! `Precio`; `IVA`, `% IVA`; `Total`, `Importe`, `Valor` ...) names a column, and a row is
//! read against them from both ends: the columns left of the description from the left,
//! the others from the right, the description being what lies between. A product code is
//! read from its own column, or from the description: in parentheses at its end or before
//! a dash at its start. A row that continues on the next line (a wrapped description) is
//! joined to it; a table that continues on the next page, under its header again, too.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::super::numbers::{DecimalMark, parse_number};
use super::super::text::{TextLine, Word};
use super::tokens::{clean_code, is_money_or_rate, line_number, looks_like_code, money_tokens};
use super::vocabulary::{Field, find_labels, label_word};
use super::{Found, Read, Row, read};
use crate::invoice::Column;
use crate::invoice::ocr::labels::join;

/// Column headings, folded, words separated by one space.
const HEADINGS: &[(&str, Column)] = &[
    ("#", Column::Item),
    ("item", Column::Item),
    ("no", Column::Item),
    ("n°", Column::Item),
    ("nº", Column::Item),
    ("nro", Column::Item),
    ("linea", Column::Item),
    ("codigo", Column::Code),
    ("cod", Column::Code),
    ("codigo producto", Column::Code),
    ("cod producto", Column::Code),
    ("referencia", Column::Code),
    ("ref", Column::Code),
    ("sku", Column::Code),
    ("plu", Column::Code),
    ("descripcion", Column::Description),
    ("descripcion del producto", Column::Description),
    ("detalle", Column::Description),
    ("producto", Column::Description),
    ("concepto", Column::Description),
    ("articulo", Column::Description),
    ("nombre", Column::Description),
    ("bien o servicio", Column::Description),
    ("mercancia", Column::Description),
    ("unidad", Column::Unit),
    ("unidad de medida", Column::Unit),
    ("u m", Column::Unit),
    ("um", Column::Unit),
    ("u/m", Column::Unit),
    ("und", Column::Unit),
    ("unid", Column::Unit),
    ("medida", Column::Unit),
    ("cant", Column::Quantity),
    ("cantidad", Column::Quantity),
    ("vr unitario", Column::Price),
    ("vr unit", Column::Price),
    ("vlr unitario", Column::Price),
    ("vlr unit", Column::Price),
    ("valor unitario", Column::Price),
    ("valor unit", Column::Price),
    ("v unitario", Column::Price),
    ("p unitario", Column::Price),
    ("p unit", Column::Price),
    ("precio", Column::Price),
    ("precio unitario", Column::Price),
    ("precio unit", Column::Price),
    ("unitario", Column::Price),
    ("unit", Column::Price),
    ("iva", Column::Tax),
    ("% iva", Column::Tax),
    ("iva %", Column::Tax),
    // The sign glued to its word, as OCR often reads it.
    ("%iva", Column::Tax),
    ("iva%", Column::Tax),
    ("%", Column::Tax),
    ("tarifa iva", Column::Tax),
    ("impuesto", Column::Tax),
    ("total", Column::Total),
    ("valor total", Column::Total),
    ("vr total", Column::Total),
    ("vlr total", Column::Total),
    ("importe", Column::Total),
    ("valor", Column::Total),
    ("subtotal", Column::Total),
    ("total linea", Column::Total),
    ("valor neto", Column::Total),
];

/// A heading found: its column and where it ends on the line.
#[derive(Debug, Clone, Copy)]
struct Heading {
    column: Column,
    left: f32,
}

/// Where the table is: the lines it takes (header rows and rows), to be left out of the
/// search for labels, and the first line after it.
#[derive(Debug, Clone)]
pub(super) struct Table {
    /// The lines that belong to the table.
    pub lines: BTreeSet<usize>,
    /// The header line.
    pub start: usize,
    /// The line after the last one read.
    pub end: usize,
}

impl Table {
    /// Whether line `l` belongs to the table.
    pub fn contains(&self, l: usize) -> bool {
        self.lines.contains(&l)
    }
}

/// The line's headings, when it is a table's header row: a description column, an amount
/// column and at least three columns in all, and (nearly) every word a heading.
fn headings(line: &TextLine) -> Option<Vec<Heading>> {
    // Headings glued at a dot (`Vr.unitario`) are read as the words they are.
    let mut folded: Vec<String> = Vec::new();
    let mut lefts: Vec<f32> = Vec::new();
    for word in &line.words {
        for part in label_word(&word.text).split('.').filter(|p| !p.is_empty()) {
            folded.push(part.to_string());
            lefts.push(word.left);
        }
    }
    let mut out = Vec::new();
    let mut unknown = 0;
    let mut i = 0;
    while i < folded.len() {
        let longest = (1..=4.min(folded.len() - i)).rev().find_map(|len| {
            let phrase = folded[i..i + len].join(" ");
            HEADINGS
                .iter()
                .find(|(h, _)| *h == phrase)
                .map(|(_, c)| (*c, len))
        });
        match longest {
            Some((column, len)) => {
                out.push(Heading {
                    column,
                    left: lefts[i],
                });
                i += len;
            }
            // A symbol heading the first column (`#` read as `*` or `+`) numbers the lines.
            None if i == 0
                && line.words[0].text.chars().count() <= 2
                && !line.words[0].text.chars().any(char::is_alphanumeric)
                && folded[0] != "%" =>
            {
                out.push(Heading {
                    column: Column::Item,
                    left: line.words[0].left,
                });
                i += 1;
            }
            None => {
                unknown += 1;
                i += 1;
            }
        }
    }
    let has = |c: Column| out.iter().any(|h| h.column == c);
    (has(Column::Description)
        && (has(Column::Total) || has(Column::Price))
        && out.len() >= 3
        && unknown <= 2
        && unknown < out.len())
    .then_some(out)
}

/// Finds the table and reads its rows into `found`.
pub(super) fn read_table(
    lines: &[TextLine],
    mark: DecimalMark,
    found: &mut Found,
) -> Option<Table> {
    let start = lines.iter().position(|l| headings(l).is_some())?;
    let columns = headings(&lines[start])?;
    let mut table = Table {
        lines: BTreeSet::from([start]),
        start,
        end: start + 1,
    };
    let description_end = columns
        .iter()
        .skip_while(|h| h.column != Column::Description)
        .nth(1)
        .map_or(f32::INFINITY, |h| h.left);
    let mut l = start + 1;
    // Whether the last row seen could not be read.
    let mut unreadable_last = false;
    while l < lines.len() {
        let line = &lines[l];
        if line.page != lines[l - 1].page
            && let Some(again) = (l..lines.len())
                .take_while(|&k| lines[k].page == line.page)
                .find(|&k| headings(&lines[k]).is_some())
        {
            // The table goes on under its header on the next page; what comes before
            // (the issuer's name repeated, a page number) is not part of it.
            table.lines.insert(again);
            l = again + 1;
            continue;
        }
        if is_page_marker(line) {
            table.lines.insert(l);
            l += 1;
            continue;
        }
        let index = found.rows.len() + found.unreadable_rows.len();
        if let Some(row) = parse_numbered_row(&line.words, &columns, index, mark) {
            found.rows.push(row);
            unreadable_last = false;
        } else if ends_table(lines, l) {
            break;
        } else if let Some(last) = found.rows.last_mut()
            && is_continuation(line, last, description_end)
        {
            last.description.value.push(' ');
            last.description.value.push_str(&line.text());
            last.description.confidence = last.description.confidence.min(line.confidence());
        } else if unreadable_last && !line.words.iter().any(|w| is_money_or_rate(&w.text)) {
            // The wrapped description of a row that could not be read is part of it.
            if let Some(last) = found.unreadable_rows.last_mut() {
                last.push(' ');
                last.push_str(&line.text());
            }
        } else {
            found.unreadable_rows.push(line.text());
            unreadable_last = true;
        }
        table.lines.insert(l);
        l += 1;
    }
    table.end = l;
    renumber_out_of_order(&mut found.rows);
    found.rates_printed = columns.iter().any(|h| h.column == Column::Tax);
    let has_code_column = columns.iter().any(|h| h.column == Column::Code);
    for row in &mut found.rows {
        if row.code.is_none() || !has_code_column {
            code_in_description(row);
        }
        row.description = unglue_multiplier(std::mem::replace(
            &mut row.description,
            Read {
                value: String::new(),
                confidence: 0.0,
            },
        ));
    }
    Some(table)
}

/// A line that starts the totals block (or the CUFE) ends the table.
fn ends_table(lines: &[TextLine], l: usize) -> bool {
    find_labels(lines, l..l + 1).iter().any(|label| {
        matches!(
            label.field,
            Field::Subtotal
                | Field::Tax(_)
                | Field::Discount
                | Field::Withholding
                | Field::Total(_)
                | Field::Cufe
        )
    })
}

/// Rows are in the order they are printed; line numbers that go back (`1 2 5 4 3 6`: a
/// `3` and a `5` misread as each other) are misreadings. Then every row takes its place's
/// number, and a number so changed is doubtful.
fn renumber_out_of_order(rows: &mut [Row]) {
    let numbers: Vec<Option<u64>> = rows.iter().map(|r| r.id.value.parse().ok()).collect();
    let increasing = numbers
        .windows(2)
        .all(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if a < b));
    if increasing {
        return;
    }
    for (i, row) in rows.iter_mut().enumerate() {
        let place = (i + 1).to_string();
        if row.id.value != place {
            row.id = Read {
                value: place,
                confidence: 0.0,
            };
        }
    }
}

/// A page's numbering (`Página 1 de 3`, `Pág. 2/3`, `Hoja 1`) or the note that the table
/// goes on over the page (`Continúa en la página siguiente`): neither is a row.
fn is_page_marker(line: &TextLine) -> bool {
    let words: Vec<String> = line
        .words
        .iter()
        .map(|w| crate::invoice::ocr::labels::fold(&w.text))
        .filter(|w| !w.is_empty())
        .collect();
    let number = |w: &String| {
        w.split('/')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
    };
    match words.as_slice() {
        [first, rest @ ..] if matches!(first.as_str(), "continua" | "continuacion") => {
            rest.len() <= 6
                && !rest
                    .iter()
                    .any(|w| w.contains(|c: char| c.is_ascii_digit()))
        }
        [page, n] if is_page_word(page) => number(n),
        [page, n, of, m] if is_page_word(page) => {
            number(n) && matches!(of.as_str(), "de" | "of" | "/") && number(m)
        }
        _ => false,
    }
}

fn is_page_word(word: &str) -> bool {
    matches!(word, "pagina" | "pag" | "hoja" | "page")
}

/// A line that continues the description of the row above: it starts within the
/// description's column and has no amounts.
fn is_continuation(line: &TextLine, row: &Row, description_end: f32) -> bool {
    let Some(first) = line.words.first() else {
        return false;
    };
    let tolerance = first.height.max(1.0);
    first.left >= row.description_left - tolerance
        && first.left < description_end
        && !line.words.iter().any(|w| is_money_or_rate(&w.text))
}

/// The parts of a row read so far.
#[derive(Default)]
struct Parts {
    id: Option<Read<String>>,
    code: Option<Read<String>>,
    quantity: Option<Read<Decimal>>,
    unit_price: Option<Read<Decimal>>,
    tax_percent: Option<Read<Decimal>>,
    base: Option<Read<Decimal>>,
}

/// A row read against the columns, or against them with a line-number column first when
/// the header's `#` was lost (OCR drops a lone symbol) and the row starts with its number.
fn parse_numbered_row(
    words: &[Word],
    columns: &[Heading],
    index: usize,
    mark: DecimalMark,
) -> Option<Row> {
    let plain = parse_row(words, columns, index, mark);
    let first = columns.first()?;
    if first.column == Column::Item || first.column == Column::Quantity {
        return plain;
    }
    let mut numbered = vec![Heading {
        column: Column::Item,
        left: f32::NEG_INFINITY,
    }];
    numbered.extend_from_slice(columns);
    match parse_row(words, &numbered, index, mark) {
        Some(row) if row.id.value == (index + 1).to_string() => Some(row),
        _ => plain,
    }
}

/// One table row read against the columns: `None` when it is not one.
fn parse_row(words: &[Word], columns: &[Heading], index: usize, mark: DecimalMark) -> Option<Row> {
    let tokens = drop_stray_dashes(split_glued_codes(money_tokens(words)));
    let d = columns
        .iter()
        .position(|h| h.column == Column::Description)?;
    let mut parts = Parts::default();
    let (mut lo, mut hi) = (0, tokens.len());
    for heading in &columns[..d] {
        if lo >= hi {
            return None;
        }
        if take(&mut parts, heading.column, &tokens[lo], mark)? {
            lo += 1;
        }
    }
    for heading in columns[d + 1..].iter().rev() {
        if lo >= hi {
            return None;
        }
        if take(&mut parts, heading.column, &tokens[hi - 1], mark)? {
            hi -= 1;
        }
    }
    if lo >= hi {
        return None;
    }
    let base = parts.base?;
    let description_words: Vec<Word> = tokens[lo..hi]
        .iter()
        .flat_map(|(_, w)| w.iter().cloned())
        .collect();
    // Without a quantity or a price column, the one is worked out from the other; the
    // value is then not read but inferred, and never trusted alone.
    let (quantity, unit_price) = match (parts.quantity, parts.unit_price) {
        (Some(q), Some(p)) => (q, p),
        (Some(q), None) => {
            let price = (!q.value.is_zero()).then(|| base.value / q.value)?;
            let price = Read {
                value: price.round_dp(2),
                confidence: 0.0,
            };
            (q, price)
        }
        (None, Some(p)) => {
            let quantity = (!p.value.is_zero()).then(|| base.value / p.value)?;
            let quantity = Read {
                value: quantity.round_dp(4).normalize(),
                confidence: 0.0,
            };
            (quantity, p)
        }
        (None, None) => return None,
    };
    let id = match parts.id {
        Some(id) if id.value.is_empty() => Read {
            value: (index + 1).to_string(),
            confidence: 0.0,
        },
        Some(id) => id,
        None => Read {
            value: (index + 1).to_string(),
            confidence: 100.0,
        },
    };
    Some(Row {
        id,
        code: parts.code,
        description_left: description_words.first()?.left,
        description: read(join(&description_words), &description_words),
        quantity,
        unit_price,
        tax_percent: parts.tax_percent,
        base,
    })
}

/// A lone dash between two numbers (`155.89 — $44,710.00`) is a speck or a rule's end, not
/// a value.
fn drop_stray_dashes(tokens: Vec<(String, Vec<Word>)>) -> Vec<(String, Vec<Word>)> {
    let numeric = |t: Option<&(String, Vec<Word>)>| {
        // An amount or a quantity, not a product code (eight digits or more, no separator).
        t.is_some_and(|(text, _)| {
            let digits = text.chars().filter(char::is_ascii_digit).count();
            digits > 0
                && text
                    .chars()
                    .all(|c| c.is_ascii_digit() || ".,$".contains(c))
                && (digits <= 6 || text.contains(['.', ',', '$']))
        })
    };
    let dash = |text: &str| !text.is_empty() && text.chars().all(|c| "-—–_|".contains(c));
    let keep: Vec<bool> = (0..tokens.len())
        .map(|i| {
            !(dash(&tokens[i].0)
                && i > 0
                && numeric(tokens.get(i - 1))
                && numeric(tokens.get(i + 1)))
        })
        .collect();
    tokens
        .into_iter()
        .zip(keep)
        .filter_map(|(token, keep)| keep.then_some(token))
        .collect()
}

/// Packaging is written `caja x 24 und`; an engine that loses the space before the `x`
/// reads `cajax 24`. Such a word (letters ending in `x`, a number after it) is split back,
/// and the description, having been repaired, is doubtful (confidence 0).
fn unglue_multiplier(mut description: Read<String>) -> Read<String> {
    let words: Vec<&str> = description.value.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 1);
    let mut repaired = false;
    for (i, word) in words.iter().enumerate() {
        let next_is_number = words
            .get(i + 1)
            .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()));
        let stem = word.strip_suffix('x').unwrap_or("");
        if next_is_number && stem.chars().count() >= 3 && stem.chars().all(char::is_alphabetic) {
            out.push(stem.to_string());
            out.push("x".to_string());
            repaired = true;
        } else {
            out.push(word.to_string());
        }
    }
    if repaired {
        description.value = out.join(" ");
        description.confidence = 0.0;
    }
    description
}

/// Reads `token` as the value of `column`: `Some(true)` when it was taken, `Some(false)`
/// when the column is optional and the token is not its value (left for the next column),
/// `None` when the row cannot be read.
fn take(
    parts: &mut Parts,
    column: Column,
    (text, words): &(String, Vec<Word>),
    mark: DecimalMark,
) -> Option<bool> {
    let number = || parse_number(text, mark).map(|v| read(v, words));
    match column {
        Column::Item => {
            let Some((digits, guessed)) = line_number(text) else {
                // A number OCR garbled past reading (`D,` for `2`): taken as the row's place
                // (see `parse_row`), never trusted.
                let garbled = text.chars().count() <= 2
                    && text.chars().any(|c| !c.is_alphabetic())
                    && !is_money_or_rate(text);
                if !garbled {
                    return None;
                }
                parts.id = Some(Read {
                    value: String::new(),
                    confidence: 0.0,
                });
                return Some(true);
            };
            let mut id = read(digits, words);
            if guessed {
                // A guessed digit is never trusted on its own.
                id.confidence = id.confidence.min(30.0);
            }
            parts.id = Some(id);
            Some(true)
        }
        Column::Code => {
            let code = clean_code(text);
            Some(
                looks_like_code(&code)
                    && parse_number(text, mark).is_none_or(|_| code.len() >= 6)
                    && {
                        parts.code = Some(read(code, words));
                        true
                    },
            )
        }
        Column::Unit => Some(is_unit(text)),
        Column::Quantity => {
            if text.starts_with('$') {
                return None;
            }
            parts.quantity = Some(number()?);
            Some(true)
        }
        Column::Price => {
            parts.unit_price = Some(number()?);
            Some(true)
        }
        Column::Total => {
            parts.base = Some(number()?);
            Some(true)
        }
        Column::Tax => {
            // `0$` is how OCR often reads `0%` next to a column of amounts.
            if let Some(rate) = text.strip_suffix(['%', '$'])
                && let Some(value) = parse_number(rate, mark)
            {
                parts.tax_percent = Some(read(value, words));
                return Some(true);
            }
            match misread_rate(text) {
                // Repaired, so not trusted alone: the IVA total confirms it or not.
                Some(rate) => {
                    parts.tax_percent = Some(Read {
                        value: rate,
                        confidence: 0.0,
                    });
                    Some(true)
                }
                None => Some(false),
            }
        }
        Column::Description => Some(false),
    }
}

/// `193`, `03` or `S%` in a rate column: one of IVA's rates (0, 5, 19) whose `%` OCR read
/// as a digit or a degree sign, or whose digits as letters.
fn misread_rate(text: &str) -> Option<Decimal> {
    let rate = text.strip_suffix(['%', '$', '3', '6', '8', '9', '°', 'o'])?;
    // Letters OCR gives for the digits (`S%` for `5%`, `l9%` for `19%`).
    let rate: String = rate
        .chars()
        .map(|c| match c {
            'S' | 's' => '5',
            'O' | 'o' => '0',
            'l' | 'I' | '|' => '1',
            c => c,
        })
        .collect();
    matches!(rate.as_str(), "0" | "5" | "19").then(|| rate.parse().ok())?
}

/// A unit of measure as printed: a short word of letters (`KGM`, `kg`, `Und.`, `bulto`).
fn is_unit(text: &str) -> bool {
    let t = text.trim_end_matches('.');
    (1..=8).contains(&t.chars().count())
        && t.chars().all(|c| c.is_alphabetic() || c == '/' || c == '.')
}

/// A code printed inside the description: `Café tostado (7702...)` or `7702... - Café
/// tostado`; taken out of the description when found.
fn code_in_description(row: &mut Row) {
    let text = row.description.value.clone();
    let words: Vec<&str> = text.split_whitespace().collect();
    if let Some(last) = words.last()
        && last.starts_with(['(', '[', '{'])
        && last.ends_with([')', ']', '}'])
    {
        let code = dashes(&clean_code(last));
        if looks_like_code(&code) {
            row.code = Some(Read {
                value: code,
                confidence: row.description.confidence,
            });
            row.description.value = words[..words.len() - 1].join(" ");
            return;
        }
    }
    if let Some(first) = words.first()
        && let Some((code, rest)) = glued_code(first)
    {
        // `CODE—Description` or `CODE-Description`: the dash (or nothing) between them.
        row.code = Some(Read {
            value: code,
            confidence: row.description.confidence,
        });
        let mut description = vec![rest];
        description.extend(words[1..].iter().map(|w| w.to_string()));
        row.description.value = description.join(" ");
        return;
    }
    if let Some(first) = words.first() {
        let dashed = first.ends_with(['-', '–', '—']);
        let dash_next = words
            .get(1)
            .is_some_and(|w| w.chars().all(|c| matches!(c, '-' | '–' | '—')));
        let code = clean_code(first);
        if (dashed || dash_next) && looks_like_code(&code) {
            let skip = if dash_next { 2 } else { 1 };
            row.code = Some(Read {
                value: code,
                confidence: row.description.confidence,
            });
            row.description.value = words[skip.min(words.len())..].join(" ");
        }
    }
}

/// A code glued to the description's first word (`CON-BOY-000842Salvado`,
/// `7702…—Café`): split where a capitalised word starts after the code.
fn glued_code(word: &str) -> Option<(String, String)> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    for k in 1..chars.len().saturating_sub(1) {
        let (at, c) = chars[k];
        let next = chars[k + 1].1;
        if c.is_uppercase() && next.is_lowercase() {
            let code = word[..at].trim_end_matches(['-', '–', '—']);
            if looks_like_code(code) && code.ends_with(|c: char| c.is_ascii_digit()) {
                return Some((code.to_string(), word[at..].to_string()));
            }
            return None;
        }
    }
    None
}

/// Tokens with a code glued to the word after it split in two.
fn split_glued_codes(tokens: Vec<(String, Vec<Word>)>) -> Vec<(String, Vec<Word>)> {
    let mut out = Vec::with_capacity(tokens.len());
    for (text, words) in tokens {
        match glued_code(&text) {
            Some((code, rest)) => {
                out.push((code, words.clone()));
                let mut after = words;
                if let Some(first) = after.first_mut() {
                    first.text = rest.clone();
                }
                out.push((rest, after));
            }
            None => out.push((text, words)),
        }
    }
    out
}

/// A code's dashes as printed: OCR reads `-` as `—` or `–`, sometimes doubled.
fn dashes(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for c in code.chars() {
        let c = if matches!(c, '—' | '–') { '-' } else { c };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn description(text: &str) -> Read<String> {
        Read {
            value: text.to_string(),
            confidence: 95.0,
        }
    }

    #[test]
    fn a_glued_packaging_multiplier_is_split_and_doubtful() {
        let read = unglue_multiplier(description("Chocolate de mesa cajax 24 und"));
        assert_eq!(read.value, "Chocolate de mesa caja x 24 und");
        assert_eq!(read.confidence, 0.0);
    }

    #[test]
    fn a_rate_whose_percent_sign_was_misread_is_one_of_ivas() {
        assert_eq!(misread_rate("193"), Some(Decimal::from(19)));
        assert_eq!(misread_rate("03"), Some(Decimal::ZERO));
        assert_eq!(misread_rate("5°"), Some(Decimal::from(5)));
        assert_eq!(misread_rate("S%"), Some(Decimal::from(5)));
        assert_eq!(misread_rate("l9%"), Some(Decimal::from(19)));
        assert_eq!(misread_rate("123"), None);
        assert_eq!(misread_rate("X%"), None);
        assert_eq!(misread_rate("19"), None);
    }

    fn tokens(texts: &[&str]) -> Vec<(String, Vec<Word>)> {
        texts.iter().map(|t| (t.to_string(), Vec::new())).collect()
    }

    fn texts(tokens: &[(String, Vec<Word>)]) -> Vec<&str> {
        tokens.iter().map(|(t, _)| t.as_str()).collect()
    }

    #[test]
    fn a_lone_dash_between_amounts_is_dropped_but_not_after_a_code() {
        let kept = drop_stray_dashes(tokens(&["155.89", "—", "$44,710.00", "$6,969,841.90"]));
        assert_eq!(texts(&kept), ["155.89", "$44,710.00", "$6,969,841.90"]);
        let kept = drop_stray_dashes(tokens(&["7709679006841", "-", "1149", "NIU"]));
        assert_eq!(texts(&kept), ["7709679006841", "-", "1149", "NIU"]);
    }

    #[test]
    fn line_numbers_that_go_back_are_renumbered_by_place_and_doubtful() {
        let row = |id: &str| Row {
            id: Read {
                value: id.to_string(),
                confidence: 95.0,
            },
            code: None,
            description_left: 0.0,
            description: description("Panela"),
            quantity: Read {
                value: Decimal::ONE,
                confidence: 95.0,
            },
            unit_price: Read {
                value: Decimal::ONE,
                confidence: 95.0,
            },
            tax_percent: None,
            base: Read {
                value: Decimal::ONE,
                confidence: 95.0,
            },
        };
        let mut rows: Vec<Row> = ["1", "2", "5", "4", "3"].map(row).to_vec();
        renumber_out_of_order(&mut rows);
        let ids: Vec<(&str, f32)> = rows
            .iter()
            .map(|r| (r.id.value.as_str(), r.id.confidence))
            .collect();
        assert_eq!(
            ids,
            [
                ("1", 95.0),
                ("2", 95.0),
                ("3", 0.0),
                ("4", 95.0),
                ("5", 0.0)
            ]
        );
        // A number skipped is not a misreading.
        let mut rows: Vec<Row> = ["1", "2", "4"].map(row).to_vec();
        renumber_out_of_order(&mut rows);
        assert_eq!(rows[2].id.value, "4");
    }

    #[test]
    fn words_ending_in_x_without_a_number_after_them_stay() {
        let read = unglue_multiplier(description("Tórax de pollo fax 12"));
        assert_eq!(read.value, "Tórax de pollo fax 12");
        assert_eq!(read.confidence, 95.0);
        let read = unglue_multiplier(description("Bulto x 50 kg"));
        assert_eq!(read.value, "Bulto x 50 kg");
        assert_eq!(read.confidence, 95.0);
    }
}

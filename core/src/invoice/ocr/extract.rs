//! Text lines → invoice fields, each with the confidence of the words it came from.
//!
//! Labels are Spanish, as Colombian invoices print them (`Fecha de emisión`, `NIT`,
//! `Cliente`, `Subtotal`, `IVA`, `Total a pagar`, `CUFE`); the lines table is found by its
//! header (`Descripción` ... `Total`) and each row read from both ends: line number and
//! code on the left, quantity, unit price, IVA rate and total on the right, the
//! description between.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::labels::{self, Hit, find, fold, join};
use super::numbers::{DecimalMark, detect_mark, parse_date, parse_number};
use super::text::{TextLine, Word, min_confidence};
use crate::invoice::{DocumentKind, InvoiceError, ItemCode, Party, type_code};

/// A value read from the page and the lowest confidence of its words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Read<T> {
    pub value: T,
    pub confidence: f32,
}

fn read<T>(value: T, words: &[Word]) -> Read<T> {
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
    pub subtotal: Option<Read<Decimal>>,
    pub taxes: BTreeMap<String, Read<Decimal>>,
    pub total: Option<Read<Decimal>>,
    pub cufe: Option<Read<String>>,
}

const DATE_STOPS: &[&str] = &["hora", "vence", "vencimiento"];

/// Reads the fields of an invoice from its lines: the title and number, the parties, the
/// dates, the lines table, then the totals and the CUFE after it.
pub(crate) fn extract(lines: &[TextLine]) -> Result<Found, InvoiceError> {
    let mark = detect_mark(
        lines
            .iter()
            .flat_map(|l| l.words.iter().map(|w| w.text.as_str())),
    );
    let mut found = Found::default();
    title(lines, &mut found);
    parties(lines, &mut found);
    dates(lines, &mut found);
    let after_table = table(lines, mark, &mut found);
    totals(lines, after_table..lines.len(), mark, &mut found);
    document_code(lines, after_table..lines.len(), &mut found);
    enough(found)
}

/// The title (what the document is) and its number.
fn title(lines: &[TextLine], found: &mut Found) {
    for (l, line) in lines.iter().enumerate() {
        let text = fold(&line.text());
        let kind = if text.contains("nota credito") {
            Some((DocumentKind::CreditNote, type_code::CREDIT_NOTE))
        } else if text.contains("nota debito") {
            Some((DocumentKind::DebitNote, type_code::DEBIT_NOTE))
        } else if text.contains("documento equivalente") || text.contains("tiquete pos") {
            Some((DocumentKind::Invoice, type_code::POS))
        } else if text.contains("factura") && text.contains("exportacion") {
            Some((DocumentKind::Invoice, type_code::EXPORT))
        } else if text.contains("factura") && text.contains("contingencia") {
            Some((DocumentKind::Invoice, type_code::CONTINGENCY_ISSUER))
        } else if text.contains("venta")
            && (text.contains("factura") || text.contains("electronica"))
        {
            Some((DocumentKind::Invoice, type_code::SALE))
        } else {
            None
        };
        if let Some((kind, code)) = kind {
            found.kind = Some((kind, code.to_string()));
            let hit = ["no", "n°", "nro", "numero", "no."]
                .iter()
                .find_map(|label| labels::find_in(&line.words, &[label]))
                .map(|after| Hit { line: l, after });
            if let Some(hit) = hit
                && let Some(word) = lines[l].words.get(hit.after)
            {
                found.number = Some(read(clean_code(&word.text), std::slice::from_ref(word)));
            }
            break;
        }
    }
    if found.number.is_none()
        && let Some(hit) = find(
            lines,
            0..lines.len(),
            &["factura no", "factura numero", "numero"],
        )
        && let Some(word) = lines[hit.line].words.get(hit.after)
    {
        found.number = Some(read(clean_code(&word.text), std::slice::from_ref(word)));
    }
}

/// The seller (the first id above the buyer, named by the line above it) and the buyer.
fn parties(lines: &[TextLine], found: &mut Found) {
    let buyer_hit = find(
        lines,
        0..lines.len(),
        &[
            "cliente",
            "adquiriente",
            "adquirente",
            "comprador",
            "senores",
            "senor",
        ],
    );
    let buyer_line = buyer_hit.map_or(lines.len(), |h| h.line);
    if let Some((hit, id_type)) = find_id(lines, 0..buyer_line) {
        let words = labels::value(lines, hit, &[]);
        found.seller = Some(split_id(words, &id_type));
        let name_line = (0..hit.line)
            .rev()
            .find(|&l| !fold(&lines[l].text()).contains("factura") && !lines[l].words.is_empty());
        if let Some(l) = name_line {
            found.seller_name = Some(read(lines[l].text(), &lines[l].words));
        }
    }
    if let Some(hit) = buyer_hit {
        let words = labels::value(lines, hit, &[]);
        if !words.is_empty() {
            found.buyer_name = Some(read(join(words), words));
        }
        if let Some((id_hit, id_type)) = find_id(lines, hit.line..(hit.line + 4).min(lines.len())) {
            let words = labels::value(lines, id_hit, &[]);
            found.buyer = Some(split_id(words, &id_type));
        }
    }
}

/// The issue date and time, the due date, and a note's billing reference.
fn dates(lines: &[TextLine], found: &mut Found) {
    let all = 0..lines.len();
    if let Some(hit) = find(
        lines,
        all.clone(),
        &[
            "fecha de emision",
            "fecha emision",
            "fecha de expedicion",
            "fecha de factura",
            "fecha factura",
            "de emision",
            "emision",
            "fecha",
        ],
    ) {
        let words = labels::value(lines, hit, DATE_STOPS);
        if let Some((date, used)) = date_in(words) {
            found.issue_date = Some(read(date, used));
        }
        if let Some(after) = labels::find_in(&lines[hit.line].words, &["hora"])
            && let Some(word) = lines[hit.line].words.get(after)
            && chrono::NaiveTime::parse_from_str(&word.text, "%H:%M:%S").is_ok()
        {
            found.issue_time = Some(read(
                format!("{}-05:00", word.text),
                std::slice::from_ref(word),
            ));
        }
    }
    if let Some(hit) = find(
        lines,
        all.clone(),
        &[
            "fecha de vencimiento",
            "fecha vencimiento",
            "de vencimiento",
            "vencimiento",
            "vence",
        ],
    ) {
        let words = labels::value(lines, hit, DATE_STOPS);
        if let Some((date, used)) = date_in(words) {
            found.due_date = Some(read(date, used));
        }
    }
    if let Some(hit) = find(
        lines,
        all.clone(),
        &["factura de referencia", "factura referencia", "referencia"],
    ) && let Some(word) = lines[hit.line].words.get(hit.after)
    {
        found.billing_reference = Some(read(clean_code(&word.text), std::slice::from_ref(word)));
    }
}

/// The lines table, found by its header row; returns the line after it (0 without a table).
fn table(lines: &[TextLine], mark: DecimalMark, found: &mut Found) -> usize {
    let header = lines.iter().position(|l| {
        let words: Vec<String> = l.words.iter().map(|w| fold(&w.text)).collect();
        words
            .iter()
            .any(|w| w == "descripcion" || w == "detalle" || w == "producto")
            && words.iter().any(|w| w == "total" || w == "valor")
    });
    match header {
        Some(h) => {
            let mut end = h + 1;
            while end < lines.len() {
                let first = lines[end]
                    .words
                    .first()
                    .map(|w| fold(&w.text))
                    .unwrap_or_default();
                if first == "subtotal" || first == "total" || first == "cufe" || first == "cude" {
                    break;
                }
                if let Some(row) = parse_row(&lines[end].words, mark) {
                    found.rows.push(row);
                } else if let Some(last) = found.rows.last_mut()
                    && is_continuation(&lines[end], last)
                {
                    // A description that wrapped onto the next line.
                    last.description.value.push(' ');
                    last.description.value.push_str(&lines[end].text());
                    last.description.confidence =
                        last.description.confidence.min(lines[end].confidence());
                } else {
                    found.unreadable_rows.push(lines[end].text());
                }
                end += 1;
            }
            end
        }
        None => 0,
    }
}

/// The subtotal, the taxes and the total, after the table.
fn totals(lines: &[TextLine], tail: std::ops::Range<usize>, mark: DecimalMark, found: &mut Found) {
    if let Some(hit) = find(
        lines,
        tail.clone(),
        &["subtotal", "sub total", "valor bruto"],
    ) {
        found.subtotal = amount_after(lines, hit, mark);
    }
    for (label, code) in [("iva", "01"), ("inc", "04"), ("ica", "03")] {
        if let Some(hit) = find(lines, tail.clone(), &[label])
            && let Some(value) = amount_after(lines, hit, mark)
        {
            found.taxes.insert(code.to_string(), value);
        }
    }
    if let Some(hit) = find(
        lines,
        tail.clone(),
        &["total a pagar", "valor total", "total factura", "total"],
    ) {
        found.total = amount_after(lines, hit, mark);
    }
}

/// The CUFE (or CUDE), possibly wrapped over several lines, after the table.
fn document_code(lines: &[TextLine], tail: std::ops::Range<usize>, found: &mut Found) {
    if let Some(hit) = find(lines, tail, &["cufe", "cude"]) {
        let mut hex = String::new();
        let mut words: Vec<Word> = Vec::new();
        let mut l = hit.line;
        let mut from = hit.after;
        while l < lines.len() && l <= hit.line + 3 && hex.len() < 96 {
            for word in &lines[l].words[from.min(lines[l].words.len())..] {
                let cleaned = clean_hex(&word.text);
                if cleaned.is_empty() {
                    continue;
                }
                hex.push_str(&cleaned);
                words.push(word.clone());
            }
            l += 1;
            from = 0;
        }
        if !hex.is_empty() {
            found.cufe = Some(read(hex, &words));
        }
    }
}

/// The fields read, or `OCR_NO_INVOICE` when the text holds no invoice.
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
    if missing.len() >= 2 || found.issue_date.is_none() || found.number.is_none() {
        return Err(InvoiceError::NoInvoiceInText {
            missing: missing.join(", "),
        });
    }
    Ok(found)
}

/// The first date in `words`, taking one, three or five words (`15/10/2026`,
/// `15 oct 2026`, `15 de octubre de 2026`), and the words it took.
fn date_in(words: &[Word]) -> Option<(NaiveDate, &[Word])> {
    [1, 3, 5]
        .iter()
        .filter(|&&n| n <= words.len())
        .find_map(|&n| parse_date(&join(&words[..n])).map(|d| (d, &words[..n])))
}

/// A line that continues the description of the row above: it starts where that
/// description starts (not at the line-number column) and has no amounts.
fn is_continuation(line: &TextLine, row: &Row) -> bool {
    let Some(first) = line.words.first() else {
        return false;
    };
    let tolerance = first.height.max(1.0);
    first.left >= row.description_left - tolerance
        && !line
            .words
            .iter()
            .any(|w| w.text.contains('$') || w.text.ends_with('%'))
}

/// The first `NIT`, `C.C.`, `C.E.` ... label in `range`, and the DIAN id type it means;
/// failing a label (OCR garbles short words), the first word shaped like a NIT
/// (`811.045.632-0`).
fn find_id(lines: &[TextLine], range: std::ops::Range<usize>) -> Option<(Hit, String)> {
    find_labelled_id(lines, range.clone()).or_else(|| {
        range.clone().find_map(|l| {
            let words = &lines.get(l)?.words;
            words
                .iter()
                .position(|w| is_nit_shaped(&w.text))
                .map(|w| (Hit { line: l, after: w }, "31".to_string()))
        })
    })
}

/// `ddd.ddd.ddd-d` (two to four groups).
fn is_nit_shaped(text: &str) -> bool {
    let Some((base, dv)) = text.rsplit_once('-') else {
        return false;
    };
    let groups: Vec<&str> = base.split('.').collect();
    dv.len() == 1
        && dv.bytes().all(|b| b.is_ascii_digit())
        && (3..=4).contains(&groups.len())
        && !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
}

fn find_labelled_id(lines: &[TextLine], range: std::ops::Range<usize>) -> Option<(Hit, String)> {
    let kinds: [(&str, &str); 7] = [
        ("nit", "31"),
        ("c.c", "13"),
        ("cc", "13"),
        ("c.e", "22"),
        ("ce", "22"),
        ("pasaporte", "41"),
        ("doc", "13"),
    ];
    for l in range {
        let line = lines.get(l)?;
        for (w, word) in line.words.iter().enumerate() {
            let folded = fold(&word.text);
            if let Some((_, code)) = kinds.iter().find(|(k, _)| *k == folded) {
                let hit = Hit {
                    line: l,
                    after: w + 1,
                };
                return Some((hit, code.to_string()));
            }
        }
    }
    None
}

/// An id as printed (`830.054.321-2`, `830054321 - 2`, `79.845.123`) split into number and
/// check digit, with the id type.
fn split_id(words: &[Word], id_type: &str) -> IdRead {
    // Take words while they look like parts of the id.
    let mut used: Vec<Word> = Vec::new();
    for word in words {
        if word
            .text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ',' | '–'))
        {
            used.push(word.clone());
        } else {
            break;
        }
    }
    let text: String = used.iter().map(|w| w.text.as_str()).collect();
    let text = text.replace('–', "-");
    let (base, dv) = match text.rsplit_once('-') {
        Some((base, dv)) if !dv.is_empty() => (base.to_string(), Some(dv.to_string())),
        _ => (text.trim_end_matches('-').to_string(), None),
    };
    let base: String = base.chars().filter(char::is_ascii_digit).collect();
    let confidence = min_confidence(&used);
    (
        Read {
            value: base,
            confidence,
        },
        dv.map(|dv| Read {
            value: dv,
            confidence,
        }),
        id_type.to_string(),
    )
}

fn amount_after(lines: &[TextLine], hit: Hit, mark: DecimalMark) -> Option<Read<Decimal>> {
    let words = &lines[hit.line].words[hit.after.min(lines[hit.line].words.len())..];
    let tokens = money_tokens(words);
    tokens
        .iter()
        .find_map(|(text, used)| parse_number(text, mark).map(|v| read(v, used)))
}

/// Words merged into tokens: a lone `$` (or what OCR makes of it: `S`, `Ss`, `$*`) joins
/// the number after it, and a number split after its separator (`136.190,` `00`) is joined.
fn money_tokens(words: &[Word]) -> Vec<(String, Vec<Word>)> {
    let starts_numeric =
        |w: Option<&Word>| w.is_some_and(|w| w.text.starts_with(|c: char| c.is_ascii_digit()));
    let mut tokens: Vec<(String, Vec<Word>)> = Vec::new();
    let mut pending: Option<Word> = None;
    for (i, word) in words.iter().enumerate() {
        if is_dollar_like(&word.text) && starts_numeric(words.get(i + 1)) {
            pending = Some(word.clone());
            continue;
        }
        if let Some((text, used)) = tokens.last_mut()
            && pending.is_none()
            && text.ends_with([',', '.'])
            && text.chars().any(|c| c.is_ascii_digit())
            && word.text.starts_with(|c: char| c.is_ascii_digit())
            && word
                .text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        {
            text.push_str(&word.text);
            used.push(word.clone());
            continue;
        }
        // `$ 1 66.250,00`: an amount split after its first group.
        if let Some((text, used)) = tokens.last_mut()
            && pending.is_none()
            && text.starts_with('$')
            && (2..=4).contains(&text.len())
            && text[1..].chars().all(|c| c.is_ascii_digit())
            && word
                .text
                .starts_with(|c: char| c.is_ascii_digit() || c == '.')
            && word
                .text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
            && word.text.trim_start_matches('.').len() >= 3
        {
            text.push_str(&word.text);
            used.push(word.clone());
            continue;
        }
        let text = strip_misread_dollar(&word.text);
        match pending.take() {
            Some(sign) => tokens.push((format!("${text}"), vec![sign, word.clone()])),
            None => tokens.push((text, vec![word.clone()])),
        }
    }
    tokens
}

/// What OCR makes of a lone peso sign.
fn is_dollar_like(text: &str) -> bool {
    matches!(
        text,
        "$" | "S" | "s" | "Ss" | "SS" | "$*" | "§" | "$." | "$:"
    )
}

/// `S57.350,00` → `$57.350,00`: a leading `S` glued to an amount is a misread `$`.
fn strip_misread_dollar(text: &str) -> String {
    match text.strip_prefix(['S', 's', '§']) {
        Some(rest)
            if rest.starts_with(|c: char| c.is_ascii_digit())
                && rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
                && rest.contains([',', '.']) =>
        {
            format!("${rest}")
        }
        _ => text.to_string(),
    }
}

/// One table row: `# code description quantity $price rate% $total`.
fn parse_row(words: &[Word], mark: DecimalMark) -> Option<Row> {
    let tokens = money_tokens(words);
    if tokens.len() < 5 {
        return None;
    }
    let n = tokens.len();
    let base = {
        let (t, w) = &tokens[n - 1];
        read(parse_number(t, mark)?, w)
    };
    // `0$` is how OCR often reads `0%` next to a column of amounts.
    let (tax_percent, rest) = match tokens[n - 2].0.strip_suffix(['%', '$']) {
        Some(p) => {
            let value = parse_number(p, mark)?;
            (Some(read(value, &tokens[n - 2].1)), n - 2)
        }
        None => (None, n - 1),
    };
    if rest < 4 {
        return None;
    }
    let unit_price = {
        let (t, w) = &tokens[rest - 1];
        read(parse_number(t, mark)?, w)
    };
    let quantity = {
        let (t, w) = &tokens[rest - 2];
        if t.starts_with('$') {
            return None;
        }
        read(parse_number(t, mark)?, w)
    };
    let (id_text, id_words) = &tokens[0];
    // Line numbers are short; OCR reads `1` as `l` or `I`, `2` as `Z`, `5` as `S`.
    let id_digits: String = id_text
        .trim_end_matches(['.', ')', '-'])
        .chars()
        .map(|c| match c {
            'l' | 'I' | '|' | 'i' | '!' => '1',
            'O' | 'o' => '0',
            'Z' | 'z' => '2',
            'S' | 's' => '5',
            c => c,
        })
        .collect();
    if id_digits.is_empty() || id_digits.len() > 5 || !id_digits.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let mut id = read(id_digits.clone(), id_words);
    if id_digits != *id_text {
        // A guessed digit is never trusted on its own.
        id.confidence = id.confidence.min(30.0);
    }
    let middle = &tokens[1..rest - 2];
    let (code, description_tokens) = match middle.first() {
        Some((t, w)) if looks_like_code(&clean_code(t)) && middle.len() > 1 => {
            (Some(read(clean_code(t), w)), &middle[1..])
        }
        _ => (None, middle),
    };
    let description_words: Vec<Word> = description_tokens
        .iter()
        .flat_map(|(_, w)| w.iter().cloned())
        .collect();
    if description_words.is_empty() {
        return None;
    }
    Some(Row {
        id,
        code,
        description_left: description_words[0].left,
        description: read(join(&description_words), &description_words),
        quantity,
        unit_price,
        tax_percent,
        base,
    })
}

fn looks_like_code(token: &str) -> bool {
    token.len() >= 4
        && token.chars().any(|c| c.is_ascii_digit())
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// A code or number as printed, without surrounding punctuation.
fn clean_code(text: &str) -> String {
    text.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// Hex digits of a CUFE word, with the letters OCR confuses for digits mapped back.
fn clean_hex(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            'O' | 'o' => '0',
            'l' | 'I' | 'i' | '|' => '1',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    if mapped.chars().all(|c| c.is_ascii_hexdigit()) {
        mapped
    } else {
        String::new()
    }
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

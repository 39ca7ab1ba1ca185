//! The header's fields: what the document is, its number, its dates, the seller and the
//! buyer. Each is found by its label wherever it sits (one column or two, boxed, the number
//! in the title or beside a party) and read beside the label or, when nothing is beside
//! it, below.

use chrono::NaiveDate;

use super::super::labels::{fold, join};
use super::super::numbers::parse_date;
use super::super::text::{TextLine, Word, min_confidence};
use super::tokens::clean_code;
use super::vocabulary::{Field, IdKind, Label, below, beside, next_label};
use super::{Found, IdRead, Read, read};
use crate::invoice::{DocumentKind, type_code};

/// Reads the header's fields into `found`; `header_end` is where the lines table starts.
pub(super) fn read_header(
    lines: &[TextLine],
    labels: &[Label],
    header_end: usize,
    found: &mut Found,
) {
    let title = title(lines, found);
    number(lines, labels, title, found);
    dates(lines, labels, header_end, found);
    parties(lines, labels, title, found);
}

/// What the document is, from its title; returns the title's line.
fn title(lines: &[TextLine], found: &mut Found) -> Option<usize> {
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
        } else if line.words.iter().any(|w| fold(&w.text) == "factura") {
            Some((DocumentKind::Invoice, type_code::SALE))
        } else {
            None
        };
        if let Some((kind, code)) = kind {
            found.kind = Some((kind, code.to_string()));
            return Some(l);
        }
    }
    None
}

/// The document's number: after a number label on the title's line first, then after the
/// first number label anywhere whose value is shaped like one.
fn number(lines: &[TextLine], labels: &[Label], title: Option<usize>, found: &mut Found) {
    let candidates = labels
        .iter()
        .filter(|l| l.field == Field::Number)
        .filter(|l| Some(l.line) == title)
        .chain(
            labels
                .iter()
                .filter(|l| l.field == Field::Number && Some(l.line) != title),
        );
    for label in candidates {
        let mut value = beside(lines, labels, label);
        if value.is_empty() {
            value = below(lines, labels, label);
        }
        if let Some(number) = document_number(value) {
            found.number = Some(number);
            return;
        }
    }
    // A label OCR garbled (`#` read as `$`): the title's last word shaped like a number
    // with a prefix, never trusted alone.
    if let Some(t) = title {
        let words = &lines[t].words;
        if let Some(w) = words.iter().rposition(|w| {
            let text = clean_code(&w.text);
            text.len() >= 6
                && text.starts_with(|c: char| c.is_ascii_alphabetic())
                && text.ends_with(|c: char| c.is_ascii_digit())
        }) && let Some(mut number) = document_number(&words[w..w + 1])
        {
            number.confidence = number.confidence.min(30.0);
            found.number = Some(number);
        }
    }
}

/// A document number at the start of `words`: letters and digits with a digit
/// (`SETP990000005`, `FV-12345`, `FE 1234`), its separator dropped as DIAN writes it.
fn document_number(words: &[Word]) -> Option<Read<String>> {
    let first = words.first()?;
    let text = clean_code(&first.text);
    let prefix_only =
        !text.is_empty() && text.len() <= 4 && text.chars().all(|c| c.is_ascii_alphabetic());
    let (text, used) = match words.get(1) {
        // `FE 1234` or `FE - 1234`: a prefix printed apart from its number.
        Some(next) if prefix_only && next.text.chars().all(|c| c.is_ascii_digit()) => {
            (format!("{text}{}", next.text), &words[..2])
        }
        Some(dash) if prefix_only && matches!(dash.text.as_str(), "-" | "–") => {
            let digits = words.get(2)?;
            if !digits.text.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            (format!("{text}{}", digits.text), &words[..3])
        }
        _ => (text, &words[..1]),
    };
    let number: String = text.chars().filter(|c| *c != '-').collect();
    let shaped = !number.is_empty()
        && number.len() <= 40
        && number.chars().any(|c| c.is_ascii_digit())
        && number.chars().all(|c| c.is_ascii_alphanumeric())
        && !text.contains(['.', ',', '/']);
    shaped.then(|| read(number, used))
}

/// The issue date and time, the due date, and a note's billing reference. A page without
/// an issue date label gives its first date above the table, never trusted alone.
fn dates(lines: &[TextLine], labels: &[Label], header_end: usize, found: &mut Found) {
    let value = |label: &Label| {
        let words = beside(lines, labels, label);
        if words.is_empty() {
            below(lines, labels, label)
        } else {
            words
        }
    };
    let date_after = |field: Field| {
        labels
            .iter()
            .filter(|l| l.field == field)
            .find_map(|l| date_in(value(l)).map(|(d, used)| read(d, used)))
    };
    found.issue_date = date_after(Field::IssueDate);
    found.due_date = date_after(Field::DueDate);
    if found.issue_date.is_none() {
        found.issue_date = unlabelled_date(lines, labels, header_end);
    }
    found.issue_time = labels
        .iter()
        .filter(|l| l.field == Field::Time)
        .find_map(|l| {
            let word = value(l).first()?;
            let time = clean_time(&word.text)?;
            Some(read(format!("{time}-05:00"), std::slice::from_ref(word)))
        });
    found.billing_reference = labels
        .iter()
        .filter(|l| l.field == Field::Reference)
        .find_map(|l| document_number(value(l)));
}

/// `14:57:12` as printed (`14:57` gets its seconds).
fn clean_time(text: &str) -> Option<String> {
    let t = text.trim_end_matches(['.', ',']);
    if chrono::NaiveTime::parse_from_str(t, "%H:%M:%S").is_ok() {
        Some(t.to_string())
    } else if chrono::NaiveTime::parse_from_str(t, "%H:%M").is_ok() {
        Some(format!("{t}:00"))
    } else {
        None
    }
}

/// The first date above the table that no label claims (not the due date).
fn unlabelled_date(
    lines: &[TextLine],
    labels: &[Label],
    header_end: usize,
) -> Option<Read<NaiveDate>> {
    for (l, line) in lines.iter().enumerate().take(header_end) {
        for start in 0..line.words.len() {
            let claimed = labels.iter().any(|label| {
                label.line == l
                    && label.field != Field::IssueDate
                    && label.after <= start
                    && labels
                        .iter()
                        .filter(|o| o.line == l && o.start > label.start)
                        .all(|o| o.start > start)
            });
            if claimed {
                continue;
            }
            if let Some((date, used)) = date_in(&line.words[start..]) {
                let mut date = read(date, used);
                date.confidence = 0.0;
                return Some(date);
            }
        }
    }
    None
}

/// The first date at the start of `words`, taking one, three or five words
/// (`15/10/2026`, `15 oct 2026`, `15 de octubre de 2026`), and the words it took.
fn date_in(words: &[Word]) -> Option<(NaiveDate, &[Word])> {
    [1, 3, 5]
        .iter()
        .filter(|&&n| n <= words.len())
        .find_map(|&n| parse_date(&join(&words[..n])).map(|d| (d, &words[..n])))
}

/// The seller and the buyer. The buyer is named after its label, and its id is the first
/// id label after it in its column; the seller's id is the first other id label above the
/// buyer's (or left of it), and the seller's name the line above that id.
fn parties(lines: &[TextLine], labels: &[Label], title: Option<usize>, found: &mut Found) {
    let buyer = labels.iter().find(|l| l.field == Field::Buyer);
    let ids: Vec<&Label> = labels
        .iter()
        .filter(|l| matches!(l.field, Field::Id(_)))
        .collect();
    let left_of = |label: &Label| lines[label.line].words[label.start].left;
    let height = |label: &Label| lines[label.line].words[label.start].height.max(1.0);
    let mut buyer_id: Option<&Label> = None;
    if let Some(b) = buyer {
        let mut words = beside(lines, labels, b);
        if words.is_empty() {
            words = below(lines, labels, b);
        }
        if !words.is_empty() {
            let mut used = words.to_vec();
            // A long name wraps over up to three more lines, each starting under it.
            for line in b.line..b.line + 3 {
                let more = continued(lines, labels, line, &words[0]);
                if more.is_empty() {
                    break;
                }
                used.extend_from_slice(more);
            }
            found.buyer_name = Some(read(join(&used), &used));
        }
        // The buyer's column starts at its label, unless the label starts its line.
        let column_left = if b.start == 0 {
            f32::NEG_INFINITY
        } else {
            left_of(b) - height(b) * 3.0
        };
        buyer_id = ids.iter().copied().find(|id| {
            (id.line > b.line || (id.line == b.line && id.start >= b.after))
                && id.line <= b.line + 4
                && left_of(id) >= column_left
        });
        if let Some(id) = buyer_id {
            found.buyer = Some(id_value(lines, labels, id));
        }
    }
    let seller_id = ids.iter().copied().find(|id| {
        Some(*id) != buyer_id
            && match buyer {
                Some(b) => id.line < b.line || (b.start > 0 && left_of(id) < left_of(b)),
                None => true,
            }
    });
    match seller_id {
        Some(id) => {
            found.seller = Some(id_value(lines, labels, id));
            found.seller_name = seller_name(lines, labels, title, id);
        }
        None => {
            // OCR garbles short labels: the first NIT-shaped word above the buyer.
            let end = buyer.map_or(lines.len(), |b| b.line);
            if let Some((l, w)) = (0..end).find_map(|l| {
                lines[l]
                    .words
                    .iter()
                    .position(|w| is_nit_shaped(&w.text))
                    .map(|w| (l, w))
            }) {
                let words = &lines[l].words[w..];
                found.seller = Some(split_id(words, "31"));
                let label = Label {
                    field: Field::Id(IdKind::Nit),
                    line: l,
                    start: w,
                    after: w,
                };
                found.seller_name = seller_name(lines, labels, title, &label);
            }
        }
    }
    if found.seller_name.is_none()
        && let Some(label) = labels.iter().find(|l| l.field == Field::Seller)
    {
        let words = beside(lines, labels, label);
        if !words.is_empty() {
            found.seller_name = Some(read(join(words), words));
        }
    }
}

/// A value wrapped onto the next line: words there that start where the value started
/// (within a character or so), up to a label, with no label before them.
fn continued<'a>(lines: &'a [TextLine], labels: &[Label], line: usize, first: &Word) -> &'a [Word] {
    let Some(next) = lines.get(line + 1) else {
        return &[];
    };
    let tolerance = first.height.max(1.0);
    let Some(start) = next
        .words
        .iter()
        .position(|w| (w.left - first.left).abs() <= tolerance)
    else {
        return &[];
    };
    // A labelled value (the id under the name) is not the name going on.
    let labelled = labels
        .iter()
        .any(|l| l.line == line + 1 && l.start <= start && l.after >= start);
    // Nor is an id whose label OCR garbled (`C.C./NTT: 1.020.304.050`).
    let id_shaped = |w: &Word| {
        w.text.chars().filter(char::is_ascii_digit).count() >= 6
            && w.text
                .chars()
                .all(|c| c.is_ascii_digit() || ".-".contains(c))
    };
    if labelled || next.page != lines[line].page || next.words[start..].iter().any(id_shaped) {
        return &[];
    }
    let stop = next_label(labels, line + 1, start + 1, next.words.len());
    &next.words[start..super::vocabulary::segment_end(&next.words, start, stop)]
}

/// The seller's name: the nearest line above its id that is neither the title nor a
/// labelled line, in the id's column.
fn seller_name(
    lines: &[TextLine],
    labels: &[Label],
    title: Option<usize>,
    id: &Label,
) -> Option<Read<String>> {
    let id_word = &lines[id.line].words[id.start];
    let l = (0..id.line).rev().find(|&l| {
        Some(l) != title
            && lines[l].page == lines[id.line].page
            && !lines[l].words.is_empty()
            && !labels
                .iter()
                .any(|label| label.line == l && label.start == 0)
    })?;
    let words = &lines[l].words;
    let tolerance = id_word.height.max(1.0) * 3.0;
    let first = words
        .iter()
        .position(|w| w.left + w.width >= id_word.left - tolerance)?;
    let stop = next_label(labels, l, first + 1, words.len());
    let end = super::vocabulary::segment_end(words, first, stop);
    let used = &words[first..end];
    Some(read(join(used), used))
}

/// The id after an id label, with the type the label (or the check digit) says.
fn id_value(lines: &[TextLine], labels: &[Label], label: &Label) -> IdRead {
    let mut words = beside(lines, labels, label);
    if words.is_empty() {
        words = below(lines, labels, label);
    }
    let kind = match label.field {
        Field::Id(kind) => kind,
        _ => IdKind::Either,
    };
    let (number, dv, _) = split_id(words, "");
    let id_type = match kind {
        IdKind::Nit => "31",
        IdKind::Cedula => "13",
        IdKind::Foreigner => "22",
        IdKind::Passport => "41",
        IdKind::Either if dv.is_some() => "31",
        IdKind::Either => "13",
    };
    (number, dv, id_type.to_string())
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

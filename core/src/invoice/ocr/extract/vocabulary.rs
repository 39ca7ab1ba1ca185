//! The labels invoices print before their fields, as a vocabulary: each field has many
//! spellings (`No.`, `Nro.`, `N°`, `Número`, `#`; `Fecha`, `Fecha de emisión`,
//! `Expedición`; `Cliente`, `Señores`, `Adquiriente` ...). Every label on a line is found,
//! the longest spelling first, so a value runs up to the next label and `Fecha de
//! vencimiento` is never read as `Fecha`.

use super::super::labels::fold;
use super::super::text::{TextLine, Word};

/// The id types a label names; `Either` for labels such as `NIT/CC` or `Identificación`,
/// decided by the value (a check digit makes it a NIT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdKind {
    /// `NIT` (DIAN type 31).
    Nit,
    /// `C.C.` (13).
    Cedula,
    /// `C.E.` (22).
    Foreigner,
    /// `Pasaporte` (41).
    Passport,
    /// `NIT/CC`, `C.C./NIT`, `Identificación`: by the value.
    Either,
}

/// What a label introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// The document's number.
    Number,
    /// The issue date.
    IssueDate,
    /// The due date.
    DueDate,
    /// The issue time.
    Time,
    /// The buyer's name.
    Buyer,
    /// The seller's name.
    Seller,
    /// A party's id.
    Id(IdKind),
    /// A note's reference to the invoice it corrects.
    Reference,
    /// The lines' sum before taxes.
    Subtotal,
    /// A tax, by DIAN code.
    Tax(&'static str),
    /// A discount.
    Discount,
    /// A withholding (not a tax of the invoice).
    Withholding,
    /// The total; a higher rank is preferred (`Total a pagar` over `Total`).
    Total(u8),
    /// The CUFE or CUDE.
    Cufe,
    /// Any other label (address, phone, payment ...): known only so a value stops there.
    Other,
}

/// The spellings, folded (lower case, no accents, no surrounding punctuation), words
/// separated by one space.
const LABELS: &[(&str, Field)] = &[
    // The number.
    ("factura electronica de venta no", Field::Number),
    ("factura de venta no", Field::Number),
    ("factura de venta nro", Field::Number),
    ("factura de venta n°", Field::Number),
    ("factura no", Field::Number),
    ("factura nro", Field::Number),
    ("factura n°", Field::Number),
    ("factura numero", Field::Number),
    ("numero de factura", Field::Number),
    ("no de factura", Field::Number),
    ("no factura", Field::Number),
    ("numero", Field::Number),
    ("num", Field::Number),
    ("no", Field::Number),
    ("nro", Field::Number),
    ("n°", Field::Number),
    ("nº", Field::Number),
    ("n*", Field::Number),
    ("#", Field::Number),
    ("consecutivo", Field::Number),
    // Dates and time.
    ("fecha y hora de emision", Field::IssueDate),
    ("fecha de emision", Field::IssueDate),
    ("fecha emision", Field::IssueDate),
    ("fecha de expedicion", Field::IssueDate),
    ("fecha expedicion", Field::IssueDate),
    ("fecha de factura", Field::IssueDate),
    ("fecha factura", Field::IssueDate),
    ("fecha de la factura", Field::IssueDate),
    ("fecha de generacion", Field::IssueDate),
    ("expedicion", Field::IssueDate),
    ("emision", Field::IssueDate),
    ("expedida", Field::IssueDate),
    ("fecha", Field::IssueDate),
    ("fecha de vencimiento", Field::DueDate),
    ("fecha vencimiento", Field::DueDate),
    ("fecha limite de pago", Field::DueDate),
    ("fecha limite", Field::DueDate),
    ("fecha de pago", Field::DueDate),
    ("vencimiento", Field::DueDate),
    ("vence", Field::DueDate),
    ("hora de emision", Field::Time),
    ("hora de expedicion", Field::Time),
    ("hora", Field::Time),
    // Parties.
    ("cliente", Field::Buyer),
    ("nombre del cliente", Field::Buyer),
    ("senores", Field::Buyer),
    ("senor", Field::Buyer),
    ("sres", Field::Buyer),
    ("adquiriente", Field::Buyer),
    ("adquirente", Field::Buyer),
    ("comprador", Field::Buyer),
    ("facturar a", Field::Buyer),
    ("facturado a", Field::Buyer),
    ("emisor", Field::Seller),
    ("proveedor", Field::Seller),
    ("nit", Field::Id(IdKind::Nit)),
    ("nit del emisor", Field::Id(IdKind::Nit)),
    ("c.c", Field::Id(IdKind::Cedula)),
    ("cc", Field::Id(IdKind::Cedula)),
    ("cedula", Field::Id(IdKind::Cedula)),
    ("c.e", Field::Id(IdKind::Foreigner)),
    ("ce", Field::Id(IdKind::Foreigner)),
    ("pasaporte", Field::Id(IdKind::Passport)),
    ("nit/cc", Field::Id(IdKind::Either)),
    ("nit/c.c", Field::Id(IdKind::Either)),
    ("c.c./nit", Field::Id(IdKind::Either)),
    ("c.c/nit", Field::Id(IdKind::Either)),
    ("cc/nit", Field::Id(IdKind::Either)),
    ("nit o cc", Field::Id(IdKind::Either)),
    ("nit o c.c", Field::Id(IdKind::Either)),
    ("identificacion", Field::Id(IdKind::Either)),
    ("doc", Field::Id(IdKind::Either)),
    ("factura de referencia", Field::Reference),
    ("factura referencia", Field::Reference),
    ("factura afectada", Field::Reference),
    ("documento de referencia", Field::Reference),
    ("referencia", Field::Reference),
    // Totals.
    ("subtotal", Field::Subtotal),
    ("sub total", Field::Subtotal),
    ("sub-total", Field::Subtotal),
    ("valor bruto", Field::Subtotal),
    ("total bruto", Field::Subtotal),
    ("base gravable", Field::Subtotal),
    ("base imponible", Field::Subtotal),
    ("total sin iva", Field::Subtotal),
    ("valor antes de iva", Field::Subtotal),
    ("iva", Field::Tax("01")),
    ("impuesto iva", Field::Tax("01")),
    ("total iva", Field::Tax("01")),
    ("valor iva", Field::Tax("01")),
    ("inc", Field::Tax("04")),
    ("impoconsumo", Field::Tax("04")),
    ("impuesto al consumo", Field::Tax("04")),
    ("impuesto nacional al consumo", Field::Tax("04")),
    ("ica", Field::Tax("03")),
    ("descuento", Field::Discount),
    ("descuentos", Field::Discount),
    ("total descuento", Field::Discount),
    ("dcto", Field::Discount),
    ("retencion en la fuente", Field::Withholding),
    ("retencion", Field::Withholding),
    ("retefuente", Field::Withholding),
    ("rete fuente", Field::Withholding),
    ("reteiva", Field::Withholding),
    ("rete iva", Field::Withholding),
    ("reteica", Field::Withholding),
    ("rete ica", Field::Withholding),
    ("total a pagar", Field::Total(3)),
    ("neto a pagar", Field::Total(3)),
    ("valor a pagar", Field::Total(3)),
    ("total neto", Field::Total(3)),
    ("total factura", Field::Total(2)),
    ("valor total", Field::Total(2)),
    ("gran total", Field::Total(2)),
    ("total", Field::Total(1)),
    ("cufe", Field::Cufe),
    ("cude", Field::Cufe),
    ("cufe/cude", Field::Cufe),
    // Others: values stop at them.
    ("direccion", Field::Other),
    ("dir", Field::Other),
    ("telefono", Field::Other),
    ("tel", Field::Other),
    ("tels", Field::Other),
    ("celular", Field::Other),
    ("cel", Field::Other),
    ("ciudad", Field::Other),
    ("municipio", Field::Other),
    ("email", Field::Other),
    ("e-mail", Field::Other),
    ("correo", Field::Other),
    ("correo electronico", Field::Other),
    ("forma de pago", Field::Other),
    ("medio de pago", Field::Other),
    ("condiciones de pago", Field::Other),
    ("orden de compra", Field::Other),
    ("pedido", Field::Other),
    ("resolucion", Field::Other),
    ("regimen", Field::Other),
    ("vendedor", Field::Other),
    ("pagina", Field::Other),
    ("moneda", Field::Other),
];

/// The longest label spelling, in words.
const LONGEST: usize = 5;

/// Words that, right before `No.` or `#`, make it the number of something else
/// (`Resolución DIAN No.`, `Pedido No.`, `Tel #`).
const NOT_THE_INVOICE: &[&str] = &[
    "dian",
    "resolucion",
    "autorizacion",
    "pedido",
    "orden",
    "compra",
    "remision",
    "cuenta",
    "contrato",
    "guia",
    "tel",
    "telefono",
    "cel",
    "celular",
    "casa",
    "calle",
    "carrera",
    "cra",
    "cl",
    "kr",
    "av",
    "avenida",
    "local",
    "oficina",
    "apto",
];

/// A word as labels are compared: folded, with `#` kept (folding trims it).
pub(crate) fn label_word(text: &str) -> String {
    let bare = text.trim_matches(|c| c == ':' || c == '.');
    if bare == "#" {
        "#".to_string()
    } else if is_misread_numero(bare) {
        "n°".to_string()
    } else {
        fold(text)
    }
}

/// `N°` as OCR often gives it: an `N` and one to three marks where the degree sign was
/// (`Nº`, `N“%`, `N*`, `N'`).
fn is_misread_numero(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some('N' | 'n'))
        && (1..=3).contains(&chars.clone().count())
        && chars.all(|c| {
            c == 'º' || (!c.is_alphanumeric() && !c.is_whitespace() && c != '$' && c != '#')
        })
}

/// A label found on a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Label {
    /// What it introduces.
    pub field: Field,
    /// The line it is on.
    pub line: usize,
    /// Its first word.
    pub start: usize,
    /// The first word after it.
    pub after: usize,
}

/// Every label on the lines in `range`, line by line, left to right, each spelling matched
/// as long as it goes.
pub(crate) fn find_labels(lines: &[TextLine], range: impl Iterator<Item = usize>) -> Vec<Label> {
    let mut out = Vec::new();
    for l in range {
        let Some(line) = lines.get(l) else { break };
        let folded: Vec<String> = line.words.iter().map(|w| label_word(&w.text)).collect();
        let mut i = 0;
        while i < folded.len() {
            match longest_at(&folded, i) {
                Some((field, len)) if acceptable(field, &folded, i) => {
                    out.push(Label {
                        field,
                        line: l,
                        start: i,
                        after: i + len,
                    });
                    i += len;
                }
                _ => i += 1,
            }
        }
    }
    out
}

/// The longest spelling starting at word `i`, and its length in words.
fn longest_at(folded: &[String], i: usize) -> Option<(Field, usize)> {
    for len in (1..=LONGEST.min(folded.len() - i)).rev() {
        let phrase = folded[i..i + len].join(" ");
        if let Some((_, field)) = LABELS.iter().find(|(label, _)| *label == phrase) {
            return Some((*field, len));
        }
    }
    None
}

/// A short label that follows a word naming something else is not the invoice's.
fn acceptable(field: Field, folded: &[String], i: usize) -> bool {
    match field {
        Field::Number if i > 0 => !NOT_THE_INVOICE.contains(&folded[i - 1].as_str()),
        _ => true,
    }
}

/// The end of the column that word `from` starts: the first word (before `to`) separated
/// from the one before it by a gap wider than a column gap.
pub(crate) fn segment_end(words: &[Word], from: usize, to: usize) -> usize {
    let height = typical_height(words);
    let mut end = from + 1;
    while end < to && gap(&words[end - 1], &words[end]) <= height * COLUMN_GAP {
        end += 1;
    }
    end.min(to)
}

/// A gap wider than this many word heights separates columns.
const COLUMN_GAP: f32 = 1.6;

fn gap(a: &Word, b: &Word) -> f32 {
    b.left - (a.left + a.width)
}

/// The median height of the words (0 for none).
pub(crate) fn typical_height(words: &[Word]) -> f32 {
    let mut heights: Vec<f32> = words.iter().map(|w| w.height).collect();
    heights.sort_by(f32::total_cmp);
    heights.get(heights.len() / 2).copied().unwrap_or(0.0)
}

/// The words a label introduces on its own line: those right after it, up to the next
/// label or the end of their column; when the label ends its column, the next column's
/// (a value printed far to the right, as totals are).
pub(crate) fn beside<'a>(lines: &'a [TextLine], labels: &[Label], label: &Label) -> &'a [Word] {
    let words = &lines[label.line].words;
    let stop = next_label(labels, label.line, label.after, words.len());
    if label.after >= stop {
        return &[];
    }
    &words[label.after..segment_end(words, label.after, stop)]
}

/// The words after a label up to the next label on its line, whatever the gaps.
pub(crate) fn rest<'a>(lines: &'a [TextLine], labels: &[Label], label: &Label) -> &'a [Word] {
    let words = &lines[label.line].words;
    let stop = next_label(labels, label.line, label.after, words.len());
    &words[label.after.min(stop)..stop]
}

/// Where the first label on `line` at or after word `from` starts (`len`, the line's word
/// count, when none does).
pub(crate) fn next_label(labels: &[Label], line: usize, from: usize, len: usize) -> usize {
    labels
        .iter()
        .filter(|o| o.line == line && o.start >= from)
        .map(|o| o.start)
        .min()
        .unwrap_or(len)
        .min(len)
}

/// The words below a label, on the next line of the same page, in the column the label
/// starts (up to a label there).
pub(crate) fn below<'a>(lines: &'a [TextLine], labels: &[Label], label: &Label) -> &'a [Word] {
    let Some(next) = lines.get(label.line + 1) else {
        return &[];
    };
    if next.page != lines[label.line].page {
        return &[];
    }
    let here = &lines[label.line].words[label.start];
    let tolerance = here.height.max(1.0) * 3.0;
    let Some(first) = next
        .words
        .iter()
        .position(|w| (w.left - here.left).abs() <= tolerance)
    else {
        return &[];
    };
    let stop = next_label(labels, label.line + 1, first, next.words.len());
    if labels
        .iter()
        .any(|o| o.line == label.line + 1 && o.start == first)
    {
        return &[];
    }
    &next.words[first..segment_end(&next.words, first, stop)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misread_degree_sign_still_makes_the_number_label() {
        for word in ["N°", "Nº", "N“%", "N*", "N'"] {
            assert_eq!(label_word(word), "n°", "{word}");
        }
        for word in ["No", "N", "NIT", "N$", "N12"] {
            assert_ne!(label_word(word), "n°", "{word}");
        }
    }
}

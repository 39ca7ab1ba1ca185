//! The totals block and the CUFE: the subtotal, each tax, the total (the most specific
//! label wins: `Total a pagar` over `Total`), each read beside its label or below it.
//! Discounts and withholdings are recognised so they are never taken for a tax or the
//! total.

use super::super::numbers::DecimalMark;
use super::super::text::{TextLine, Word};
use super::tokens::{amount_in, clean_hex};
use super::vocabulary::{Field, Label, below, rest};
use super::{Found, read};

/// Reads the totals (labels from line `from` on, after the table) and the CUFE (anywhere
/// outside the table) into `found`.
pub(super) fn read_totals(
    lines: &[TextLine],
    labels: &[Label],
    from: usize,
    mark: DecimalMark,
    found: &mut Found,
) {
    let amount = |label: &Label| {
        amount_in(rest(lines, labels, label), mark)
            .or_else(|| amount_in(below(lines, labels, label), mark))
    };
    let mut best_total = 0;
    for label in labels.iter().filter(|l| l.line >= from) {
        match label.field {
            Field::Subtotal if found.subtotal.is_none() => found.subtotal = amount(label),
            Field::Tax(code) if !found.taxes.contains_key(code) => {
                if let Some(value) = amount(label) {
                    found.taxes.insert(code.to_string(), value);
                }
            }
            Field::Total(rank) if rank > best_total => {
                if let Some(value) = amount(label) {
                    found.total = Some(value);
                    best_total = rank;
                }
            }
            _ => {}
        }
    }
    if let Some(label) = labels.iter().find(|l| l.field == Field::Cufe) {
        cufe(lines, label, found);
    }
}

/// The CUFE (or CUDE) after its label, possibly wrapped over several lines.
fn cufe(lines: &[TextLine], label: &Label, found: &mut Found) {
    let mut hex = String::new();
    let mut words: Vec<Word> = Vec::new();
    let mut l = label.line;
    let mut from = label.after;
    while l < lines.len() && l <= label.line + 3 && hex.len() < 96 {
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

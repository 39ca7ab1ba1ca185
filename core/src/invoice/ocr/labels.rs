//! Finding labelled values in lines of text, the way a person reads a printed invoice:
//! accents, case and a trailing colon do not matter (OCR often drops or changes them).

use super::text::{TextLine, Word};

/// Folds a word for comparison: lower case, accents removed, surrounding punctuation
/// (`:`, `.`, `#`) trimmed.
pub fn fold(word: &str) -> String {
    word.trim_matches(|c: char| matches!(c, ':' | ';' | '.' | '#' | ',' | '|'))
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'Á' | 'À' | 'Ä' => 'a',
            'é' | 'è' | 'ë' | 'É' | 'È' | 'Ë' => 'e',
            'í' | 'ì' | 'ï' | 'Í' | 'Ì' | 'Ï' => 'i',
            'ó' | 'ò' | 'ö' | 'Ó' | 'Ò' | 'Ö' => 'o',
            'ú' | 'ù' | 'ü' | 'Ú' | 'Ù' | 'Ü' => 'u',
            'ñ' | 'Ñ' => 'n',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Where a label was found: the line, and the index of the first word after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index into the lines.
    pub line: usize,
    /// Index of the first word after the label.
    pub after: usize,
}

/// The first line in `range` that contains one of `labels` (each a space-separated,
/// already folded phrase), trying the labels in order of preference.
pub fn find(lines: &[TextLine], range: std::ops::Range<usize>, labels: &[&str]) -> Option<Hit> {
    for label in labels {
        let parts: Vec<&str> = label.split(' ').collect();
        for l in range.clone() {
            let Some(line) = lines.get(l) else { break };
            if let Some(after) = find_in(&line.words, &parts) {
                return Some(Hit { line: l, after });
            }
        }
    }
    None
}

/// The index after the first run of words equal (folded) to `parts`.
pub fn find_in(words: &[Word], parts: &[&str]) -> Option<usize> {
    if parts.is_empty() || words.len() < parts.len() {
        return None;
    }
    (0..=words.len() - parts.len())
        .find(|&i| {
            parts
                .iter()
                .enumerate()
                .all(|(k, p)| fold(&words[i + k].text) == *p)
        })
        .map(|i| i + parts.len())
}

/// The words after a hit, up to (not including) the first word that starts another label
/// in `stops`.
pub fn value<'a>(lines: &'a [TextLine], hit: Hit, stops: &[&str]) -> &'a [Word] {
    let words = &lines[hit.line].words;
    let rest = &words[hit.after.min(words.len())..];
    let end = rest
        .iter()
        .position(|w| stops.contains(&fold(&w.text).as_str()))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The words joined by single spaces.
pub fn join(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

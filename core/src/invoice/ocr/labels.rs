//! Words compared the way a person reads a printed invoice: accents, case and a trailing
//! colon do not matter (OCR often drops or changes them).

use super::text::Word;

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

/// The words joined by single spaces.
pub fn join(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

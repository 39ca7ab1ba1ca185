//! Words merged into the tokens values are read from: amounts with their peso sign, codes
//! and CUFE digits cleaned of what OCR adds.

use rust_decimal::Decimal;

use super::super::numbers::{DecimalMark, parse_number};
use super::super::text::Word;
use super::{Read, read};

/// Words merged into tokens: a lone `$` (or what OCR makes of it: `S`, `Ss`, `$*`) joins
/// the number after it, and a number split after its separator (`136.190,` `00`) is joined.
pub(crate) fn money_tokens(words: &[Word]) -> Vec<(String, Vec<Word>)> {
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
        let mut word = word.clone();
        let text = match strip_stray_mark(&word.text) {
            Some(amount) => {
                // A character was dropped: the amount is not trusted on its own.
                word.confidence = 0.0;
                amount
            }
            None => strip_misread_dollar(&word.text),
        };
        match pending.take() {
            Some(sign) => tokens.push((format!("${text}"), vec![sign, word])),
            None => tokens.push((text, vec![word])),
        }
    }
    tokens
}

/// The first amount in `words` (a rate such as `19%` is passed over).
pub(crate) fn amount_in(words: &[Word], mark: DecimalMark) -> Option<Read<Decimal>> {
    money_tokens(words)
        .iter()
        .filter(|(text, _)| !text.contains('%'))
        .find_map(|(text, used)| {
            parse_number(text.trim_end_matches([':', ';']), mark).map(|v| read(v, used))
        })
}

/// Whether the token is written as money (`$`) or a rate (`%`): what a description has not.
pub(crate) fn is_money_or_rate(text: &str) -> bool {
    text.contains('$') || text.ends_with('%')
}

/// What OCR makes of a lone peso sign.
fn is_dollar_like(text: &str) -> bool {
    matches!(
        text,
        "$" | "S" | "s" | "Ss" | "SS" | "$*" | "§" | "$." | "$:"
    )
}

/// `5$259.074.760,00` → `$259.074.760,00`: one stray mark (a speck, a table rule's end)
/// glued before the peso sign of an amount.
fn strip_stray_mark(text: &str) -> Option<String> {
    let mut chars = text.chars();
    let first = chars.next()?;
    let rest = chars.as_str();
    let amount = rest.strip_prefix('$')?;
    (first != '$'
        && amount.starts_with(|c: char| c.is_ascii_digit())
        && amount
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && amount.contains([',', '.']))
    .then(|| rest.to_string())
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

/// A product code as printed: four or more letters, digits, dashes and dots, with a digit.
pub(crate) fn looks_like_code(token: &str) -> bool {
    token.len() >= 4
        && token.chars().any(|c| c.is_ascii_digit())
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// A code or number as printed, without surrounding punctuation.
pub(crate) fn clean_code(text: &str) -> String {
    text.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// Hex digits of a CUFE word, with the letters OCR confuses for digits mapped back.
pub(crate) fn clean_hex(text: &str) -> String {
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

/// A line number as printed, OCR's usual confusions mapped back (`l` → 1, `Z` → 2,
/// `S` → 5); `None` when it is not one. The flag says a letter was mapped.
pub(crate) fn line_number(text: &str) -> Option<(String, bool)> {
    let trimmed = text.trim_end_matches(['.', ')', '-']);
    let digits: String = trimmed
        .chars()
        .map(|c| match c {
            'l' | 'I' | '|' | 'i' | '!' => '1',
            'O' | 'o' => '0',
            'Z' | 'z' => '2',
            'S' | 's' => '5',
            c => c,
        })
        .collect();
    (!digits.is_empty() && digits.len() <= 5 && digits.chars().all(|c| c.is_ascii_digit())).then(
        || {
            let guessed = digits != trimmed;
            (digits, guessed)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stray_mark_before_the_peso_sign_is_dropped() {
        assert_eq!(
            strip_stray_mark("5$259,074,760.00").as_deref(),
            Some("$259,074,760.00")
        );
        assert_eq!(
            strip_stray_mark("—$140.240,00").as_deref(),
            Some("$140.240,00")
        );
        assert_eq!(strip_stray_mark("$140.240,00"), None);
        assert_eq!(strip_stray_mark("5$"), None);
        assert_eq!(strip_stray_mark("a$b"), None);
    }
}

//! Numbers and dates as printed on Colombian invoices.
//!
//! Amounts come as `1.250.000,00` (Colombian), `$ 1.250.000`, `1,250,000.00` (English) or
//! plain `1250000.00`. A separator followed by exactly three digits is ambiguous
//! (`1.250`); the document's own style decides, found from the amounts that are not
//! ambiguous (see [`DecimalMark`]).

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Which character is the decimal mark in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalMark {
    /// `,` decimals and `.` thousands (Colombian).
    Comma,
    /// `.` decimals and `,` thousands (English).
    Point,
}

/// Guesses the decimal mark from the tokens of a page: a separator followed by one, two or
/// more than three digits at the end of a number is a decimal mark. Colombian when nothing
/// tells.
pub fn detect_mark<'a>(tokens: impl Iterator<Item = &'a str>) -> DecimalMark {
    let (mut comma, mut point) = (0u32, 0u32);
    for token in tokens {
        let t = token
            .trim_start_matches('$')
            .trim_end_matches(['%', ':', ';']);
        if !t.bytes().any(|b| b.is_ascii_digit())
            || !t
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        {
            continue;
        }
        if let Some(pos) = t.rfind(['.', ',']) {
            let tail = t.len() - pos - 1;
            if tail == 2 || tail == 1 {
                match t.as_bytes()[pos] {
                    b',' => comma += 1,
                    _ => point += 1,
                }
            }
        }
    }
    if point > comma {
        DecimalMark::Point
    } else {
        DecimalMark::Comma
    }
}

/// Parses an amount or quantity: optional `$`, optional sign, digits with the document's
/// separators. Thousands groups must be three digits; returns `None` for anything else.
pub fn parse_number(text: &str, mark: DecimalMark) -> Option<Decimal> {
    let t = text.trim().trim_start_matches('$').trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start_matches('$').trim()),
        None => (false, t),
    };
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    let (group, decimal) = match mark {
        DecimalMark::Comma => ('.', ','),
        DecimalMark::Point => (',', '.'),
    };
    let (int, frac) = match t.rfind(decimal) {
        Some(pos) => (&t[..pos], Some(&t[pos + 1..])),
        None => (t, None),
    };
    if let Some(frac) = frac
        && (frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let groups: Vec<&str> = int.split(group).collect();
    let first_ok =
        !groups[0].is_empty() && groups[0].len() <= if groups.len() > 1 { 3 } else { 28 };
    if !first_ok
        || groups[1..].iter().any(|g| g.len() != 3)
        || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut plain: String = groups.concat();
    if let Some(frac) = frac {
        plain.push('.');
        plain.push_str(frac);
    }
    let value = Decimal::from_str(&plain).ok()?;
    // A printed amount beyond MAX_AMOUNT is a misreading, and bounding it keeps every
    // product and sum the cross-checks compute inside the 28-digit range.
    if value.abs() >= MAX_AMOUNT {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// Amounts read from printed text stay below 10^13 (ten trillion pesos): a product of two
/// of them stays below 10^26.
const MAX_AMOUNT: Decimal = Decimal::from_parts(1_316_134_912, 2_328, 0, false, 0);

const MONTHS: [(&str, u32); 24] = [
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("ene", 1),
    ("feb", 2),
    ("mar", 3),
    ("abr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("ago", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
];

fn month(name: &str) -> Option<u32> {
    let lower = name.trim_end_matches('.').to_lowercase();
    if lower == "dic" {
        return Some(12);
    }
    MONTHS.iter().find(|(m, _)| *m == lower).map(|(_, n)| *n)
}

/// Parses a date as printed: `15/10/2026`, `15-10-2026`, `2026-10-15`, `2026/10/15`,
/// `15 de octubre de 2026`, `15-oct-2026`, `15 oct 2026`. Day first, as in Colombia.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim().trim_end_matches(['.', ',']);
    let parts: Vec<&str> = t
        .split(|c: char| c == '/' || c == '-' || c.is_whitespace())
        .filter(|p| !p.is_empty() && *p != "de" && *p != "del")
        .collect();
    if parts.len() != 3 {
        return None;
    }
    let number = |s: &str| s.parse::<u32>().ok();
    let (y, m, d) = if parts[0].len() == 4 {
        (number(parts[0])?, number(parts[1])?, number(parts[2])?)
    } else {
        let m = number(parts[1]).or_else(|| month(parts[1]))?;
        (number(parts[2])?, m, number(parts[0])?)
    };
    if !(1990..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn amounts_in_both_styles() {
        use DecimalMark::*;
        assert_eq!(parse_number("1.250.000,00", Comma), Some(d("1250000.00")));
        assert_eq!(parse_number("$ 1.250.000", Comma), Some(d("1250000")));
        assert_eq!(parse_number("$1,250,000.00", Point), Some(d("1250000.00")));
        assert_eq!(parse_number("1250000.00", Point), Some(d("1250000.00")));
        assert_eq!(parse_number("62,28", Comma), Some(d("62.28")));
        assert_eq!(parse_number("1.250", Comma), Some(d("1250")));
        assert_eq!(parse_number("1.250", Point), Some(d("1.250")));
        assert_eq!(parse_number("-$ 52.000,50", Comma), Some(d("-52000.50")));
        assert_eq!(parse_number("1.25.000,00", Comma), None);
        assert_eq!(parse_number("12a", Comma), None);
        assert_eq!(parse_number("", Comma), None);
        assert_eq!(parse_number("1,", Comma), None);
        // Beyond ten trillion: a misreading, and too large for the cross-checks' products.
        assert_eq!(
            parse_number("9.999.999.999.999,99", Comma),
            Some(d("9999999999999.99"))
        );
        assert_eq!(parse_number("10.000.000.000.000", Comma), None);
        assert_eq!(parse_number("79228162514264337593543950335", Point), None);
    }

    #[test]
    fn the_mark_is_found_from_unambiguous_amounts() {
        let co = ["$", "1.250.000,00", "62,28", "1.250"];
        assert_eq!(detect_mark(co.into_iter()), DecimalMark::Comma);
        let en = ["$1,250,000.00", "12.5", "1,250"];
        assert_eq!(detect_mark(en.into_iter()), DecimalMark::Point);
    }

    #[test]
    fn spanish_dates() {
        let oct15 = NaiveDate::from_ymd_opt(2026, 10, 15);
        for text in [
            "15/10/2026",
            "15-10-2026",
            "2026-10-15",
            "2026/10/15",
            "15 de octubre de 2026",
            "15-oct-2026",
            "15 Oct. 2026",
        ] {
            assert_eq!(parse_date(text), oct15, "{text}");
        }
        assert_eq!(
            parse_date("1 de diciembre de 2025"),
            NaiveDate::from_ymd_opt(2025, 12, 1)
        );
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(parse_date("15/10"), None);
    }
}

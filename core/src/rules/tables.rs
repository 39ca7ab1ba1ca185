//! The data of a rule set version that an analyst edits: `ruleset.toml` (metadata, fee,
//! IVA, tiers) and the CSV tables it names. Every value is checked on load, and an error names
//! the file, the line and the field.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::RuleError;
use crate::money::Rounding;

/// The highest rate a group may have, in percent: a commission is a part of its base.
pub const MAX_RATE_PERCENT: Decimal = Decimal::ONE_HUNDRED;
/// The highest factor a tier may apply to a group's rate.
pub const MAX_TIER_FACTOR: Decimal = Decimal::TEN;

/// `ruleset.toml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Manifest {
    pub id: String,
    pub valid_from: String,
    pub description: String,
    pub script: String,
    pub tables: ManifestTables,
    pub fee: ManifestFee,
    pub iva: ManifestIva,
    pub tiers: Vec<ManifestTier>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ManifestTables {
    pub groups: String,
    pub special: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ManifestFee {
    pub rounding: String,
    pub places: u32,
    pub minimum: String,
    pub maximum: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ManifestIva {
    pub percent: String,
    pub rounding: String,
    pub places: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ManifestTier {
    pub up_to: Option<String>,
    pub factor: String,
}

/// How the fee is rounded and limited.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FeeRule {
    /// Rounding of the summed fee.
    pub rounding: Rounding,
    /// Decimal places kept (0 = whole pesos).
    pub places: u32,
    /// The least fee of an eligible invoice.
    #[serde(with = "rust_decimal::serde::str")]
    pub minimum: Decimal,
    /// The greatest fee.
    #[serde(with = "rust_decimal::serde::str")]
    pub maximum: Decimal,
}

/// How IVA is computed on the fee.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IvaRule {
    /// The IVA rate in percent (19).
    #[serde(with = "rust_decimal::serde::str")]
    pub percent: Decimal,
    /// Rounding of the IVA.
    pub rounding: Rounding,
    /// Decimal places kept.
    pub places: u32,
}

/// One marginal volume tier.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tier {
    /// The tier's upper bound (`None` for the last tier).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub up_to: Option<Decimal>,
    /// The factor applied to the group's rate within this tier (0.75).
    #[serde(with = "rust_decimal::serde::str")]
    pub factor: Decimal,
}

/// A row of the groups table: chapters `chapter_from..=chapter_to` form `group`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupRow {
    /// The group's key (`agricola`).
    pub group: String,
    /// The group's name for people.
    pub label: String,
    /// First chapter.
    pub chapter_from: u8,
    /// Last chapter.
    pub chapter_to: u8,
    /// The rate in percent (0.08).
    #[serde(with = "rust_decimal::serde::str")]
    pub rate_percent: Decimal,
}

/// A row of the special table: lines of `heading` form `group` at their own rate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SpecialRow {
    /// The four-digit heading (`0901`).
    pub heading: String,
    /// The group's key (`cafe`).
    pub group: String,
    /// The group's name for people.
    pub label: String,
    /// The rate in percent (0.05).
    #[serde(with = "rust_decimal::serde::str")]
    pub rate_percent: Decimal,
}

/// Everything of a version that is data rather than script.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tariff {
    /// Fee rounding and limits.
    pub fee: FeeRule,
    /// IVA on the fee.
    pub iva: IvaRule,
    /// Marginal tiers, ascending.
    pub tiers: Vec<Tier>,
    /// Groups by chapter.
    pub groups: Vec<GroupRow>,
    /// Headings with their own rate.
    pub special: Vec<SpecialRow>,
}

pub(super) fn parse_manifest(path: &Path, text: &str) -> Result<Manifest, RuleError> {
    toml::from_str(text).map_err(|e| toml_error(path, text, &e))
}

/// A TOML error with its line number.
pub(super) fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> RuleError {
    let line = e
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    RuleError::File {
        path: path.to_owned(),
        line,
        message: e.message().to_owned(),
    }
}

fn field_error(path: &Path, field: &str, message: impl Into<String>) -> RuleError {
    RuleError::File {
        path: path.to_owned(),
        line: None,
        message: format!("{field}: {}", message.into()),
    }
}

pub(super) fn decimal(path: &Path, field: &str, text: &str) -> Result<Decimal, RuleError> {
    Decimal::from_str_exact(text.trim())
        .map_err(|e| field_error(path, field, format!("{text:?} is not a decimal: {e}")))
}

fn rounding(path: &Path, field: &str, text: &str) -> Result<Rounding, RuleError> {
    Rounding::parse(text).ok_or_else(|| {
        field_error(
            path,
            field,
            format!("{text:?} is not half_up, half_even or down"),
        )
    })
}

pub(super) fn valid_from(path: &Path, text: &str) -> Result<NaiveDate, RuleError> {
    text.parse().map_err(|e| {
        field_error(
            path,
            "valid_from",
            format!("{text:?} is not YYYY-MM-DD: {e}"),
        )
    })
}

/// Reads a file of the version by name: its path (for errors) and its text.
pub(super) type ReadFile<'a> = dyn Fn(&str) -> Result<(PathBuf, String), RuleError> + 'a;

/// Checks the manifest's numbers and reads its tables.
pub(super) fn tariff(
    path: &Path,
    manifest: &Manifest,
    read: &ReadFile<'_>,
) -> Result<Tariff, RuleError> {
    let fee = FeeRule {
        rounding: rounding(path, "fee.rounding", &manifest.fee.rounding)?,
        places: manifest.fee.places,
        minimum: decimal(path, "fee.minimum", &manifest.fee.minimum)?,
        maximum: decimal(path, "fee.maximum", &manifest.fee.maximum)?,
    };
    if fee.minimum.is_sign_negative() || fee.minimum > fee.maximum {
        return Err(field_error(
            path,
            "fee",
            "minimum must be 0 or more and not above maximum",
        ));
    }
    let iva = IvaRule {
        percent: decimal(path, "iva.percent", &manifest.iva.percent)?,
        rounding: rounding(path, "iva.rounding", &manifest.iva.rounding)?,
        places: manifest.iva.places,
    };
    if iva.percent.is_sign_negative() || iva.percent > MAX_RATE_PERCENT {
        return Err(field_error(
            path,
            "iva.percent",
            format!("must be between 0 and {MAX_RATE_PERCENT}"),
        ));
    }
    let mut tiers = Vec::with_capacity(manifest.tiers.len());
    for (i, t) in manifest.tiers.iter().enumerate() {
        let field = format!("tiers[{i}]");
        let up_to = t
            .up_to
            .as_deref()
            .map(|u| decimal(path, &format!("{field}.up_to"), u))
            .transpose()?;
        let factor = decimal(path, &format!("{field}.factor"), &t.factor)?;
        if factor.is_sign_negative() || factor > MAX_TIER_FACTOR {
            return Err(field_error(
                path,
                &field,
                format!("factor must be between 0 and {MAX_TIER_FACTOR}"),
            ));
        }
        let previous = tiers
            .last()
            .and_then(|p: &Tier| p.up_to)
            .unwrap_or(Decimal::ZERO);
        match up_to {
            Some(u) if u <= previous => {
                return Err(field_error(
                    path,
                    &field,
                    "up_to must grow from tier to tier",
                ));
            }
            None if i + 1 != manifest.tiers.len() => {
                return Err(field_error(
                    path,
                    &field,
                    "only the last tier may omit up_to",
                ));
            }
            _ => {}
        }
        tiers.push(Tier { up_to, factor });
    }
    if tiers.last().is_none_or(|t| t.up_to.is_some()) {
        return Err(field_error(
            path,
            "tiers",
            "the last tier must have no up_to (it is unbounded)",
        ));
    }
    let (groups_path, groups_text) = read(&manifest.tables.groups)?;
    let special = match &manifest.tables.special {
        Some(name) => {
            let (special_path, special_text) = read(name)?;
            special_rows(&special_path, &special_text)?
        }
        None => Vec::new(),
    };
    Ok(Tariff {
        fee,
        iva,
        tiers,
        groups: group_rows(&groups_path, &groups_text)?,
        special,
    })
}

/// Reads CSV rows as (line, column name → value) with errors naming the line.
fn csv_rows(
    path: &Path,
    text: &str,
    columns: &[&str],
) -> Result<Vec<(u64, Vec<String>)>, RuleError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let table_error = |line: u64, field: &str, message: String| RuleError::Table {
        path: path.to_owned(),
        line,
        field: field.to_owned(),
        message,
    };
    let headers = reader
        .headers()
        .map_err(|e| table_error(1, "header", e.to_string()))?
        .clone();
    let mut index = Vec::with_capacity(columns.len());
    for column in columns {
        let i = headers
            .iter()
            .position(|h| h.trim() == *column)
            .ok_or_else(|| table_error(1, column, "column missing from the header".to_owned()))?;
        index.push(i);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            table_error(line, "row", e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let values = index
            .iter()
            .map(|&i| record.get(i).unwrap_or("").trim().to_owned())
            .collect();
        rows.push((line, values));
    }
    Ok(rows)
}

fn table_decimal(path: &Path, line: u64, field: &str, text: &str) -> Result<Decimal, RuleError> {
    let value = Decimal::from_str_exact(text).map_err(|e| RuleError::Table {
        path: path.to_owned(),
        line,
        field: field.to_owned(),
        message: format!("{text:?} is not a decimal: {e}"),
    })?;
    if value.is_sign_negative() {
        return Err(RuleError::Table {
            path: path.to_owned(),
            line,
            field: field.to_owned(),
            message: "must not be negative".to_owned(),
        });
    }
    if field == "rate_percent" && value > MAX_RATE_PERCENT {
        return Err(RuleError::Table {
            path: path.to_owned(),
            line,
            field: field.to_owned(),
            message: format!(
                "{value} % is above {MAX_RATE_PERCENT} %: a rate is a part of the base"
            ),
        });
    }
    Ok(value)
}

fn require_key(path: &Path, line: u64, field: &str, text: &str) -> Result<String, RuleError> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(RuleError::Table {
            path: path.to_owned(),
            line,
            field: field.to_owned(),
            message: format!("{text:?} must be a non-empty key of letters, digits and _"),
        });
    }
    Ok(text.to_owned())
}

fn group_rows(path: &Path, text: &str) -> Result<Vec<GroupRow>, RuleError> {
    let columns = [
        "group",
        "label",
        "chapter_from",
        "chapter_to",
        "rate_percent",
    ];
    let mut rows: Vec<GroupRow> = Vec::new();
    for (line, v) in csv_rows(path, text, &columns)? {
        let chapter = |field: &str, text: &str| {
            text.parse::<u8>()
                .ok()
                .filter(|c| (1..=97).contains(c))
                .ok_or_else(|| RuleError::Table {
                    path: path.to_owned(),
                    line,
                    field: field.to_owned(),
                    message: format!("{text:?} is not a chapter from 1 to 97"),
                })
        };
        let row = GroupRow {
            group: require_key(path, line, "group", &v[0])?,
            label: v[1].clone(),
            chapter_from: chapter("chapter_from", &v[2])?,
            chapter_to: chapter("chapter_to", &v[3])?,
            rate_percent: table_decimal(path, line, "rate_percent", &v[4])?,
        };
        let overlaps = rows
            .iter()
            .find(|r| r.chapter_from <= row.chapter_to && row.chapter_from <= r.chapter_to);
        if row.chapter_from > row.chapter_to || overlaps.is_some() {
            return Err(RuleError::Table {
                path: path.to_owned(),
                line,
                field: "chapter_from".to_owned(),
                message: match overlaps {
                    Some(r) => format!("chapters overlap those of group {}", r.group),
                    None => "chapter_from is after chapter_to".to_owned(),
                },
            });
        }
        rows.push(row);
    }
    Ok(rows)
}

fn special_rows(path: &Path, text: &str) -> Result<Vec<SpecialRow>, RuleError> {
    let columns = ["heading", "group", "label", "rate_percent"];
    let mut rows: Vec<SpecialRow> = Vec::new();
    for (line, v) in csv_rows(path, text, &columns)? {
        if v[0].len() != 4 || !v[0].bytes().all(|b| b.is_ascii_digit()) {
            return Err(RuleError::Table {
                path: path.to_owned(),
                line,
                field: "heading".to_owned(),
                message: format!("{:?} is not a four-digit heading", v[0]),
            });
        }
        if rows.iter().any(|r| r.heading == v[0]) {
            return Err(RuleError::Table {
                path: path.to_owned(),
                line,
                field: "heading".to_owned(),
                message: format!("heading {} appears twice", v[0]),
            });
        }
        rows.push(SpecialRow {
            heading: v[0].clone(),
            group: require_key(path, line, "group", &v[1])?,
            label: v[2].clone(),
            rate_percent: table_decimal(path, line, "rate_percent", &v[3])?,
        });
    }
    Ok(rows)
}

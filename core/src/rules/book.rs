//! A rule book: every version of one rule set, and the choice of the version in force.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

use super::RuleError;
use super::embedded;
use super::ruleset::{MANIFEST, RuleSet};

/// The id of the rule set shipped with the library.
pub const DEFAULT_RULE_SET: &str = "registro-facturas";

/// All versions of a rule set, side by side. The version in force on a date is the one with
/// the latest `valid_from` on or before it.
///
/// ```
/// use bmc_core::rules::RuleBook;
///
/// let book = RuleBook::embedded()?;
/// let v = book.in_force("2026-03-01".parse().unwrap())?;
/// assert_eq!(v.valid_from().to_string(), "2026-01-01");
/// # Ok::<(), bmc_core::rules::RuleError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RuleBook {
    versions: Vec<Arc<RuleSet>>,
    path: Option<PathBuf>,
}

impl RuleBook {
    /// Loads a rule set folder: one sub-folder per version, named `YYYY-MM-DD` (other
    /// sub-folders such as `cases/` are skipped; an entry named as a version that is not a
    /// readable folder with a `ruleset.toml`, a dangling link or an empty folder, is
    /// [`RuleError::Io`], never skipped). Given a folder of rule sets (such as
    /// `rules/`) holding exactly one, loads that one.
    pub fn load(path: &Path) -> Result<RuleBook, RuleError> {
        let dirs = subdirs(path)?;
        let versions: Vec<&PathBuf> = dirs.iter().filter(|d| is_version_dir(d)).collect();
        if versions.is_empty() {
            let sets: Vec<&PathBuf> = dirs
                .iter()
                .filter(|d| {
                    d.is_dir() && subdirs(d).is_ok_and(|s| s.iter().any(|v| is_version_dir(v)))
                })
                .collect();
            if let [only] = sets.as_slice() {
                return RuleBook::load(only);
            }
            return Err(RuleError::Empty {
                path: path.to_owned(),
            });
        }
        let mut loaded = Vec::with_capacity(versions.len());
        for dir in versions {
            check_version_dir(dir)?;
            loaded.push(Arc::new(RuleSet::load(dir)?));
        }
        Ok(RuleBook::from_versions(loaded, Some(path.to_owned())))
    }

    /// The rule set shipped in the library (`rules/registro-facturas`).
    pub fn embedded() -> Result<RuleBook, RuleError> {
        let mut by_version: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
        for (set, version, name, text) in embedded::FILES {
            if *set == DEFAULT_RULE_SET {
                by_version
                    .entry(version)
                    .or_default()
                    .insert((*name).to_owned(), (*text).to_owned());
            }
        }
        let mut versions = Vec::with_capacity(by_version.len());
        for (version, files) in by_version {
            let dir = Path::new("rules").join(DEFAULT_RULE_SET).join(version);
            versions.push(Arc::new(RuleSet::from_files(&dir, files)?));
        }
        Ok(RuleBook::from_versions(versions, None))
    }

    /// A book of the given versions (sorted here by `valid_from`).
    pub fn from_versions(mut versions: Vec<Arc<RuleSet>>, path: Option<PathBuf>) -> RuleBook {
        versions.sort_by_key(|v| v.valid_from());
        RuleBook { versions, path }
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> &[Arc<RuleSet>] {
        &self.versions
    }

    /// The folder the book was loaded from (`None` for the embedded book).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The folder of the book's test cases (`<book>/cases`), if it has one.
    pub fn cases_dir(&self) -> Option<PathBuf> {
        let dir = self.versions.first()?.dir().parent()?.join("cases");
        dir.is_dir().then_some(dir)
    }

    /// The version in force on `date`.
    pub fn in_force(&self, date: NaiveDate) -> Result<&Arc<RuleSet>, RuleError> {
        let earliest = self.versions.first().map(|v| v.valid_from());
        self.versions
            .iter()
            .rev()
            .find(|v| v.valid_from() <= date)
            .ok_or(match earliest {
                Some(earliest) => RuleError::NotInForce { date, earliest },
                None => RuleError::Empty {
                    path: self.path.clone().unwrap_or_default(),
                },
            })
    }

    /// The version whose `valid_from` is `version` (`"2026-01-01"`).
    pub fn version(&self, version: &str) -> Result<&Arc<RuleSet>, RuleError> {
        self.versions
            .iter()
            .find(|v| v.valid_from().to_string() == version.trim())
            .ok_or_else(|| RuleError::UnknownVersion {
                version: version.to_owned(),
                available: self
                    .versions
                    .iter()
                    .map(|v| v.valid_from().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The version in force today in Colombia (UTC−5).
    pub fn current(&self) -> Result<&Arc<RuleSet>, RuleError> {
        self.in_force(today_in_colombia())
    }
}

/// Today's date in Colombia (UTC−5, no daylight saving).
pub fn today_in_colombia() -> NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let secs = i64::try_from(secs).unwrap_or(i64::MAX) - 5 * 3600;
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// True when the folder entry is named as a version (`YYYY-MM-DD`), whatever it is: a
/// version entry that is not a readable folder with a manifest is an error when loaded, never
/// skipped (skipping it would charge invoices under the previous version's tariff).
fn is_version_dir(dir: &Path) -> bool {
    dir.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.parse::<NaiveDate>().is_ok())
}

/// Checks that a version entry is a folder with a manifest, naming what is wrong.
fn check_version_dir(dir: &Path) -> Result<(), RuleError> {
    let io = |message: String| RuleError::Io {
        path: dir.to_owned(),
        message,
    };
    match std::fs::metadata(dir) {
        Err(e) => Err(io(format!(
            "the rule set version cannot be read ({e}); a version folder that cannot be read stops the book from loading"
        ))),
        Ok(m) if !m.is_dir() => Err(io("a rule set version must be a folder".to_owned())),
        Ok(_) if !dir.join(MANIFEST).is_file() => Err(io(format!(
            "the rule set version has no {MANIFEST}; a version folder without one stops the book from loading"
        ))),
        Ok(_) => Ok(()),
    }
}

/// The entries of `path` that are folders, links or named as versions, sorted. An entry that
/// cannot be listed is an error.
fn subdirs(path: &Path) -> Result<Vec<PathBuf>, RuleError> {
    let io = |e: std::io::Error| RuleError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        let p = entry.path();
        if p.is_dir() || is_version_dir(&p) {
            dirs.push(p);
        }
    }
    dirs.sort();
    Ok(dirs)
}

//! One rule set version: its metadata, tables, compiled script, content hash, and the
//! memo of the script's decisions.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::RuleError;
use super::script::{Decision, Script};
use super::tables::{self, Tariff};
use crate::dian::TariffCode;

/// The name of a version's manifest.
pub const MANIFEST: &str = "ruleset.toml";

/// A rule set version, ready to classify lines and compute commissions.
///
/// The script decides each subpartida's group once; the decision is remembered, so the
/// script runs once per distinct subpartida however many invoices are computed. A script
/// therefore decides from the subpartida alone (it receives nothing else).
pub struct RuleSet {
    id: String,
    valid_from: NaiveDate,
    description: String,
    hash: String,
    label: String,
    dir: PathBuf,
    files: BTreeMap<String, String>,
    tariff: Tariff,
    script: Script,
    decisions: RwLock<HashMap<TariffCode, Arc<Decision>>>,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSet")
            .field("id", &self.id)
            .field("valid_from", &self.valid_from)
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

impl RuleSet {
    /// Builds a version from its files (name → content); `dir` names them in errors.
    pub fn from_files(dir: &Path, files: BTreeMap<String, String>) -> Result<RuleSet, RuleError> {
        let manifest_path = dir.join(MANIFEST);
        let manifest_text = files.get(MANIFEST).ok_or_else(|| RuleError::Io {
            path: manifest_path.clone(),
            message: "not found".to_owned(),
        })?;
        let manifest = tables::parse_manifest(&manifest_path, manifest_text)?;
        let valid_from = tables::valid_from(&manifest_path, &manifest.valid_from)?;
        if let Some(folder) = dir.file_name().and_then(|n| n.to_str())
            && folder.parse::<NaiveDate>().is_ok_and(|d| d != valid_from)
        {
            return Err(RuleError::File {
                path: manifest_path,
                line: None,
                message: format!("valid_from {valid_from} differs from the folder name {folder}"),
            });
        }
        let read = |name: &str| {
            let path = dir.join(name);
            match files.get(name) {
                Some(text) => Ok((path, text.clone())),
                None => Err(RuleError::Io {
                    path,
                    message: "not found (named in ruleset.toml)".to_owned(),
                }),
            }
        };
        let tariff = tables::tariff(&manifest_path, &manifest, &read)?;
        let (path, script_text) = read(&manifest.script)?;
        let script = Script::compile(&path, &script_text, &tariff)?;
        Ok(RuleSet {
            label: format!("{}@{valid_from}", manifest.id),
            hash: content_hash(&files),
            id: manifest.id,
            valid_from,
            description: manifest.description,
            dir: dir.to_owned(),
            files,
            tariff,
            script,
            decisions: RwLock::new(HashMap::new()),
        })
    }

    /// Reads a version from its folder (every regular file in it).
    pub fn load(dir: &Path) -> Result<RuleSet, RuleError> {
        let io = |path: &Path, e: std::io::Error| RuleError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        };
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.is_file()
                && let Some(name) = path.file_name().and_then(|n| n.to_str())
            {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                files.insert(name.to_owned(), text);
            }
        }
        RuleSet::from_files(dir, files)
    }

    /// The rule set's id (`registro-facturas`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The date this version takes effect; also its version name.
    pub fn valid_from(&self) -> NaiveDate {
        self.valid_from
    }

    /// The description from `ruleset.toml`.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// SHA-256 (hex) of every file of the version, names and contents: two versions with the
    /// same hash compute the same commissions.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// `id@valid_from`, as used in messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Where the version was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The version's files, name → content.
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    /// The data: fee, IVA, tiers, groups, special headings.
    pub fn tariff(&self) -> &Tariff {
        &self.tariff
    }

    /// The branches the script declares (`branch: "..."`), for coverage.
    pub fn branches(&self) -> &[String] {
        &self.script.branches
    }

    /// The table rows a decision can come from (`groups:agricola`, `special:0901`).
    pub fn table_rows(&self) -> Vec<String> {
        let groups = self
            .tariff
            .groups
            .iter()
            .map(|g| format!("groups:{}", g.group));
        let special = self
            .tariff
            .special
            .iter()
            .map(|s| format!("special:{}", s.heading));
        groups.chain(special).collect()
    }

    /// The script's decision for a subpartida (run once per subpartida, then remembered).
    pub fn classify(&self, code: &TariffCode) -> Result<Arc<Decision>, RuleError> {
        if let Ok(memo) = self.decisions.read()
            && let Some(d) = memo.get(code)
        {
            return Ok(Arc::clone(d));
        }
        let decision = Arc::new(self.script.classify(&self.label, code)?);
        if let Ok(mut memo) = self.decisions.write() {
            memo.insert(*code, Arc::clone(&decision));
        }
        Ok(decision)
    }
}

fn content_hash(files: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (name, text) in files {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

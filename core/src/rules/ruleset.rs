//! One rule set version: its metadata, tables, compiled script, content hash, and the
//! memo of the script's decisions.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::RuleError;
use super::script::{Decision, Script};
use super::tables::{self, Tariff};
use crate::dian::TariffCode;

/// The name of a version's manifest.
pub const MANIFEST: &str = "ruleset.toml";

/// The rule set version a result came from. Its fields are shared, so a result refers to
/// its version without copying text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleSetRef {
    /// The rule set's id.
    pub id: Arc<str>,
    /// The version: its `valid_from` date.
    pub version: Arc<str>,
    /// The version's content hash.
    pub hash: Arc<str>,
}

/// Distinguishes rule set instances in the per-thread decision memo.
static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(1);

/// Most decisions one thread remembers before it starts over (bounds memory when rule sets
/// are reloaded many times in a long-running process).
const THREAD_MEMO_LIMIT: usize = 200_000;

thread_local! {
    /// Decisions already seen by this thread, by (rule set instance, subpartida): the hot
    /// path reads them with no lock and no atomic operation, so threads computing
    /// commissions side by side do not contend.
    static THREAD_MEMO: RefCell<HashMap<(u64, TariffCode), Rc<Decision>>> =
        RefCell::new(HashMap::new());
}

/// A rule set version, ready to classify lines and compute commissions.
///
/// The script decides each subpartida's group once; the decision is remembered, so the
/// script runs once per distinct subpartida however many invoices are computed. A script
/// therefore decides from the subpartida alone (it receives nothing else).
pub struct RuleSet {
    instance: u64,
    reference: RuleSetRef,
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
        let hash = content_hash(&files);
        Ok(RuleSet {
            instance: NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed),
            reference: RuleSetRef {
                id: manifest.id.as_str().into(),
                version: valid_from.to_string().into(),
                hash: hash.as_str().into(),
            },
            label: format!("{}@{valid_from}", manifest.id),
            hash,
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

    /// The id, version and hash, as results carry them.
    pub fn reference(&self) -> &RuleSetRef {
        &self.reference
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
    pub fn classify(&self, code: &TariffCode) -> Result<Decision, RuleError> {
        self.decision(code).map(|d| (*d).clone())
    }

    /// The remembered decision, from this thread's memo when it has it.
    pub(crate) fn decision(&self, code: &TariffCode) -> Result<Rc<Decision>, RuleError> {
        let key = (self.instance, *code);
        if let Some(d) = THREAD_MEMO.with_borrow(|memo| memo.get(&key).cloned()) {
            return Ok(d);
        }
        let shared = self.shared_decision(code)?;
        let decision = Rc::new((*shared).clone());
        THREAD_MEMO.with_borrow_mut(|memo| {
            if memo.len() >= THREAD_MEMO_LIMIT {
                memo.clear();
            }
            memo.insert(key, Rc::clone(&decision));
        });
        Ok(decision)
    }

    /// The decision from the memo shared by all threads, running the script on a miss.
    fn shared_decision(&self, code: &TariffCode) -> Result<Arc<Decision>, RuleError> {
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
    crate::hex::lower(&hasher.finalize())
}

//! Files arriving in a participant's `incoming` folders: taken once they have stopped
//! changing, kept in storage whatever they are, checked, turned into invoices (daily
//! reports) or acknowledged (regulatory filings), answered with a rejection file when not
//! acceptable, and moved to the archive.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bmc_core::invoice::{self, Format};
use serde_json::json;

use super::files::Entry;
use super::folders;
use super::ledger::Taken;
use super::{Exchange, ExchangeError};
use crate::capability::{Actor, NewAudit, ObjectKind};
use crate::host::Host;

/// Sizes seen at the previous look, to take only files that stopped growing.
#[derive(Debug, Default)]
pub struct Watch {
    sizes: HashMap<String, u64>,
}

/// True for a name an SFTP client writes to before renaming (or a hidden file).
fn in_progress(name: &str) -> bool {
    name.starts_with('.')
        || [".part", ".filepart", ".tmp", ".partial"]
            .iter()
            .any(|end| name.ends_with(end))
}

impl Watch {
    /// Of `entries`, the files of `participant`'s `folder`, those ready to be taken:
    /// unchanged since the last look and for `settle`, or at first sight when files are
    /// `whole` on arrival (then `settle` is zero).
    pub fn ready(
        &mut self,
        participant: &str,
        folder: &str,
        entries: Vec<Entry>,
        settle: Duration,
        whole: bool,
    ) -> Vec<Entry> {
        let settle = if whole { Duration::ZERO } else { settle };
        let now = SystemTime::now();
        let mut seen = HashSet::new();
        let mut ready = Vec::new();
        for entry in entries {
            if in_progress(entry.name()) {
                continue;
            }
            let key = format!("{participant}/{}", entry.path);
            seen.insert(key.clone());
            let previous = self.sizes.insert(key, entry.size);
            let quiet = now
                .duration_since(entry.modified)
                .is_ok_and(|age| age >= settle);
            if (whole || previous == Some(entry.size)) && quiet {
                ready.push(entry);
            }
        }
        // Files gone from the folder (taken, or removed) are forgotten.
        let prefix = format!("{participant}/{folder}/");
        self.sizes
            .retain(|key, _| !key.starts_with(&prefix) || seen.contains(key));
        ready
    }

    /// Forgets a file (taken).
    pub fn forget(&mut self, participant: &str, path: &str) {
        self.sizes.remove(&format!("{participant}/{path}"));
    }

    /// Files being watched.
    pub fn watched(&self) -> usize {
        self.sizes.len()
    }
}

/// What the checks of a file found wrong.
struct Refusal {
    code: String,
    message: String,
}

/// Takes `file`, which arrived in `participant`'s `folder`. A file that cannot be taken now
/// (the host still opening, storage down) is left for the next look.
pub async fn take(
    host: &Arc<Host>,
    exchange: &Exchange,
    participant: &str,
    folder: &'static str,
    file: &Entry,
) -> Result<(), ExchangeError> {
    let name = file.name().to_string();
    let limit = host.config.max_upload_bytes;
    let bytes = if usize::try_from(file.size).map_or(true, |size| size > limit) {
        None
    } else {
        Some(exchange.files.read(participant, &file.path).await?)
    };
    let actor = Actor {
        who: format!("sftp:{participant}"),
        role: Some("External".into()),
        from: Some("sftp".into()),
    };
    // Whatever it is, what a participant sent is kept: an invoice by its upload, anything
    // else here.
    let sha256 = crate::ids::sha256_hex(bytes.as_deref().unwrap_or_default());
    let mut document_key = String::new();
    let (outcome, invoice_id, refusal) = match bytes {
        None => (
            "rejected",
            None,
            Some(Refusal {
                code: "HOST_BODY_TOO_LARGE".into(),
                message: format!("the file is larger than the {limit} bytes accepted"),
            }),
        ),
        Some(bytes) if folder == folders::DAILY_REPORTS => {
            let kept = bytes.clone();
            match crate::intake::submit(host, bytes, None, actor.clone()).await {
                Ok((record, _)) => {
                    document_key = record.document_path;
                    ("accepted", Some(record.invoice_id), None)
                }
                Err(problem) if problem.status.is_server_error() => {
                    return Err(ExchangeError::Later(format!(
                        "{name}: {}: {}",
                        problem.code, problem.detail
                    )));
                }
                Err(problem) => {
                    document_key = host.caps.storage.put(ObjectKind::Document, &kept).await?;
                    (
                        "rejected",
                        None,
                        Some(Refusal {
                            code: problem.code,
                            message: problem.detail,
                        }),
                    )
                }
            }
        }
        Some(bytes) => {
            document_key = host.caps.storage.put(ObjectKind::Document, &bytes).await?;
            filing(&bytes)
        }
    };
    let archived_as = archive_target(exchange, participant, &name).await?;
    let received_at = crate::ids::now_rfc3339();
    let answer = match &refusal {
        Some(refusal) => Some((
            format!("{name}.rejected.json"),
            json!({
                "file": name,
                "folder": folder,
                "received_at": received_at,
                "sha256": sha256,
                "accepted": false,
                "code": refusal.code,
                "message": refusal.message,
            }),
        )),
        None if outcome == "filed" => Some((
            format!("{name}.received.json"),
            json!({
                "file": name,
                "folder": folder,
                "received_at": received_at,
                "sha256": sha256,
                "accepted": true,
                "kept_as": document_key,
            }),
        )),
        None => None,
    };
    if let Some((answer_name, body)) = &answer {
        let text = serde_json::to_vec_pretty(body).unwrap_or_default();
        let path = format!("{}/{answer_name}", folders::COMPLIANCE_DOCUMENTS);
        exchange.files.write(participant, &path, &text).await?;
    }
    let audited = match &refusal {
        Some(r) => Some((
            "exchange.file.rejected",
            json!({"code": r.code, "message": r.message}),
        )),
        None if outcome == "filed" => {
            Some(("exchange.filing.received", json!({"kept_as": document_key})))
        }
        // The invoice's upload is audited with it.
        None => None,
    };
    if let Some((action, mut detail)) = audited {
        detail["file"] = json!(name);
        detail["folder"] = json!(folder);
        detail["sha256"] = json!(sha256);
        host.caps
            .state
            .audit(NewAudit::new(
                &actor,
                action,
                &format!("{participant}/{folder}/{name}"),
                detail,
            ))
            .await?;
    }
    tracing::info!(participant, file = %name, folder, outcome, "exchange file taken");
    exchange
        .ledger
        .record(
            Taken {
                id: 0,
                participant: participant.to_string(),
                folder: folder.to_string(),
                name,
                sha256,
                document_key,
                archived_as: archived_as.clone(),
                invoice_id,
                outcome: outcome.to_string(),
                registration_id: None,
            },
            answer.is_some(),
        )
        .await?;
    // Recorded first: a host stopped here takes the file again, making the same invoice.
    exchange
        .files
        .rename(participant, &file.path, &archived_as)
        .await
}

/// A regulatory filing's verdict: a PDF or an XML document is filed, anything else rejected.
fn filing(bytes: &[u8]) -> (&'static str, Option<String>, Option<Refusal>) {
    match invoice::detect(bytes) {
        Format::Pdf | Format::Ubl => ("filed", None, None),
        _ if bytes.trim_ascii_start().starts_with(b"<?xml") => ("filed", None, None),
        _ => (
            "rejected",
            None,
            Some(Refusal {
                code: "HOST_UNSUPPORTED_MEDIA_TYPE".into(),
                message: "a regulatory filing is a PDF or an XML document".into(),
            }),
        ),
    }
}

/// Where a file goes in `archive/processed-files/YYYY-MM-DD/`, under a name not taken there.
async fn archive_target(
    exchange: &Exchange,
    participant: &str,
    name: &str,
) -> Result<String, ExchangeError> {
    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let dir = format!("{}/{day}", folders::PROCESSED_FILES);
    let mut target = format!("{dir}/{name}");
    let mut n = 1;
    while exchange.files.exists(participant, &target).await? {
        target = format!("{dir}/{n}-{name}");
        n += 1;
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, size: u64, age: Duration) -> Entry {
        Entry {
            path: path.into(),
            size,
            modified: SystemTime::now() - age,
        }
    }

    #[test]
    fn a_file_is_ready_once_it_stopped_changing_and_a_partial_one_never() {
        let old = Duration::from_secs(60);
        let mut watch = Watch::default();
        let look = |watch: &mut Watch, entries: Vec<Entry>, settle: Duration| {
            watch
                .ready("p", folders::DAILY_REPORTS, entries, settle, false)
                .into_iter()
                .map(|e| e.path)
                .collect::<Vec<_>>()
        };
        let a = "incoming/daily-reports/FEV-1.xml";
        let partial = "incoming/daily-reports/FEV-2.xml.part";
        let none: Vec<String> = Vec::new();
        let both = || vec![entry(a, 10, old), entry(partial, 4, old)];
        assert_eq!(
            look(&mut watch, both(), Duration::ZERO),
            none,
            "first sight"
        );
        assert_eq!(look(&mut watch, both(), Duration::ZERO), [a]);
        // Still growing: not yet.
        assert_eq!(
            look(&mut watch, vec![entry(a, 19, old)], Duration::ZERO),
            none
        );
        // Too recent for the settle time.
        let fresh = vec![entry(a, 19, Duration::ZERO)];
        assert_eq!(look(&mut watch, fresh, Duration::from_secs(3600)), none);
        // Gone: forgotten; a file of another folder stays watched.
        let filing = vec![entry("incoming/regulatory-filings/x.pdf", 1, old)];
        watch.ready(
            "p",
            folders::REGULATORY_FILINGS,
            filing,
            Duration::ZERO,
            false,
        );
        assert_eq!(watch.watched(), 2);
        watch.ready(
            "p",
            folders::DAILY_REPORTS,
            Vec::new(),
            Duration::ZERO,
            false,
        );
        assert_eq!(watch.watched(), 1, "FEV-1 forgotten, x.pdf watched");
        // An S3 object is taken at first sight.
        let object = vec![entry("incoming/daily-reports/FEV-4.xml", 5, Duration::ZERO)];
        let taken = watch.ready(
            "p",
            folders::DAILY_REPORTS,
            object,
            Duration::from_secs(9),
            true,
        );
        assert_eq!(taken.len(), 1);
    }
}

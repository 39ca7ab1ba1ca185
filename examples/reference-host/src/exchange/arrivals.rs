//! Files arriving in a participant's `incoming` folders: taken once they have stopped
//! changing, kept in storage whatever they are, checked, turned into invoices (daily
//! reports) or acknowledged (regulatory filings), answered with a rejection file when not
//! acceptable, and moved to the archive.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bmc_core::invoice::{self, Format};
use serde_json::json;

use super::folders::{self, Participant};
use super::ledger::Taken;
use super::{Exchange, ExchangeError};
use crate::capability::{Actor, NewAudit, ObjectKind};
use crate::host::Host;

/// Sizes seen at the previous look, to take only files that stopped growing.
#[derive(Debug, Default)]
pub struct Watch {
    sizes: HashMap<PathBuf, u64>,
}

/// True for a name an SFTP client writes to before renaming (or a hidden file).
fn in_progress(name: &str) -> bool {
    name.starts_with('.')
        || [".part", ".filepart", ".tmp", ".partial"]
            .iter()
            .any(|end| name.ends_with(end))
}

impl Watch {
    /// The files of `folder` ready to be taken: unchanged since the last look and for
    /// `settle`.
    pub fn ready(&mut self, folder: &Path, settle: Duration) -> std::io::Result<Vec<PathBuf>> {
        let mut ready = Vec::new();
        let entries = match std::fs::read_dir(folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ready),
            Err(e) => return Err(e),
        };
        let now = SystemTime::now();
        let mut seen = std::collections::HashSet::new();
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let meta = entry.metadata()?;
            let name = entry.file_name();
            if !meta.is_file() || name.to_str().is_none_or(in_progress) {
                continue;
            }
            let size = meta.len();
            seen.insert(path.clone());
            let previous = self.sizes.insert(path.clone(), size);
            let quiet = meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age >= settle);
            if previous == Some(size) && quiet {
                ready.push(path);
            }
        }
        // Files gone from the folder (taken elsewhere, or removed) are forgotten.
        self.sizes
            .retain(|path, _| path.parent() != Some(folder) || seen.contains(path));
        ready.sort();
        Ok(ready)
    }

    /// Forgets `path` (taken).
    pub fn forget(&mut self, path: &Path) {
        self.sizes.remove(path);
    }
}

/// What the checks of a file found wrong.
struct Refusal {
    code: String,
    message: String,
}

/// Takes `path`, which arrived in `participant`'s `folder`. A file that cannot be taken
/// now (the host still opening, storage down) is left for the next look.
pub async fn take(
    host: &Arc<Host>,
    exchange: &Exchange,
    participant: &Participant,
    folder: &'static str,
    path: &Path,
) -> Result<(), ExchangeError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let bytes = read_limited(path, host.config.max_upload_bytes)?;
    let actor = Actor {
        who: format!("sftp:{}", participant.name),
        role: Some("External".into()),
        from: Some("sftp".into()),
    };
    // Whatever it is, what a participant sent is kept.
    let sha256 = crate::ids::sha256_hex(bytes.as_deref().unwrap_or_default());
    let document_key = match &bytes {
        Some(bytes) => host.caps.storage.put(ObjectKind::Document, bytes).await?,
        None => String::new(),
    };
    let (outcome, invoice_id, refusal) = match bytes {
        None => (
            "rejected",
            None,
            Some(Refusal {
                code: "HOST_BODY_TOO_LARGE".into(),
                message: format!(
                    "the file is larger than the {} bytes accepted",
                    host.config.max_upload_bytes
                ),
            }),
        ),
        Some(bytes) if folder == folders::DAILY_REPORTS => {
            match crate::intake::submit(host, bytes, None, actor.clone()).await {
                Ok((record, _)) => ("accepted", Some(record.invoice_id), None),
                Err(problem) if problem.status.is_server_error() => {
                    return Err(ExchangeError::Later(format!(
                        "{name}: {}: {}",
                        problem.code, problem.detail
                    )));
                }
                Err(problem) => (
                    "rejected",
                    None,
                    Some(Refusal {
                        code: problem.code,
                        message: problem.detail,
                    }),
                ),
            }
        }
        Some(bytes) => match invoice::detect(&bytes) {
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
        },
    };
    let (archive_path, archived_as) = archive_target(participant, &name)?;
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
    if let Some((file, body)) = &answer {
        let text = serde_json::to_vec_pretty(body).unwrap_or_default();
        folders::write_whole(
            &participant.folder(folders::COMPLIANCE_DOCUMENTS).join(file),
            &text,
        )?;
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
                &format!("{}/{folder}/{name}", participant.name),
                detail,
            ))
            .await?;
    }
    tracing::info!(participant = %participant.name, file = %name, folder, outcome, "exchange file taken");
    exchange
        .ledger
        .record(
            Taken {
                id: 0,
                participant: participant.name.clone(),
                folder: folder.to_string(),
                name,
                sha256,
                document_key,
                archived_as,
                invoice_id,
                outcome: outcome.to_string(),
                registration_id: None,
            },
            answer.is_some(),
        )
        .await?;
    // Recorded first: a host stopped here takes the file again, making the same invoice.
    std::fs::rename(path, &archive_path)
        .map_err(|e| ExchangeError::Io(format!("{}: {e}", archive_path.display())))?;
    Ok(())
}

/// The file's bytes, or None when it is larger than `limit`.
fn read_limited(path: &Path, limit: usize) -> Result<Option<Vec<u8>>, ExchangeError> {
    let io = |e: std::io::Error| ExchangeError::Io(format!("{}: {e}", path.display()));
    let len = std::fs::metadata(path).map_err(io)?.len();
    if usize::try_from(len).map_or(true, |len| len > limit) {
        return Ok(None);
    }
    std::fs::read(path).map(Some).map_err(io)
}

/// Where the file goes in `archive/processed-files/YYYY-MM-DD/`, under a name not taken
/// there: the path, and the same relative to the participant's folder.
fn archive_target(
    participant: &Participant,
    name: &str,
) -> Result<(PathBuf, String), ExchangeError> {
    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let dir = participant.folder(folders::PROCESSED_FILES).join(&day);
    std::fs::create_dir_all(&dir)
        .map_err(|e| ExchangeError::Io(format!("{}: {e}", dir.display())))?;
    let mut target = dir.join(name);
    let mut n = 1;
    while target.exists() {
        target = dir.join(format!("{n}-{name}"));
        n += 1;
    }
    let relative = target
        .strip_prefix(&participant.dir)
        .unwrap_or(&target)
        .display()
        .to_string();
    Ok((target, relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_ready_once_it_stopped_changing_and_a_partial_one_never() {
        let dir = std::env::temp_dir().join(format!("bmc-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let file = dir.join("FEV-1.xml");
        std::fs::write(&file, b"<Invoice/>").unwrap_or_default();
        std::fs::write(dir.join("FEV-2.xml.part"), b"<Inv").unwrap_or_default();
        let mut watch = Watch::default();
        let none: Vec<PathBuf> = Vec::new();
        assert_eq!(
            watch.ready(&dir, Duration::ZERO).unwrap_or_default(),
            none,
            "first sight"
        );
        assert_eq!(
            watch.ready(&dir, Duration::ZERO).unwrap_or_default(),
            std::slice::from_ref(&file)
        );
        // Still growing: not yet.
        std::fs::write(&file, b"<Invoice></Invoice>").unwrap_or_default();
        assert_eq!(watch.ready(&dir, Duration::ZERO).unwrap_or_default(), none);
        // Too recent for the settle time.
        assert_eq!(
            watch
                .ready(&dir, Duration::from_secs(3600))
                .unwrap_or_default(),
            none
        );
        std::fs::remove_file(&file).unwrap_or_default();
        assert_eq!(watch.ready(&dir, Duration::ZERO).unwrap_or_default(), none);
        assert!(watch.sizes.is_empty(), "a file gone is forgotten");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

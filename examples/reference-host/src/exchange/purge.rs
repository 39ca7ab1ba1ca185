//! The archive's purge: a processed file leaves `archive/processed-files` after the
//! configured days (30). Only files the exchange archived and kept a copy of in storage are
//! purged: the copy is the record, kept for the retention period.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::folders::{self, Participant};
use super::{Exchange, ExchangeError};

/// Removes the archived files last changed before `now - days`; answers how many.
pub async fn purge(
    exchange: &Exchange,
    days: u64,
    now: SystemTime,
) -> Result<usize, ExchangeError> {
    let cutoff = now
        .checked_sub(Duration::from_secs(days * 86_400))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let mut removed = 0;
    let io = |p: &Path, e: std::io::Error| ExchangeError::Io(format!("{}: {e}", p.display()));
    for participant in folders::participants(&exchange.root).map_err(|e| io(&exchange.root, e))? {
        let archive = participant.folder(folders::PROCESSED_FILES);
        let Ok(days) = std::fs::read_dir(&archive) else {
            continue;
        };
        for day in days.flatten() {
            let day = day.path();
            if !day.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&day).map_err(|e| io(&day, e))?.flatten() {
                let path = file.path();
                let old = file
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|m| m < cutoff);
                if old && kept(exchange, &participant, &path).await? {
                    std::fs::remove_file(&path).map_err(|e| io(&path, e))?;
                    removed += 1;
                }
            }
            // An emptied day goes too (a day still holding files fails, as it should).
            let _ = std::fs::remove_dir(&day);
        }
    }
    Ok(removed)
}

/// True when the exchange archived `path` and keeps its copy.
async fn kept(
    exchange: &Exchange,
    participant: &Participant,
    path: &Path,
) -> Result<bool, ExchangeError> {
    let relative = path
        .strip_prefix(&participant.dir)
        .unwrap_or(path)
        .display()
        .to_string();
    Ok(exchange
        .ledger
        .archived(&relative)
        .await?
        .is_some_and(|taken| {
            !taken.document_key.is_empty() && taken.participant == participant.name
        }))
}

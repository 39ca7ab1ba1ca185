//! The archive's purge: a processed file leaves `archive/processed-files` after the
//! configured days (30). Only files the exchange archived and kept a copy of in storage are
//! purged: the copy is the record, kept for the retention period.

use std::time::{Duration, SystemTime};

use super::folders;
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
    for participant in exchange.files.participants().await? {
        let archived = exchange
            .files
            .list(&participant, folders::PROCESSED_FILES, true)
            .await?;
        for file in archived {
            if file.modified < cutoff && kept(exchange, &participant, &file.path).await? {
                exchange.files.remove(&participant, &file.path).await?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// True when the exchange archived `path` of `participant` and keeps its copy.
async fn kept(exchange: &Exchange, participant: &str, path: &str) -> Result<bool, ExchangeError> {
    Ok(exchange
        .ledger
        .archived(path)
        .await?
        .is_some_and(|taken| !taken.document_key.is_empty() && taken.participant == participant))
}

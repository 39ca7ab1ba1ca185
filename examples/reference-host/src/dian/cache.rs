//! DIAN's answers kept for the seed's 7 days (`dian:{code}` for a classification), in a
//! SQLite file of the host's data folder so that they outlive a restart.

use std::path::Path;
use std::time::Duration;

use rusqlite::{OptionalExtension as _, params};

use crate::capability::CapabilityError;
use crate::embedded::sqlite::{Db, now_ms};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS dian_answers (
    key       TEXT PRIMARY KEY,
    body      TEXT NOT NULL,
    stored_ms INTEGER NOT NULL
);
";

/// The cache.
#[derive(Debug, Clone)]
pub struct AnswerCache {
    db: Db,
    ttl: Duration,
}

impl AnswerCache {
    /// The cache in `path`, whose answers are good for `ttl`.
    pub fn open(path: &Path, ttl: Duration) -> Result<AnswerCache, CapabilityError> {
        Ok(AnswerCache {
            db: Db::open(path, SCHEMA, "dian-cache")?,
            ttl,
        })
    }

    /// The answer under `key` and when it was stored (RFC 3339), when one younger than the
    /// time to live is there.
    pub async fn get(
        &self,
        key: &str,
    ) -> Result<Option<(serde_json::Value, String)>, CapabilityError> {
        let key = key.to_string();
        let oldest = now_ms() - i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX);
        let row: Option<(String, i64)> = self
            .db
            .call(move |c| {
                c.query_row(
                    "SELECT body, stored_ms FROM dian_answers WHERE key = ?1 AND stored_ms >= ?2",
                    params![key, oldest],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
            })
            .await?;
        Ok(row.and_then(|(body, ms)| {
            let at = chrono::DateTime::from_timestamp_millis(ms)?
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            serde_json::from_str(&body).ok().map(|v| (v, at))
        }))
    }

    /// Keeps `value` under `key` (and drops answers past their time now and then).
    pub async fn put(&self, key: &str, value: &serde_json::Value) -> Result<(), CapabilityError> {
        let key = key.to_string();
        let body = value.to_string();
        let oldest = now_ms() - i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX);
        self.db
            .call(move |c| {
                let now = now_ms();
                c.execute(
                    "INSERT INTO dian_answers (key, body, stored_ms) VALUES (?1, ?2, ?3)
                     ON CONFLICT (key) DO UPDATE SET body = ?2, stored_ms = ?3",
                    params![key, body, now],
                )?;
                if now % 64 == 0 {
                    c.execute(
                        "DELETE FROM dian_answers WHERE stored_ms < ?1",
                        params![oldest],
                    )?;
                }
                Ok(())
            })
            .await
    }
}

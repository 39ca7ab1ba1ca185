//! What the exchange took in and gave back, in a SQLite file of the host's data folder:
//! each file with its participant, its stored copy, its invoice and whether its outcome was
//! delivered; and the reports written.

use std::path::Path;

use rusqlite::{OptionalExtension as _, params};

use crate::capability::CapabilityError;
use crate::embedded::sqlite::Db;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS exchange_files (
    id              INTEGER PRIMARY KEY,
    participant     TEXT NOT NULL,
    folder          TEXT NOT NULL,
    name            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    document_key    TEXT NOT NULL,
    archived_as     TEXT NOT NULL,
    invoice_id      TEXT,
    outcome         TEXT NOT NULL,
    registration_id TEXT,
    received_at     TEXT NOT NULL,
    delivered_at    TEXT
);
CREATE INDEX IF NOT EXISTS exchange_files_undelivered
    ON exchange_files (delivered_at) WHERE delivered_at IS NULL;
CREATE TABLE IF NOT EXISTS exchange_reports (
    participant TEXT NOT NULL,
    day         TEXT NOT NULL,
    file        TEXT NOT NULL,
    written_at  TEXT NOT NULL,
    PRIMARY KEY (participant, day)
);
";

/// A file taken in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// Its row.
    pub id: i64,
    /// Whose.
    pub participant: String,
    /// The folder it came in (`incoming/daily-reports`, ...).
    pub folder: String,
    /// Its name.
    pub name: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its stored copy's key.
    pub document_key: String,
    /// Where it was archived.
    pub archived_as: String,
    /// The invoice it made, when it made one.
    pub invoice_id: Option<String>,
    /// `accepted`, `rejected`, `filed`, then the invoice's final status.
    pub outcome: String,
    /// The registration, once registered.
    pub registration_id: Option<String>,
}

/// The ledger.
#[derive(Debug, Clone)]
pub struct Ledger {
    db: Db,
}

fn taken(row: &rusqlite::Row<'_>) -> rusqlite::Result<Taken> {
    Ok(Taken {
        id: row.get(0)?,
        participant: row.get(1)?,
        folder: row.get(2)?,
        name: row.get(3)?,
        sha256: row.get(4)?,
        document_key: row.get(5)?,
        archived_as: row.get(6)?,
        invoice_id: row.get(7)?,
        outcome: row.get(8)?,
        registration_id: row.get(9)?,
    })
}

const COLUMNS: &str = "id, participant, folder, name, sha256, document_key, archived_as, \
                       invoice_id, outcome, registration_id";

impl Ledger {
    /// The ledger in `path`.
    pub fn open(path: &Path) -> Result<Ledger, CapabilityError> {
        Ok(Ledger {
            db: Db::open(path, SCHEMA, "exchange")?,
        })
    }

    /// Records a file taken in; `delivered` when its outcome is already given back.
    pub async fn record(&self, file: Taken, delivered: bool) -> Result<i64, CapabilityError> {
        let now = crate::ids::now_rfc3339();
        self.db
            .call(move |c| {
                c.execute(
                    "INSERT INTO exchange_files (participant, folder, name, sha256, document_key,
                         archived_as, invoice_id, outcome, registration_id, received_at,
                         delivered_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        file.participant,
                        file.folder,
                        file.name,
                        file.sha256,
                        file.document_key,
                        file.archived_as,
                        file.invoice_id,
                        file.outcome,
                        file.registration_id,
                        now,
                        delivered.then_some(&now),
                    ],
                )?;
                Ok(c.last_insert_rowid())
            })
            .await
    }

    /// The files whose invoice's outcome is still to be given back.
    pub async fn undelivered(&self) -> Result<Vec<Taken>, CapabilityError> {
        self.db
            .call(|c| {
                let mut statement = c.prepare(&format!(
                    "SELECT {COLUMNS} FROM exchange_files WHERE delivered_at IS NULL ORDER BY id"
                ))?;
                statement.query_map([], taken)?.collect()
            })
            .await
    }

    /// Records that file `id`'s outcome was given back.
    pub async fn delivered(
        &self,
        id: i64,
        outcome: &str,
        registration_id: Option<String>,
    ) -> Result<(), CapabilityError> {
        let outcome = outcome.to_string();
        let now = crate::ids::now_rfc3339();
        self.db
            .call(move |c| {
                c.execute(
                    "UPDATE exchange_files SET outcome = ?2, registration_id = ?3, delivered_at = ?4
                     WHERE id = ?1",
                    params![id, outcome, registration_id, now],
                )
                .map(|_| ())
            })
            .await
    }

    /// The registrations of the invoices `participant` sent in.
    pub async fn registrations_of(
        &self,
        participant: &str,
    ) -> Result<Vec<String>, CapabilityError> {
        let participant = participant.to_string();
        self.db
            .call(move |c| {
                let mut statement = c.prepare(
                    "SELECT DISTINCT registration_id FROM exchange_files
                     WHERE participant = ?1 AND registration_id IS NOT NULL",
                )?;
                statement.query_map([participant], |r| r.get(0))?.collect()
            })
            .await
    }

    /// The file archived as `path`, when the exchange archived it.
    pub async fn archived(&self, path: &str) -> Result<Option<Taken>, CapabilityError> {
        let path = path.to_string();
        self.db
            .call(move |c| {
                c.query_row(
                    &format!("SELECT {COLUMNS} FROM exchange_files WHERE archived_as = ?1"),
                    [path],
                    taken,
                )
                .optional()
            })
            .await
    }

    /// True when `participant`'s report of `day` was written.
    pub async fn reported(&self, participant: &str, day: &str) -> Result<bool, CapabilityError> {
        let (participant, day) = (participant.to_string(), day.to_string());
        self.db
            .call(move |c| {
                c.query_row(
                    "SELECT 1 FROM exchange_reports WHERE participant = ?1 AND day = ?2",
                    [participant, day],
                    |_| Ok(()),
                )
                .optional()
                .map(|found| found.is_some())
            })
            .await
    }

    /// Records `participant`'s report of `day`, written to `file`.
    pub async fn report_written(
        &self,
        participant: &str,
        day: &str,
        file: &str,
    ) -> Result<(), CapabilityError> {
        let (participant, day, file) = (participant.to_string(), day.to_string(), file.to_string());
        let now = crate::ids::now_rfc3339();
        self.db
            .call(move |c| {
                c.execute(
                    "INSERT INTO exchange_reports (participant, day, file, written_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (participant, day) DO UPDATE SET file = ?3, written_at = ?4",
                    params![participant, day, file, now],
                )
                .map(|_| ())
            })
            .await
    }
}

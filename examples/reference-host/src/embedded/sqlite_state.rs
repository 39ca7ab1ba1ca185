//! The platform's state in SQLite, with the seed's table and column names where it has them
//! (`invoices.processing_status`, `document_path`, `total_amount`, `ocr_confidence`), and
//! the event outbox in the same database, so an event is written in the transaction of the
//! change it announces.

use std::path::Path;

use async_trait::async_trait;
use rusqlite::{OptionalExtension as _, Row, Transaction, params};

use super::sqlite::Db;
use crate::capability::{
    Actor, AuditRecord, CapabilityError, CertificateRecord, GENESIS, InvoiceFilter, InvoiceRecord,
    JobRecord, JobStatus, NewAudit, NewInvoice, OutboxEvent, Outcome, PURGEABLE, Purged, State,
    Status, job_audit, outcome_audit, purge_audit, status_audit, upload_audit,
};
use crate::capability::{DaySummary, day_summaries};
use crate::ids::now_rfc3339;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS invoices (
    invoice_id        TEXT PRIMARY KEY,
    document_sha256   TEXT NOT NULL UNIQUE,
    document_type     TEXT NOT NULL,
    document_path     TEXT NOT NULL,
    needs_ocr         INTEGER NOT NULL,
    processing_status TEXT NOT NULL DEFAULT 'PENDING',
    seller_nit        TEXT,
    invoice_number    TEXT,
    invoice_date      TEXT,
    cufe              TEXT,
    total_amount      TEXT,
    ocr_confidence    TEXT,
    registration_id   TEXT,
    certificate_id    TEXT,
    error             TEXT,
    notify_email      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS invoices_listing ON invoices (created_at DESC, invoice_id DESC);
CREATE INDEX IF NOT EXISTS invoices_status ON invoices (processing_status);
CREATE INDEX IF NOT EXISTS invoices_seller ON invoices (seller_nit);
-- One registration a CUFE: the database refuses a second, whatever the workers do.
CREATE UNIQUE INDEX IF NOT EXISTS invoices_registered_cufe ON invoices (cufe)
    WHERE processing_status IN ('REGISTERED', 'NEEDS_REVIEW');
CREATE TABLE IF NOT EXISTS registrations (
    invoice_id      TEXT PRIMARY KEY REFERENCES invoices (invoice_id),
    registration_id TEXT NOT NULL,
    body            TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS commissions (
    invoice_id       TEXT PRIMARY KEY REFERENCES invoices (invoice_id),
    registration_id  TEXT NOT NULL,
    commission_fee   TEXT NOT NULL,
    commission_iva   TEXT NOT NULL,
    commission_total TEXT NOT NULL,
    rule_set         TEXT NOT NULL,
    body             TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS certificates (
    certificate_id  TEXT PRIMARY KEY,
    invoice_id      TEXT NOT NULL UNIQUE REFERENCES invoices (invoice_id),
    registration_id TEXT NOT NULL,
    object_key      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ocr_jobs (
    job_id       TEXT PRIMARY KEY,
    invoice_id   TEXT,
    document_key TEXT NOT NULL,
    status       TEXT NOT NULL,
    text_key     TEXT,
    result       TEXT,
    error        TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id  TEXT NOT NULL UNIQUE,
    body      TEXT NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (delivered, seq);
-- The audit log: append-only (the triggers refuse changes), hash-chained, its head beside it.
CREATE TABLE IF NOT EXISTS audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    who       TEXT NOT NULL,
    role      TEXT,
    source    TEXT,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_subject ON audit_log (subject, seq);
CREATE TABLE IF NOT EXISTS rate_slots (
    name     TEXT NOT NULL,
    taken_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_slots_by_name ON rate_slots (name, taken_ms);
CREATE TABLE IF NOT EXISTS audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

const AUDIT_COLUMNS: &str = "seq, at, who, role, source, action, subject, detail, prev_hash, hash";

const INVOICE_COLUMNS: &str = "invoice_id, document_sha256, document_type, document_path, \
    needs_ocr, processing_status, seller_nit, invoice_number, invoice_date, cufe, total_amount, \
    ocr_confidence, registration_id, certificate_id, error, notify_email, created_at, updated_at";

/// The embedded state.
#[derive(Debug, Clone)]
pub struct SqliteState {
    db: Db,
}

impl SqliteState {
    /// The state in the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteState, CapabilityError> {
        Ok(SqliteState {
            db: Db::open(path, SCHEMA, "state")?,
        })
    }
}

fn invoice_row(r: &Row<'_>) -> rusqlite::Result<InvoiceRecord> {
    let status: String = r.get(5)?;
    Ok(InvoiceRecord {
        invoice_id: r.get(0)?,
        document_sha256: r.get(1)?,
        document_type: r.get(2)?,
        document_path: r.get(3)?,
        needs_ocr: r.get(4)?,
        processing_status: Status::parse(&status).unwrap_or(Status::Failed),
        seller_nit: r.get(6)?,
        invoice_number: r.get(7)?,
        invoice_date: r.get(8)?,
        cufe: r.get(9)?,
        total_amount: r.get(10)?,
        ocr_confidence: r.get(11)?,
        registration_id: r.get(12)?,
        certificate_id: r.get(13)?,
        error: r.get(14)?,
        notify_email: r.get(15)?,
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
    })
}

fn get_invoice(tx: &rusqlite::Connection, id: &str) -> rusqlite::Result<Option<InvoiceRecord>> {
    tx.query_row(
        &format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE invoice_id = ?1"),
        params![id],
        invoice_row,
    )
    .optional()
}

fn append_events(tx: &Transaction<'_>, events: &[OutboxEvent]) -> rusqlite::Result<()> {
    let mut s =
        tx.prepare_cached("INSERT OR IGNORE INTO outbox (event_id, body) VALUES (?1, ?2)")?;
    for event in events {
        let body = serde_json::to_string(event)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        s.execute(params![event.id, body])?;
    }
    Ok(())
}

/// Appends `entries` to the audit log after its head, in the transaction of the change they
/// record (SQLite has one writer at a time, so the head cannot move meanwhile).
fn append_audit(
    tx: &Transaction<'_>,
    entries: Vec<NewAudit>,
) -> rusqlite::Result<Option<AuditRecord>> {
    let (mut seq, mut prev): (i64, String) = tx
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .unwrap_or((0, GENESIS.to_string()));
    let mut last = None;
    {
        let mut s = tx.prepare_cached(&format!(
            "INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        ))?;
        for entry in entries {
            seq += 1;
            let r = entry.seal(seq, now_rfc3339(), &prev);
            s.execute(params![
                r.seq,
                r.at,
                r.who,
                r.role,
                r.from,
                r.action,
                r.subject,
                r.detail,
                r.prev_hash,
                r.hash
            ])?;
            prev.clone_from(&r.hash);
            last = Some(r);
        }
    }
    if last.is_some() {
        tx.execute(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET seq = ?1, hash = ?2",
            params![seq, prev],
        )?;
    }
    Ok(last)
}

fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        seq: r.get(0)?,
        at: r.get(1)?,
        who: r.get(2)?,
        role: r.get(3)?,
        from: r.get(4)?,
        action: r.get(5)?,
        subject: r.get(6)?,
        detail: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

/// Each stored JSON text, parsed.
fn parse_all<T: serde::de::DeserializeOwned>(bodies: &[String]) -> Result<Vec<T>, CapabilityError> {
    bodies
        .iter()
        .map(|b| serde_json::from_str(b).map_err(|e| CapabilityError::permanent("state", e)))
        .collect()
}

fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

fn job_row(r: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let status: String = r.get(3)?;
    let result: Option<String> = r.get(5)?;
    Ok(JobRecord {
        job_id: r.get(0)?,
        invoice_id: r.get(1)?,
        document_key: r.get(2)?,
        status: match status.as_str() {
            "COMPLETED" => JobStatus::Completed,
            "FAILED" => JobStatus::Failed,
            _ => JobStatus::Pending,
        },
        text_key: r.get(4)?,
        result: result.and_then(|t| serde_json::from_str(&t).ok()),
        error: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

fn job_status_name(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Pending => "PENDING",
        JobStatus::Completed => "COMPLETED",
        JobStatus::Failed => "FAILED",
    }
}

#[async_trait]
impl State for SqliteState {
    async fn create_invoice(
        &self,
        invoice: NewInvoice,
        event: OutboxEvent,
    ) -> Result<(InvoiceRecord, bool), CapabilityError> {
        self.db
            .call(move |c| {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let now = now_rfc3339();
                let created = tx.execute(
                    "INSERT INTO invoices (invoice_id, document_sha256, document_type, document_path,
                        needs_ocr, seller_nit, notify_email, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                     ON CONFLICT (invoice_id) DO NOTHING",
                    params![
                        invoice.id,
                        invoice.sha256,
                        invoice.format,
                        invoice.document_key,
                        invoice.needs_ocr,
                        invoice.seller_nit,
                        invoice.notify_email,
                        now
                    ],
                )? == 1;
                if created {
                    append_events(&tx, &[event])?;
                    append_audit(&tx, vec![upload_audit(&invoice)])?;
                }
                let record = get_invoice(&tx, &invoice.id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                tx.commit()?;
                Ok((record, created))
            })
            .await
    }

    async fn invoice(&self, id: &str) -> Result<Option<InvoiceRecord>, CapabilityError> {
        let id = id.to_string();
        self.db.call(move |c| get_invoice(c, &id)).await
    }

    async fn list_invoices(
        &self,
        filter: &InvoiceFilter,
    ) -> Result<Vec<InvoiceRecord>, CapabilityError> {
        let filter = filter.clone();
        self.db
            .call(move |c| {
                let mut sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE 1 = 1");
                let mut values: Vec<String> = Vec::new();
                if let Some(status) = filter.status {
                    values.push(status.name().to_string());
                    sql.push_str(&format!(" AND processing_status = ?{}", values.len()));
                }
                if let Some(seller) = &filter.seller_nit {
                    values.push(seller.clone());
                    sql.push_str(&format!(" AND seller_nit = ?{}", values.len()));
                }
                if let Some(from) = &filter.from {
                    values.push(from.clone());
                    sql.push_str(&format!(" AND created_at >= ?{}", values.len()));
                }
                if let Some(to) = &filter.to {
                    values.push(to.clone());
                    sql.push_str(&format!(" AND created_at < ?{}", values.len()));
                }
                if let Some(after) = &filter.after {
                    let at: Option<String> = c
                        .query_row(
                            "SELECT created_at FROM invoices WHERE invoice_id = ?1",
                            params![after],
                            |r| r.get(0),
                        )
                        .optional()?;
                    if let Some(at) = at {
                        values.push(at);
                        values.push(after.clone());
                        sql.push_str(&format!(
                            " AND (created_at, invoice_id) < (?{}, ?{})",
                            values.len() - 1,
                            values.len()
                        ));
                    }
                }
                sql.push_str(&format!(
                    " ORDER BY created_at DESC, invoice_id DESC LIMIT {}",
                    filter.limit
                ));
                let mut s = c.prepare(&sql)?;
                let rows = s.query_map(rusqlite::params_from_iter(values.iter()), invoice_row)?;
                rows.collect()
            })
            .await
    }

    async fn daily_summary(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<DaySummary>, CapabilityError> {
        let (from, to) = (from.to_string(), format!("{to}\u{ffff}"));
        let (counts, totals) = self
            .db
            .call(move |c| {
                let counts: Vec<(String, String, u64)> = c
                    .prepare_cached(
                        "SELECT substr(created_at, 1, 10), processing_status, COUNT(*)
                         FROM invoices WHERE created_at >= ?1 AND created_at <= ?2
                         GROUP BY 1, 2",
                    )?
                    .query_map([&from, &to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                let totals: Vec<(String, String)> = c
                    .prepare_cached(
                        "SELECT substr(i.created_at, 1, 10), c.commission_total
                         FROM commissions c JOIN invoices i ON i.invoice_id = c.invoice_id
                         WHERE i.processing_status = 'REGISTERED'
                           AND i.created_at >= ?1 AND i.created_at <= ?2",
                    )?
                    .query_map([&from, &to], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                Ok((counts, totals))
            })
            .await?;
        let mut commissions = Vec::with_capacity(totals.len());
        for (day, total) in totals {
            let amount = total.parse::<rust_decimal::Decimal>().map_err(|e| {
                CapabilityError::permanent("state", format!("commission {total:?}: {e}"))
            })?;
            commissions.push((day, amount));
        }
        Ok(day_summaries(counts, commissions))
    }

    async fn take_slot(
        &self,
        name: &str,
        limit: u32,
        window: std::time::Duration,
    ) -> Result<Option<std::time::Duration>, CapabilityError> {
        let name = name.to_string();
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        self.db
            .call(move |c| {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let now = super::sqlite::now_ms();
                tx.execute(
                    "DELETE FROM rate_slots WHERE name = ?1 AND taken_ms <= ?2",
                    params![name, now - window_ms],
                )?;
                let (taken, oldest): (i64, Option<i64>) = tx.query_row(
                    "SELECT count(*), min(taken_ms) FROM rate_slots WHERE name = ?1",
                    [&name],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let wait = if taken < i64::from(limit) {
                    tx.execute(
                        "INSERT INTO rate_slots (name, taken_ms) VALUES (?1, ?2)",
                        params![name, now],
                    )?;
                    None
                } else {
                    let free_at = oldest.unwrap_or(now) + window_ms;
                    Some(std::time::Duration::from_millis(
                        u64::try_from(free_at - now).unwrap_or(0).max(1),
                    ))
                };
                tx.commit()?;
                Ok(wait)
            })
            .await
    }

    async fn purge_before(
        &self,
        cutoff: &str,
        limit: usize,
        actor: &Actor,
    ) -> Result<Vec<Purged>, CapabilityError> {
        let cutoff = cutoff.to_string();
        let actor = actor.clone();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.db
            .call(move |c| {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let statuses = PURGEABLE.map(Status::name);
                let rows: Vec<(String, String, String)> = tx
                    .prepare(
                        "SELECT invoice_id, created_at, document_path FROM invoices
                         WHERE created_at < ?1 AND processing_status IN (?3, ?4, ?5, ?6)
                         ORDER BY created_at LIMIT ?2",
                    )?
                    .query_map(
                        params![
                            cutoff,
                            limit,
                            statuses[0],
                            statuses[1],
                            statuses[2],
                            statuses[3]
                        ],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )?
                    .collect::<rusqlite::Result<_>>()?;
                let mut purged = Vec::new();
                for (id, created_at, document) in rows {
                    let mut keys: Vec<String> = tx
                        .prepare(
                            "SELECT object_key FROM certificates WHERE invoice_id = ?1
                             UNION SELECT document_key FROM ocr_jobs WHERE invoice_id = ?1
                             UNION SELECT text_key FROM ocr_jobs
                                WHERE invoice_id = ?1 AND text_key IS NOT NULL",
                        )?
                        .query_map([&id], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    keys.push(document);
                    for table in [
                        "certificates",
                        "commissions",
                        "registrations",
                        "ocr_jobs",
                        "invoices",
                    ] {
                        tx.execute(&format!("DELETE FROM {table} WHERE invoice_id = ?1"), [&id])?;
                    }
                    purged.push(Purged::new(id, created_at, keys));
                }
                append_audit(&tx, purged.iter().map(|p| purge_audit(&actor, p)).collect())?;
                tx.commit()?;
                Ok(purged)
            })
            .await
    }

    async fn set_status(
        &self,
        id: &str,
        status: Status,
        error: Option<String>,
        events: Vec<OutboxEvent>,
        reasons: Vec<NewAudit>,
        actor: &Actor,
    ) -> Result<(), CapabilityError> {
        let id = id.to_string();
        let actor = actor.clone();
        self.db
            .call(move |c| {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let Some(before) = get_invoice(&tx, &id)? else {
                    return Ok(());
                };
                tx.execute(
                    "UPDATE invoices SET processing_status = ?2, error = COALESCE(?3, error), updated_at = ?4
                     WHERE invoice_id = ?1",
                    params![id, status.name(), error, now_rfc3339()],
                )?;
                append_events(&tx, &events)?;
                let mut entries = reasons;
                entries.push(status_audit(&actor, &id, before.processing_status, status, error.as_deref()));
                append_audit(&tx, entries)?;
                tx.commit()
            })
            .await
    }

    async fn record_outcome(
        &self,
        id: &str,
        outcome: Outcome,
        events: Vec<OutboxEvent>,
        actor: &Actor,
    ) -> Result<InvoiceRecord, CapabilityError> {
        let id = id.to_string();
        let actor = actor.clone();
        self.db
            .call(move |c| {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let current = get_invoice(&tx, &id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                let status = current.processing_status;
                if status.is_final() && status != Status::Failed {
                    // Recorded already (a message delivered twice): nothing changes.
                    return Ok(current);
                }
                let mut outcome = outcome;
                let mut events = events;
                if outcome.registers()
                    && let Some(cufe) = &outcome.cufe
                {
                    let other: Option<String> = tx
                        .query_row(
                            "SELECT invoice_id FROM invoices WHERE cufe = ?1 AND invoice_id <> ?2
                               AND processing_status IN ('REGISTERED', 'NEEDS_REVIEW')",
                            params![cufe, id],
                            |r| r.get(0),
                        )
                        .optional()?;
                    if let Some(other) = other {
                        outcome.refuse_registered_cufe(&other, &mut events);
                    }
                }
                let registration_id = outcome.registration_id();
                let registered = outcome.registers();
                tx.execute(
                    "UPDATE invoices SET processing_status = ?2, seller_nit = COALESCE(?3, seller_nit),
                        invoice_number = ?4, invoice_date = ?5, cufe = ?6, total_amount = ?7,
                        ocr_confidence = ?8, registration_id = ?9, certificate_id = ?10, error = ?11,
                        updated_at = ?12
                     WHERE invoice_id = ?1",
                    params![
                        id,
                        outcome.status.name(),
                        outcome.seller_nit,
                        outcome.invoice_number,
                        outcome.invoice_date,
                        outcome.cufe,
                        outcome.total_amount,
                        outcome.ocr_confidence,
                        registration_id.as_ref().filter(|_| registered),
                        outcome.certificate.as_ref().map(|c| &c.certificate_id),
                        outcome.error,
                        now_rfc3339()
                    ],
                )?;
                if let (Some(registration), Some(registration_id)) = (&outcome.registration, &registration_id) {
                    tx.execute(
                        "INSERT OR REPLACE INTO registrations (invoice_id, registration_id, body) VALUES (?1, ?2, ?3)",
                        params![id, registration_id, json_text(registration)],
                    )?;
                    if let Some(c) = outcome.commission_row() {
                        tx.execute(
                            "INSERT OR REPLACE INTO commissions (invoice_id, registration_id, commission_fee,
                                commission_iva, commission_total, rule_set, body)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            params![id, registration_id, c.fee, c.iva, c.total, c.rule_set, json_text(&c.body)],
                        )?;
                    }
                }
                if let Some(cert) = &outcome.certificate {
                    tx.execute(
                        "INSERT OR REPLACE INTO certificates (certificate_id, invoice_id, registration_id, object_key, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![cert.certificate_id, id, cert.registration_id, cert.object_key, cert.created_at],
                    )?;
                }
                append_events(&tx, &events)?;
                let record = get_invoice(&tx, &id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                append_audit(&tx, vec![outcome_audit(&actor, &id, status, &record)])?;
                tx.commit()?;
                Ok(record)
            })
            .await
    }

    async fn registration(&self, id: &str) -> Result<Option<serde_json::Value>, CapabilityError> {
        let id = id.to_string();
        let body: Option<String> = self
            .db
            .call(move |c| {
                c.query_row(
                    "SELECT body FROM registrations WHERE invoice_id = ?1",
                    params![id],
                    |r| r.get(0),
                )
                .optional()
            })
            .await?;
        body.map(|b| serde_json::from_str(&b).map_err(|e| CapabilityError::permanent("state", e)))
            .transpose()
    }

    async fn certificate(&self, id: &str) -> Result<Option<CertificateRecord>, CapabilityError> {
        let id = id.to_string();
        self.db
            .call(move |c| {
                c.query_row(
                    "SELECT certificate_id, invoice_id, registration_id, object_key, created_at
                     FROM certificates WHERE certificate_id = ?1",
                    params![id],
                    |r| {
                        Ok(CertificateRecord {
                            certificate_id: r.get(0)?,
                            invoice_id: r.get(1)?,
                            registration_id: r.get(2)?,
                            object_key: r.get(3)?,
                            created_at: r.get(4)?,
                        })
                    },
                )
                .optional()
            })
            .await
    }

    async fn create_job(&self, job: JobRecord, actor: &Actor) -> Result<(), CapabilityError> {
        let actor = actor.clone();
        self.db
            .call(move |c| {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let created = tx.execute(
                    "INSERT OR IGNORE INTO ocr_jobs (job_id, invoice_id, document_key, status, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                    params![job.job_id, job.invoice_id, job.document_key, job_status_name(job.status), job.created_at],
                )? == 1;
                if created {
                    append_audit(&tx, vec![job_audit(&actor, &job, None)])?;
                }
                tx.commit()
            })
            .await
    }

    async fn job(&self, id: &str) -> Result<Option<JobRecord>, CapabilityError> {
        let id = id.to_string();
        self.db
            .call(move |c| {
                c.query_row(
                    "SELECT job_id, invoice_id, document_key, status, text_key, result, error, created_at, updated_at
                     FROM ocr_jobs WHERE job_id = ?1",
                    params![id],
                    job_row,
                )
                .optional()
            })
            .await
    }

    async fn finish_job(
        &self,
        job: JobRecord,
        invoice_status: Option<Status>,
        events: Vec<OutboxEvent>,
        actor: &Actor,
    ) -> Result<(), CapabilityError> {
        let actor = actor.clone();
        self.db
            .call(move |c| {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let now = now_rfc3339();
                tx.execute(
                    "INSERT INTO ocr_jobs (job_id, invoice_id, document_key, status, text_key, result, error, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (job_id) DO UPDATE SET status = ?4, text_key = ?5, result = ?6, error = ?7, updated_at = ?9",
                    params![
                        job.job_id,
                        job.invoice_id,
                        job.document_key,
                        job_status_name(job.status),
                        job.text_key,
                        job.result.as_ref().map(json_text),
                        job.error,
                        job.created_at,
                        now
                    ],
                )?;
                if let (Some(status), Some(invoice)) = (invoice_status, &job.invoice_id) {
                    tx.execute(
                        "UPDATE invoices SET processing_status = ?2, error = COALESCE(?3, error), updated_at = ?4
                         WHERE invoice_id = ?1",
                        params![invoice, status.name(), job.error, now],
                    )?;
                }
                append_events(&tx, &events)?;
                append_audit(&tx, vec![job_audit(&actor, &job, invoice_status)])?;
                tx.commit()
            })
            .await
    }

    async fn pending_events(&self, max: usize) -> Result<Vec<OutboxEvent>, CapabilityError> {
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let bodies: Vec<String> = self
            .db
            .call(move |c| {
                let mut s = c.prepare_cached(
                    "SELECT body FROM outbox WHERE delivered = 0 ORDER BY seq LIMIT ?1",
                )?;
                let rows = s.query_map(params![limit], |r| r.get(0))?;
                rows.collect()
            })
            .await?;
        parse_all(&bodies)
    }

    async fn mark_delivered(&self, ids: &[String]) -> Result<(), CapabilityError> {
        let ids = ids.to_vec();
        self.db
            .call(move |c| {
                let tx = c.transaction()?;
                {
                    let mut s = tx.prepare_cached("DELETE FROM outbox WHERE event_id = ?1")?;
                    for id in &ids {
                        s.execute(params![id])?;
                    }
                }
                tx.commit()
            })
            .await
    }

    async fn status_counts(&self) -> Result<Vec<(Status, u64)>, CapabilityError> {
        let rows: Vec<(String, u64)> = self
            .db
            .call(|c| {
                let mut s = c.prepare_cached(
                    "SELECT processing_status, COUNT(*) FROM invoices GROUP BY processing_status",
                )?;
                let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect()
            })
            .await?;
        Ok(Status::ALL
            .into_iter()
            .map(|s| {
                let n = rows
                    .iter()
                    .find(|(name, _)| name == s.name())
                    .map_or(0, |(_, n)| *n);
                (s, n)
            })
            .collect())
    }

    async fn registrations_on(
        &self,
        date: &str,
    ) -> Result<Vec<serde_json::Value>, CapabilityError> {
        let date = date.to_string();
        let bodies: Vec<String> = self
            .db
            .call(move |c| {
                let mut s = c.prepare_cached(
                    "SELECT r.body FROM registrations r JOIN invoices i USING (invoice_id)
                     WHERE i.processing_status = 'REGISTERED'
                       AND json_extract(r.body, '$.registration_date') = ?1
                     ORDER BY r.registration_id",
                )?;
                let rows = s.query_map(params![date], |r| r.get(0))?;
                rows.collect()
            })
            .await?;
        parse_all(&bodies)
    }

    async fn audit(&self, entry: NewAudit) -> Result<AuditRecord, CapabilityError> {
        self.db
            .call(move |c| {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let record =
                    append_audit(&tx, vec![entry])?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                tx.commit()?;
                Ok(record)
            })
            .await
    }

    async fn audit_entries(
        &self,
        after: i64,
        limit: usize,
        subject: Option<&str>,
    ) -> Result<Vec<AuditRecord>, CapabilityError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let subject = subject.map(str::to_string);
        self.db
            .call(move |c| {
                let mut s = c.prepare_cached(&format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log
                     WHERE seq > ?1 AND (?2 IS NULL OR subject = ?2) ORDER BY seq LIMIT ?3"
                ))?;
                let rows = s.query_map(params![after, subject, limit], audit_row)?;
                rows.collect()
            })
            .await
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>, CapabilityError> {
        self.db
            .call(|c| {
                c.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
            })
            .await
    }
}

//! The platform's state in PostgreSQL: `bmc_transactional.invoices` partitioned by month,
//! registrations, commissions, certificates, OCR jobs, and the event outbox written in the
//! transaction of the change each event announces.

use async_trait::async_trait;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::db::{self, Postgres, classify};
use crate::capability::{
    Actor, AuditRecord, CapabilityError, CertificateRecord, InvoiceFilter, InvoiceRecord,
    JobRecord, JobStatus, NewAudit, NewInvoice, OutboxEvent, Outcome, PURGEABLE, Purged, State,
    Status, job_audit, outcome_audit, purge_audit, status_audit, upload_audit,
};
use crate::capability::{DaySummary, day_summaries};
use crate::ids::now_rfc3339;

const AUDIT_COLUMNS: &str = "seq, at, who, role, source, action, subject, detail, prev_hash, hash";

const INVOICE_COLUMNS: &str = "invoice_id, document_sha256, document_type, document_path, \
    needs_ocr, processing_status, seller_nit, invoice_number, to_char(invoice_date, 'YYYY-MM-DD'), \
    cufe, total_amount::text, ocr_confidence::text, registration_id, certificate_id, error, \
    notify_email, bmc_transactional.rfc3339(created_at), bmc_transactional.rfc3339(updated_at)";

/// An invoice by id: its upload time first, so that only its month's partition is read.
const INVOICE_BY_ID: &str = "FROM bmc_transactional.invoices WHERE invoice_id = $1 \
    AND created_at = (SELECT created_at FROM bmc_transactional.invoice_keys WHERE invoice_id = $1)";

/// An invoice's status (`$2`) and, when given, its error (`$3`) set.
const SET_STATUS: &str = "UPDATE bmc_transactional.invoices SET processing_status = $2,
        error = COALESCE($3, error), updated_at = clock_timestamp()
     WHERE invoice_id = $1 AND created_at =
        (SELECT created_at FROM bmc_transactional.invoice_keys WHERE invoice_id = $1)";

/// The state in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresState {
    db: Postgres,
}

impl PostgresState {
    /// The state in `db`.
    pub fn new(db: Postgres) -> PostgresState {
        PostgresState { db }
    }
}

fn fail(e: tokio_postgres::Error) -> CapabilityError {
    classify("state", &e)
}

fn invoice_row(r: &Row) -> InvoiceRecord {
    let status: String = r.get(5);
    InvoiceRecord {
        invoice_id: r.get(0),
        document_sha256: r.get(1),
        document_type: r.get(2),
        document_path: r.get(3),
        needs_ocr: r.get(4),
        processing_status: Status::parse(&status).unwrap_or(Status::Failed),
        seller_nit: r.get(6),
        invoice_number: r.get(7),
        invoice_date: r.get(8),
        cufe: r.get(9),
        total_amount: r.get(10),
        ocr_confidence: r.get(11),
        registration_id: r.get(12),
        certificate_id: r.get(13),
        error: r.get(14),
        notify_email: r.get(15),
        created_at: r.get(16),
        updated_at: r.get(17),
    }
}

async fn get_invoice(
    c: &impl deadpool_postgres::GenericClient,
    id: &str,
) -> Result<Option<InvoiceRecord>, CapabilityError> {
    let sql = format!("SELECT {INVOICE_COLUMNS} {INVOICE_BY_ID}");
    let row = db::query_opt(c, &sql, &[&id]).await.map_err(fail)?;
    Ok(row.as_ref().map(invoice_row))
}

async fn append_events(
    tx: &deadpool_postgres::Transaction<'_>,
    events: &[OutboxEvent],
) -> Result<(), CapabilityError> {
    if events.is_empty() {
        return Ok(());
    }
    let statement = tx
        .prepare_cached(
            "INSERT INTO bmc_transactional.outbox (event_id, body) VALUES ($1, $2)
             ON CONFLICT (event_id) DO NOTHING",
        )
        .await
        .map_err(fail)?;
    for event in events {
        let body =
            serde_json::to_value(event).map_err(|e| CapabilityError::permanent("state", e))?;
        tx.execute(&statement, &[&event.id, &body])
            .await
            .map_err(fail)?;
    }
    Ok(())
}

/// Appends `entries` to the audit log in the transaction of the change they record. The
/// head's row stays locked until the transaction ends, so appends of concurrent transactions
/// chain one after the other in commit order; it is taken last, after the rows the change
/// locks, so that it is held briefly.
async fn append_audit(
    tx: &deadpool_postgres::Transaction<'_>,
    entries: Vec<NewAudit>,
) -> Result<Option<AuditRecord>, CapabilityError> {
    if entries.is_empty() {
        return Ok(None);
    }
    let head = db::query_one(
        tx,
        "SELECT seq, hash FROM bmc_audit.audit_head WHERE id = 1 FOR UPDATE",
        &[],
    )
    .await
    .map_err(fail)?;
    let (mut seq, mut prev): (i64, String) = (head.get(0), head.get(1));
    let insert = tx
        .prepare_cached(&format!(
            "INSERT INTO bmc_audit.audit_log ({AUDIT_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .await
        .map_err(fail)?;
    let mut last = None;
    for entry in entries {
        seq += 1;
        let r = entry.seal(seq, now_rfc3339(), &prev);
        tx.execute(
            &insert,
            &[
                &r.seq,
                &r.at,
                &r.who,
                &r.role,
                &r.from,
                &r.action,
                &r.subject,
                &r.detail,
                &r.prev_hash,
                &r.hash,
            ],
        )
        .await
        .map_err(fail)?;
        prev.clone_from(&r.hash);
        last = Some(r);
    }
    db::execute(
        tx,
        "UPDATE bmc_audit.audit_head SET seq = $1, hash = $2 WHERE id = 1",
        &[&seq, &prev],
    )
    .await
    .map_err(fail)?;
    Ok(last)
}

fn audit_row(r: &Row) -> AuditRecord {
    AuditRecord {
        seq: r.get(0),
        at: r.get(1),
        who: r.get(2),
        role: r.get(3),
        from: r.get(4),
        action: r.get(5),
        subject: r.get(6),
        detail: r.get(7),
        prev_hash: r.get(8),
        hash: r.get(9),
    }
}

fn job_status_name(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Pending => "PENDING",
        JobStatus::Completed => "COMPLETED",
        JobStatus::Failed => "FAILED",
    }
}

fn job_row(r: &Row) -> JobRecord {
    let status: String = r.get(3);
    JobRecord {
        job_id: r.get(0),
        invoice_id: r.get(1),
        document_key: r.get(2),
        status: match status.as_str() {
            "COMPLETED" => JobStatus::Completed,
            "FAILED" => JobStatus::Failed,
            _ => JobStatus::Pending,
        },
        text_key: r.get(4),
        result: r.get(5),
        error: r.get(6),
        created_at: r.get(7),
        updated_at: r.get(8),
    }
}

#[async_trait]
impl State for PostgresState {
    async fn create_invoice(
        &self,
        invoice: NewInvoice,
        event: OutboxEvent,
    ) -> Result<(InvoiceRecord, bool), CapabilityError> {
        let mut client = self.db.client("state").await?;
        let tx = client.transaction().await.map_err(fail)?;
        let created = db::query_opt(
            &tx,
            "INSERT INTO bmc_transactional.invoice_keys (invoice_id, document_sha256, created_at)
                 VALUES ($1, $2, date_trunc('milliseconds', clock_timestamp()))
                 ON CONFLICT DO NOTHING
                 RETURNING created_at",
            &[&invoice.id, &invoice.sha256],
        )
        .await
        .map_err(fail)?;
        if let Some(row) = &created {
            let at: std::time::SystemTime = row.get(0);
            db::execute(&tx, "INSERT INTO bmc_transactional.invoices (invoice_id, document_sha256, document_type,
                    document_path, needs_ocr, seller_nit, notify_email, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                &[
                    &invoice.id,
                    &invoice.sha256,
                    &invoice.format,
                    &invoice.document_key,
                    &invoice.needs_ocr,
                    &invoice.seller_nit,
                    &invoice.notify_email,
                    &at,
                ],
            )
            .await
            .map_err(fail)?;
            append_events(&tx, &[event]).await?;
            append_audit(&tx, vec![upload_audit(&invoice)]).await?;
        }
        let record = get_invoice(&tx, &invoice.id).await?.ok_or_else(|| {
            CapabilityError::permanent(
                "state",
                format!(
                    "invoice {} has the document of another invoice id",
                    invoice.id
                ),
            )
        })?;
        tx.commit().await.map_err(fail)?;
        Ok((record, created.is_some()))
    }

    async fn invoice(&self, id: &str) -> Result<Option<InvoiceRecord>, CapabilityError> {
        let client = self.db.client("state").await?;
        get_invoice(&client, id).await
    }

    async fn list_invoices(
        &self,
        filter: &InvoiceFilter,
    ) -> Result<Vec<InvoiceRecord>, CapabilityError> {
        let client = self.db.client("state").await?;
        let mut sql =
            format!("SELECT {INVOICE_COLUMNS} FROM bmc_transactional.invoices WHERE true");
        let mut values: Vec<String> = Vec::new();
        let mut condition = |sql: &mut String, value: String, clause: &str| {
            values.push(value);
            sql.push_str(&clause.replace('?', &format!("${}", values.len())));
        };
        if let Some(status) = filter.status {
            condition(&mut sql, status.name().into(), " AND processing_status = ?");
        }
        if let Some(seller) = &filter.seller_nit {
            condition(&mut sql, seller.clone(), " AND seller_nit = ?");
        }
        if let Some(from) = &filter.from {
            condition(
                &mut sql,
                from.clone(),
                " AND created_at >= ?::text::timestamptz",
            );
        }
        if let Some(to) = &filter.to {
            condition(
                &mut sql,
                to.clone(),
                " AND created_at < ?::text::timestamptz",
            );
        }
        if let Some(after) = &filter.after {
            condition(
                &mut sql,
                after.clone(),
                " AND (created_at, invoice_id) < (SELECT created_at, invoice_id
                   FROM bmc_transactional.invoice_keys WHERE invoice_id = ?)",
            );
        }
        sql.push_str(&format!(
            " ORDER BY created_at DESC, invoice_id DESC LIMIT {}",
            filter.limit
        ));
        let params: Vec<&(dyn ToSql + Sync)> =
            values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let rows = client.query(&sql, &params).await.map_err(fail)?;
        Ok(rows.iter().map(invoice_row).collect())
    }

    async fn daily_summary(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<DaySummary>, CapabilityError> {
        let client = self.db.client("state").await?;
        let range = "created_at >= $1::text::date AND created_at < $2::text::date + 1";
        let counts = db::query(
            &client,
            &format!(
                "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), processing_status,
                        count(*)
                 FROM bmc_transactional.invoices WHERE {range} GROUP BY 1, 2"
            ),
            &[&from, &to],
        )
        .await
        .map_err(fail)?;
        let totals = db::query(
            &client,
            &format!(
                "SELECT to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                        sum(c.commission_total)::text
                 FROM bmc_transactional.invoices i
                 JOIN bmc_transactional.commissions c ON c.invoice_id = i.invoice_id
                 WHERE i.processing_status = 'REGISTERED' AND i.{range} GROUP BY 1"
            ),
            &[&from, &to],
        )
        .await
        .map_err(fail)?;
        let counts = counts
            .iter()
            .map(|r| {
                let n: i64 = r.get(2);
                (r.get(0), r.get(1), u64::try_from(n).unwrap_or(0))
            })
            .collect();
        let mut commissions = Vec::new();
        for r in &totals {
            let total: String = r.get(1);
            let amount = total.parse::<rust_decimal::Decimal>().map_err(|e| {
                CapabilityError::permanent("state", format!("commission {total:?}: {e}"))
            })?;
            commissions.push((r.get(0), amount));
        }
        Ok(day_summaries(counts, commissions))
    }

    async fn take_slot(
        &self,
        name: &str,
        limit: u32,
        window: std::time::Duration,
    ) -> Result<Option<std::time::Duration>, CapabilityError> {
        let mut client = self.db.client("state").await?;
        let tx = client.transaction().await.map_err(fail)?;
        // One taker of a limit at a time, across processes.
        db::execute(&tx, "SELECT pg_advisory_xact_lock(hashtext($1))", &[&name])
            .await
            .map_err(fail)?;
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        db::execute(
            &tx,
            "DELETE FROM bmc_transactional.rate_slots
             WHERE name = $1 AND taken_at <= clock_timestamp() - make_interval(secs => $2::bigint / 1000.0)",
            &[&name, &window_ms],
        )
        .await
        .map_err(fail)?;
        let row = db::query_one(
            &tx,
            "SELECT count(*), (extract(epoch FROM
                 min(taken_at) + make_interval(secs => $2::bigint / 1000.0) - clock_timestamp())
                 * 1000)::bigint
             FROM bmc_transactional.rate_slots WHERE name = $1",
            &[&name, &window_ms],
        )
        .await
        .map_err(fail)?;
        let taken: i64 = row.get(0);
        let free_in: Option<i64> = row.get(1);
        let wait = if taken < i64::from(limit) {
            db::execute(
                &tx,
                "INSERT INTO bmc_transactional.rate_slots (name, taken_at) VALUES ($1, clock_timestamp())",
                &[&name],
            )
            .await
            .map_err(fail)?;
            None
        } else {
            Some(std::time::Duration::from_millis(
                u64::try_from(free_in.unwrap_or(1)).unwrap_or(0).max(1),
            ))
        };
        tx.commit().await.map_err(fail)?;
        Ok(wait)
    }

    async fn purge_before(
        &self,
        cutoff: &str,
        limit: usize,
        actor: &Actor,
    ) -> Result<Vec<Purged>, CapabilityError> {
        let mut client = self.db.client("state").await?;
        let tx = client.transaction().await.map_err(fail)?;
        let statuses: Vec<&str> = PURGEABLE.iter().map(|s| s.name()).collect();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = db::query(
            &tx,
            "SELECT invoice_id, bmc_transactional.rfc3339(created_at), document_path
             FROM bmc_transactional.invoices
             WHERE created_at < $1::text::timestamptz AND processing_status = ANY($3)
             ORDER BY created_at LIMIT $2 FOR UPDATE",
            &[&cutoff, &limit, &statuses],
        )
        .await
        .map_err(fail)?;
        let mut purged = Vec::new();
        for row in rows {
            let id: String = row.get(0);
            let keys = db::query(
                &tx,
                "SELECT object_key FROM bmc_transactional.certificates WHERE invoice_id = $1
                 UNION SELECT document_key FROM bmc_transactional.ocr_jobs WHERE invoice_id = $1
                 UNION SELECT text_key FROM bmc_transactional.ocr_jobs
                    WHERE invoice_id = $1 AND text_key IS NOT NULL",
                &[&id],
            )
            .await
            .map_err(fail)?;
            let mut keys: Vec<String> = keys.iter().map(|r| r.get(0)).collect();
            keys.push(row.get(2));
            for table in [
                "certificates",
                "commissions",
                "registrations",
                "ocr_jobs",
                "registered_cufes",
                "invoices",
                "invoice_keys",
            ] {
                let sql = format!("DELETE FROM bmc_transactional.{table} WHERE invoice_id = $1");
                db::execute(&tx, &sql, &[&id]).await.map_err(fail)?;
            }
            purged.push(Purged::new(id, row.get(1), keys));
        }
        append_audit(&tx, purged.iter().map(|p| purge_audit(actor, p)).collect()).await?;
        tx.commit().await.map_err(fail)?;
        Ok(purged)
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
        let mut client = self.db.client("state").await?;
        let tx = client.transaction().await.map_err(fail)?;
        let locking = format!("SELECT processing_status {INVOICE_BY_ID} FOR UPDATE");
        let Some(before) = db::query_opt(&tx, &locking, &[&id]).await.map_err(fail)? else {
            return Ok(());
        };
        let before = Status::parse(before.get(0)).unwrap_or(Status::Failed);
        db::execute(&tx, SET_STATUS, &[&id, &status.name(), &error])
            .await
            .map_err(fail)?;
        append_events(&tx, &events).await?;
        let mut entries = reasons;
        entries.push(status_audit(actor, id, before, status, error.as_deref()));
        append_audit(&tx, entries).await?;
        tx.commit().await.map_err(fail)
    }

    async fn record_outcome(
        &self,
        id: &str,
        outcome: Outcome,
        events: Vec<OutboxEvent>,
        actor: &Actor,
    ) -> Result<InvoiceRecord, CapabilityError> {
        let mut client = self.db.client("state").await?;
        let tx = client.transaction().await.map_err(fail)?;
        // The row is locked for the transaction: a message delivered twice waits here and then
        // finds the outcome recorded.
        let locking = format!("SELECT {INVOICE_COLUMNS} {INVOICE_BY_ID} FOR UPDATE");
        let current = db::query_opt(&tx, &locking, &[&id])
            .await
            .map_err(fail)?
            .as_ref()
            .map(invoice_row)
            .ok_or_else(|| CapabilityError::permanent("state", format!("no invoice {id}")))?;
        let status = current.processing_status;
        if status.is_final() && status != Status::Failed {
            return Ok(current);
        }
        let mut outcome = outcome;
        let mut events = events;
        if outcome.registers()
            && let Some(cufe) = outcome.cufe.clone()
        {
            // The first to insert the CUFE holds it; a concurrent second waits for the first
            // to commit, inserts nothing, and reads the holder in a statement of its own (one
            // that sees the first's commit).
            let claimed = db::query_opt(
                &tx,
                "INSERT INTO bmc_transactional.registered_cufes (cufe, invoice_id)
                     VALUES ($1, $2) ON CONFLICT (cufe) DO NOTHING RETURNING invoice_id",
                &[&cufe, &id],
            )
            .await
            .map_err(fail)?;
            let holder: String = match claimed {
                Some(row) => row.get(0),
                None => db::query_one(
                    &tx,
                    "SELECT invoice_id FROM bmc_transactional.registered_cufes WHERE cufe = $1",
                    &[&cufe],
                )
                .await
                .map_err(fail)?
                .get(0),
            };
            if holder != id {
                outcome.refuse_registered_cufe(&holder, &mut events);
            }
        }
        let registration_id = outcome.registration_id();
        let registered = outcome.registers();
        db::execute(
            &tx,
            "UPDATE bmc_transactional.invoices SET processing_status = $2,
                seller_nit = COALESCE($3, seller_nit), invoice_number = $4,
                invoice_date = $5::text::date, cufe = $6, total_amount = $7::text::numeric,
                ocr_confidence = $8::text::numeric, registration_id = $9, certificate_id = $10,
                error = $11, updated_at = clock_timestamp()
             WHERE invoice_id = $1 AND created_at = $12::text::timestamptz",
            &[
                &id,
                &outcome.status.name(),
                &outcome.seller_nit,
                &outcome.invoice_number,
                &outcome.invoice_date,
                &outcome.cufe,
                &outcome.total_amount,
                &outcome.ocr_confidence,
                &registration_id.as_ref().filter(|_| registered),
                &outcome.certificate.as_ref().map(|c| &c.certificate_id),
                &outcome.error,
                &current.created_at,
            ],
        )
        .await
        .map_err(fail)?;
        if let (Some(registration), Some(registration_id)) =
            (&outcome.registration, &registration_id)
        {
            db::execute(
                &tx,
                "INSERT INTO bmc_transactional.registrations (invoice_id, registration_id, body)
                 VALUES ($1, $2, $3)
                 ON CONFLICT (invoice_id) DO UPDATE SET registration_id = $2, body = $3",
                &[&id, registration_id, registration],
            )
            .await
            .map_err(fail)?;
            if let Some(commission) = outcome.commission_row() {
                db::execute(&tx, "INSERT INTO bmc_transactional.commissions (invoice_id, registration_id,
                        commission_fee, commission_iva, commission_total, rule_set, body)
                     VALUES ($1, $2, $3::text::numeric, $4::text::numeric, $5::text::numeric, $6, $7)
                     ON CONFLICT (invoice_id) DO UPDATE SET registration_id = $2,
                        commission_fee = $3::text::numeric, commission_iva = $4::text::numeric,
                        commission_total = $5::text::numeric, rule_set = $6, body = $7",
                    &[
                        &id,
                        registration_id,
                        &commission.fee,
                        &commission.iva,
                        &commission.total,
                        &commission.rule_set,
                        &commission.body,
                    ],
                )
                .await
                .map_err(fail)?;
            }
        }
        if let Some(cert) = &outcome.certificate {
            db::execute(
                &tx,
                "INSERT INTO bmc_transactional.certificates (certificate_id, invoice_id,
                    registration_id, object_key, created_at)
                 VALUES ($1, $2, $3, $4, $5::text::timestamptz)
                 ON CONFLICT (certificate_id) DO UPDATE SET object_key = $4",
                &[
                    &cert.certificate_id,
                    &id,
                    &cert.registration_id,
                    &cert.object_key,
                    &cert.created_at,
                ],
            )
            .await
            .map_err(fail)?;
        }
        append_events(&tx, &events).await?;
        let record = get_invoice(&tx, id)
            .await?
            .ok_or_else(|| CapabilityError::permanent("state", format!("no invoice {id}")))?;
        append_audit(&tx, vec![outcome_audit(actor, id, status, &record)]).await?;
        tx.commit().await.map_err(fail)?;
        Ok(record)
    }

    async fn registration(&self, id: &str) -> Result<Option<serde_json::Value>, CapabilityError> {
        let client = self.db.client("state").await?;
        let row = db::query_opt(
            &client,
            "SELECT body FROM bmc_transactional.registrations WHERE invoice_id = $1",
            &[&id],
        )
        .await
        .map_err(fail)?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn certificate(&self, id: &str) -> Result<Option<CertificateRecord>, CapabilityError> {
        let client = self.db.client("state").await?;
        let row = db::query_opt(
            &client,
            "SELECT certificate_id, invoice_id, registration_id, object_key,
                    bmc_transactional.rfc3339(created_at)
                 FROM bmc_transactional.certificates WHERE certificate_id = $1",
            &[&id],
        )
        .await
        .map_err(fail)?;
        Ok(row.map(|r| CertificateRecord {
            certificate_id: r.get(0),
            invoice_id: r.get(1),
            registration_id: r.get(2),
            object_key: r.get(3),
            created_at: r.get(4),
        }))
    }

    async fn create_job(&self, job: JobRecord, actor: &Actor) -> Result<(), CapabilityError> {
        let mut client = self.db.client("state").await?;
        let tx = client.transaction().await.map_err(fail)?;
        let created = db::execute(
            &tx,
            "INSERT INTO bmc_transactional.ocr_jobs (job_id, invoice_id, document_key, status,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5::text::timestamptz, $5::text::timestamptz)
                 ON CONFLICT (job_id) DO NOTHING",
            &[
                &job.job_id,
                &job.invoice_id,
                &job.document_key,
                &job_status_name(job.status),
                &job.created_at,
            ],
        )
        .await
        .map_err(fail)?
            == 1;
        if created {
            append_audit(&tx, vec![job_audit(actor, &job, None)]).await?;
        }
        tx.commit().await.map_err(fail)
    }

    async fn job(&self, id: &str) -> Result<Option<JobRecord>, CapabilityError> {
        let client = self.db.client("state").await?;
        let row = db::query_opt(
            &client,
            "SELECT job_id, invoice_id, document_key, status, text_key, result, error,
                    bmc_transactional.rfc3339(created_at), bmc_transactional.rfc3339(updated_at)
                 FROM bmc_transactional.ocr_jobs WHERE job_id = $1",
            &[&id],
        )
        .await
        .map_err(fail)?;
        Ok(row.as_ref().map(job_row))
    }

    async fn finish_job(
        &self,
        job: JobRecord,
        invoice_status: Option<Status>,
        events: Vec<OutboxEvent>,
        actor: &Actor,
    ) -> Result<(), CapabilityError> {
        let mut client = self.db.client("state").await?;
        let tx = client.transaction().await.map_err(fail)?;
        db::execute(
            &tx,
            "INSERT INTO bmc_transactional.ocr_jobs (job_id, invoice_id, document_key, status,
                text_key, result, error, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::timestamptz, clock_timestamp())
             ON CONFLICT (job_id) DO UPDATE SET status = $4, text_key = $5, result = $6,
                error = $7, updated_at = clock_timestamp()",
            &[
                &job.job_id,
                &job.invoice_id,
                &job.document_key,
                &job_status_name(job.status),
                &job.text_key,
                &job.result,
                &job.error,
                &job.created_at,
            ],
        )
        .await
        .map_err(fail)?;
        if let (Some(status), Some(invoice)) = (invoice_status, &job.invoice_id) {
            db::execute(&tx, SET_STATUS, &[invoice, &status.name(), &job.error])
                .await
                .map_err(fail)?;
        }
        append_events(&tx, &events).await?;
        append_audit(&tx, vec![job_audit(actor, &job, invoice_status)]).await?;
        tx.commit().await.map_err(fail)
    }

    async fn pending_events(&self, max: usize) -> Result<Vec<OutboxEvent>, CapabilityError> {
        let client = self.db.client("state").await?;
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let rows = db::query(
            &client,
            "SELECT body FROM bmc_transactional.outbox ORDER BY seq LIMIT $1",
            &[&limit],
        )
        .await
        .map_err(fail)?;
        outbox_events(&rows, 0)
    }

    async fn claim_events(&self, max: usize) -> Result<Vec<OutboxEvent>, CapabilityError> {
        let client = self.db.client("state").await?;
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        // Claimed for a while: the relays of other processes skip these events meanwhile.
        let mut rows = db::query(
            &client,
            "UPDATE bmc_transactional.outbox SET claimed_until = now() + interval '15 seconds'
                 WHERE seq IN (
                     SELECT seq FROM bmc_transactional.outbox
                     WHERE claimed_until IS NULL OR claimed_until < now()
                     ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
                 RETURNING seq, body",
            &[&limit],
        )
        .await
        .map_err(fail)?;
        rows.sort_by_key(|r| r.get::<_, i64>(0));
        outbox_events(&rows, 1)
    }

    async fn mark_delivered(&self, ids: &[String]) -> Result<(), CapabilityError> {
        let client = self.db.client("state").await?;
        db::execute(
            &client,
            "DELETE FROM bmc_transactional.outbox WHERE event_id = ANY($1)",
            &[&ids],
        )
        .await
        .map_err(fail)?;
        Ok(())
    }

    async fn status_counts(&self) -> Result<Vec<(Status, u64)>, CapabilityError> {
        let client = self.db.client("state").await?;
        let rows = db::query(
            &client,
            "SELECT processing_status, COUNT(*) FROM bmc_transactional.invoices
                 GROUP BY processing_status",
            &[],
        )
        .await
        .map_err(fail)?;
        let counts: Vec<(String, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        Ok(Status::ALL
            .into_iter()
            .map(|s| {
                let n = counts
                    .iter()
                    .find(|(name, _)| name == s.name())
                    .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
                (s, n)
            })
            .collect())
    }

    async fn registrations_on(
        &self,
        date: &str,
    ) -> Result<Vec<serde_json::Value>, CapabilityError> {
        let client = self.db.client("state").await?;
        let rows = db::query(
            &client,
            "SELECT r.body FROM bmc_transactional.registrations r
                 JOIN bmc_transactional.invoice_keys k ON k.invoice_id = r.invoice_id
                 JOIN bmc_transactional.invoices i
                   ON i.invoice_id = k.invoice_id AND i.created_at = k.created_at
                 WHERE i.processing_status = 'REGISTERED' AND r.body->>'registration_date' = $1
                 ORDER BY r.registration_id",
            &[&date],
        )
        .await
        .map_err(fail)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn audit(&self, entry: NewAudit) -> Result<AuditRecord, CapabilityError> {
        let mut client = self.db.client("state").await?;
        let tx = client.transaction().await.map_err(fail)?;
        let record = append_audit(&tx, vec![entry])
            .await?
            .ok_or_else(|| CapabilityError::permanent("state", "no audit entry appended"))?;
        tx.commit().await.map_err(fail)?;
        Ok(record)
    }

    async fn audit_entries(
        &self,
        after: i64,
        limit: usize,
        subject: Option<&str>,
    ) -> Result<Vec<AuditRecord>, CapabilityError> {
        let client = self.db.client("state").await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = db::query(
            &client,
            &format!(
                "SELECT {AUDIT_COLUMNS} FROM bmc_audit.audit_log
                 WHERE seq > $1 AND ($2::text IS NULL OR subject = $2) ORDER BY seq LIMIT $3"
            ),
            &[&after, &subject, &limit],
        )
        .await
        .map_err(fail)?;
        Ok(rows.iter().map(audit_row).collect())
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>, CapabilityError> {
        let client = self.db.client("state").await?;
        let row = db::query_one(
            &client,
            "SELECT seq, hash FROM bmc_audit.audit_head WHERE id = 1",
            &[],
        )
        .await
        .map_err(fail)?;
        let seq: i64 = row.get(0);
        Ok((seq > 0).then(|| (seq, row.get(1))))
    }
}

/// The outbox events in `column` of `rows`.
fn outbox_events(
    rows: &[tokio_postgres::Row],
    column: usize,
) -> Result<Vec<OutboxEvent>, CapabilityError> {
    rows.iter()
        .map(|r| {
            serde_json::from_value(r.get(column))
                .map_err(|e| CapabilityError::permanent("state", e))
        })
        .collect()
}

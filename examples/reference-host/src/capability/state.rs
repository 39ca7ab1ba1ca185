//! Where the platform's state lives: invoices, registrations, commissions, certificates,
//! OCR jobs, and the outbox of events written with the changes they announce.

use async_trait::async_trait;

use super::{Actor, AuditRecord, CapabilityError, NewAudit, OutboxEvent};

/// Where an invoice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Uploaded, waiting to be processed.
    Pending,
    /// Its scan is being read.
    Ocr,
    /// Registrable, with findings a person must review first.
    NeedsReview,
    /// Not registrable: its findings say why.
    Rejected,
    /// Registered, with its certificate.
    Registered,
    /// Processing failed on every attempt: it is in a dead-letter queue with its error.
    Failed,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 6] = [
        Status::Pending,
        Status::Ocr,
        Status::NeedsReview,
        Status::Rejected,
        Status::Registered,
        Status::Failed,
    ];

    /// `PENDING`, `OCR`, `NEEDS_REVIEW`, `REJECTED`, `REGISTERED`, `FAILED`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "PENDING",
            Status::Ocr => "OCR",
            Status::NeedsReview => "NEEDS_REVIEW",
            Status::Rejected => "REJECTED",
            Status::Registered => "REGISTERED",
            Status::Failed => "FAILED",
        }
    }

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.name() == name)
    }

    /// True when processing is over (FAILED is final until a redrive).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::NeedsReview | Status::Rejected | Status::Registered | Status::Failed
        )
    }
}

/// One day's uploads.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DaySummary {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Uploaded that day, by status now (`REGISTERED`, ...).
    pub statuses: std::collections::BTreeMap<String, u64>,
    /// Uploaded that day in all.
    pub uploaded: u64,
    /// The registered ones' commissions (fee and IVA), summed.
    #[serde(with = "rust_decimal::serde::str")]
    pub commission: rust_decimal::Decimal,
}

/// Days from rows of (day, status, count) and (day, commission): one a day that has any.
pub fn day_summaries(
    counts: Vec<(String, String, u64)>,
    commissions: Vec<(String, rust_decimal::Decimal)>,
) -> Vec<DaySummary> {
    let mut days: std::collections::BTreeMap<String, DaySummary> =
        std::collections::BTreeMap::new();
    for (day, status, n) in counts {
        let entry = days.entry(day.clone()).or_insert_with(|| DaySummary {
            day,
            ..DaySummary::default()
        });
        entry.uploaded += n;
        *entry.statuses.entry(status).or_default() += n;
    }
    for (day, amount) in commissions {
        let entry = days.entry(day.clone()).or_insert_with(|| DaySummary {
            day,
            ..DaySummary::default()
        });
        entry.commission += amount;
    }
    days.into_values().collect()
}

/// An invoice deleted at the end of its retention.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Purged {
    /// Its id.
    pub invoice_id: String,
    /// When it was uploaded.
    pub created_at: String,
    /// The storage keys of its document, OCR text and certificate.
    pub keys: Vec<String>,
}

impl Purged {
    /// Invoice `invoice_id` uploaded at `created_at`, with its objects' `keys` (each once).
    pub fn new(invoice_id: String, created_at: String, mut keys: Vec<String>) -> Purged {
        keys.sort();
        keys.dedup();
        Purged {
            invoice_id,
            created_at,
            keys,
        }
    }
}

/// The audit entry of a purged invoice.
pub fn purge_audit(actor: &Actor, purged: &Purged) -> NewAudit {
    NewAudit::new(
        actor,
        "invoice.purged",
        &purged.invoice_id,
        serde_json::json!({"created_at": purged.created_at, "keys": purged.keys}),
    )
}

/// The statuses an invoice may be purged in: its processing is over.
pub const PURGEABLE: [Status; 4] = [
    Status::Registered,
    Status::Rejected,
    Status::NeedsReview,
    Status::Failed,
];

/// An upload to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInvoice {
    /// The id (derived from the document's hash).
    pub id: String,
    /// SHA-256 of the document.
    pub sha256: String,
    /// The document's format (`ubl-xml`, `pdf`, ...).
    pub format: String,
    /// The document's storage key.
    pub document_key: String,
    /// True when the document is a scan to read first.
    pub needs_ocr: bool,
    /// The seller's NIT, when the upload could read it.
    pub seller_nit: Option<String>,
    /// Where to mail the certificate, when asked.
    pub notify_email: Option<String>,
    /// Who uploaded it, for the audit log.
    pub uploaded_by: Actor,
}

/// An invoice as the platform holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InvoiceRecord {
    /// The id.
    pub invoice_id: String,
    /// SHA-256 of the document.
    pub document_sha256: String,
    /// The document's format.
    pub document_type: String,
    /// The document's storage key.
    pub document_path: String,
    /// True when the document is a scan.
    pub needs_ocr: bool,
    /// The status.
    pub processing_status: Status,
    /// The seller's NIT, once known.
    pub seller_nit: Option<String>,
    /// The invoice number, once read.
    pub invoice_number: Option<String>,
    /// The invoice date, once read.
    pub invoice_date: Option<String>,
    /// The CUFE, once read.
    pub cufe: Option<String>,
    /// The payable amount, once read (decimal string).
    pub total_amount: Option<String>,
    /// The share of OCR fields trusted, in percent, for scans.
    pub ocr_confidence: Option<String>,
    /// The registration id, once registered.
    pub registration_id: Option<String>,
    /// The certificate id, once issued.
    pub certificate_id: Option<String>,
    /// The error of the last failed attempt (`code: message`).
    pub error: Option<String>,
    /// Where to mail the certificate.
    pub notify_email: Option<String>,
    /// When it was uploaded (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

/// What processing decided about an invoice, recorded at once with its events.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The new status.
    pub status: Status,
    /// The seller's NIT.
    pub seller_nit: Option<String>,
    /// The invoice number.
    pub invoice_number: Option<String>,
    /// The invoice date.
    pub invoice_date: Option<String>,
    /// The CUFE.
    pub cufe: Option<String>,
    /// The payable amount.
    pub total_amount: Option<String>,
    /// The OCR confidence.
    pub ocr_confidence: Option<String>,
    /// The registration (core's JSON), when the document could be read.
    pub registration: Option<serde_json::Value>,
    /// The certificate, when one was issued.
    pub certificate: Option<CertificateRecord>,
    /// The error, for a document that could not be read.
    pub error: Option<String>,
}

impl Outcome {
    /// True when the outcome registers the invoice (REGISTERED, or NEEDS_REVIEW awaiting a
    /// person).
    pub fn registers(&self) -> bool {
        matches!(self.status, Status::Registered | Status::NeedsReview)
    }

    /// The registration id in the registration, when there is one.
    pub fn registration_id(&self) -> Option<String> {
        self.registration
            .as_ref()
            .and_then(|r| r.get("registration_id"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }

    /// Turns the outcome into the refusal of an invoice whose CUFE `holder` was registered
    /// under: REJECTED with `CUFE_ALREADY_REGISTERED`, no certificate, no commission event.
    pub fn refuse_registered_cufe(&mut self, holder: &str, events: &mut Vec<OutboxEvent>) {
        self.status = Status::Rejected;
        self.certificate = None;
        self.error = Some(format!(
            "CUFE_ALREADY_REGISTERED: the invoice with this CUFE is registered as {holder}"
        ));
        events.retain(|e| e.name != "commission.calculated");
    }

    /// The commission of a registering outcome as its table keeps it: fee, IVA, total
    /// (decimal strings), the rule set, and core's JSON.
    pub fn commission_row(&self) -> Option<CommissionRow> {
        let commission = self.registration.as_ref()?.get("commission")?;
        if !self.registers() {
            return None;
        }
        let text = |k: &str| {
            commission
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        Some(CommissionRow {
            fee: text("fee"),
            iva: text("iva"),
            total: text("total"),
            rule_set: commission
                .get("rule_set")
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .unwrap_or_default(),
            body: commission.clone(),
        })
    }
}

/// A commission as state keeps it beside its registration.
#[derive(Debug, Clone, PartialEq)]
pub struct CommissionRow {
    /// The fee (decimal string).
    pub fee: String,
    /// The IVA on the fee.
    pub iva: String,
    /// Fee and IVA.
    pub total: String,
    /// The rule set (id and version).
    pub rule_set: String,
    /// Core's JSON of the commission.
    pub body: serde_json::Value,
}

/// A certificate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CertificateRecord {
    /// The id (`CERT-` and the registration id).
    pub certificate_id: String,
    /// The invoice.
    pub invoice_id: String,
    /// The registration it certifies.
    pub registration_id: String,
    /// The PDF's storage key.
    pub object_key: String,
    /// When it was issued.
    pub created_at: String,
}

/// Filters and paging of the invoice list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvoiceFilter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only this seller.
    pub seller_nit: Option<String>,
    /// Uploaded at or after (RFC 3339 or a date).
    pub from: Option<String>,
    /// Uploaded before.
    pub to: Option<String>,
    /// Invoices after this id in the listing order (the previous page's `next`).
    pub after: Option<String>,
    /// At most this many.
    pub limit: usize,
}

/// Where an OCR job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    /// Waiting in the OCR queue.
    Pending,
    /// Read.
    Completed,
    /// Could not be read.
    Failed,
}

/// An OCR job.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JobRecord {
    /// The id.
    pub job_id: String,
    /// The invoice it reads for, when it is part of an upload.
    pub invoice_id: Option<String>,
    /// The document's storage key.
    pub document_key: String,
    /// The status.
    pub status: JobStatus,
    /// The text's storage key, once read.
    pub text_key: Option<String>,
    /// The fields read with their confidences (JSON), once read.
    pub result: Option<serde_json::Value>,
    /// Why it failed.
    pub error: Option<String>,
    /// When it was created.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

/// The platform's state. Every change that announces events writes them to the outbox in
/// the same transaction, and every change appends who made it to the audit log in the same
/// transaction too.
#[async_trait]
pub trait State: Send + Sync + std::fmt::Debug {
    /// Records an upload with its `invoice.uploaded` event; an invoice with the same id (the
    /// same bytes) is answered as it is, with `false`.
    async fn create_invoice(
        &self,
        invoice: NewInvoice,
        event: OutboxEvent,
    ) -> Result<(InvoiceRecord, bool), CapabilityError>;

    /// The invoice `id`.
    async fn invoice(&self, id: &str) -> Result<Option<InvoiceRecord>, CapabilityError>;

    /// Invoices, newest first.
    async fn list_invoices(
        &self,
        filter: &InvoiceFilter,
    ) -> Result<Vec<InvoiceRecord>, CapabilityError>;

    /// Sets an invoice's status (and its error), with events, and audit entries that say why
    /// (`reasons`, appended before the status change's own, in the same transaction).
    async fn set_status(
        &self,
        id: &str,
        status: Status,
        error: Option<String>,
        events: Vec<OutboxEvent>,
        reasons: Vec<NewAudit>,
        actor: &Actor,
    ) -> Result<(), CapabilityError>;

    /// Records what processing decided, with its events. An invoice whose CUFE another
    /// invoice was already registered under is recorded REJECTED with the finding
    /// `CUFE_ALREADY_REGISTERED`, its certificate and events dropped. Answers the record.
    async fn record_outcome(
        &self,
        id: &str,
        outcome: Outcome,
        events: Vec<OutboxEvent>,
        actor: &Actor,
    ) -> Result<InvoiceRecord, CapabilityError>;

    /// The registration of invoice `id` (core's JSON).
    async fn registration(&self, id: &str) -> Result<Option<serde_json::Value>, CapabilityError>;

    /// The certificate `id`.
    async fn certificate(&self, id: &str) -> Result<Option<CertificateRecord>, CapabilityError>;

    /// Records an OCR job.
    async fn create_job(&self, job: JobRecord, actor: &Actor) -> Result<(), CapabilityError>;

    /// The OCR job `id`.
    async fn job(&self, id: &str) -> Result<Option<JobRecord>, CapabilityError>;

    /// Records a job's end, with events (and, for an upload's job, the invoice's status).
    async fn finish_job(
        &self,
        job: JobRecord,
        invoice_status: Option<Status>,
        events: Vec<OutboxEvent>,
        actor: &Actor,
    ) -> Result<(), CapabilityError>;

    /// Up to `max` events not yet delivered, oldest first.
    async fn pending_events(&self, max: usize) -> Result<Vec<OutboxEvent>, CapabilityError>;

    /// Up to `max` events not yet delivered, oldest first, for one relay to deliver: a state
    /// shared by several processes claims them for a while (15 s on PostgreSQL), so the other
    /// processes' relays skip them, and hands them out again only if they are not marked
    /// delivered by then. A state of one process answers [`State::pending_events`].
    async fn claim_events(&self, max: usize) -> Result<Vec<OutboxEvent>, CapabilityError> {
        self.pending_events(max).await
    }

    /// Marks events delivered.
    async fn mark_delivered(&self, ids: &[String]) -> Result<(), CapabilityError>;

    /// How many invoices are in each status.
    async fn status_counts(&self) -> Result<Vec<(Status, u64)>, CapabilityError>;

    /// The registrations (core's JSON) of the invoices REGISTERED with registration date
    /// `date` (`YYYY-MM-DD`), by registration id.
    async fn registrations_on(&self, date: &str)
    -> Result<Vec<serde_json::Value>, CapabilityError>;

    /// Deletes at most `limit` invoices created before `cutoff` (RFC 3339) whose processing
    /// is over, with their registration, commission, certificate and OCR jobs, each with an
    /// `invoice.purged` audit entry by `actor`, in one transaction; answers what went, with
    /// the storage keys of its objects. The retention period is the caller's to enforce
    /// ([`crate::retention`]).
    async fn purge_before(
        &self,
        cutoff: &str,
        limit: usize,
        actor: &Actor,
    ) -> Result<Vec<Purged>, CapabilityError>;

    /// Uploads by day (UTC) from `from` to `to` (`YYYY-MM-DD`, both included): how many are
    /// in each status now, and the commission of those registered, summed exactly.
    async fn daily_summary(&self, from: &str, to: &str)
    -> Result<Vec<DaySummary>, CapabilityError>;

    /// Takes one of the `limit` slots a `window` of the rate limit `name`, shared by every
    /// process on this state: `None` when one was taken, or how long until one frees.
    async fn take_slot(
        &self,
        name: &str,
        limit: u32,
        window: std::time::Duration,
    ) -> Result<Option<std::time::Duration>, CapabilityError>;

    /// Appends an action that changes no record here (an admin's reload, a redrive, a
    /// purge) to the audit log, and answers the entry.
    async fn audit(&self, entry: NewAudit) -> Result<AuditRecord, CapabilityError>;

    /// Up to `limit` audit entries after entry `after` (0: from the first), oldest first;
    /// only those on `subject` when it is given.
    async fn audit_entries(
        &self,
        after: i64,
        limit: usize,
        subject: Option<&str>,
    ) -> Result<Vec<AuditRecord>, CapabilityError>;

    /// The audit chain's head as the state recorded it: the last entry's number and hash
    /// (none before the first entry).
    async fn audit_head(&self) -> Result<Option<(i64, String)>, CapabilityError>;
}

/// The audit entry of an invoice's status change by `actor`.
pub fn status_audit(
    actor: &Actor,
    id: &str,
    from: Status,
    to: Status,
    error: Option<&str>,
) -> NewAudit {
    NewAudit::new(
        actor,
        "invoice.status",
        id,
        serde_json::json!({"from": from.name(), "to": to.name(), "error": error}),
    )
}

/// The audit entry of an upload.
pub fn upload_audit(invoice: &NewInvoice) -> NewAudit {
    NewAudit::new(
        &invoice.uploaded_by,
        "invoice.uploaded",
        &invoice.id,
        serde_json::json!({
            "document_sha256": invoice.sha256,
            "format": invoice.format,
            "document_path": invoice.document_key,
            "seller_nit": invoice.seller_nit,
        }),
    )
}

/// The audit entry of what processing decided about invoice `id` (in `from` before).
pub fn outcome_audit(actor: &Actor, id: &str, from: Status, record: &InvoiceRecord) -> NewAudit {
    NewAudit::new(
        actor,
        "invoice.processed",
        id,
        serde_json::json!({
            "from": from.name(),
            "to": record.processing_status.name(),
            "registration_id": record.registration_id,
            "certificate_id": record.certificate_id,
            "cufe": record.cufe,
            "total_amount": record.total_amount,
            "error": record.error,
        }),
    )
}

/// The audit entry of an OCR job's creation (a pending job) or its end.
pub fn job_audit(actor: &Actor, job: &JobRecord, invoice_status: Option<Status>) -> NewAudit {
    let action = match job.status {
        JobStatus::Pending => "ocr.job.created",
        JobStatus::Completed => "ocr.job.completed",
        JobStatus::Failed => "ocr.job.failed",
    };
    NewAudit::new(
        actor,
        action,
        &job.job_id,
        serde_json::json!({
            "invoice_id": job.invoice_id,
            "document_key": job.document_key,
            "invoice_status": invoice_status.map(Status::name),
            "error": job.error,
        }),
    )
}

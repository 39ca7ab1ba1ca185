//! The host's capabilities, each a trait chosen in the configuration: where documents are
//! kept ([`Storage`]), how work is queued ([`Queue`]), where events go ([`EventBus`]), how a
//! scan becomes text ([`TextSource`]), how mail leaves ([`Mailer`]) and where the platform's
//! state lives ([`State`]). The embedded defaults are in [`crate::embedded`]; the traits
//! follow S3's, SQS's and EventBridge's semantics so cloud backends fit them unchanged.

mod audit;
mod error;
mod events;
mod mailer;
mod queue;
mod state;
mod storage;
mod text;

pub use audit::{Actor, AuditBreak, AuditRecord, GENESIS, NewAudit, Verifier};
pub use error::CapabilityError;
pub use events::{EventBus, OutboxEvent};
pub use mailer::{Attachment, Mail, Mailer};
pub use queue::{
    DeadLetter, Outgoing, Queue, QueueName, QueueSpec, QueueSpecs, QueueStats, Received,
    receive_polling,
};
pub use state::{
    CertificateRecord, CommissionRow, DaySummary, InvoiceFilter, InvoiceRecord, JobRecord,
    JobStatus, NewInvoice, Outcome, PURGEABLE, Purged, State, Status, day_summaries, job_audit,
    outcome_audit, purge_audit, status_audit, upload_audit,
};
pub use storage::{ObjectKind, Storage, key_of as storage_key, split_key as split_storage_key};
pub use text::{ScannedText, TextSource};

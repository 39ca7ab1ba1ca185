//! One contract for each capability with more than one backend, run against every backend:
//! the embedded SQLite state and queues, and (feature `postgres`) PostgreSQL's, on a real
//! server the test starts. What one backend does, the other must do.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use bmc_host::capability::{
    Actor, CertificateRecord, InvoiceFilter, JobRecord, JobStatus, NewAudit, NewInvoice,
    ObjectKind, OutboxEvent, Outcome, Outgoing, PURGEABLE, Queue, QueueName, QueueSpec, State,
    Status, Storage,
};
use bmc_host::embedded::{FileStorage, SqliteQueue, SqliteState};
use common::{runtime, scratch};

fn event(name: &str) -> OutboxEvent {
    OutboxEvent {
        id: bmc_host::ids::random_id("evt"),
        name: name.into(),
        source: "bmc.test".into(),
        detail_type: name.into(),
        detail: serde_json::json!({"name": name}),
        time: bmc_host::ids::now_rfc3339(),
    }
}

fn upload(n: u32, seller: &str) -> NewInvoice {
    let sha = format!("{n:064x}");
    NewInvoice {
        id: format!("inv_{n:08}"),
        sha256: sha.clone(),
        format: "ubl-xml".into(),
        document_key: format!("documents/{sha}"),
        needs_ocr: false,
        seller_nit: Some(seller.into()),
        notify_email: None,
        uploaded_by: Actor::person("ana@bmc", Some("operator"), Some("10.0.0.7".into())),
    }
}

fn worker() -> Actor {
    Actor::system("registration")
}

fn registered(n: u32, cufe: &str) -> Outcome {
    let registration_id = format!("RF-20261201-{n:010}");
    Outcome {
        status: Status::Registered,
        seller_nit: Some("890903938".into()),
        invoice_number: Some(format!("SETP{n}")),
        invoice_date: Some("2026-09-09".into()),
        cufe: Some(cufe.into()),
        total_amount: Some("94774988.80".into()),
        ocr_confidence: None,
        registration: Some(serde_json::json!({
            "registration_id": registration_id,
            "registration_date": "2026-12-01",
            "commission": {"fee": "1200.00", "iva": "228.00", "total": "1428.00",
                           "rule_set": {"id": "registro-facturas", "version": "2026-01-01"}},
        })),
        certificate: Some(CertificateRecord {
            certificate_id: format!("CERT-{registration_id}"),
            invoice_id: format!("inv_{n:08}"),
            registration_id,
            object_key: format!("certificates/{n:064x}"),
            created_at: "2026-12-01T10:00:00.000Z".into(),
        }),
        error: None,
    }
}

/// What every [`State`] must do.
async fn state_contract(state: Arc<dyn State>) {
    // An upload is recorded once, with its event once.
    let (first, created) = state
        .create_invoice(upload(1, "890903938"), event("invoice.uploaded"))
        .await
        .unwrap();
    assert!(created);
    assert_eq!(first.processing_status, Status::Pending);
    assert_eq!(first.seller_nit.as_deref(), Some("890903938"));
    assert!(
        first.created_at.ends_with('Z') && first.created_at.len() == 24,
        "{}",
        first.created_at
    );
    let (again, created) = state
        .create_invoice(upload(1, "890903938"), event("invoice.uploaded"))
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again, first);
    assert_eq!(
        state.invoice("inv_00000001").await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(state.invoice("inv_nothing").await.unwrap(), None);
    let pending = state.pending_events(100).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].name, "invoice.uploaded");
    assert_eq!(
        pending[0].detail,
        serde_json::json!({"name": "invoice.uploaded"})
    );

    // Listing: newest first, filters, pages.
    for n in 2..=6 {
        let seller = if n % 2 == 0 { "900123456" } else { "890903938" };
        state
            .create_invoice(upload(n, seller), event("invoice.uploaded"))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let all = state
        .list_invoices(&InvoiceFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|r| r.invoice_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "inv_00000006",
            "inv_00000005",
            "inv_00000004",
            "inv_00000003",
            "inv_00000002",
            "inv_00000001"
        ]
    );
    let page = state
        .list_invoices(&InvoiceFilter {
            limit: 2,
            after: Some("inv_00000005".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<&str> = page.iter().map(|r| r.invoice_id.as_str()).collect();
    assert_eq!(ids, ["inv_00000004", "inv_00000003"]);
    let sellers = state
        .list_invoices(&InvoiceFilter {
            limit: 100,
            seller_nit: Some("900123456".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(sellers.len(), 3);
    let later = state
        .list_invoices(&InvoiceFilter {
            limit: 100,
            from: Some(all[2].created_at.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(later.len(), 3, "from is inclusive");
    let earlier = state
        .list_invoices(&InvoiceFilter {
            limit: 100,
            to: Some(all[2].created_at.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(earlier.len(), 3, "to is exclusive");

    // A status change with its events, and an entry that says why.
    state
        .set_status(
            "inv_00000002",
            Status::Ocr,
            None,
            vec![event("invoice.ocr.started")],
            vec![NewAudit::new(
                &worker(),
                "invoice.corrected",
                "inv_00000002",
                serde_json::json!({"corrections": [{"path": "number", "before": "FE1", "after": "FE7"}]}),
            )],
            &worker(),
        )
        .await
        .unwrap();
    let ocr = state
        .list_invoices(&InvoiceFilter {
            limit: 100,
            status: Some(Status::Ocr),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ocr.len(), 1);
    assert_eq!(ocr[0].invoice_id, "inv_00000002");

    // An outcome: the invoice, its registration, commission and certificate at once.
    let cufe = "9feea526283147626a7a7c01742dabc386df2e693a623afb83f0354e05e5678f";
    let record = state
        .record_outcome(
            "inv_00000001",
            registered(1, cufe),
            vec![event("invoice.validated"), event("commission.calculated")],
            &worker(),
        )
        .await
        .unwrap();
    assert_eq!(record.processing_status, Status::Registered);
    assert_eq!(
        record.total_amount.as_deref(),
        Some("94774988.80"),
        "the amount's scale is kept"
    );
    assert_eq!(record.invoice_date.as_deref(), Some("2026-09-09"));
    assert_eq!(record.cufe.as_deref(), Some(cufe));
    assert_eq!(
        record.registration_id.as_deref(),
        Some("RF-20261201-0000000001")
    );
    assert_eq!(
        record.certificate_id.as_deref(),
        Some("CERT-RF-20261201-0000000001")
    );
    assert_eq!(record.created_at, first.created_at);
    let registration = state.registration("inv_00000001").await.unwrap().unwrap();
    assert_eq!(registration["commission"]["total"], "1428.00");
    let certificate = state
        .certificate("CERT-RF-20261201-0000000001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(certificate.invoice_id, "inv_00000001");
    assert_eq!(certificate.created_at, "2026-12-01T10:00:00.000Z");
    assert_eq!(state.certificate("CERT-none").await.unwrap(), None);

    // The same outcome delivered twice changes nothing and adds no events.
    let before = state.pending_events(100).await.unwrap().len();
    let twice = state
        .record_outcome(
            "inv_00000001",
            registered(1, cufe),
            vec![event("invoice.validated")],
            &worker(),
        )
        .await
        .unwrap();
    assert_eq!(twice, record);
    assert_eq!(state.pending_events(100).await.unwrap().len(), before);

    // A second invoice with a registered CUFE is refused, its certificate and commission
    // event dropped.
    let refused = state
        .record_outcome(
            "inv_00000003",
            registered(3, cufe),
            vec![event("invoice.validated"), event("commission.calculated")],
            &worker(),
        )
        .await
        .unwrap();
    assert_eq!(refused.processing_status, Status::Rejected);
    assert!(
        refused
            .error
            .as_deref()
            .unwrap()
            .starts_with("CUFE_ALREADY_REGISTERED"),
        "{refused:?}"
    );
    assert!(refused.error.as_deref().unwrap().contains("inv_00000001"));
    assert_eq!(refused.certificate_id, None);
    let events = state.pending_events(100).await.unwrap();
    assert_eq!(events.len(), before + 1, "only invoice.validated");
    assert_eq!(events.last().unwrap().name, "invoice.validated");

    // OCR jobs.
    let job = JobRecord {
        job_id: "job_1".into(),
        invoice_id: Some("inv_00000002".into()),
        document_key: "documents/abc".into(),
        status: JobStatus::Pending,
        text_key: None,
        result: None,
        error: None,
        created_at: "2026-12-01T09:00:00.000Z".into(),
        updated_at: "2026-12-01T09:00:00.000Z".into(),
    };
    state.create_job(job.clone(), &worker()).await.unwrap();
    let stored = state.job("job_1").await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Pending);
    assert_eq!(stored.invoice_id.as_deref(), Some("inv_00000002"));
    assert_eq!(state.job("job_none").await.unwrap(), None);
    let done = JobRecord {
        status: JobStatus::Completed,
        text_key: Some("texts/abc".into()),
        result: Some(serde_json::json!({"fields": [{"name": "cufe", "confidence": 0.91}]})),
        ..job
    };
    state
        .finish_job(
            done,
            Some(Status::Pending),
            vec![event("invoice.ocr.completed")],
            &worker(),
        )
        .await
        .unwrap();
    let finished = state.job("job_1").await.unwrap().unwrap();
    assert_eq!(finished.status, JobStatus::Completed);
    assert_eq!(finished.text_key.as_deref(), Some("texts/abc"));
    assert_eq!(finished.result.unwrap()["fields"][0]["confidence"], 0.91);
    assert_eq!(
        state
            .invoice("inv_00000002")
            .await
            .unwrap()
            .unwrap()
            .processing_status,
        Status::Pending
    );

    // Delivered events leave the outbox, in order.
    let events = state.pending_events(100).await.unwrap();
    assert_eq!(events.first().unwrap().name, "invoice.uploaded");
    let ids: Vec<String> = events.iter().take(3).map(|e| e.id.clone()).collect();
    state.mark_delivered(&ids).await.unwrap();
    let rest = state.pending_events(100).await.unwrap();
    assert_eq!(rest.len(), events.len() - 3);
    assert_eq!(rest[0].id, events[3].id);

    // A day's registrations: the registered ones only.
    let day = state.registrations_on("2026-12-01").await.unwrap();
    assert_eq!(day.len(), 1);
    assert_eq!(day[0]["registration_id"], "RF-20261201-0000000001");
    assert!(
        state
            .registrations_on("2026-11-30")
            .await
            .unwrap()
            .is_empty()
    );

    let counts = state.status_counts().await.unwrap();
    let count = |s: Status| counts.iter().find(|(c, _)| *c == s).unwrap().1;
    assert_eq!(count(Status::Registered), 1);
    assert_eq!(count(Status::Rejected), 1);
    assert_eq!(count(Status::Pending), 4);
    assert_eq!(counts.len(), Status::ALL.len());

    audit_contract(state.as_ref()).await;
}

/// The audit log the changes above wrote: one entry per change, who made it, chained.
async fn audit_contract(state: &dyn State) {
    let entries = state.audit_entries(0, 1000, None).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "invoice.uploaded",
            "invoice.uploaded",
            "invoice.uploaded",
            "invoice.uploaded",
            "invoice.uploaded",
            "invoice.uploaded",
            "invoice.corrected",
            "invoice.status",
            "invoice.processed",
            "invoice.processed",
            "ocr.job.created",
            "ocr.job.completed",
        ],
        "a repeated upload and an outcome delivered twice write nothing"
    );
    let upload = &entries[0];
    assert_eq!(
        (
            upload.who.as_str(),
            upload.role.as_deref(),
            upload.from.as_deref()
        ),
        ("ana@bmc", Some("operator"), Some("10.0.0.7"))
    );
    assert_eq!(upload.subject, "inv_00000001");
    let corrected = &entries[6];
    assert_eq!(
        corrected.action, "invoice.corrected",
        "a status change's reason comes first"
    );
    let status = &entries[7];
    assert_eq!(status.who, "system:registration");
    let detail: serde_json::Value = serde_json::from_str(&status.detail).unwrap();
    assert_eq!(detail["from"], "PENDING");
    assert_eq!(detail["to"], "OCR");
    let refused: serde_json::Value = serde_json::from_str(&entries[9].detail).unwrap();
    assert_eq!(refused["to"], "REJECTED");
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=12).collect::<Vec<i64>>());

    // An admin's action; paging and the subject filter.
    let admin = Actor::person("root@bmc", Some("admin"), Some("10.0.0.1".into()));
    let redrive = state
        .audit(NewAudit::new(
            &admin,
            "admin.queue.redrive",
            "invoice-processing",
            serde_json::json!({"redriven": 0}),
        ))
        .await
        .unwrap();
    assert_eq!(redrive.seq, 13);
    assert_eq!(redrive.prev_hash, entries[11].hash);
    assert_eq!(
        state.audit_head().await.unwrap(),
        Some((13, redrive.hash.clone()))
    );
    let page = state.audit_entries(10, 2, None).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [11, 12]);
    let on_two = state
        .audit_entries(0, 100, Some("inv_00000002"))
        .await
        .unwrap();
    assert_eq!(
        on_two.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["invoice.uploaded", "invoice.corrected", "invoice.status"]
    );

    let report = bmc_host::audit::verify(state, None).await.unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.entries, 13);
    assert_eq!(report.head_hash, redrive.hash);
    let anchor = bmc_host::audit::Anchor {
        seq: 11,
        hash: entries[10].hash.clone(),
    };
    assert!(
        bmc_host::audit::verify(state, Some(&anchor))
            .await
            .unwrap()
            .intact
    );
    let beyond = bmc_host::audit::Anchor {
        seq: 40,
        hash: entries[10].hash.clone(),
    };
    let report = bmc_host::audit::verify(state, Some(&beyond)).await.unwrap();
    assert!(!report.intact);
    assert!(report.problem.unwrap().contains("removed from the end"));
}

/// Uploads a day: the day's counts by status are the state's, and the commissions of those
/// registered add up exactly.
async fn daily_contract(state: &dyn State) {
    let today = chrono::Utc::now().date_naive().to_string();
    assert!(
        state
            .daily_summary("2000-01-01", "2000-01-31")
            .await
            .unwrap()
            .is_empty()
    );
    let days = state.daily_summary(&today, &today).await.unwrap();
    assert_eq!(days.len(), 1, "{days:?}");
    let counts = state.status_counts().await.unwrap();
    assert_eq!(days[0].uploaded, counts.iter().map(|(_, n)| n).sum::<u64>());
    let registered = counts
        .iter()
        .find(|(s, _)| *s == Status::Registered)
        .map_or(0, |(_, n)| *n);
    assert!(registered > 0);
    assert_eq!(days[0].statuses["REGISTERED"], registered);
    let each: rust_decimal::Decimal = "1428.00".parse().unwrap();
    assert_eq!(
        days[0].commission,
        each * rust_decimal::Decimal::from(registered)
    );
}

/// The end of retention: only invoices older than the cutoff whose processing is over go,
/// with everything recorded about them, each audited; the chain stays whole.
async fn purge_contract(state: &dyn State) {
    let archivist = Actor::person("archivo@bmc", Some("admin"), Some("10.0.0.9".into()));
    // Still pending: never purged, whatever its age.
    state
        .create_invoice(upload(900, "890903938"), event("invoice.uploaded"))
        .await
        .unwrap();
    let past = "2000-01-01T00:00:00.000Z";
    assert!(
        state
            .purge_before(past, 100, &archivist)
            .await
            .unwrap()
            .is_empty()
    );
    let audited_before = state.audit_entries(0, 100_000, None).await.unwrap().len();
    let future = (chrono::Utc::now() + chrono::Duration::days(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    // A dry run counts what goes, and deletes nothing.
    let preview = bmc_host::retention::preview(state, &future).await.unwrap();
    let in_process: u64 = state
        .status_counts()
        .await
        .unwrap()
        .iter()
        .filter(|(status, _)| !PURGEABLE.contains(status))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(preview.in_progress, in_process, "those in process stay");
    assert!(in_process >= 1);
    let audited_after_preview = state.audit_entries(0, 100_000, None).await.unwrap().len();
    assert_eq!(
        audited_after_preview, audited_before,
        "a dry run writes nothing"
    );
    let first = state.purge_before(&future, 2, &archivist).await.unwrap();
    assert_eq!(first.len(), 2, "at most the limit");
    let rest = state.purge_before(&future, 1000, &archivist).await.unwrap();
    let purged: Vec<_> = first.iter().chain(&rest).collect();
    assert_eq!(preview.invoices(), purged.len() as u64, "{preview:?}");
    for p in &purged {
        assert!(state.invoice(&p.invoice_id).await.unwrap().is_none());
        assert!(state.registration(&p.invoice_id).await.unwrap().is_none());
        assert!(p.keys.iter().any(|k| k.starts_with("documents/")), "{p:?}");
    }
    assert!(
        purged
            .iter()
            .any(|p| p.keys.iter().any(|k| k.starts_with("certificates/"))),
        "a registered invoice's certificate goes with it"
    );
    for (status, count) in state.status_counts().await.unwrap() {
        assert!(
            count == 0 || !PURGEABLE.contains(&status),
            "{count} {status:?} left"
        );
    }
    assert!(state.invoice("inv_00000900").await.unwrap().is_some());
    let entries = state.audit_entries(0, 100_000, None).await.unwrap();
    let new = &entries[audited_before..];
    assert_eq!(new.len(), purged.len());
    assert!(
        new.iter()
            .all(|e| e.action == "invoice.purged" && e.who == "archivo@bmc")
    );
    assert!(bmc_host::audit::verify(state, None).await.unwrap().intact);
}

/// A rate limit shared by two processes (`a` and `b` on the same store): the slots of a
/// window are counted together, and free again as the window passes.
async fn slots_contract(a: &dyn State, b: &dyn State) {
    let window = Duration::from_millis(1500);
    assert_eq!(a.take_slot("dian", 3, window).await.unwrap(), None);
    assert_eq!(b.take_slot("dian", 3, window).await.unwrap(), None);
    assert_eq!(a.take_slot("dian", 3, window).await.unwrap(), None);
    let wait = b.take_slot("dian", 3, window).await.unwrap().unwrap();
    assert!(wait <= window && wait > Duration::ZERO, "{wait:?}");
    assert!(a.take_slot("dian", 3, window).await.unwrap().is_some());
    // Another limit is counted apart.
    assert_eq!(a.take_slot("other", 1, window).await.unwrap(), None);
    tokio::time::sleep(wait + Duration::from_millis(50)).await;
    assert_eq!(b.take_slot("dian", 3, window).await.unwrap(), None);
}

/// Two workers registering the same CUFE at once: one registration.
async fn state_cufe_race(state: Arc<dyn State>) {
    let cufe = "race0000000000000000000000000000000000000000000000000000000000000";
    let mut tasks = Vec::new();
    for n in 100..110 {
        state
            .create_invoice(upload(n, "890903938"), event("invoice.uploaded"))
            .await
            .unwrap();
        let state = Arc::clone(&state);
        tasks.push(tokio::spawn(async move {
            state
                .record_outcome(
                    &format!("inv_{n:08}"),
                    registered(n, cufe),
                    vec![],
                    &worker(),
                )
                .await
                .unwrap()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().processing_status);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == Status::Registered)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == Status::Rejected).count(),
        9
    );
    // Twenty appends, ten of them from transactions at once, chained one after another.
    let report = bmc_host::audit::verify(state.as_ref(), None).await.unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.entries, 13 + 20);
}

/// Someone with the database's keys edits and removes audit entries: the log refuses it
/// until its guard is taken off, and the check then finds each change. `sql` runs a
/// statement as that someone; `unlock` takes the guard off.
async fn audit_tampering(
    state: &dyn State,
    sql: &dyn Fn(&str) -> Result<(), String>,
    table: &str,
    unlock: &str,
) {
    let edit = |seq: i64, subject: &str| {
        sql(&format!(
            "UPDATE {table} SET subject = '{subject}' WHERE seq = {seq}"
        ))
    };
    let refused = edit(5, "inv_forged").unwrap_err();
    assert!(refused.contains("append-only"), "{refused}");
    let refused = sql(&format!("DELETE FROM {table} WHERE seq = 5")).unwrap_err();
    assert!(refused.contains("append-only"), "{refused}");

    sql(unlock).unwrap();
    let original = state.audit_entries(4, 1, None).await.unwrap().remove(0);
    edit(5, "inv_forged").unwrap();
    let report = bmc_host::audit::verify(state, None).await.unwrap();
    assert!(!report.intact);
    assert_eq!(report.broken_at, Some(5));
    assert!(report.problem.unwrap().contains("changed"));
    edit(5, &original.subject).unwrap();
    assert!(bmc_host::audit::verify(state, None).await.unwrap().intact);

    sql(&format!("DELETE FROM {table} WHERE seq = 7")).unwrap();
    let report = bmc_host::audit::verify(state, None).await.unwrap();
    assert!(!report.intact);
    assert_eq!(report.broken_at, Some(7));
    assert!(report.problem.unwrap().contains("missing"));
}

fn specs(visibility: Duration) -> Vec<QueueSpec> {
    QueueName::ALL
        .into_iter()
        .map(|name| QueueSpec {
            visibility,
            ..QueueSpec::seed(name)
        })
        .collect()
}

fn message(body: &str, group: Option<&str>, dedup: Option<&str>) -> Outgoing {
    Outgoing {
        body: body.into(),
        group_id: group.map(str::to_string),
        dedup_id: dedup.map(str::to_string),
    }
}

/// What a queue backend does beyond SQS's guarantees.
#[derive(Clone, Copy)]
struct Extras {
    /// It knows its oldest message's age (SQS tells only CloudWatch).
    reports_age: bool,
    /// It refuses a lease's receipt once the message was received again (SQS may take it).
    refuses_old_receipts: bool,
}

/// Everything: the embedded and PostgreSQL queues.
const ALL_EXTRAS: Extras = Extras {
    reports_age: true,
    refuses_old_receipts: true,
};

/// What every [`Queue`] must do; its visibility timeout is one second.
async fn queue_contract(queue: Arc<dyn Queue>, extras: Extras) {
    let now = Duration::ZERO;
    let ocr = QueueName::OcrProcessing;

    // A message received is leased: hidden, counted, and gone once deleted.
    queue.send(ocr, message("a", None, None)).await.unwrap();
    let got = queue.receive(ocr, 10, now).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].body.as_str(), got[0].receive_count), ("a", 1));
    assert!(
        queue.receive(ocr, 10, now).await.unwrap().is_empty(),
        "leased"
    );
    let stats = queue.stats(ocr).await.unwrap();
    assert_eq!(
        (stats.visible, stats.in_flight, stats.dead_letters),
        (0, 1, 0)
    );
    if extras.reports_age {
        assert!(stats.oldest_age_seconds.unwrap() >= 0.0);
    }
    // Released early, it comes back at once with its count.
    queue
        .change_visibility(ocr, &got[0].receipt, Duration::ZERO)
        .await
        .unwrap();
    let again = queue.receive(ocr, 10, now).await.unwrap();
    assert_eq!(
        (again[0].message_id.as_str(), again[0].receive_count),
        (got[0].message_id.as_str(), 2)
    );
    if extras.refuses_old_receipts {
        assert!(
            queue
                .change_visibility(ocr, &got[0].receipt, now)
                .await
                .is_err(),
            "an old lease"
        );
    }
    queue.delete(ocr, &again[0].receipt).await.unwrap();
    let stats = queue.stats(ocr).await.unwrap();
    assert_eq!(
        (stats.visible, stats.in_flight, stats.oldest_age_seconds),
        (0, 0, None)
    );

    // A lease ends by itself after the visibility timeout.
    queue.send(ocr, message("b", None, None)).await.unwrap();
    let got = queue.receive(ocr, 1, now).await.unwrap();
    assert_eq!(got.len(), 1);
    let back = queue.receive(ocr, 1, Duration::from_secs(3)).await.unwrap();
    assert_eq!(back.len(), 1, "back after the timeout");
    assert_eq!(back[0].receive_count, 2);
    // Received more than max_receive (3) times, it goes to the dead-letter queue.
    queue
        .change_visibility(ocr, &back[0].receipt, now)
        .await
        .unwrap();
    let third = queue.receive(ocr, 1, now).await.unwrap();
    assert_eq!(third[0].receive_count, 3);
    queue
        .change_visibility(ocr, &third[0].receipt, now)
        .await
        .unwrap();
    assert!(
        queue.receive(ocr, 1, now).await.unwrap().is_empty(),
        "dead, not handed out"
    );
    let stats = queue.stats(ocr).await.unwrap();
    assert_eq!(
        (stats.visible, stats.in_flight, stats.dead_letters),
        (0, 0, 1)
    );
    let dead = queue.dead_letters(ocr, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    // At least its receives (SQS counts a look at a dead letter as one more).
    assert_eq!(dead[0].body, "b");
    assert!(dead[0].receive_count >= 3, "{dead:?}");
    // A redrive brings it back with a fresh count.
    let moved = queue.redrive(ocr).await.unwrap();
    assert_eq!(moved.len(), 1);
    assert_eq!(queue.stats(ocr).await.unwrap().dead_letters, 0);
    let redriven = queue.receive(ocr, 1, now).await.unwrap();
    assert_eq!(
        (redriven[0].body.as_str(), redriven[0].receive_count),
        ("b", 1)
    );
    queue.delete(ocr, &redriven[0].receipt).await.unwrap();

    // FIFO: one message of a group at a time, in order; deduplication drops a repeat.
    let fifo = QueueName::InvoiceProcessing;
    queue
        .send_batch(
            fifo,
            vec![
                message("s1-1", Some("seller-1"), Some("d1")),
                message("s1-2", Some("seller-1"), Some("d2")),
                message("s2-1", Some("seller-2"), Some("d3")),
                message("s1-1 again", Some("seller-1"), Some("d1")),
            ],
        )
        .await
        .unwrap();
    queue
        .send(fifo, message("s2-1 again", Some("seller-2"), Some("d3")))
        .await
        .unwrap();
    // Each group's first message, one at a time (the workers receive one by one; SQS may
    // hand a group's next messages in the same receive, in order).
    let mut first = Vec::new();
    for _ in 0..3 {
        first.extend(
            queue
                .receive(fifo, 1, now)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.body),
        );
    }
    first.sort();
    assert_eq!(first, ["s1-1", "s2-1"], "groups busy after their first");
    let leased = queue.stats(fifo).await.unwrap();
    assert_eq!((leased.visible, leased.in_flight), (1, 2));
}

/// FIFO order after a delete, and many consumers sharing a queue without a message handed
/// to two of them (`exactly_once`). A standard SQS queue delivers at least once, as AWS
/// documents (and moto, under concurrent receives on a busy machine, now and then hands one
/// message twice): there every message must arrive, a few of them twice at most; the workers
/// are idempotent.
async fn queue_sharing(queue: Arc<dyn Queue>, exactly_once: bool) {
    let now = Duration::ZERO;
    let fifo = QueueName::InvoiceProcessing;
    queue
        .send_batch(
            fifo,
            vec![
                message("g-1", Some("g"), Some("g1")),
                message("g-2", Some("g"), Some("g2")),
            ],
        )
        .await
        .unwrap();
    let head = queue.receive(fifo, 1, now).await.unwrap();
    assert_eq!(head.len(), 1);
    assert_eq!(head[0].body, "g-1");
    assert!(
        queue.receive(fifo, 1, now).await.unwrap().is_empty(),
        "the group waits for its head"
    );
    queue.delete(fifo, &head[0].receipt).await.unwrap();
    let next = queue.receive(fifo, 1, now).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].body, "g-2");
    queue.delete(fifo, &next[0].receipt).await.unwrap();

    let notify = QueueName::Notification;
    let bodies: Vec<Outgoing> = (0..200)
        .map(|i| message(&format!("m{i}"), None, None))
        .collect();
    queue.send_batch(notify, bodies).await.unwrap();
    let mut consumers = Vec::new();
    for _ in 0..6 {
        let queue = Arc::clone(&queue);
        consumers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            loop {
                let got = queue.receive(notify, 7, now).await.unwrap();
                if got.is_empty() {
                    return seen;
                }
                for r in got {
                    queue.delete(notify, &r.receipt).await.unwrap();
                    seen.push(r.body);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for consumer in consumers {
        all.extend(consumer.await.unwrap());
    }
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), 200, "every message delivered");
    if exactly_once {
        assert_eq!(all.len(), 200, "each message once");
    } else {
        assert!(all.len() <= 210, "a few at most again: {}", all.len());
    }
}

/// What every [`Storage`] must do.
async fn storage_contract(storage: Arc<dyn Storage>) {
    let pdf = b"%PDF-1.7 a certificate".to_vec();
    let key = storage.put(ObjectKind::Certificate, &pdf).await.unwrap();
    assert_eq!(
        key,
        format!("certificates/{}", bmc_host::ids::sha256_hex(&pdf))
    );
    // The same bytes again: the same key, one object, unchanged.
    assert_eq!(
        storage.put(ObjectKind::Certificate, &pdf).await.unwrap(),
        key
    );
    assert_eq!(storage.get(&key).await.unwrap(), Some(pdf.clone()));
    // The same bytes as another kind are another object.
    let text_key = storage.put(ObjectKind::Text, &pdf).await.unwrap();
    assert!(text_key.starts_with("text/"));
    assert_ne!(text_key, key);
    // Nothing there; keys outside the host's objects are refused.
    let missing = format!("documents/{}", "0".repeat(64));
    assert_eq!(storage.get(&missing).await.unwrap(), None);
    for bad in ["../etc/passwd", "documents/short", "Documents/00", ""] {
        let error = storage.get(bad).await.unwrap_err();
        assert!(!error.transient, "{bad}: {error}");
    }
    // Many writers of one object at once: all succeed with its key.
    let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let writers: Vec<_> = (0..6)
        .map(|_| {
            let (storage, big) = (Arc::clone(&storage), big.clone());
            tokio::spawn(async move { storage.put(ObjectKind::Document, &big).await })
        })
        .collect();
    let mut keys = HashSet::new();
    for writer in writers {
        keys.insert(writer.await.unwrap().unwrap());
    }
    assert_eq!(keys.len(), 1);
    let key = keys.into_iter().next().unwrap();
    assert_eq!(storage.get(&key).await.unwrap().unwrap(), big);
    // Deleted at the end of its retention: gone, once.
    assert!(storage.delete(&text_key).await.unwrap());
    assert_eq!(storage.get(&text_key).await.unwrap(), None);
    assert!(!storage.delete(&text_key).await.unwrap());
    assert!(!storage.delete("../etc/passwd").await.unwrap_err().transient);
    assert!(storage.get(&key).await.unwrap().is_some(), "others stay");
}

#[test]
fn file_storage_keeps_the_contract() {
    let dir = scratch("contract-files");
    runtime().block_on(storage_contract(Arc::new(FileStorage::new(
        dir.join("objects"),
    ))));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sqlite_state_keeps_the_contract() {
    let dir = scratch("contract-sqlite-state");
    runtime().block_on(async {
        let path = dir.join("state.sqlite");
        let state: Arc<dyn State> = Arc::new(SqliteState::open(&path).unwrap());
        state_contract(Arc::clone(&state)).await;
        state_cufe_race(Arc::clone(&state)).await;
        daily_contract(state.as_ref()).await;
        purge_contract(state.as_ref()).await;
        let other = SqliteState::open(&path).unwrap();
        slots_contract(state.as_ref(), &other).await;
        let db = rusqlite::Connection::open(&path).unwrap();
        let sql = |s: &str| db.execute_batch(s).map_err(|e| e.to_string());
        let unlock = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;";
        audit_tampering(state.as_ref(), &sql, "audit_log", unlock).await;
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sqlite_queue_keeps_the_contract() {
    let dir = scratch("contract-sqlite-queue");
    runtime().block_on(async {
        let open = |name: &str| -> Arc<dyn Queue> {
            Arc::new(
                SqliteQueue::open(
                    &dir.join(name),
                    specs(Duration::from_secs(1)),
                    Duration::from_millis(20),
                )
                .unwrap(),
            )
        };
        queue_contract(open("a.sqlite"), ALL_EXTRAS).await;
        queue_sharing(open("b.sqlite"), true).await;
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(feature = "postgres")]
mod on_postgres {
    use super::*;
    use bmc_host::postgres::{Postgres, PostgresQueue, PostgresState};
    use common::postgres::TestPostgres;

    #[test]
    fn postgres_state_keeps_the_contract() {
        let server = TestPostgres::start("state");
        let url = server.database("bmc");
        runtime().block_on(async {
            let db = Postgres::connect(&url, 8).await.unwrap();
            let state: Arc<dyn State> = Arc::new(PostgresState::new(db.clone()));
            state_contract(Arc::clone(&state)).await;
            state_cufe_race(Arc::clone(&state)).await;
            // Money as numeric, its scale kept.
            let total = server.psql(
                "bmc",
                "SELECT total_amount FROM bmc_transactional.invoices WHERE invoice_id = 'inv_00000001'",
            );
            assert_eq!(total, "94774988.80");
            daily_contract(state.as_ref()).await;
            purge_contract(state.as_ref()).await;
            let other = PostgresState::new(Postgres::connect(&url, 2).await.unwrap());
            slots_contract(state.as_ref(), &other).await;
            let sql = |s: &str| server.try_psql("bmc", s).map(|_| ());
            let unlock = "ALTER TABLE bmc_audit.audit_log DISABLE TRIGGER audit_log_append_only";
            audit_tampering(state.as_ref(), &sql, "bmc_audit.audit_log", unlock).await;
            // Started again, nothing is migrated twice and no partition is missing.
            assert_eq!(db.ensure_partitions().await.unwrap(), 0);
            Postgres::connect(&url, 2).await.unwrap();
        });
        // The seed's names: invoices partitioned by month, 24 months back and 12 ahead.
        let partitions = server.psql(
            "bmc",
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'bmc_transactional.invoices'::regclass",
        );
        assert_eq!(partitions, "38", "37 months and the default partition");
        let month = server.psql(
            "bmc",
            "SELECT tableoid::regclass FROM bmc_transactional.invoices WHERE invoice_id = 'inv_00000900'",
        );
        let expected = chrono::Utc::now()
            .format("bmc_transactional.invoices_%Y_%m")
            .to_string();
        assert_eq!(month, expected);
        let versions = server.psql(
            "bmc",
            "SELECT string_agg(version::text, ',' ORDER BY version) FROM bmc_schema_migrations",
        );
        assert_eq!(versions, "1,2,3,4,5,6");
    }

    #[test]
    fn postgres_queue_keeps_the_contract() {
        let server = TestPostgres::start("queue");
        let a = server.database("a");
        let b = server.database("b");
        runtime().block_on(async {
            let open = |db: Postgres| -> Arc<dyn Queue> {
                Arc::new(PostgresQueue::new(
                    db,
                    specs(Duration::from_secs(1)),
                    Duration::from_millis(20),
                ))
            };
            queue_contract(open(Postgres::connect(&a, 8).await.unwrap()), ALL_EXTRAS).await;
            queue_sharing(open(Postgres::connect(&b, 8).await.unwrap()), true).await;
        });
    }

    #[test]
    fn relays_of_two_processes_never_claim_the_same_event() {
        let server = TestPostgres::start("outbox");
        let url = server.database("bmc");
        runtime().block_on(async {
            let a = PostgresState::new(Postgres::connect(&url, 4).await.unwrap());
            let b = PostgresState::new(Postgres::connect(&url, 4).await.unwrap());
            for n in 0..5 {
                a.create_invoice(upload(n, "890903938"), event("invoice.uploaded"))
                    .await
                    .unwrap();
            }
            let first = a.claim_events(3).await.unwrap();
            let second = b.claim_events(10).await.unwrap();
            assert_eq!((first.len(), second.len()), (3, 2));
            let ids: HashSet<&str> = first.iter().chain(&second).map(|e| e.id.as_str()).collect();
            assert_eq!(ids.len(), 5, "each event to one relay");
            assert!(a.claim_events(10).await.unwrap().is_empty(), "all claimed");
            // A peek still sees them all until they are delivered.
            assert_eq!(b.pending_events(10).await.unwrap().len(), 5);
            let delivered: Vec<String> = first.iter().map(|e| e.id.clone()).collect();
            a.mark_delivered(&delivered).await.unwrap();
            assert_eq!(b.pending_events(10).await.unwrap().len(), 2);
        });
        // A claim left by a relay that died runs out, and the events are handed out again.
        server.psql(
            "bmc",
            "UPDATE bmc_transactional.outbox SET claimed_until = now() - interval '1 second'",
        );
        runtime().block_on(async {
            let c = PostgresState::new(Postgres::connect(&url, 2).await.unwrap());
            assert_eq!(c.claim_events(10).await.unwrap().len(), 2);
        });
    }

    #[test]
    fn two_pools_share_one_queue_without_handing_a_message_twice() {
        // Two processes' worth of pools on one database: each message reaches one consumer.
        let server = TestPostgres::start("shared");
        let url = server.database("bmc");
        runtime().block_on(async {
            let mut queues: Vec<Arc<dyn Queue>> = Vec::new();
            for _ in 0..2 {
                let db = Postgres::connect(&url, 4).await.unwrap();
                queues.push(Arc::new(PostgresQueue::new(
                    db,
                    specs(Duration::from_secs(30)),
                    Duration::from_millis(20),
                )));
            }
            let fifo = QueueName::InvoiceProcessing;
            let sends: Vec<Outgoing> = (0..300)
                .map(|i| {
                    message(
                        &format!("m{i}"),
                        Some(&format!("seller-{}", i % 7)),
                        Some(&format!("d{i}")),
                    )
                })
                .collect();
            queues[0].send_batch(fifo, sends).await.unwrap();
            let mut consumers = Vec::new();
            for i in 0..8 {
                let queue = Arc::clone(&queues[i % 2]);
                consumers.push(tokio::spawn(async move {
                    let mut seen = Vec::new();
                    let mut idle = 0;
                    while idle < 5 {
                        let got = queue
                            .receive(fifo, 3, Duration::from_millis(50))
                            .await
                            .unwrap();
                        if got.is_empty() {
                            idle += 1;
                            continue;
                        }
                        idle = 0;
                        for r in got {
                            seen.push(r.body.clone());
                            queue.delete(fifo, &r.receipt).await.unwrap();
                        }
                    }
                    seen
                }));
            }
            let mut all = Vec::new();
            for consumer in consumers {
                all.extend(consumer.await.unwrap());
            }
            let distinct: HashSet<&String> = all.iter().collect();
            assert_eq!((all.len(), distinct.len()), (300, 300));
        });
    }
}

#[cfg(feature = "aws")]
mod on_aws {
    use super::*;
    use bmc_host::aws::{S3Storage, SqsQueue};
    use common::aws::Moto;

    #[test]
    fn s3_storage_keeps_the_contract() {
        let moto = Moto::start();
        runtime().block_on(async {
            let sdk = moto.sdk().await;
            let client = S3Storage::client(&sdk, true);
            let storage = S3Storage::new(client.clone(), "bmc-documents", "bmc/", None);
            storage.ensure_bucket().await.unwrap();
            storage.ensure_bucket().await.unwrap();
            storage_contract(Arc::new(storage.clone())).await;

            // Keys under the prefix; with a KMS key, objects are encrypted with it.
            let encrypted = S3Storage::new(
                client.clone(),
                "bmc-documents",
                "kms/",
                Some("alias/bmc".into()),
            );
            let key = encrypted
                .put(ObjectKind::Document, b"<Invoice/>")
                .await
                .unwrap();
            let head = client
                .head_object()
                .bucket("bmc-documents")
                .key(format!("kms/{key}"))
                .send()
                .await
                .unwrap();
            assert_eq!(
                head.server_side_encryption().map(|e| e.as_str()),
                Some("aws:kms")
            );
            assert_eq!(head.ssekms_key_id(), Some("alias/bmc"));

            // An object whose bytes do not match its key is refused, not served.
            let forged = format!("documents/{}", "a".repeat(64));
            client
                .put_object()
                .bucket("bmc-documents")
                .key(format!("bmc/{forged}"))
                .body(b"not what the key says".to_vec().into())
                .send()
                .await
                .unwrap();
            let error = storage.get(&forged).await.unwrap_err();
            assert!(error.message.contains("do not match"), "{error}");
            assert!(!error.transient);
        });
    }

    #[test]
    fn sqs_queue_keeps_the_contract() {
        let moto = Moto::start();
        runtime().block_on(async {
            let sdk = moto.sdk().await;
            // Sharing runs on leases long enough that none runs out while moto is slow
            // (SQS's standard queues are at least once: an expired lease is received again).
            let open = |prefix: &'static str| {
                let client = aws_sdk_sqs::Client::new(&sdk);
                let visibility = Duration::from_secs(if prefix == "b-" { 30 } else { 1 });
                async move {
                    Arc::new(
                        SqsQueue::open(client, specs(visibility), prefix, true)
                            .await
                            .unwrap(),
                    ) as Arc<dyn Queue>
                }
            };
            queue_contract(
                open("a-").await,
                Extras {
                    reports_age: false,
                    refuses_old_receipts: false,
                },
            )
            .await;
            queue_sharing(open("b-").await, false).await;
            // Opened again (another process), the queues are found and shared.
            let again = SqsQueue::open(
                aws_sdk_sqs::Client::new(&sdk),
                specs(Duration::from_secs(30)),
                "b-",
                false,
            )
            .await
            .unwrap();
            assert_eq!(
                again.stats(QueueName::Notification).await.unwrap().visible,
                0
            );
            // Queues that are not there are named in the error.
            let missing = SqsQueue::open(
                aws_sdk_sqs::Client::new(&sdk),
                specs(Duration::from_secs(1)),
                "c-",
                false,
            )
            .await
            .unwrap_err();
            assert!(missing.message.contains("NonExistentQueue"), "{missing}");
        });
    }
}

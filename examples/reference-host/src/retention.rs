//! Seven years, at least: documents, registrations and certificates are kept for the
//! configured years (`[retention] years`, never fewer than 7), and the only deletion in the
//! host, [`purge`], refuses a cutoff younger than that. On S3 the deployment also locks the
//! objects (Object Lock) so that nothing else deletes them either (`docs/retention.md`).

use chrono::{Months, NaiveDate};

use std::collections::BTreeMap;

use crate::capability::{
    Actor, CapabilityError, InvoiceFilter, PURGEABLE, Purged, State, Status, Storage,
};

/// The fewest years anything is kept.
pub const MINIMUM_YEARS: u32 = 7;

/// Invoices purged a transaction.
const BATCH: usize = 200;

/// What a purge fails with.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    /// The cutoff would delete records younger than the retention period.
    #[error(
        "RETENTION_REFUSED: records are kept {years} years; a purge before {before} would delete records younger than that (the latest cutoff today is {latest})"
    )]
    TooYoung {
        /// The cutoff asked for.
        before: NaiveDate,
        /// The latest cutoff allowed today.
        latest: NaiveDate,
        /// The retention period.
        years: u32,
    },
    /// The state or storage failed.
    #[error(transparent)]
    Capability(#[from] CapabilityError),
}

impl RetentionError {
    /// `RETENTION_REFUSED`, or `HOST_UNAVAILABLE` for a capability's failure.
    pub fn code(&self) -> &'static str {
        match self {
            RetentionError::TooYoung { .. } => "RETENTION_REFUSED",
            RetentionError::Capability(_) => "HOST_UNAVAILABLE",
        }
    }
}

/// The latest cutoff a purge may use `today` when records are kept `years` (never fewer
/// than [`MINIMUM_YEARS`]).
pub fn latest_cutoff(today: NaiveDate, years: u32) -> NaiveDate {
    let years = years.max(MINIMUM_YEARS);
    today
        .checked_sub_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MIN)
}

/// Refuses a cutoff `before` younger than the retention period allows `today`.
pub fn check(before: NaiveDate, today: NaiveDate, years: u32) -> Result<(), RetentionError> {
    let latest = latest_cutoff(today, years);
    if before > latest {
        return Err(RetentionError::TooYoung {
            before,
            latest,
            years: years.max(MINIMUM_YEARS),
        });
    }
    Ok(())
}

/// What a purge deleted.
#[derive(Debug, Default, serde::Serialize)]
pub struct PurgeReport {
    /// The invoices deleted, with their objects' keys.
    pub invoices: Vec<Purged>,
    /// Objects deleted from storage.
    pub objects_deleted: usize,
    /// Objects that could not be deleted, with why (their keys are in the audit log's
    /// `invoice.purged` entries, to try again).
    pub objects_failed: Vec<(String, String)>,
}

/// Deletes the invoices uploaded before `before` (midnight UTC) whose processing is over,
/// with everything recorded about them and their stored objects; refuses a cutoff younger
/// than `years` allow `today`. Each invoice's deletion is audited as `invoice.purged` by
/// `actor`.
pub async fn purge(
    state: &dyn State,
    storage: &dyn Storage,
    before: NaiveDate,
    today: NaiveDate,
    years: u32,
    actor: &Actor,
) -> Result<PurgeReport, RetentionError> {
    check(before, today, years)?;
    let cutoff = cutoff_of(before);
    let mut report = PurgeReport::default();
    loop {
        let batch = state.purge_before(&cutoff, BATCH, actor).await?;
        if batch.is_empty() {
            break;
        }
        for invoice in &batch {
            for key in &invoice.keys {
                match storage.delete(key).await {
                    Ok(true) => report.objects_deleted += 1,
                    Ok(false) => {}
                    Err(e) => report.objects_failed.push((key.clone(), e.to_string())),
                }
            }
        }
        report.invoices.extend(batch);
    }
    Ok(report)
}

/// What a purge before a cutoff would delete: counted, nothing deleted.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Preview {
    /// The invoices that old whose processing is over, by status: a purge deletes them.
    pub by_status: BTreeMap<&'static str, u64>,
    /// The invoices that old still being processed: a purge keeps them.
    pub in_progress: u64,
}

impl Preview {
    /// How many invoices a purge would delete.
    pub fn invoices(&self) -> u64 {
        self.by_status.values().sum()
    }
}

/// Invoices counted a page.
const PAGE: usize = 500;

/// Counts what [`purge`] would delete before `cutoff` (RFC 3339, uploads before it), by
/// status, without deleting or auditing anything (a dry run).
pub async fn preview(state: &dyn State, cutoff: &str) -> Result<Preview, RetentionError> {
    let mut preview = Preview::default();
    let mut after = None;
    loop {
        let page = state
            .list_invoices(&InvoiceFilter {
                to: Some(cutoff.to_string()),
                after: after.take(),
                limit: PAGE,
                ..InvoiceFilter::default()
            })
            .await?;
        for invoice in &page {
            let status: Status = invoice.processing_status;
            if PURGEABLE.contains(&status) {
                *preview.by_status.entry(status.name()).or_default() += 1;
            } else {
                preview.in_progress += 1;
            }
        }
        if page.len() < PAGE {
            return Ok(preview);
        }
        after = page.last().map(|i| i.invoice_id.clone());
    }
}

/// The cutoff of a purge before `before`: midnight UTC.
pub fn cutoff_of(before: NaiveDate) -> String {
    format!("{before}T00:00:00.000Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn a_cutoff_younger_than_seven_years_is_refused_whatever_the_setting() {
        let today = day("2026-12-03");
        assert_eq!(latest_cutoff(today, 7), day("2019-12-03"));
        assert!(check(day("2019-12-03"), today, 7).is_ok());
        let refused = check(day("2019-12-04"), today, 7).unwrap_err();
        assert_eq!(refused.code(), "RETENTION_REFUSED");
        assert!(refused.to_string().contains("2019-12-03"), "{refused}");
        // Fewer years than the minimum count as the minimum.
        assert!(check(day("2024-01-01"), today, 1).is_err());
        // More years keep more.
        assert!(check(day("2017-01-01"), today, 10).is_err());
        assert!(check(day("2016-12-03"), today, 10).is_ok());
        // Leap days end on the last day of February.
        assert_eq!(latest_cutoff(day("2028-02-29"), 7), day("2021-02-28"));
    }
}

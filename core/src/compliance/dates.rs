//! Issue date and time: not in the future, not too old, written as the annex says.

use super::{Context, Findings, Severity};
use crate::invoice::Invoice;

pub(super) fn check(invoice: &Invoice, context: &Context<'_>, out: &mut Findings) {
    if invoice.source.was_not_found("issue_date") {
        // A page without an issue date: OCR_LOW_CONFIDENCE sends it to review; its
        // placeholder is not a date to judge.
        return;
    }
    let age = (context.registration_date - invoice.issue_date).num_days();
    if age < 0 {
        out.push(
            "ISSUE_DATE_IN_FUTURE",
            Severity::Error,
            "issue_date",
            format!(
                "La fecha de emisión {} es posterior a la fecha de registro {}.",
                invoice.issue_date, context.registration_date
            ),
            format!(
                "The issue date {} is after the registration date {}.",
                invoice.issue_date, context.registration_date
            ),
        );
    } else if age > context.max_age_days {
        out.push(
            "INVOICE_TOO_OLD",
            Severity::Error,
            "issue_date",
            format!(
                "La factura tiene {age} días (emitida el {}); se registran facturas de hasta {} días.",
                invoice.issue_date, context.max_age_days
            ),
            format!(
                "The invoice is {age} days old (issued {}); invoices up to {} days old can be registered.",
                invoice.issue_date, context.max_age_days
            ),
        );
    }
    if let Some(due) = invoice.due_date
        && due < invoice.issue_date
    {
        out.push(
            "DUE_DATE_BEFORE_ISSUE",
            Severity::Warning,
            "due_date",
            format!(
                "El vencimiento {due} es anterior a la emisión {}.",
                invoice.issue_date
            ),
            format!(
                "The due date {due} is before the issue date {}.",
                invoice.issue_date
            ),
        );
    }
    match invoice.issue_time.as_deref() {
        Some(time) if !is_annex_time(time) => out.push(
            "ISSUE_TIME_FORMAT",
            Severity::Warning,
            "issue_time",
            format!("La hora de emisión {time:?} no tiene la forma HH:MM:SS-05:00."),
            format!("The issue time {time:?} is not shaped HH:MM:SS-05:00."),
        ),
        _ => {}
    }
}

/// `HH:MM:SS-05:00` (any offset `±HH:MM`).
fn is_annex_time(time: &str) -> bool {
    let b = time.as_bytes();
    b.len() == 14
        && [0, 1, 3, 4, 6, 7, 9, 10, 12, 13]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
        && b[2] == b':'
        && b[5] == b':'
        && (b[8] == b'-' || b[8] == b'+')
        && b[11] == b':'
        && chrono::NaiveTime::parse_from_str(&time[..8], "%H:%M:%S").is_ok()
}

//! The daily commission report: for each participant, a CSV of the invoices it sent that
//! were registered on the day, with their commission, in `outgoing/commission-reports`.

use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

use super::folders;
use super::{Exchange, ExchangeError};
use crate::capability::State;

/// The report's columns (money as the registration's decimal strings).
pub const COLUMNS: [&str; 10] = [
    "registration_id",
    "certificate_id",
    "invoice_number",
    "cufe",
    "issue_date",
    "seller_nit",
    "buyer_nit",
    "currency",
    "total_amount",
    "commission",
];

/// The report's file name for `day`.
pub fn file_name(day: NaiveDate) -> String {
    format!("commission-report-{day}.csv")
}

/// Writes every participant's report of `day` (an empty one, headers only, for a
/// participant with nothing registered that day); answers the rows written a participant.
pub async fn write_reports(
    state: &dyn State,
    exchange: &Exchange,
    day: NaiveDate,
) -> Result<BTreeMap<String, usize>, ExchangeError> {
    let registrations = state.registrations_on(&day.to_string()).await?;
    let mut written = BTreeMap::new();
    for participant in exchange.files.participants().await? {
        let theirs: BTreeSet<String> = exchange
            .ledger
            .registrations_of(&participant)
            .await?
            .into_iter()
            .collect();
        let rows: Vec<&serde_json::Value> = registrations
            .iter()
            .filter(|r| {
                r["registration_id"]
                    .as_str()
                    .is_some_and(|id| theirs.contains(id))
            })
            .collect();
        let count = rows.len();
        let bytes = csv_of(day, &rows)?;
        let path = format!("{}/{}", folders::COMMISSION_REPORTS, file_name(day));
        exchange.files.write(&participant, &path, &bytes).await?;
        exchange
            .ledger
            .report_written(&participant, &day.to_string(), &file_name(day))
            .await?;
        written.insert(participant, count);
    }
    Ok(written)
}

/// The report of `day` with `rows`, as CSV.
fn csv_of(day: NaiveDate, rows: &[&serde_json::Value]) -> Result<Vec<u8>, ExchangeError> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut csv = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ExchangeError::Io(format!("report of {day}: {e}"));
    csv.write_record(COLUMNS).map_err(fail)?;
    for r in rows {
        let registration_id = text(&r["registration_id"]);
        let invoice = &r["invoice"];
        let certificate_id = crate::work::register::certificate_id(&registration_id);
        csv.write_record([
            registration_id,
            certificate_id,
            text(&invoice["number"]),
            text(&invoice["cufe"]),
            text(&invoice["issue_date"]),
            text(&invoice["seller"]["id"]),
            text(&invoice["buyer"]["id"]),
            text(&invoice["currency"]),
            text(&invoice["totals"]["payable"]),
            text(&r["commission"]["total"]),
        ])
        .map_err(fail)?;
    }
    csv.into_inner()
        .map_err(|e| ExchangeError::Io(format!("report of {day}: {e}")))
}

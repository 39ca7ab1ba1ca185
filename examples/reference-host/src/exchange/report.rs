//! The daily commission report: for each participant, a CSV of the invoices it sent that
//! were registered on the day, with their commission, in `outgoing/commission-reports`.

use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

use super::folders::{self, Participant};
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
    for participant in folders::participants(&exchange.root)
        .map_err(|e| ExchangeError::Io(format!("{}: {e}", exchange.root.display())))?
    {
        let theirs: BTreeSet<String> = exchange
            .ledger
            .registrations_of(&participant.name)
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
        write_one(&participant, day, &rows)?;
        exchange
            .ledger
            .report_written(&participant.name, &day.to_string(), &file_name(day))
            .await?;
        written.insert(participant.name, count);
    }
    Ok(written)
}

fn write_one(
    participant: &Participant,
    day: NaiveDate,
    rows: &[&serde_json::Value],
) -> Result<(), ExchangeError> {
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
    let bytes = csv
        .into_inner()
        .map_err(|e| ExchangeError::Io(format!("report of {day}: {e}")))?;
    let path = participant
        .folder(folders::COMMISSION_REPORTS)
        .join(file_name(day));
    folders::write_whole(&path, &bytes)?;
    Ok(())
}

//! The daily analytics export: a day's rows of the seed's `bmc_analytics.fact_commissions`
//! (core's [`bmc_core::analytics`]) as a gzip CSV file that Redshift's `COPY` reads (`CSV GZIP
//! IGNOREHEADER 1 EMPTYASNULL`), as does PostgreSQL's (`COPY ... (FORMAT csv, HEADER)` from the
//! unzipped file), under `<dir>/fact_commissions/date_key=YYYYMMDD/`.
//!
//! The host exports yesterday (in Colombia) once a day when `[analytics] daily` is on, and
//! `bmc-host analytics-export --date YYYY-MM-DD` exports any day again.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bmc_core::analytics::{COLUMNS, FactCommission, fact_commissions_from_json};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::capability::{CapabilityError, State};
use crate::host::Host;

/// What one export wrote.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Export {
    /// The file.
    pub path: PathBuf,
    /// Where it was uploaded (`s3://...`), when `[analytics] s3` is set.
    pub uploaded: Option<String>,
    /// The day's registered invoices.
    pub invoices: usize,
    /// Rows written (eligible lines).
    pub rows: usize,
    /// The sum of the rows' commission amounts: the day's fees.
    pub commission: Decimal,
}

/// The file of `date`'s facts under `dir`.
pub fn file_for(dir: &Path, date: NaiveDate) -> PathBuf {
    let day = date.format("%Y%m%d");
    dir.join("fact_commissions")
        .join(format!("date_key={day}"))
        .join(format!("fact_commissions-{day}.csv.gz"))
}

/// Exports the facts of the invoices registered on `date` to [`file_for`]`(dir, date)`,
/// replacing an earlier export of the day (written to a temporary name, synced, renamed).
pub async fn export_day(
    state: &dyn State,
    date: NaiveDate,
    dir: &Path,
) -> Result<Export, CapabilityError> {
    let registrations = state.registrations_on(&date.to_string()).await?;
    let mut facts = Vec::new();
    for registration in &registrations {
        let rows = fact_commissions_from_json(registration).map_err(|e| {
            CapabilityError::permanent(
                "state",
                format!(
                    "registration {}: {e}",
                    registration["registration_id"].as_str().unwrap_or("?")
                ),
            )
        })?;
        facts.extend(rows);
    }
    let path = file_for(dir, date);
    let export = Export {
        path: path.clone(),
        uploaded: None,
        invoices: registrations.len(),
        rows: facts.len(),
        commission: facts.iter().map(|f| f.commission_amount).sum(),
    };
    tokio::task::spawn_blocking(move || write(&path, &facts))
        .await
        .map_err(|e| CapabilityError::transient("storage", e))?
        .map_err(|e| {
            CapabilityError::transient("storage", format!("{}: {e}", export.path.display()))
        })?;
    Ok(export)
}

fn write(path: &Path, facts: &[FactCommission]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(path);
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(".{}.tmp", crate::ids::random_id("x")));
    let written = (|| {
        let file = std::fs::File::create(&temporary)?;
        let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut csv = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(gzip);
        csv.write_record(COLUMNS)?;
        for fact in facts {
            csv.serialize(fact)?;
        }
        let gzip = csv.into_inner().map_err(|e| e.into_error())?;
        let mut file = gzip.finish()?;
        file.flush()?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// The empty file beside an export that says it reached S3.
fn uploaded_marker(export: &Path) -> PathBuf {
    let mut name = export.as_os_str().to_owned();
    name.push(".uploaded");
    PathBuf::from(name)
}

/// Exports `date` as [`export_day`] does, under the configuration's folder, then to S3 when
/// `[analytics] s3` is set.
pub async fn export_configured(
    config: &crate::Config,
    state: &dyn State,
    date: NaiveDate,
    dir: &Path,
) -> Result<Export, CapabilityError> {
    let export = export_day(state, date, dir).await?;
    #[cfg(feature = "aws")]
    let export = {
        let uploaded = crate::aws::analytics::upload(config, dir, &export).await?;
        if uploaded.is_some() {
            // The daily export is done only once the upload is.
            let marker = uploaded_marker(&export.path);
            tokio::fs::write(&marker, b"").await.map_err(|e| {
                CapabilityError::transient("storage", format!("{}: {e}", marker.display()))
            })?;
        }
        Export { uploaded, ..export }
    };
    #[cfg(not(feature = "aws"))]
    if config.analytics.s3.is_some() {
        return Err(CapabilityError::permanent(
            "storage",
            "[analytics] s3 needs a build with the aws feature",
        ));
    }
    Ok(export)
}

/// Once an hour, exports yesterday (in Colombia) when it has not been exported yet.
pub fn start_daily(host: &Arc<Host>) -> Option<tokio::task::JoinHandle<()>> {
    if !host.config.analytics.daily {
        return None;
    }
    let host = Arc::clone(host);
    Some(tokio::spawn(async move {
        let dir = host.config.analytics_dir();
        let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            let Some(yesterday) = bmc_core::rules::today_in_colombia().pred_opt() else {
                continue;
            };
            let file = file_for(&dir, yesterday);
            let uploaded = host.config.analytics.s3.is_none() || uploaded_marker(&file).exists();
            if file.exists() && uploaded {
                continue;
            }
            match export_configured(&host.config, host.caps.state.as_ref(), yesterday, &dir).await {
                Ok(export) => tracing::info!(
                    date = %yesterday,
                    rows = export.rows,
                    commission = %export.commission,
                    file = %export.path.display(),
                    "analytics exported"
                ),
                Err(e) => tracing::warn!(date = %yesterday, error = %e, "analytics export failed"),
            }
        }
    }))
}

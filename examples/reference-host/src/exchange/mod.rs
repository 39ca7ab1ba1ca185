//! The SFTP exchange: each participant (an External user) has a folder with the seed's
//! `incoming/daily-reports`, `incoming/regulatory-filings`, `outgoing/commission-reports`,
//! `outgoing/compliance-documents` and `archive/processed-files`. An SFTP server (OpenSSH,
//! chrooted to the participant's folder) puts the participant's files there; the host
//! watches the folders, takes what arrives ([`arrivals`]), gives back certificates and
//! rejections ([`deliver`]), writes the daily commission report ([`report`]) and purges the
//! archive ([`purge`]). `docs/exchange.md` shows the server's configuration.

pub mod arrivals;
pub mod deliver;
pub mod folders;
pub mod ledger;
pub mod purge;
pub mod report;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::capability::CapabilityError;
use crate::host::Host;

pub use ledger::Ledger;

/// What the exchange fails with.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// A folder or file could not be read or written.
    #[error("EXCHANGE_IO: {0}")]
    Io(String),
    /// A capability failed.
    #[error(transparent)]
    Capability(#[from] CapabilityError),
    /// Not now: the file is left for the next look.
    #[error("EXCHANGE_LATER: {0}")]
    Later(String),
}

impl From<std::io::Error> for ExchangeError {
    fn from(e: std::io::Error) -> ExchangeError {
        ExchangeError::Io(e.to_string())
    }
}

impl ExchangeError {
    /// The stable code: `EXCHANGE_IO`, `EXCHANGE_LATER`, or the capability's.
    pub fn code(&self) -> &'static str {
        match self {
            ExchangeError::Io(_) => "EXCHANGE_IO",
            ExchangeError::Capability(_) => "HOST_UNAVAILABLE",
            ExchangeError::Later(_) => "EXCHANGE_LATER",
        }
    }
}

/// The exchange's folders and ledger.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The participants' folders.
    pub root: PathBuf,
    /// What was taken and given back.
    pub ledger: Ledger,
}

impl Exchange {
    /// The exchange of `config` (its ledger in the data folder).
    pub fn open(config: &crate::config::Config) -> Result<Exchange, ExchangeError> {
        let root = config.exchange_root();
        std::fs::create_dir_all(&root)
            .map_err(|e| ExchangeError::Io(format!("{}: {e}", root.display())))?;
        Ok(Exchange {
            root,
            ledger: Ledger::open(&config.data_dir.join("exchange.sqlite"))?,
        })
    }

    /// One look: takes what arrived, gives back what became final.
    pub async fn look(
        &self,
        host: &Arc<Host>,
        watch: &mut arrivals::Watch,
    ) -> Result<(), ExchangeError> {
        let settle = Duration::from_secs(host.config.exchange.settle_seconds);
        for participant in folders::participants(&self.root)? {
            for folder in [folders::DAILY_REPORTS, folders::REGULATORY_FILINGS] {
                for path in watch.ready(&participant.folder(folder), settle)? {
                    match arrivals::take(host, self, &participant, folder, &path).await {
                        Ok(()) => watch.forget(&path),
                        Err(e) => {
                            tracing::warn!(file = %path.display(), code = e.code(), error = %e, "exchange file left for the next look");
                        }
                    }
                }
            }
        }
        deliver::deliver(host, self).await?;
        Ok(())
    }
}

/// Starts watching the exchange when `[exchange] enabled`.
pub fn start(host: &Arc<Host>) -> Option<tokio::task::JoinHandle<()>> {
    if !host.config.exchange.enabled {
        return None;
    }
    let host = Arc::clone(host);
    Some(tokio::spawn(async move {
        let exchange = match Exchange::open(&host.config) {
            Ok(exchange) => exchange,
            Err(e) => {
                tracing::error!(error = %e, "the exchange cannot open; it is not watched");
                return;
            }
        };
        let settings = host.config.exchange.clone();
        let mut watch = arrivals::Watch::default();
        let mut every =
            tokio::time::interval(Duration::from_millis(settings.poll_milliseconds.max(50)));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_daily: Option<chrono::NaiveDate> = None;
        while !host.is_stopping() {
            every.tick().await;
            if host.engine.get().is_none() {
                continue;
            }
            if let Err(e) = exchange.look(&host, &mut watch).await {
                tracing::warn!(code = e.code(), error = %e, "exchange look failed");
            }
            let today = bmc_core::rules::today_in_colombia();
            if last_daily != Some(today) {
                daily(&host, &exchange, today).await;
                last_daily = Some(today);
            }
        }
    }))
}

/// Once a day: yesterday's reports (when not written yet) and the archive's purge.
async fn daily(host: &Arc<Host>, exchange: &Exchange, today: chrono::NaiveDate) {
    let settings = &host.config.exchange;
    if settings.daily_reports
        && let Some(yesterday) = today.pred_opt()
    {
        let pending = match folders::participants(&exchange.root) {
            Ok(all) => {
                let mut pending = false;
                for p in all {
                    pending |= !exchange
                        .ledger
                        .reported(&p.name, &yesterday.to_string())
                        .await
                        .unwrap_or(false);
                }
                pending
            }
            Err(_) => false,
        };
        if pending {
            match report::write_reports(host.caps.state.as_ref(), exchange, yesterday).await {
                Ok(written) => {
                    tracing::info!(day = %yesterday, participants = written.len(), "commission reports written")
                }
                Err(e) => {
                    tracing::warn!(day = %yesterday, error = %e, "commission reports not written")
                }
            }
        }
    }
    match purge::purge(exchange, settings.archive_days, SystemTime::now()).await {
        Ok(0) => {}
        Ok(removed) => tracing::info!(removed, "archived exchange files purged"),
        Err(e) => tracing::warn!(error = %e, "archive purge failed"),
    }
}

//! The SFTP exchange: each participant (an External user) has a folder with the seed's
//! `incoming/daily-reports`, `incoming/regulatory-filings`, `outgoing/commission-reports`,
//! `outgoing/compliance-documents` and `archive/processed-files`. An SFTP server (OpenSSH,
//! chrooted to the participant's folder) puts the participant's files there; the host
//! watches the folders, takes what arrives ([`arrivals`]), gives back certificates and
//! rejections ([`deliver`]), writes the daily commission report ([`report`]) and purges the
//! archive ([`purge`]). `docs/exchange.md` shows the server's configuration.

pub mod arrivals;
pub mod deliver;
pub mod files;
pub mod folders;
pub mod ledger;
pub mod purge;
pub mod report;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::capability::CapabilityError;
use crate::host::Host;

pub use files::{Entry, ExchangeFiles, LocalFiles};
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
    pub files: Arc<dyn ExchangeFiles>,
    /// What was taken and given back.
    pub ledger: Ledger,
}

impl Exchange {
    /// The exchange of `config` on its local folders (its ledger in the data folder).
    pub fn open(config: &crate::config::Config) -> Result<Exchange, ExchangeError> {
        let root = config.exchange_root();
        std::fs::create_dir_all(&root)
            .map_err(|e| ExchangeError::Io(format!("{}: {e}", root.display())))?;
        Exchange::on(Arc::new(LocalFiles::new(root)), config)
    }

    /// The exchange on `files` (its ledger in the data folder of `config`).
    pub fn on(
        files: Arc<dyn ExchangeFiles>,
        config: &crate::config::Config,
    ) -> Result<Exchange, ExchangeError> {
        Ok(Exchange {
            files,
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
        for participant in self.files.participants().await? {
            for folder in [folders::DAILY_REPORTS, folders::REGULATORY_FILINGS] {
                let entries = self.files.list(&participant, folder, false).await?;
                let whole = self.files.whole_on_arrival();
                for file in watch.ready(&participant, folder, entries, settle, whole) {
                    match arrivals::take(host, self, &participant, folder, &file).await {
                        Ok(()) => watch.forget(&participant, &file.path),
                        Err(e) => {
                            tracing::warn!(participant, file = %file.path, code = e.code(), error = %e, "exchange file left for the next look");
                        }
                    }
                }
            }
        }
        deliver::deliver(host, self).await?;
        Ok(())
    }
}

/// The exchange the configuration chooses: local folders, or (a build with the `aws`
/// feature) S3 prefixes behind Transfer Family with S3's event notifications.
pub async fn open_configured(
    config: &crate::config::Config,
) -> Result<(Exchange, Arrivals), ExchangeError> {
    let Some(location) = &config.exchange.s3 else {
        return Ok((Exchange::open(config)?, Arrivals::default()));
    };
    #[cfg(feature = "aws")]
    {
        let sdk = crate::aws::sdk_config(&config.aws).await;
        let client =
            crate::aws::S3Storage::client(&sdk, crate::aws::s3_path_style(&sdk, &config.aws));
        let location = crate::aws::S3Location::parse(location)?;
        let files = Arc::new(crate::aws::S3ExchangeFiles::new(client, location));
        let events = config.exchange.events_queue.as_ref().map(|url| {
            crate::aws::ExchangeEvents::new(aws_sdk_sqs::Client::new(&sdk), url.clone())
        });
        Ok((Exchange::on(files, config)?, Arrivals { events }))
    }
    #[cfg(not(feature = "aws"))]
    Err(ExchangeError::Io(format!(
        "the exchange on {location} needs S3: build with --features aws"
    )))
}

/// What announces arrivals besides the poll: S3's event notifications, on AWS.
#[derive(Debug, Default)]
pub struct Arrivals {
    #[cfg(feature = "aws")]
    events: Option<crate::aws::ExchangeEvents>,
}

impl Arrivals {
    /// Waits for `tick`, or for an arrival announced before it.
    async fn next(&self, tick: impl std::future::Future<Output = ()>) {
        #[cfg(feature = "aws")]
        if let Some(events) = &self.events {
            tokio::select! {
                () = tick => {}
                announced = events.wait(Duration::from_secs(20)) => match announced {
                    Ok(keys) => tracing::debug!(arrivals = keys.len(), "arrivals announced"),
                    Err(e) => {
                        tracing::warn!(error = %e, "exchange events unreadable");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                },
            }
            return;
        }
        tick.await;
    }
}

/// Starts watching the exchange when `[exchange] enabled`.
pub fn start(host: &Arc<Host>) -> Option<tokio::task::JoinHandle<()>> {
    if !host.config.exchange.enabled {
        return None;
    }
    let host = Arc::clone(host);
    Some(tokio::spawn(async move {
        let (exchange, arrivals) = match open_configured(&host.config).await {
            Ok(opened) => opened,
            Err(e) => {
                tracing::error!(error = %e, "the exchange cannot open; it is not watched");
                return;
            }
        };
        tracing::info!(folders = %exchange.files.location(), "watching the exchange");
        let settings = host.config.exchange.clone();
        let mut watch = arrivals::Watch::default();
        let mut every =
            tokio::time::interval(Duration::from_millis(settings.poll_milliseconds.max(50)));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_daily: Option<chrono::NaiveDate> = None;
        while !host.is_stopping() {
            arrivals
                .next(async {
                    every.tick().await;
                })
                .await;
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
        let pending = match exchange.files.participants().await {
            Ok(all) => {
                let mut pending = false;
                for p in all {
                    pending |= !exchange
                        .ledger
                        .reported(&p, &yesterday.to_string())
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

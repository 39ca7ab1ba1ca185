//! `bmc-host`: serves the platform on bmc-core (`bmc-host serve`, the default), issues
//! tokens for it (`bmc-host token --role operator`), exports a day's analytics
//! (`bmc-host analytics-export --date 2026-12-01`) and publishes catalog indexes to S3 for a
//! fleet of hosts (`bmc-host catalog publish INDEX s3://bucket/prefix`, feature `aws`).

use std::path::PathBuf;
use std::process::ExitCode;

use bmc_host::auth::Role;
use bmc_host::{Capabilities, Config, Host};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "bmc-host",
    version,
    about = "The reference host of the invoice-registration platform"
)]
struct Cli {
    /// The configuration file (TOML); `BMC_HOST_*` variables override it.
    #[arg(long, global = true, env = "BMC_HOST_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and run the workers (the default).
    Serve,
    /// Print a bearer token signed with the host's secret.
    Token {
        /// admin, operator, viewer or external.
        #[arg(long, default_value = "operator")]
        role: String,
        /// Who the token is for.
        #[arg(long, default_value = "cli")]
        subject: String,
        /// How long it is valid, in hours.
        #[arg(long, default_value_t = 12)]
        hours: i64,
    },
    /// Print the OpenAPI description.
    Openapi,
    /// Export a day's `bmc_analytics.fact_commissions` as gzip CSV (the host does yesterday's
    /// daily by itself).
    AnalyticsExport {
        /// The registration date (`YYYY-MM-DD`).
        #[arg(long)]
        date: chrono::NaiveDate,
        /// The folder (default: the configuration's `[analytics] dir`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Publish catalog indexes to S3 for hosts that follow them (`[aws] catalog_source`).
    Catalog {
        #[command(subcommand)]
        action: CatalogAction,
    },
    /// The SFTP exchange's folders.
    Exchange {
        #[command(subcommand)]
        action: ExchangeAction,
    },
    /// The end of retention.
    Retention {
        #[command(subcommand)]
        action: RetentionAction,
    },
    /// Check or read the audit log of the configured state.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
}

#[derive(Debug, Subcommand)]
enum AuditAction {
    /// Walk the hash chain: exit 0 when every entry is there, unchanged and in its place, 1
    /// when not (naming the first broken entry). Prints the head to keep elsewhere.
    Verify {
        /// A head recorded earlier (`SEQ:HASH`, as a previous verify printed it): that entry
        /// must still have that hash, which finds a log rewritten to its end.
        #[arg(long)]
        expect: Option<bmc_host::audit::Anchor>,
    },
    /// Print entries as JSON lines, oldest first.
    List {
        /// Entries after this one.
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Only those on this invoice, OCR job or queue.
        #[arg(long)]
        subject: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum RetentionAction {
    /// Delete the invoices uploaded before a date whose processing is over, with their
    /// registrations, certificates and stored objects; refused when the date is younger
    /// than `[retention] years` (at least 7) allow. Each deletion is audited.
    Purge {
        /// The cutoff (`YYYY-MM-DD`): invoices uploaded before it go.
        #[arg(long)]
        before: chrono::NaiveDate,
        /// Who asks (for the audit log).
        #[arg(long, default_value = "cli")]
        by: String,
        /// Count what would be deleted, by status, and delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ExchangeAction {
    /// Make a participant's folders (the SFTP server's chroot for its External user).
    AddParticipant {
        /// The participant's name (its folder's): letters, digits, - or _.
        name: String,
    },
    /// Write every participant's commission report of a registration date again (the host
    /// writes yesterday's by itself).
    Report {
        /// The registration date (`YYYY-MM-DD`).
        #[arg(long)]
        date: chrono::NaiveDate,
    },
}

#[derive(Debug, Subcommand)]
enum CatalogAction {
    /// Upload an index (checked first) and move the pointer to it.
    Publish {
        /// The index folder (`bmc catalog build` made it).
        index: PathBuf,
        /// Where: `s3://bucket/prefix`.
        to: String,
    },
    /// Move the pointer back to the release before the current one.
    Rollback {
        /// Where: `s3://bucket/prefix`.
        at: String,
    },
    /// Print the pointer: the release in use, its products, the one before.
    Status {
        /// Where: `s3://bucket/prefix`.
        at: String,
    },
}

fn load(cli: &Cli) -> Result<Config, String> {
    Config::load(cli.config.as_deref(), std::env::vars()).map_err(|e| e.to_string())
}

fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match load(&cli) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("bmc-host: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Token {
            role,
            subject,
            hours,
        } => token(&config, &role, &subject, hours),
        Command::Openapi => openapi(config),
        Command::AnalyticsExport { date, out } => analytics_export(config, date, out),
        Command::Catalog { action } => catalog(&config, action),
        Command::Audit { action } => return audit(&config, action),
        Command::Exchange { action } => exchange(&config, action),
        Command::Retention { action } => return retention(&config, action),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bmc-host: {e}");
            ExitCode::FAILURE
        }
    }
}

fn host(config: Config) -> Result<std::sync::Arc<Host>, String> {
    let caps = Capabilities::embedded(&config).map_err(|e| e.to_string())?;
    Host::new(config, caps).map_err(|e| e.to_string())
}

fn token(config: &Config, role: &str, subject: &str, hours: i64) -> Result<(), String> {
    let role = Role::parse(role)
        .ok_or_else(|| format!("{role:?} is not admin, operator, viewer or external"))?;
    let path = config
        .auth
        .secret_file
        .clone()
        .unwrap_or_else(|| config.data_dir.join("jwt-secret"));
    let secret = bmc_host::auth::load_or_create_secret(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let now = chrono::Utc::now().timestamp();
    println!(
        "{}",
        bmc_host::auth::issue_hs256(
            &secret,
            subject,
            role,
            now,
            hours * 3600,
            config.auth.issuer.as_deref()
        )
    );
    Ok(())
}

fn openapi(config: Config) -> Result<(), String> {
    let host = host(config)?;
    println!("{:#}", bmc_host::api::openapi_document(&host));
    Ok(())
}

fn analytics_export(
    config: Config,
    date: chrono::NaiveDate,
    out: Option<PathBuf>,
) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let caps = Capabilities::configured(&config)
            .await
            .map_err(|e| e.to_string())?;
        let dir = out.unwrap_or_else(|| config.analytics_dir());
        let export =
            bmc_host::analytics::export_configured(&config, caps.state.as_ref(), date, &dir)
                .await
                .map_err(|e| e.to_string())?;
        println!(
            "{}: {} invoices, {} rows, commission {}",
            export.path.display(),
            export.invoices,
            export.rows,
            export.commission
        );
        if let Some(uploaded) = &export.uploaded {
            println!("uploaded to {uploaded}");
        }
        Ok(())
    })
}

fn retention(config: &Config, action: RetentionAction) -> ExitCode {
    let RetentionAction::Purge {
        before,
        by,
        dry_run,
    } = action;
    let today = bmc_core::rules::today_in_colombia();
    // Refused before anything is opened.
    if let Err(e) = bmc_host::retention::check(before, today, config.retention.years) {
        eprintln!("bmc-host: {e}");
        return ExitCode::from(2);
    }
    let run = async {
        let caps = Capabilities::configured(config)
            .await
            .map_err(|e| e.to_string())?;
        if dry_run {
            let cutoff = bmc_host::retention::cutoff_of(before);
            let preview = bmc_host::retention::preview(caps.state.as_ref(), &cutoff)
                .await
                .map_err(|e| e.to_string())?;
            let statuses: Vec<String> = preview
                .by_status
                .iter()
                .map(|(status, n)| format!("{status} {n}"))
                .collect();
            println!(
                "dry run: would purge {} invoices uploaded before {before} ({}); {} still in process kept; nothing deleted",
                preview.invoices(),
                if statuses.is_empty() {
                    "none".to_string()
                } else {
                    statuses.join(", ")
                },
                preview.in_progress
            );
            return Ok(ExitCode::SUCCESS);
        }
        let actor = bmc_host::capability::Actor::person(&by, Some("admin"), Some("cli".into()));
        let report = bmc_host::retention::purge(
            caps.state.as_ref(),
            caps.storage.as_ref(),
            before,
            today,
            config.retention.years,
            &actor,
        )
        .await
        .map_err(|e| e.to_string())?;
        println!(
            "purged {} invoices uploaded before {before}; {} objects deleted",
            report.invoices.len(),
            report.objects_deleted
        );
        for (key, why) in &report.objects_failed {
            println!("not deleted: {key}: {why}");
        }
        Ok::<_, String>(if report.objects_failed.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    };
    tokio::runtime::Runtime::new()
        .map_err(|e| e.to_string())
        .and_then(|runtime| runtime.block_on(run))
        .unwrap_or_else(|e| {
            eprintln!("bmc-host: {e}");
            ExitCode::from(2)
        })
}

fn exchange(config: &Config, action: ExchangeAction) -> Result<(), String> {
    use bmc_host::exchange::{Exchange, folders, report};
    match action {
        ExchangeAction::AddParticipant { name } => {
            let root = config.exchange_root();
            let participant = folders::create(&root, &name).map_err(|e| e.to_string())?;
            println!("{}", participant.dir.display());
            Ok(())
        }
        ExchangeAction::Report { date } => {
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let caps = Capabilities::configured(config)
                    .await
                    .map_err(|e| e.to_string())?;
                let exchange = Exchange::open(config).map_err(|e| e.to_string())?;
                let written = report::write_reports(caps.state.as_ref(), &exchange, date)
                    .await
                    .map_err(|e| e.to_string())?;
                for (participant, rows) in written {
                    println!("{participant}: {rows} registrations");
                }
                Ok(())
            })
        }
    }
}

fn audit(config: &Config, action: AuditAction) -> ExitCode {
    let run = async {
        let caps = Capabilities::configured(config)
            .await
            .map_err(|e| e.to_string())?;
        let state = caps.state.as_ref();
        match action {
            AuditAction::Verify { expect } => {
                let report = bmc_host::audit::verify(state, expect.as_ref())
                    .await
                    .map_err(|e| e.to_string())?;
                if report.intact {
                    println!(
                        "audit log intact: {} entries; head {}:{}",
                        report.entries, report.entries, report.head_hash
                    );
                    Ok(ExitCode::SUCCESS)
                } else {
                    println!(
                        "audit log BROKEN at entry {}: {}",
                        report.broken_at.unwrap_or_default(),
                        report.problem.unwrap_or_default()
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
            AuditAction::List {
                after,
                limit,
                subject,
            } => {
                let entries = state
                    .audit_entries(after, limit, subject.as_deref())
                    .await
                    .map_err(|e| e.to_string())?;
                for entry in entries {
                    println!(
                        "{}",
                        serde_json::to_string(&entry).map_err(|e| e.to_string())?
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    };
    let result: Result<ExitCode, String> = tokio::runtime::Runtime::new()
        .map_err(|e| e.to_string())
        .and_then(|runtime| runtime.block_on(run));
    result.unwrap_or_else(|e| {
        eprintln!("bmc-host: {e}");
        ExitCode::from(2)
    })
}

#[cfg(feature = "aws")]
fn catalog(config: &Config, action: CatalogAction) -> Result<(), String> {
    use bmc_host::aws::S3Location;
    use bmc_host::aws::catalog::{CatalogStore, Step};
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let at = match &action {
            CatalogAction::Publish { to, .. } => to.clone(),
            CatalogAction::Rollback { at } | CatalogAction::Status { at } => at.clone(),
        };
        let location = S3Location::parse(&at).map_err(|e| e.to_string())?;
        let sdk = bmc_host::aws::sdk_config(&config.aws).await;
        let client =
            bmc_host::aws::S3Storage::client(&sdk, bmc_host::aws::s3_path_style(&sdk, &config.aws));
        let store = CatalogStore::new(client, location);
        let pointer = match action {
            CatalogAction::Publish { index, .. } => {
                let mut progress = |step: Step| {
                    let Step::File {
                        name,
                        bytes,
                        skipped,
                        done,
                        total,
                    } = step;
                    let what = if skipped { "already there" } else { "uploaded" };
                    eprintln!("[{done}/{total}] {name} ({bytes} bytes) {what}");
                };
                store
                    .publish(&index, &mut progress)
                    .await
                    .map_err(|e| e.to_string())?
            }
            CatalogAction::Rollback { .. } => store.rollback().await.map_err(|e| e.to_string())?,
            CatalogAction::Status { .. } => {
                match store.pointer().await.map_err(|e| e.to_string())? {
                    Some((pointer, _)) => pointer,
                    None => return Err(format!("nothing is published at {at}")),
                }
            }
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&pointer).map_err(|e| e.to_string())?
        );
        Ok(())
    })
}

#[cfg(not(feature = "aws"))]
fn catalog(_config: &Config, _action: CatalogAction) -> Result<(), String> {
    Err("catalog publishing needs S3: build with --features aws \
         (cargo build --release -p bmc-host --features aws)"
        .into())
}

fn serve(config: Config) -> Result<(), String> {
    init_logs(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let data = config.data_dir.clone();
        let index = config.catalog_index();
        let caps = Capabilities::configured(&config)
            .await
            .map_err(|e| e.to_string())?;
        let host = Host::new(config, caps).map_err(|e| e.to_string())?;
        let config = &host.config;
        let backends = &config.backends;
        let events = match backends.events.as_str() {
            "eventbridge" => format!("EventBridge bus {}", config.aws.event_bus),
            _ => data.join("events.jsonl").display().to_string(),
        };
        let mail = match config.mail.mode.as_str() {
            "smtp" => format!("smtp://{}:{}", config.mail.smtp_host, config.mail.smtp_port),
            "ses" => "Amazon SES".to_string(),
            _ => config
                .mail
                .outbox_dir
                .clone()
                .unwrap_or_else(|| data.join("outbox"))
                .display()
                .to_string(),
        };
        eprintln!(
            "bmc-host listening on http://{address}\n  data:    {}\n  catalog: {} (from {})\n  backends: state {}, queues {}, storage {}, text {}\n  events:  {events}\n  mail:    {mail}\n  token:   cargo run --release -p bmc-host -- token --role operator\n  API:     http://{address}/openapi.json",
            data.display(),
            index.display(),
            config.catalog_csv.display(),
            backends.state,
            backends.queue,
            backends.storage,
            backends.text,
        );
        bmc_host::run(host, listener, shutdown_signal()).await.map_err(|e| e.to_string())
    })
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

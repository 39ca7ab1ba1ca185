//! The running host: its configuration, capabilities, engine, keys and metrics, shared by
//! the API and the workers.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::auth::KeySource;
use crate::capability::{
    EventBus, Mailer, Queue, QueueName, QueueSpec, State, Storage, TextSource,
};
use crate::config::Config;
use crate::embedded;
use crate::engine::Engine;
use crate::metrics::Metrics;

/// The capabilities a host runs on.
#[derive(Debug, Clone)]
pub struct Capabilities {
    /// Documents, text and certificates.
    pub storage: Arc<dyn Storage>,
    /// The work queues.
    pub queue: Arc<dyn Queue>,
    /// Where events go.
    pub bus: Arc<dyn EventBus>,
    /// OCR.
    pub text: Arc<dyn TextSource>,
    /// Mail.
    pub mailer: Arc<dyn Mailer>,
    /// State.
    pub state: Arc<dyn State>,
}

/// Why a host could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is wrong.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A capability could not be opened.
    #[error(transparent)]
    Capability(#[from] crate::capability::CapabilityError),
    /// A file of the host could not be read or written.
    #[error("{0}")]
    Io(String),
}

impl Capabilities {
    /// The embedded defaults under the configuration's data folder (whatever its
    /// `[backends]` say).
    pub fn embedded(config: &Config) -> Result<Capabilities, StartError> {
        let chosen = Chosen {
            queue: Some(sqlite_queue(config)?),
            state: Some(sqlite_state(config)?),
            ..Chosen::default()
        };
        Capabilities::assemble(config, chosen)
    }

    /// The capabilities the configuration chooses: each embedded, on PostgreSQL or on AWS as
    /// its `[backends]` (and `[mail] mode`) say. Call it on the runtime the host runs on
    /// (PostgreSQL's connections live there).
    pub async fn configured(config: &Config) -> Result<Capabilities, StartError> {
        let backends = &config.backends;
        for (setting, value, allowed) in [
            (
                "backends.state",
                &backends.state,
                &["sqlite", "postgres"][..],
            ),
            (
                "backends.queue",
                &backends.queue,
                &["sqlite", "postgres", "sqs"][..],
            ),
            ("backends.storage", &backends.storage, &["files", "s3"][..]),
            (
                "backends.events",
                &backends.events,
                &["embedded", "eventbridge"][..],
            ),
            (
                "backends.text",
                &backends.text,
                &["tesseract", "textract"][..],
            ),
            (
                "mail.mode",
                &config.mail.mode,
                &["outbox", "smtp", "ses"][..],
            ),
        ] {
            if !allowed.contains(&value.as_str()) {
                return Err(invalid(
                    setting,
                    format!("{value:?} is not one of {}", allowed.join(", ")),
                ));
            }
        }
        let mut chosen = if backends.state == "postgres" || backends.queue == "postgres" {
            postgres_backends(config).await?
        } else {
            Chosen::default()
        };
        let on_aws = backends.queue == "sqs"
            || backends.storage == "s3"
            || backends.events == "eventbridge"
            || backends.text == "textract"
            || config.mail.mode == "ses"
            || config.aws.catalog_source.is_some()
            || config.analytics.s3.is_some();
        if on_aws {
            aws_backends(config, &mut chosen).await?;
        }
        if chosen.queue.is_none() {
            chosen.queue = Some(sqlite_queue(config)?);
        }
        if chosen.state.is_none() {
            chosen.state = Some(sqlite_state(config)?);
        }
        Capabilities::assemble(config, chosen)
    }

    /// The capabilities `chosen`, the embedded ones for the rest.
    fn assemble(config: &Config, chosen: Chosen) -> Result<Capabilities, StartError> {
        let dir = &config.data_dir;
        let queue = match chosen.queue {
            Some(queue) => queue,
            None => sqlite_queue(config)?,
        };
        let state = match chosen.state {
            Some(state) => state,
            None => sqlite_state(config)?,
        };
        let mailer: Arc<dyn Mailer> = match (chosen.mailer, config.mail.mode.as_str()) {
            (Some(mailer), _) => mailer,
            (None, "outbox") => Arc::new(embedded::MailOutbox::new(
                config
                    .mail
                    .outbox_dir
                    .clone()
                    .unwrap_or_else(|| dir.join("outbox")),
            )),
            (None, "smtp") => Arc::new(embedded::Smtp::new(
                config.mail.smtp_host.clone(),
                config.mail.smtp_port,
            )),
            (None, other) => {
                return Err(invalid(
                    "mail.mode",
                    format!("{other:?} is not outbox or smtp"),
                ));
            }
        };
        let bus = match chosen.bus {
            Some(bus) => bus(Arc::clone(&queue)),
            None => Arc::new(embedded::RoutingBus::new(
                Arc::clone(&queue),
                dir.join("events.jsonl"),
            )),
        };
        Ok(Capabilities {
            storage: chosen
                .storage
                .unwrap_or_else(|| Arc::new(embedded::FileStorage::new(dir.join("objects")))),
            bus,
            queue,
            text: chosen.text.unwrap_or_else(|| Arc::new(embedded::Tesseract)),
            mailer,
            state,
        })
    }
}

fn invalid(origin: &str, message: String) -> StartError {
    StartError::Config(crate::config::ConfigError::Invalid {
        origin: origin.into(),
        message,
    })
}

/// The SQLite queues under the data folder.
fn sqlite_queue(config: &Config) -> Result<Arc<dyn Queue>, StartError> {
    Ok(Arc::new(embedded::SqliteQueue::open(
        &config.data_dir.join("queue.sqlite"),
        queue_specs(config),
        poll(config),
    )?))
}

/// The SQLite state under the data folder.
fn sqlite_state(config: &Config) -> Result<Arc<dyn State>, StartError> {
    Ok(Arc::new(embedded::SqliteState::open(
        &config.data_dir.join("state.sqlite"),
    )?))
}

fn poll(config: &Config) -> Duration {
    Duration::from_millis(config.queues.poll_milliseconds.unwrap_or(200))
}

/// An event bus over the host's queue.
type BusOver = Box<dyn FnOnce(Arc<dyn Queue>) -> Arc<dyn EventBus> + Send>;

/// The capabilities the configuration puts on PostgreSQL or AWS; `None` for the embedded
/// ones.
#[derive(Default)]
struct Chosen {
    queue: Option<Arc<dyn Queue>>,
    state: Option<Arc<dyn State>>,
    storage: Option<Arc<dyn Storage>>,
    text: Option<Arc<dyn TextSource>>,
    mailer: Option<Arc<dyn Mailer>>,
    bus: Option<BusOver>,
}

#[cfg(feature = "postgres")]
async fn postgres_backends(config: &Config) -> Result<Chosen, StartError> {
    let backends = &config.backends;
    let url = backends.postgres_url.as_deref().ok_or_else(|| {
        invalid(
            "backends.postgres_url",
            "PostgreSQL is chosen and no postgres_url is set".into(),
        )
    })?;
    let db = crate::postgres::Postgres::connect(url, backends.postgres_max_connections).await?;
    let queue: Option<Arc<dyn Queue>> = (backends.queue == "postgres").then(|| {
        Arc::new(crate::postgres::PostgresQueue::new(
            db.clone(),
            queue_specs(config),
            poll(config),
        )) as Arc<dyn Queue>
    });
    let state: Option<Arc<dyn State>> = (backends.state == "postgres")
        .then(|| Arc::new(crate::postgres::PostgresState::new(db)) as Arc<dyn State>);
    Ok(Chosen {
        queue,
        state,
        ..Chosen::default()
    })
}

#[cfg(not(feature = "postgres"))]
async fn postgres_backends(_config: &Config) -> Result<Chosen, StartError> {
    Err(invalid(
        "backends",
        "PostgreSQL is chosen, and this bmc-host was built without the postgres feature \
         (cargo build --release -p bmc-host --features postgres)"
            .into(),
    ))
}

#[cfg(feature = "aws")]
async fn aws_backends(config: &Config, chosen: &mut Chosen) -> Result<(), StartError> {
    use crate::aws;
    let backends = &config.backends;
    let settings = &config.aws;
    let sdk = aws::sdk_config(settings).await;
    let storage = match &settings.bucket {
        Some(bucket) => {
            let client = aws::S3Storage::client(&sdk, aws::s3_path_style(&sdk, settings));
            let storage = aws::S3Storage::new(
                client,
                bucket.clone(),
                settings.prefix.clone(),
                settings.kms_key_id.clone(),
            );
            if settings.create_resources {
                storage.ensure_bucket().await?;
            }
            Some(storage)
        }
        None if backends.storage == "s3" => {
            return Err(invalid(
                "aws.bucket",
                "S3 storage is chosen and no bucket is set".into(),
            ));
        }
        None => None,
    };
    if backends.storage == "s3" {
        chosen.storage = storage.clone().map(|s| Arc::new(s) as Arc<dyn Storage>);
    }
    if backends.queue == "sqs" {
        let queue = aws::SqsQueue::open(
            aws_sdk_sqs::Client::new(&sdk),
            queue_specs(config),
            &settings.queue_prefix,
            settings.create_resources,
        )
        .await?;
        chosen.queue = Some(Arc::new(queue));
    }
    if backends.events == "eventbridge" {
        let client = aws_sdk_eventbridge::Client::new(&sdk);
        let bus_name = settings.event_bus.clone();
        chosen.bus = Some(Box::new(move |queue| {
            Arc::new(aws::EventBridgeBus::new(client, bus_name, queue)) as Arc<dyn EventBus>
        }));
    }
    if backends.text == "textract" {
        chosen.text = Some(Arc::new(aws::Textract::new(
            aws_sdk_textract::Client::new(&sdk),
            storage,
            Duration::from_millis(settings.textract_poll_milliseconds.max(10)),
        )));
    }
    if config.mail.mode == "ses" {
        chosen.mailer = Some(Arc::new(aws::SesMailer::new(
            aws_sdk_sesv2::Client::new(&sdk),
            config.mail.ses_configuration_set.clone(),
        )));
    }
    Ok(())
}

#[cfg(not(feature = "aws"))]
async fn aws_backends(_config: &Config, _chosen: &mut Chosen) -> Result<(), StartError> {
    Err(invalid(
        "backends",
        "an AWS backend is chosen, and this bmc-host was built without the aws feature \
         (cargo build --release -p bmc-host --features aws)"
            .into(),
    ))
}

/// The seed's queue settings with the configuration's overrides.
pub fn queue_specs(config: &Config) -> Vec<QueueSpec> {
    QueueName::ALL
        .into_iter()
        .map(|name| {
            let mut spec = QueueSpec::seed(name);
            if let Some(seconds) = config.queues.visibility_seconds {
                spec.visibility = Duration::from_secs(seconds);
            }
            spec
        })
        .collect()
}

/// Everything the API handlers and workers share.
#[derive(Debug)]
pub struct Host {
    /// The configuration.
    pub config: Config,
    /// The capabilities.
    pub caps: Capabilities,
    /// The library, once the catalog and rules are open.
    pub engine: Arc<OnceLock<Arc<Engine>>>,
    /// Why the engine could not open, when it could not.
    pub engine_error: OnceLock<String>,
    /// DIAN's service (offline from the library by default).
    pub dian: Arc<dyn crate::dian::Authority>,
    /// Token verification.
    pub keys: KeySource,
    /// The HS256 secret (to issue tokens), in `hs256` mode.
    pub secret: Option<Vec<u8>>,
    /// The metrics.
    pub metrics: Metrics,
    /// Woken when events are written to the outbox.
    pub outbox: Notify,
    /// True once shutdown has begun.
    pub stopping: watch::Sender<bool>,
    /// When the host started.
    pub started: std::time::Instant,
}

impl Host {
    /// A host over `caps` with `config`.
    pub fn new(config: Config, caps: Capabilities) -> Result<Arc<Host>, StartError> {
        let (keys, secret) = match config.auth.mode.as_str() {
            "hs256" => {
                let path = config
                    .auth
                    .secret_file
                    .clone()
                    .unwrap_or_else(|| config.data_dir.join("jwt-secret"));
                let secret = crate::auth::load_or_create_secret(&path)
                    .map_err(|e| StartError::Io(format!("{}: {e}", path.display())))?;
                (
                    KeySource::Hs256 {
                        secret: secret.clone(),
                        issuer: config.auth.issuer.clone(),
                        audience: config.auth.audience.clone(),
                        roles_claim: config.auth.roles_claim.clone(),
                    },
                    Some(secret),
                )
            }
            "jwks" => {
                let url = config.auth.jwks_url.clone().ok_or_else(|| {
                    StartError::Config(crate::config::ConfigError::Invalid {
                        origin: "auth.jwks_url".into(),
                        message: "the jwks mode needs the key set's address".into(),
                    })
                })?;
                let jwks = crate::auth::Jwks::new(
                    url,
                    config.auth.issuer.clone(),
                    config.auth.audience.clone(),
                    config.auth.roles_claim.clone(),
                );
                (KeySource::Jwks(Arc::new(jwks)), None)
            }
            other => {
                return Err(StartError::Config(crate::config::ConfigError::Invalid {
                    origin: "auth.mode".into(),
                    message: format!("{other:?} is not hs256 or jwks"),
                }));
            }
        };
        let engine = Arc::new(OnceLock::new());
        let dian = crate::dian::configured(&config, &engine, &caps.state)?;
        Ok(Arc::new(Host {
            config,
            caps,
            engine,
            dian,
            engine_error: OnceLock::new(),
            keys,
            secret,
            metrics: Metrics::default(),
            outbox: Notify::new(),
            stopping: watch::channel(false).0,
            started: std::time::Instant::now(),
        }))
    }

    /// The engine, or the 503 problem while it loads.
    pub fn engine(&self) -> Result<Arc<Engine>, crate::problem::Problem> {
        self.engine
            .get()
            .cloned()
            .ok_or_else(crate::problem::Problem::not_ready)
    }

    /// True once shutdown has begun.
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// How long a consumer waits for messages before looking again.
    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.config.queues.poll_milliseconds.unwrap_or(200).max(10))
    }
}

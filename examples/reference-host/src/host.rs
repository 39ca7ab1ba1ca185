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
        Capabilities::assemble(config, sqlite_queue(config)?, sqlite_state(config)?)
    }

    /// The capabilities the configuration chooses: state and queues in SQLite or PostgreSQL,
    /// the rest embedded. Call it on the runtime the host runs on (PostgreSQL's connections
    /// live there).
    pub async fn configured(config: &Config) -> Result<Capabilities, StartError> {
        let backends = &config.backends;
        for (setting, value) in [
            ("backends.state", &backends.state),
            ("backends.queue", &backends.queue),
        ] {
            if value != "sqlite" && value != "postgres" {
                return Err(invalid(
                    setting,
                    format!("{value:?} is not sqlite or postgres"),
                ));
            }
        }
        let (queue, state) = if backends.state == "postgres" || backends.queue == "postgres" {
            postgres_backends(config).await?
        } else {
            (None, None)
        };
        let queue = match queue {
            Some(queue) => queue,
            None => sqlite_queue(config)?,
        };
        let state = match state {
            Some(state) => state,
            None => sqlite_state(config)?,
        };
        Capabilities::assemble(config, queue, state)
    }

    fn assemble(
        config: &Config,
        queue: Arc<dyn Queue>,
        state: Arc<dyn State>,
    ) -> Result<Capabilities, StartError> {
        let dir = &config.data_dir;
        let mailer: Arc<dyn Mailer> = match config.mail.mode.as_str() {
            "outbox" => Arc::new(embedded::MailOutbox::new(
                config
                    .mail
                    .outbox_dir
                    .clone()
                    .unwrap_or_else(|| dir.join("outbox")),
            )),
            "smtp" => Arc::new(embedded::Smtp::new(
                config.mail.smtp_host.clone(),
                config.mail.smtp_port,
            )),
            other => {
                return Err(invalid(
                    "mail.mode",
                    format!("{other:?} is not outbox or smtp"),
                ));
            }
        };
        Ok(Capabilities {
            storage: Arc::new(embedded::FileStorage::new(dir.join("objects"))),
            bus: Arc::new(embedded::RoutingBus::new(
                Arc::clone(&queue),
                dir.join("events.jsonl"),
            )),
            queue,
            text: Arc::new(embedded::Tesseract),
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

/// The queues and state the configuration puts on PostgreSQL (`None` for one it does not),
/// sharing one pool.
type Chosen = (Option<Arc<dyn Queue>>, Option<Arc<dyn State>>);

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
    Ok((queue, state))
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
    pub engine: OnceLock<Arc<Engine>>,
    /// Why the engine could not open, when it could not.
    pub engine_error: OnceLock<String>,
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
        Ok(Arc::new(Host {
            config,
            caps,
            engine: OnceLock::new(),
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

//! A pool of PostgreSQL connections, the schema's versioned migrations, and how PostgreSQL's
//! errors map to the capabilities' transient and permanent failures.

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use crate::capability::CapabilityError;

/// The migrations, in order: version, name, SQL. A version once released never changes.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "state",
        include_str!("../../migrations/postgres/0001_state.sql"),
    ),
    (
        2,
        "queue",
        include_str!("../../migrations/postgres/0002_queue.sql"),
    ),
    (
        3,
        "registrations by date",
        include_str!("../../migrations/postgres/0003_registrations_by_date.sql"),
    ),
    (
        4,
        "outbox claims",
        include_str!("../../migrations/postgres/0004_outbox_claims.sql"),
    ),
    (
        5,
        "audit log",
        include_str!("../../migrations/postgres/0005_audit_log.sql"),
    ),
    (
        6,
        "rate slots",
        include_str!("../../migrations/postgres/0006_rate_slots.sql"),
    ),
];

/// Monthly invoice partitions kept ready before and after the current month.
pub const PARTITIONS_BACK: i32 = 24;
/// See [`PARTITIONS_BACK`].
pub const PARTITIONS_AHEAD: i32 = 12;

/// A shared pool of connections to one database, its schema migrated.
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("max_connections", &self.pool.status().max_size)
            .finish()
    }
}

/// A pooled connection.
pub type Client = deadpool_postgres::Object;

impl Postgres {
    /// Connects to `url` (`postgresql://user@host:port/db` or `host=... user=...`) with at most
    /// `max_connections`, applies the migrations not yet applied (one process at a time, under
    /// an advisory lock) and makes sure the invoice partitions exist. Sessions run in UTC.
    pub async fn connect(url: &str, max_connections: usize) -> Result<Postgres, CapabilityError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
            CapabilityError::permanent("state", format!("the PostgreSQL address: {e}"))
        })?;
        config.options("-c TimeZone=UTC");
        if config.get_application_name().is_none() {
            config.application_name("bmc-host");
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(max_connections.max(1))
            .build()
            .map_err(|e| CapabilityError::permanent("state", e))?;
        let db = Postgres { pool };
        db.migrate().await?;
        db.ensure_partitions().await?;
        // Months go by: the partitions ahead are topped up daily.
        let daily = db.clone();
        tokio::spawn(async move {
            let mut every_day = tokio::time::interval(std::time::Duration::from_secs(86_400));
            every_day.tick().await;
            loop {
                every_day.tick().await;
                if let Err(e) = daily.ensure_partitions().await {
                    tracing::warn!(error = %e, "the invoice partitions could not be checked");
                }
            }
        });
        Ok(db)
    }

    /// A connection from the pool, for `capability`'s work.
    pub async fn client(&self, capability: &'static str) -> Result<Client, CapabilityError> {
        self.pool
            .get()
            .await
            .map_err(|e| CapabilityError::transient(capability, format!("PostgreSQL: {e}")))
    }

    async fn migrate(&self) -> Result<(), CapabilityError> {
        let fail = |e: tokio_postgres::Error| classify("state", &e);
        let mut client = self.client("state").await?;
        let tx = client.transaction().await.map_err(fail)?;
        tx.execute("SELECT pg_advisory_xact_lock(7316270001)", &[])
            .await
            .map_err(fail)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS public.bmc_schema_migrations (
                version    int PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .await
        .map_err(fail)?;
        let applied: Vec<i32> = tx
            .query("SELECT version FROM public.bmc_schema_migrations", &[])
            .await
            .map_err(fail)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for (version, name, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            tx.batch_execute(sql).await.map_err(|e| {
                CapabilityError::permanent(
                    "state",
                    format!("migration {version} ({name}): {}", message(&e)),
                )
            })?;
            tx.execute(
                "INSERT INTO public.bmc_schema_migrations (version, name) VALUES ($1, $2)",
                &[version, name],
            )
            .await
            .map_err(fail)?;
            tracing::info!(version, name, "PostgreSQL migration applied");
        }
        tx.commit().await.map_err(fail)
    }

    /// Creates the monthly invoice partitions missing from [`PARTITIONS_BACK`] months ago to
    /// [`PARTITIONS_AHEAD`] months ahead; answers how many it created. None is dropped.
    pub async fn ensure_partitions(&self) -> Result<i32, CapabilityError> {
        let fail = |e: tokio_postgres::Error| classify("state", &e);
        let mut client = self.client("state").await?;
        let tx = client.transaction().await.map_err(fail)?;
        tx.execute("SELECT pg_advisory_xact_lock(7316270002)", &[])
            .await
            .map_err(fail)?;
        let created: i32 = tx
            .query_one(
                "SELECT bmc_transactional.ensure_invoice_partitions(now(), $1, $2)",
                &[&PARTITIONS_BACK, &PARTITIONS_AHEAD],
            )
            .await
            .map_err(fail)?
            .get(0);
        tx.commit().await.map_err(fail)?;
        Ok(created)
    }
}

/// Runs `sql`, prepared once per connection, with `params`; answers the rows changed.
pub async fn execute(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.execute(&statement, params).await
}

/// Runs query `sql`, prepared once per connection, with `params`.
pub async fn query(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query(&statement, params).await
}

/// Runs query `sql`, prepared once per connection, for at most one row.
pub async fn query_opt(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query_opt(&statement, params).await
}

/// Runs query `sql`, prepared once per connection, for exactly one row.
pub async fn query_one(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Row, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query_one(&statement, params).await
}

/// PostgreSQL's own message for an error (the server's, when it answered one).
pub fn message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.to_string(),
        None => e.to_string(),
    }
}

/// A lost connection, a conflict between transactions or a busy server may pass; anything the
/// server refused as such, or a value that cannot be sent, will not.
pub fn classify(capability: &'static str, e: &tokio_postgres::Error) -> CapabilityError {
    let transient = match e.code() {
        None => {
            e.is_closed() || std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
        }
        Some(code) => {
            code.code().starts_with("08")
                || [
                    SqlState::T_R_SERIALIZATION_FAILURE,
                    SqlState::T_R_DEADLOCK_DETECTED,
                    SqlState::TOO_MANY_CONNECTIONS,
                    SqlState::ADMIN_SHUTDOWN,
                    SqlState::CANNOT_CONNECT_NOW,
                    SqlState::LOCK_NOT_AVAILABLE,
                    SqlState::DISK_FULL,
                ]
                .contains(code)
        }
    };
    let text = format!("PostgreSQL: {}", message(e));
    if transient {
        CapabilityError::transient(capability, text)
    } else {
        CapabilityError::permanent(capability, text)
    }
}

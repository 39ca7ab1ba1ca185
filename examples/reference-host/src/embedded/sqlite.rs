//! One SQLite database in WAL mode, used from async code: each call runs on the blocking
//! pool with the connection to itself.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use crate::capability::CapabilityError;

/// A SQLite database shared by the host's tasks.
#[derive(Debug, Clone)]
pub struct Db {
    connection: Arc<Mutex<Connection>>,
    capability: &'static str,
}

impl Db {
    /// Opens (creating) the database at `path` in WAL mode with `schema` applied. Commits
    /// survive the process being killed (WAL with `synchronous=NORMAL`); a power loss may
    /// lose the last ones.
    pub fn open(
        path: &Path,
        schema: &str,
        capability: &'static str,
    ) -> Result<Db, CapabilityError> {
        let fail = |e: rusqlite::Error| {
            CapabilityError::permanent(capability, format!("{}: {e}", path.display()))
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                CapabilityError::permanent(capability, format!("{}: {e}", dir.display()))
            })?;
        }
        let connection = Connection::open(path).map_err(fail)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            )
            .map_err(fail)?;
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(fail)?;
        connection.execute_batch(schema).map_err(fail)?;
        Ok(Db {
            connection: Arc::new(Mutex::new(connection)),
            capability,
        })
    }

    /// Runs `work` with the connection, on the blocking pool.
    pub async fn call<T, F>(&self, work: F) -> Result<T, CapabilityError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        let capability = self.capability;
        tokio::task::spawn_blocking(move || {
            let mut guard = connection
                .lock()
                .map_err(|_| CapabilityError::permanent(capability, "connection poisoned"))?;
            work(&mut guard).map_err(|e| classify(capability, &e))
        })
        .await
        .map_err(|e| CapabilityError::transient(capability, format!("task: {e}")))?
    }
}

/// A busy or locked database, or a full disk, may pass; anything else will not.
fn classify(capability: &'static str, e: &rusqlite::Error) -> CapabilityError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::DiskFull) => {
            CapabilityError::transient(capability, e)
        }
        _ => CapabilityError::permanent(capability, e),
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

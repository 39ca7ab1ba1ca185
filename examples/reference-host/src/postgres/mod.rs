//! State and queues on PostgreSQL (feature `postgres`), for hosts that share them: the seed's
//! `bmc_transactional` schema with invoices partitioned by month, versioned migrations applied
//! on start, a connection pool, and queues taken with `FOR UPDATE SKIP LOCKED`.

mod db;
mod queue;
mod state;

pub use db::{Client, PARTITIONS_AHEAD, PARTITIONS_BACK, Postgres};
pub use queue::PostgresQueue;
pub use state::PostgresState;

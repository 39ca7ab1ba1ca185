//! A durable queue in SQLite with SQS's semantics: a received message is leased until its
//! visibility timeout, counted, and moved to the dead-letter queue once received more than
//! its queue's `max_receive` times; FIFO queues hand out one message of a group at a time,
//! in order, and drop a message whose deduplication id was seen in the last five minutes.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{OptionalExtension as _, params};
use tokio::sync::Notify;

use super::sqlite::{Db, now_ms};
use crate::capability::{
    CapabilityError, DeadLetter, Outgoing, Queue, QueueName, QueueSpec, QueueSpecs, QueueStats,
    Received,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS messages (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    queue         TEXT NOT NULL,
    message_id    TEXT NOT NULL UNIQUE,
    body          TEXT NOT NULL,
    group_id      TEXT,
    sent_at       INTEGER NOT NULL,
    visible_at    INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    receipt       TEXT UNIQUE,
    dead          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_ready ON messages (queue, dead, visible_at, seq);
CREATE TABLE IF NOT EXISTS dedup (
    queue    TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    sent_at  INTEGER NOT NULL,
    PRIMARY KEY (queue, dedup_id)
);
CREATE INDEX IF NOT EXISTS dedup_expiry ON dedup (queue, sent_at);
";

/// FIFO deduplication window.
const DEDUP_WINDOW_MS: i64 = 5 * 60 * 1000;

/// The embedded queues.
#[derive(Debug, Clone)]
pub struct SqliteQueue {
    db: Db,
    specs: QueueSpecs,
    arrived: Arc<Notify>,
    poll: Duration,
}

impl SqliteQueue {
    /// The queues in the database at `path`, with `specs` (one per queue).
    pub fn open(
        path: &Path,
        specs: impl IntoIterator<Item = QueueSpec>,
        poll: Duration,
    ) -> Result<SqliteQueue, CapabilityError> {
        Ok(SqliteQueue {
            db: Db::open(path, SCHEMA, "queue")?,
            specs: QueueSpecs::new(specs),
            arrived: Arc::new(Notify::new()),
            poll,
        })
    }

    async fn try_receive(
        &self,
        queue: QueueName,
        max: usize,
    ) -> Result<Vec<Received>, CapabilityError> {
        let spec = self.specs.of(queue);
        self.db
            .call(move |c| {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let now = now_ms();
                let name = queue.name();
                let busy_groups: HashSet<String> = if spec.fifo {
                    let mut s = tx.prepare_cached(
                        "SELECT DISTINCT group_id FROM messages
                         WHERE queue = ?1 AND dead = 0 AND visible_at > ?2 AND receive_count > 0
                           AND group_id IS NOT NULL",
                    )?;
                    let rows = s.query_map(params![name, now], |r| r.get(0))?;
                    rows.collect::<Result<_, _>>()?
                } else {
                    HashSet::new()
                };
                let candidates: Vec<(i64, String, String, Option<String>, u32)> = {
                    let mut s = tx.prepare_cached(
                        "SELECT seq, message_id, body, group_id, receive_count FROM messages
                         WHERE queue = ?1 AND dead = 0 AND visible_at <= ?2
                         ORDER BY seq LIMIT ?3",
                    )?;
                    let limit = i64::try_from(max * 8 + 32).unwrap_or(i64::MAX);
                    let rows = s.query_map(params![name, now, limit], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })?;
                    rows.collect::<Result<_, _>>()?
                };
                let mut taken = Vec::new();
                let mut groups_seen: HashSet<String> = HashSet::new();
                let visible_at = now + i64::try_from(spec.visibility.as_millis()).unwrap_or(i64::MAX);
                for (seq, message_id, body, group, count) in candidates {
                    if taken.len() >= max {
                        break;
                    }
                    if let Some(group) = &group {
                        // One message of a group at a time, and only its oldest.
                        if spec.fifo && (busy_groups.contains(group) || !groups_seen.insert(group.clone())) {
                            continue;
                        }
                    }
                    if count >= spec.max_receive {
                        tx.execute("UPDATE messages SET dead = 1, receipt = NULL WHERE seq = ?1", params![seq])?;
                        continue;
                    }
                    let receipt = crate::ids::random_id("rcpt");
                    tx.execute(
                        "UPDATE messages SET receive_count = receive_count + 1, visible_at = ?2, receipt = ?3
                         WHERE seq = ?1",
                        params![seq, visible_at, receipt],
                    )?;
                    taken.push(Received {
                        message_id,
                        receipt,
                        body,
                        receive_count: count + 1,
                    });
                }
                tx.commit()?;
                Ok(taken)
            })
            .await
    }
}

/// Inserts one message, unless a FIFO queue saw its deduplication id in the window.
fn insert(
    tx: &rusqlite::Transaction<'_>,
    spec: &QueueSpec,
    message: Outgoing,
    now: i64,
) -> rusqlite::Result<()> {
    let queue = spec.name;
    if let (true, Some(dedup)) = (spec.fifo, &message.dedup_id) {
        let seen: Option<i64> = tx
            .query_row(
                "SELECT sent_at FROM dedup WHERE queue = ?1 AND dedup_id = ?2",
                params![queue.name(), dedup],
                |r| r.get(0),
            )
            .optional()?;
        if seen.is_some_and(|at| now - at < DEDUP_WINDOW_MS) {
            return Ok(());
        }
        tx.execute(
            "INSERT OR REPLACE INTO dedup (queue, dedup_id, sent_at) VALUES (?1, ?2, ?3)",
            params![queue.name(), dedup, now],
        )?;
    }
    let group = if spec.fifo { message.group_id } else { None };
    tx.execute(
        "INSERT INTO messages (queue, message_id, body, group_id, sent_at, visible_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![
            queue.name(),
            crate::ids::random_id("msg"),
            message.body,
            group,
            now
        ],
    )?;
    Ok(())
}

#[async_trait]
impl Queue for SqliteQueue {
    async fn send(&self, queue: QueueName, message: Outgoing) -> Result<(), CapabilityError> {
        self.send_batch(queue, vec![message]).await
    }

    async fn send_batch(
        &self,
        queue: QueueName,
        messages: Vec<Outgoing>,
    ) -> Result<(), CapabilityError> {
        let spec = self.specs.of(queue);
        self.db
            .call(move |c| {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let now = now_ms();
                for message in messages {
                    insert(&tx, &spec, message, now)?;
                }
                tx.execute(
                    "DELETE FROM dedup WHERE queue = ?1 AND sent_at < ?2",
                    params![queue.name(), now - DEDUP_WINDOW_MS],
                )?;
                tx.commit()
            })
            .await?;
        self.arrived.notify_waiters();
        Ok(())
    }

    async fn receive(
        &self,
        queue: QueueName,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Received>, CapabilityError> {
        crate::capability::receive_polling(&self.arrived, self.poll, wait, || {
            self.try_receive(queue, max)
        })
        .await
    }

    async fn delete(&self, queue: QueueName, receipt: &str) -> Result<(), CapabilityError> {
        let receipt = receipt.to_string();
        self.db
            .call(move |c| {
                c.execute(
                    "DELETE FROM messages WHERE queue = ?1 AND receipt = ?2",
                    params![queue.name(), receipt],
                )
            })
            .await
            .map(|_| ())
    }

    async fn change_visibility(
        &self,
        queue: QueueName,
        receipt: &str,
        visibility: Duration,
    ) -> Result<(), CapabilityError> {
        let receipt = receipt.to_string();
        let until = now_ms() + i64::try_from(visibility.as_millis()).unwrap_or(i64::MAX);
        let changed = self
            .db
            .call(move |c| {
                c.execute(
                    "UPDATE messages SET visible_at = ?3 WHERE queue = ?1 AND receipt = ?2 AND dead = 0",
                    params![queue.name(), receipt, until],
                )
            })
            .await?;
        if changed == 0 {
            return Err(CapabilityError::permanent("queue", "the lease has expired"));
        }
        if visibility.is_zero() {
            self.arrived.notify_waiters();
        }
        Ok(())
    }

    async fn stats(&self, queue: QueueName) -> Result<QueueStats, CapabilityError> {
        let retention =
            i64::try_from(self.specs.of(queue).retention.as_millis()).unwrap_or(i64::MAX);
        self.db
            .call(move |c| {
                let now = now_ms();
                c.execute(
                    "DELETE FROM messages WHERE queue = ?1 AND sent_at < ?2",
                    params![queue.name(), now.saturating_sub(retention)],
                )?;
                c.query_row(
                    "SELECT
                        COALESCE(SUM(dead = 0 AND visible_at <= ?2), 0),
                        COALESCE(SUM(dead = 0 AND visible_at > ?2), 0),
                        MIN(CASE WHEN dead = 0 THEN sent_at END),
                        COALESCE(SUM(dead = 1), 0)
                     FROM messages WHERE queue = ?1",
                    params![queue.name(), now],
                    |r| {
                        let oldest: Option<i64> = r.get(2)?;
                        Ok(QueueStats {
                            visible: r.get(0)?,
                            in_flight: r.get(1)?,
                            #[allow(clippy::cast_precision_loss)]
                            oldest_age_seconds: oldest.map(|t| (now - t) as f64 / 1000.0),
                            dead_letters: r.get(3)?,
                        })
                    },
                )
            })
            .await
    }

    async fn dead_letters(
        &self,
        queue: QueueName,
        max: usize,
    ) -> Result<Vec<DeadLetter>, CapabilityError> {
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        self.db
            .call(move |c| {
                let mut s = c.prepare_cached(
                    "SELECT message_id, body, receive_count FROM messages
                     WHERE queue = ?1 AND dead = 1 ORDER BY seq LIMIT ?2",
                )?;
                let rows = s.query_map(params![queue.name(), limit], |r| {
                    Ok(DeadLetter {
                        message_id: r.get(0)?,
                        body: r.get(1)?,
                        receive_count: r.get(2)?,
                    })
                })?;
                rows.collect()
            })
            .await
    }

    async fn redrive(&self, queue: QueueName) -> Result<Vec<DeadLetter>, CapabilityError> {
        let moved = self
            .db
            .call(move |c| {
                let mut s = c.prepare_cached(
                    "UPDATE messages SET dead = 0, receive_count = 0, receipt = NULL, visible_at = ?2
                     WHERE queue = ?1 AND dead = 1
                     RETURNING message_id, body, receive_count",
                )?;
                let rows = s.query_map(params![queue.name(), now_ms()], |r| {
                    Ok(DeadLetter {
                        message_id: r.get(0)?,
                        body: r.get(1)?,
                        receive_count: r.get(2)?,
                    })
                })?;
                rows.collect::<Result<Vec<_>, _>>()
            })
            .await?;
        self.arrived.notify_waiters();
        Ok(moved)
    }
}

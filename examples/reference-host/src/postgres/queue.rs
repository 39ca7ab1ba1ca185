//! Queues in PostgreSQL with SQS's semantics, for deployments that have PostgreSQL and no SQS:
//! a received message is leased until its visibility timeout, counted, and moved to the
//! dead-letter queue once received more than its queue's `max_receive` times; FIFO queues hand
//! out only the oldest message of a group, one at a time, and drop a message whose
//! deduplication id was seen in the last five minutes. Consumers in any number of processes
//! take messages with `FOR UPDATE SKIP LOCKED`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Notify;

use super::db::{self, Postgres, classify};
use crate::capability::{
    CapabilityError, DeadLetter, Outgoing, Queue, QueueName, QueueSpec, QueueSpecs, QueueStats,
    Received,
};

/// The queues in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresQueue {
    db: Postgres,
    specs: QueueSpecs,
    /// Per queue (in [`QueueName::ALL`]'s order), woken by this process's sends; other
    /// processes' sends are seen at the next poll.
    arrived: Arc<[Notify; 3]>,
    poll: Duration,
}

fn fail(e: tokio_postgres::Error) -> CapabilityError {
    classify("queue", &e)
}

fn millis(d: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let ms = d.as_millis() as f64;
    ms
}

impl PostgresQueue {
    /// The queues in `db` with `specs` (one per queue), polled every `poll` while a receive
    /// waits.
    pub fn new(
        db: Postgres,
        specs: impl IntoIterator<Item = QueueSpec>,
        poll: Duration,
    ) -> PostgresQueue {
        PostgresQueue {
            db,
            specs: QueueSpecs::new(specs),
            arrived: Arc::new([Notify::new(), Notify::new(), Notify::new()]),
            poll,
        }
    }

    fn arrived(&self, queue: QueueName) -> &Notify {
        let index = QueueName::ALL.iter().position(|q| *q == queue).unwrap_or(0);
        &self.arrived[index]
    }

    async fn try_receive(
        &self,
        queue: QueueName,
        max: usize,
    ) -> Result<Vec<Received>, CapabilityError> {
        let spec = self.specs.of(queue);
        let mut client = self.db.client("queue").await?;
        let tx = client.transaction().await.map_err(fail)?;
        let name = queue.name();
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let max_receive = i32::try_from(spec.max_receive).unwrap_or(i32::MAX);
        // Messages received too often die instead of being handed out again.
        db::execute(
            &tx,
            "UPDATE bmc_queue.messages SET dead = true, receipt = NULL
             WHERE seq IN (
                SELECT seq FROM bmc_queue.messages
                WHERE queue = $1 AND NOT dead AND visible_at <= clock_timestamp()
                  AND receive_count >= $2
                FOR UPDATE SKIP LOCKED)",
            &[&name, &max_receive],
        )
        .await
        .map_err(fail)?;
        // In a FIFO queue only the oldest live message of each group may go, and only while no
        // message of its group is leased (a leased one is the oldest, and not visible).
        let fifo_clause = if spec.fifo {
            "AND (m.group_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM bmc_queue.messages o
                WHERE o.queue = m.queue AND o.group_id = m.group_id AND NOT o.dead
                  AND o.seq < m.seq))"
        } else {
            ""
        };
        let receive = format!(
            "WITH ready AS (
                        SELECT m.seq FROM bmc_queue.messages m
                        WHERE m.queue = $1 AND NOT m.dead AND m.visible_at <= clock_timestamp()
                          {fifo_clause}
                        ORDER BY m.seq
                        LIMIT $2
                        FOR UPDATE SKIP LOCKED)
                     UPDATE bmc_queue.messages m
                     SET receive_count = m.receive_count + 1,
                         visible_at = clock_timestamp() + $3 * interval '1 millisecond',
                         receipt = 'rcpt_' || md5(random()::text || clock_timestamp()::text || m.seq)
                     FROM ready WHERE m.seq = ready.seq
                     RETURNING m.seq, m.message_id, m.receipt, m.body, m.receive_count"
        );
        let rows = db::query(&tx, &receive, &[&name, &limit, &millis(spec.visibility)])
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        let mut taken: Vec<(i64, Received)> = rows
            .iter()
            .map(|r| {
                let count: i32 = r.get(4);
                (
                    r.get(0),
                    Received {
                        message_id: r.get(1),
                        receipt: r.get(2),
                        body: r.get(3),
                        receive_count: u32::try_from(count).unwrap_or(0),
                    },
                )
            })
            .collect();
        taken.sort_by_key(|(seq, _)| *seq);
        Ok(taken.into_iter().map(|(_, r)| r).collect())
    }
}

#[async_trait]
impl Queue for PostgresQueue {
    async fn send(&self, queue: QueueName, message: Outgoing) -> Result<(), CapabilityError> {
        self.send_batch(queue, vec![message]).await
    }

    async fn send_batch(
        &self,
        queue: QueueName,
        messages: Vec<Outgoing>,
    ) -> Result<(), CapabilityError> {
        let spec = self.specs.of(queue);
        let mut client = self.db.client("queue").await?;
        let tx = client.transaction().await.map_err(fail)?;
        let name = queue.name();
        db::execute(
            &tx,
            "DELETE FROM bmc_queue.dedup
             WHERE queue = $1 AND sent_at < clock_timestamp() - interval '5 minutes'",
            &[&name],
        )
        .await
        .map_err(fail)?;
        let mut sent = 0;
        for message in messages {
            if let (true, Some(dedup)) = (spec.fifo, &message.dedup_id) {
                // A deduplication id seen in the window drops the message; concurrent senders
                // of one id serialize on its row.
                let fresh = db::execute(
                    &tx,
                    "INSERT INTO bmc_queue.dedup (queue, dedup_id, sent_at)
                         VALUES ($1, $2, clock_timestamp())
                         ON CONFLICT (queue, dedup_id) DO UPDATE SET sent_at = excluded.sent_at
                         WHERE bmc_queue.dedup.sent_at < clock_timestamp() - interval '5 minutes'",
                    &[&name, dedup],
                )
                .await
                .map_err(fail)?;
                if fresh == 0 {
                    continue;
                }
            }
            let group = if spec.fifo { message.group_id } else { None };
            db::execute(
                &tx,
                "INSERT INTO bmc_queue.messages (queue, message_id, body, group_id)
                 VALUES ($1, $2, $3, $4)",
                &[&name, &crate::ids::random_id("msg"), &message.body, &group],
            )
            .await
            .map_err(fail)?;
            sent += 1;
        }
        tx.commit().await.map_err(fail)?;
        // One consumer woken per message sent (a permit waits when none is waiting), not every
        // consumer for each: the others would only ask the database for nothing.
        for _ in 0..sent.min(64) {
            self.arrived(queue).notify_one();
        }
        Ok(())
    }

    async fn receive(
        &self,
        queue: QueueName,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Received>, CapabilityError> {
        crate::capability::receive_polling(self.arrived(queue), self.poll, wait, || {
            self.try_receive(queue, max)
        })
        .await
    }

    async fn delete(&self, queue: QueueName, receipt: &str) -> Result<(), CapabilityError> {
        let client = self.db.client("queue").await?;
        db::execute(
            &client,
            "DELETE FROM bmc_queue.messages WHERE queue = $1 AND receipt = $2",
            &[&queue.name(), &receipt],
        )
        .await
        .map_err(fail)?;
        Ok(())
    }

    async fn change_visibility(
        &self,
        queue: QueueName,
        receipt: &str,
        visibility: Duration,
    ) -> Result<(), CapabilityError> {
        let client = self.db.client("queue").await?;
        let changed = db::execute(
            &client,
            "UPDATE bmc_queue.messages
                 SET visible_at = clock_timestamp() + $3 * interval '1 millisecond'
                 WHERE queue = $1 AND receipt = $2 AND NOT dead",
            &[&queue.name(), &receipt, &millis(visibility)],
        )
        .await
        .map_err(fail)?;
        if changed == 0 {
            return Err(CapabilityError::permanent("queue", "the lease has expired"));
        }
        if visibility.is_zero() {
            self.arrived(queue).notify_waiters();
        }
        Ok(())
    }

    async fn stats(&self, queue: QueueName) -> Result<QueueStats, CapabilityError> {
        let retention = millis(self.specs.of(queue).retention);
        let client = self.db.client("queue").await?;
        db::execute(
            &client,
            "DELETE FROM bmc_queue.messages
                 WHERE queue = $1 AND sent_at < clock_timestamp() - $2 * interval '1 millisecond'",
            &[&queue.name(), &retention],
        )
        .await
        .map_err(fail)?;
        let row = db::query_one(&client, "SELECT
                    COUNT(*) FILTER (WHERE NOT dead AND visible_at <= clock_timestamp()),
                    COUNT(*) FILTER (WHERE NOT dead AND visible_at > clock_timestamp()),
                    EXTRACT(EPOCH FROM clock_timestamp() - MIN(sent_at) FILTER (WHERE NOT dead))::float8,
                    COUNT(*) FILTER (WHERE dead)
                 FROM bmc_queue.messages WHERE queue = $1",
                &[&queue.name()],
            )
            .await
            .map_err(fail)?;
        let count = |i: usize| u64::try_from(row.get::<_, i64>(i)).unwrap_or(0);
        Ok(QueueStats {
            visible: count(0),
            in_flight: count(1),
            oldest_age_seconds: row.get(2),
            dead_letters: count(3),
        })
    }

    async fn dead_letters(
        &self,
        queue: QueueName,
        max: usize,
    ) -> Result<Vec<DeadLetter>, CapabilityError> {
        let client = self.db.client("queue").await?;
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let rows = db::query(
            &client,
            "SELECT message_id, body, receive_count FROM bmc_queue.messages
                 WHERE queue = $1 AND dead ORDER BY seq LIMIT $2",
            &[&queue.name(), &limit],
        )
        .await
        .map_err(fail)?;
        Ok(rows.iter().map(dead_letter).collect())
    }

    async fn redrive(&self, queue: QueueName) -> Result<Vec<DeadLetter>, CapabilityError> {
        let client = self.db.client("queue").await?;
        let rows = db::query(
            &client,
            "UPDATE bmc_queue.messages
                 SET dead = false, receive_count = 0, receipt = NULL, visible_at = clock_timestamp()
                 WHERE queue = $1 AND dead
                 RETURNING message_id, body, receive_count",
            &[&queue.name()],
        )
        .await
        .map_err(fail)?;
        self.arrived(queue).notify_waiters();
        Ok(rows.iter().map(dead_letter).collect())
    }
}

fn dead_letter(r: &tokio_postgres::Row) -> DeadLetter {
    let count: i32 = r.get(2);
    DeadLetter {
        message_id: r.get(0),
        body: r.get(1),
        receive_count: u32::try_from(count).unwrap_or(0),
    }
}

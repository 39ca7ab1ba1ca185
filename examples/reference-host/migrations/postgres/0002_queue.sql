-- Queues with SQS's semantics for deployments with PostgreSQL and no SQS: leases with a
-- visibility timeout, receive counts, dead letters, FIFO groups and deduplication. Consumers
-- take messages with FOR UPDATE SKIP LOCKED, so several processes share a queue.
CREATE SCHEMA IF NOT EXISTS bmc_queue;

CREATE TABLE bmc_queue.messages (
    seq           bigserial PRIMARY KEY,
    queue         text NOT NULL,
    message_id    text NOT NULL UNIQUE,
    body          text NOT NULL,
    group_id      text,
    sent_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    visible_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    receive_count int NOT NULL DEFAULT 0,
    receipt       text UNIQUE,
    dead          boolean NOT NULL DEFAULT false
);
CREATE INDEX messages_ready ON bmc_queue.messages (queue, visible_at, seq) WHERE NOT dead;
CREATE INDEX messages_groups ON bmc_queue.messages (queue, group_id, seq)
    WHERE NOT dead AND group_id IS NOT NULL;
CREATE INDEX messages_dead ON bmc_queue.messages (queue, seq) WHERE dead;

CREATE TABLE bmc_queue.dedup (
    queue    text NOT NULL,
    dedup_id text NOT NULL,
    sent_at  timestamptz NOT NULL,
    PRIMARY KEY (queue, dedup_id)
);

-- The audit log: who did what, when and from where, for every state change and admin action.
-- Hash-chained (each entry's hash covers its fields and the hash before it) with the chain's
-- head in one row that every append locks, so entries are numbered without gaps in commit
-- order. Append-only: the trigger refuses updates and deletes; a deployment also grants the
-- host's role INSERT and SELECT only (docs/host.md).
CREATE SCHEMA IF NOT EXISTS bmc_audit;

CREATE TABLE bmc_audit.audit_log (
    seq       bigint PRIMARY KEY,
    at        text NOT NULL,
    who       text NOT NULL,
    role      text,
    source    text,
    action    text NOT NULL,
    subject   text NOT NULL,
    detail    text NOT NULL,
    prev_hash text NOT NULL,
    hash      text NOT NULL
);
CREATE INDEX audit_log_subject ON bmc_audit.audit_log (subject, seq);

CREATE TABLE bmc_audit.audit_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO bmc_audit.audit_head (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION bmc_audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON bmc_audit.audit_log
    FOR EACH ROW EXECUTE FUNCTION bmc_audit.refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON bmc_audit.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION bmc_audit.refuse_change();

-- The platform's state, with the seed's schema and table names. The seed partitions invoices by
-- invoice_date; an invoice exists from its upload, before its date is read, so the partition
-- key here is created_at (the upload's month).
CREATE SCHEMA IF NOT EXISTS bmc_transactional;

-- Each invoice id and document hash once, across partitions (a partitioned table's unique
-- indexes must hold its partition key).
CREATE TABLE bmc_transactional.invoice_keys (
    invoice_id      text PRIMARY KEY,
    document_sha256 text NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL
);

CREATE TABLE bmc_transactional.invoices (
    invoice_id        text NOT NULL,
    document_sha256   text NOT NULL,
    document_type     varchar(20) NOT NULL,
    document_path     varchar(500) NOT NULL,
    needs_ocr         boolean NOT NULL,
    processing_status varchar(20) NOT NULL DEFAULT 'PENDING',
    seller_nit        text,
    invoice_number    varchar(100),
    invoice_date      date,
    cufe              text,
    total_amount      numeric,
    ocr_confidence    numeric,
    registration_id   text,
    certificate_id    text,
    error             text,
    notify_email      text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (invoice_id, created_at)
) PARTITION BY RANGE (created_at);

-- Rows outside every monthly partition land here rather than fail.
CREATE TABLE bmc_transactional.invoices_default PARTITION OF bmc_transactional.invoices DEFAULT;

CREATE INDEX invoices_listing ON bmc_transactional.invoices (created_at DESC, invoice_id DESC);
CREATE INDEX invoices_status ON bmc_transactional.invoices (processing_status);
CREATE INDEX invoices_seller ON bmc_transactional.invoices (seller_nit);

-- One registration a CUFE, whatever the workers do: the database refuses a second.
CREATE TABLE bmc_transactional.registered_cufes (
    cufe       text PRIMARY KEY,
    invoice_id text NOT NULL
);

CREATE TABLE bmc_transactional.registrations (
    invoice_id      text PRIMARY KEY REFERENCES bmc_transactional.invoice_keys (invoice_id),
    registration_id text NOT NULL,
    body            jsonb NOT NULL
);

CREATE TABLE bmc_transactional.commissions (
    invoice_id       text PRIMARY KEY REFERENCES bmc_transactional.invoice_keys (invoice_id),
    registration_id  text NOT NULL,
    commission_fee   numeric NOT NULL,
    commission_iva   numeric NOT NULL,
    commission_total numeric NOT NULL,
    rule_set         text NOT NULL,
    body             jsonb NOT NULL
);

CREATE TABLE bmc_transactional.certificates (
    certificate_id  text PRIMARY KEY,
    invoice_id      text NOT NULL UNIQUE REFERENCES bmc_transactional.invoice_keys (invoice_id),
    registration_id text NOT NULL,
    object_key      text NOT NULL,
    created_at      timestamptz NOT NULL
);

CREATE TABLE bmc_transactional.ocr_jobs (
    job_id       text PRIMARY KEY,
    invoice_id   text,
    document_key text NOT NULL,
    status       varchar(20) NOT NULL,
    text_key     text,
    result       jsonb,
    error        text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- Events written in the transaction of the change they announce, deleted once delivered.
CREATE TABLE bmc_transactional.outbox (
    seq      bigserial PRIMARY KEY,
    event_id text NOT NULL UNIQUE,
    body     jsonb NOT NULL
);

-- The monthly partitions from `months_back` months before `at` to `months_ahead` after it,
-- created where missing (the host calls it on start and daily: 24 back, 12 ahead). None is
-- ever dropped: invoices are kept seven years.
CREATE FUNCTION bmc_transactional.ensure_invoice_partitions(
    at timestamptz, months_back int, months_ahead int
) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    first date := date_trunc('month', at AT TIME ZONE 'UTC')::date;
    month date;
    name text;
    created int := 0;
BEGIN
    FOR i IN -months_back .. months_ahead LOOP
        month := (first + make_interval(months => i))::date;
        name := format('invoices_%s', to_char(month, 'YYYY_MM'));
        IF to_regclass(format('bmc_transactional.%I', name)) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE bmc_transactional.%I PARTITION OF bmc_transactional.invoices
                 FOR VALUES FROM (%L) TO (%L)',
                name,
                month::timestamp AT TIME ZONE 'UTC',
                (month + interval '1 month')::timestamp AT TIME ZONE 'UTC');
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END;
$$;

-- A time as the API writes it: RFC 3339 in UTC with milliseconds.
CREATE FUNCTION bmc_transactional.rfc3339(at timestamptz) RETURNS text
    LANGUAGE sql STABLE STRICT
    RETURN to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

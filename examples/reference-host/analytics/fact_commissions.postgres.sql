-- The seed's bmc_analytics.fact_commissions in PostgreSQL, as the daily export loads into it:
--   COPY bmc_analytics.fact_commissions (invoice_key, product_key, date_key, commission_amount,
--       commission_rate, quantity, total_invoice_amount, registration_id, line_id, product_code,
--       commission_group)
--   FROM PROGRAM 'gzip -dc fact_commissions-YYYYMMDD.csv.gz' WITH (FORMAT csv, HEADER true);
-- quantity is wider than the seed's DECIMAL(15,4): invoiced quantities carry up to 6 decimals.
CREATE SCHEMA IF NOT EXISTS bmc_analytics;
CREATE TABLE IF NOT EXISTS bmc_analytics.fact_commissions (
    commission_key       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_key          bigint NOT NULL,
    product_key          bigint NOT NULL,
    date_key             integer NOT NULL,
    commission_amount    numeric(15,4) NOT NULL,
    commission_rate      numeric(8,6) NOT NULL,
    quantity             numeric(18,6) NOT NULL,
    total_invoice_amount numeric(15,4) NOT NULL,
    registration_id      text NOT NULL,
    line_id              text NOT NULL,
    product_code         text,
    commission_group     text NOT NULL
);

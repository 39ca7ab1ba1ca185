-- The seed's bmc_analytics.fact_commissions in Redshift, with the export's natural keys, and
-- how a day's export loads into it:
--   COPY bmc_analytics.fact_commissions (invoice_key, product_key, date_key, commission_amount,
--       commission_rate, quantity, total_invoice_amount, registration_id, line_id, product_code,
--       commission_group)
--   FROM 's3://BUCKET/analytics/fact_commissions/date_key=YYYYMMDD/'
--   IAM_ROLE 'arn:aws:iam::ACCOUNT:role/ROLE' CSV GZIP IGNOREHEADER 1 EMPTYASNULL;
-- quantity is wider than the seed's DECIMAL(15,4): invoiced quantities carry up to 6 decimals.
CREATE SCHEMA IF NOT EXISTS bmc_analytics;
CREATE TABLE IF NOT EXISTS bmc_analytics.fact_commissions (
    commission_key       BIGINT IDENTITY(1,1) PRIMARY KEY,
    invoice_key          BIGINT NOT NULL,
    product_key          BIGINT NOT NULL,
    date_key             INTEGER NOT NULL,
    commission_amount    DECIMAL(15,4) NOT NULL,
    commission_rate      DECIMAL(8,6) NOT NULL,
    quantity             DECIMAL(18,6) NOT NULL,
    total_invoice_amount DECIMAL(15,4) NOT NULL,
    registration_id      VARCHAR(32) NOT NULL,
    line_id              VARCHAR(64) NOT NULL,
    product_code         VARCHAR(100),
    commission_group     VARCHAR(64) NOT NULL
) DISTKEY(date_key) SORTKEY(date_key);

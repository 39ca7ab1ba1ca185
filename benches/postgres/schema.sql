-- The seed's products table and indexes (seed/architecture.md), plus what the comparison's
-- queries need: pg_trgm on product_name for ranked and fuzzy name search, and text_pattern_ops
-- on dian_classification for prefix queries.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE SCHEMA IF NOT EXISTS bmc_transactional;
DROP TABLE IF EXISTS bmc_transactional.products;
CREATE TABLE bmc_transactional.products (
    product_id BIGSERIAL PRIMARY KEY,
    product_code VARCHAR(50) UNIQUE NOT NULL,
    product_name VARCHAR(255) NOT NULL,
    dian_classification VARCHAR(20) NOT NULL,
    category_id INTEGER NOT NULL,
    unit_type VARCHAR(20) NOT NULL,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

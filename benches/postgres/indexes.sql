CREATE INDEX idx_products_code ON bmc_transactional.products(product_code);
CREATE INDEX idx_products_dian ON bmc_transactional.products(dian_classification text_pattern_ops, product_code);
CREATE INDEX idx_products_active ON bmc_transactional.products(is_active) WHERE is_active = true;
CREATE INDEX idx_products_name_trgm ON bmc_transactional.products USING gin (product_name gin_trgm_ops);
ANALYZE bmc_transactional.products;

-- A rate limit shared by every host process: one row a request taken within its window (DIAN's
-- 1,000 an hour), named by what it limits; rows older than the window are deleted as slots are
-- taken.
CREATE TABLE bmc_transactional.rate_slots (
    name     text NOT NULL,
    taken_at timestamptz NOT NULL
);
CREATE INDEX rate_slots_by_name ON bmc_transactional.rate_slots (name, taken_at);

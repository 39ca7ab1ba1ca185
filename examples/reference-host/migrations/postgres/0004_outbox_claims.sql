-- Several host processes relay one outbox: a relay claims a batch for a while, so another
-- relay skips it instead of delivering it again; a claim left by a process that died runs out
-- and the batch is taken by the next relay.
ALTER TABLE bmc_transactional.outbox ADD COLUMN claimed_until timestamptz;

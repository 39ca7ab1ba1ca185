-- The daily analytics export reads a day's registrations.
CREATE INDEX registrations_by_date
    ON bmc_transactional.registrations ((body->>'registration_date'), registration_id);

DROP TABLE account_events;
ALTER TABLE accounts DROP COLUMN disabled_at;

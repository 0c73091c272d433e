-- A step can be played again in the same session (a new attempt): the evaluation judges the
-- latest attempt of each step, and the report shows the earlier ones. `id` keeps the order the
-- steps were opened in, which the open step is read from (two openings can share a time).
ALTER TABLE certification_steps ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE certification_steps ADD COLUMN id BIGSERIAL NOT NULL;
ALTER TABLE certification_steps DROP CONSTRAINT certification_steps_pkey;
ALTER TABLE certification_steps ADD PRIMARY KEY (session_id, number, attempt);

-- The attempt of the step that was open when the exchange arrived.
ALTER TABLE certification_exchanges ADD COLUMN attempt INTEGER;
UPDATE certification_exchanges SET attempt = 1 WHERE step IS NOT NULL;

-- A step can be played again in the same session (a new attempt): the evaluation judges the
-- latest attempt of each step, and the report shows the earlier ones. `id` keeps the order the
-- steps were opened in, which the open step is read from (two openings can share a time).
CREATE TABLE certification_steps_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES certification_sessions (id),
    number INTEGER NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    opened_at TIMESTAMP NOT NULL,
    opened_by TEXT NOT NULL,
    UNIQUE (session_id, number, attempt)
);
INSERT INTO certification_steps_attempts (session_id, number, attempt, opened_at, opened_by)
    SELECT session_id, number, 1, opened_at, opened_by FROM certification_steps
    ORDER BY session_id, number;
DROP TABLE certification_steps;
ALTER TABLE certification_steps_attempts RENAME TO certification_steps;

-- The attempt of the step that was open when the exchange arrived.
ALTER TABLE certification_exchanges ADD COLUMN attempt INTEGER;
UPDATE certification_exchanges SET attempt = 1 WHERE step IS NOT NULL;

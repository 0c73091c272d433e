ALTER TABLE certification_exchanges DROP COLUMN attempt;
CREATE TABLE certification_steps_first (
    session_id TEXT NOT NULL REFERENCES certification_sessions (id),
    number INTEGER NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    opened_by TEXT NOT NULL,
    PRIMARY KEY (session_id, number)
);
INSERT INTO certification_steps_first (session_id, number, opened_at, opened_by)
    SELECT session_id, number, opened_at, opened_by FROM certification_steps WHERE attempt = 1;
DROP TABLE certification_steps;
ALTER TABLE certification_steps_first RENAME TO certification_steps;

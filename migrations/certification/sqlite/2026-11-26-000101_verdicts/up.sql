-- Staff verdicts on what only a DMS's screen shows (C07, C14): records, never changed; the
-- latest per criterion counts.
CREATE TABLE certification_verdicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES certification_sessions (id),
    criterion TEXT NOT NULL,
    passed BOOLEAN NOT NULL,
    note TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    decided_by TEXT NOT NULL
);
CREATE INDEX certification_verdicts_session ON certification_verdicts (session_id, id);

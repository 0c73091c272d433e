-- The certification harness's own tables (SPEC 5). They exist only in the certification
-- database, next to its copy of the production tables: production never holds them.
CREATE TABLE certification_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    dms_name TEXT NOT NULL,
    dms_version TEXT NOT NULL,
    dms_builder TEXT NOT NULL,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    username TEXT NOT NULL,
    -- The operator sheet as it was made for this session (JSON).
    sheet TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE certification_steps (
    session_id TEXT NOT NULL REFERENCES certification_sessions (id),
    number INTEGER NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    opened_by TEXT NOT NULL,
    PRIMARY KEY (session_id, number)
);

CREATE TABLE certification_exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES certification_sessions (id),
    step INTEGER,
    received_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    -- JSON [[name, value], ...]; the password of an Authorization header is masked.
    request_headers TEXT NOT NULL,
    request_body BLOB NOT NULL,
    response_status INTEGER NOT NULL,
    response_headers TEXT NOT NULL,
    response_body BLOB NOT NULL,
    injected TEXT CHECK (injected IN ('server', 'timeout'))
);
CREATE INDEX certification_exchanges_session ON certification_exchanges (session_id, id);

CREATE TABLE certification_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES certification_sessions (id),
    step INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    attached_at TIMESTAMP NOT NULL,
    attached_by TEXT NOT NULL
);

-- Evaluations are records: evaluating again adds one, nothing changes or removes one.
CREATE TABLE certification_evaluations (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES certification_sessions (id),
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    certifiable BOOLEAN NOT NULL,
    -- The evaluation as JSON (domain::certification::evaluation::Evaluation).
    report TEXT NOT NULL
);
CREATE INDEX certification_evaluations_session ON certification_evaluations (session_id, created_at);
CREATE TRIGGER certification_evaluations_no_update BEFORE UPDATE ON certification_evaluations
BEGIN SELECT RAISE(ABORT, 'certification evaluations are immutable: evaluate again instead'); END;
CREATE TRIGGER certification_evaluations_no_delete BEFORE DELETE ON certification_evaluations
BEGIN SELECT RAISE(ABORT, 'certification evaluations are immutable'); END;

-- Issue 19: a session's recording has a quota, counted here so that checking it reads no
-- body; what a request kept of itself when its body is not kept whole.
ALTER TABLE certification_sessions ADD COLUMN recorded_exchanges BIGINT NOT NULL DEFAULT 0;
ALTER TABLE certification_sessions ADD COLUMN recorded_bytes BIGINT NOT NULL DEFAULT 0;
-- Exchanges answered with "recording full" and not recorded.
ALTER TABLE certification_sessions ADD COLUMN refused_exchanges BIGINT NOT NULL DEFAULT 0;
UPDATE certification_sessions SET
    recorded_exchanges = (SELECT COUNT(*) FROM certification_exchanges x WHERE x.session_id = certification_sessions.id),
    recorded_bytes = (SELECT COALESCE(SUM(LENGTH(x.request_body) + LENGTH(x.response_body)), 0)
                      FROM certification_exchanges x WHERE x.session_id = certification_sessions.id);

-- The request's size as received; the SHA-256 of what is kept of it once its secrets are
-- removed (a digest of the raw request could be tried against guessed passwords).
ALTER TABLE certification_exchanges ADD COLUMN request_size BIGINT NOT NULL DEFAULT 0;
ALTER TABLE certification_exchanges ADD COLUMN request_sha256 TEXT;
-- Why the body is not kept whole (unauthenticated, or not safe to keep).
ALTER TABLE certification_exchanges ADD COLUMN request_note TEXT;
-- The request's facts (JSON, domain::certification::facts::RequestFacts) read when it
-- arrived, for a body not kept whole: the evaluation cannot read them from what is kept.
ALTER TABLE certification_exchanges ADD COLUMN request_facts TEXT;
UPDATE certification_exchanges SET request_size = LENGTH(request_body);

-- A screenshot's name as its uploader gave it; `file_name` is a short, safe one that every
-- tar and file system takes.
ALTER TABLE certification_attachments ADD COLUMN original_name TEXT;

-- What the operator page lists of an exchange, read when it was recorded, so that the page
-- reads no body. Empty for exchanges recorded before.
ALTER TABLE certification_exchanges ADD COLUMN operation TEXT;
ALTER TABLE certification_exchanges ADD COLUMN outcome TEXT;

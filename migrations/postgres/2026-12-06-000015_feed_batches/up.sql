-- A partner's bulk upload of readings (issue 22, point 2), known by the id the partner chose:
-- sending the same batch again stores nothing twice. Its lines are committed in chunks, each
-- in a transaction of its own that also moves `lines` and `prefix_sha256` on, so that an
-- upload cut off midway resumes after the last committed chunk and can tell whether it is
-- being resumed with the same file.
CREATE TABLE feed_batches (
    company_id BIGINT NOT NULL REFERENCES companies (id),
    batch_id TEXT NOT NULL,
    -- The account whose readings the batch's are (their ClientReference is "batch ID line N").
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    source TEXT NOT NULL CHECK (source IN ('connected')),
    format TEXT NOT NULL CHECK (format IN ('csv', 'ndjson')),
    channel TEXT NOT NULL CHECK (channel IN ('http', 'cli')),
    -- Lines of the file committed so far (a CSV's header included) and the SHA-256 of their bytes.
    lines BIGINT NOT NULL,
    prefix_sha256 TEXT NOT NULL,
    stored BIGINT NOT NULL,
    conflicts BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    -- Set when the whole file went through: the SHA-256 of all of it.
    file_sha256 TEXT,
    started_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    PRIMARY KEY (company_id, batch_id)
);

-- The lines of a batch that were not simply stored: refused (with why) or in conflict with the
-- vehicle's history (stored, held for staff review: the reading named).
CREATE TABLE feed_lines (
    company_id BIGINT NOT NULL,
    batch_id TEXT NOT NULL,
    line BIGINT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('refused', 'conflict')),
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    reading_id TEXT,
    PRIMARY KEY (company_id, batch_id, line),
    FOREIGN KEY (company_id, batch_id) REFERENCES feed_batches (company_id, batch_id)
);

-- Fails on the CHECKs while RDW imports exist: remove them first.
DROP TABLE rdw_verdicts;
CREATE TABLE feed_batches_new (
    company_id BIGINT NOT NULL REFERENCES companies (id),
    batch_id TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    source TEXT NOT NULL CHECK (source IN ('connected')),
    format TEXT NOT NULL CHECK (format IN ('csv', 'ndjson')),
    channel TEXT NOT NULL CHECK (channel IN ('http', 'cli')),
    lines BIGINT NOT NULL,
    prefix_sha256 TEXT NOT NULL,
    stored BIGINT NOT NULL,
    conflicts BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    file_sha256 TEXT,
    started_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    PRIMARY KEY (company_id, batch_id)
);
INSERT INTO feed_batches_new SELECT company_id, batch_id, account_id, source, format, channel,
    lines, prefix_sha256, stored, conflicts, refused, file_sha256, started_at, updated_at,
    completed_at FROM feed_batches;
DROP TABLE feed_batches;
ALTER TABLE feed_batches_new RENAME TO feed_batches;

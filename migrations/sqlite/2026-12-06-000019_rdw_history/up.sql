-- The Dutch registry's odometer history (issue 22, point 4): a file the registry's staff import
-- goes through the partners' batches (one batch per file, so that importing it again stores
-- nothing twice), with its own source and format. SQLite cannot change a CHECK, so the batches
-- are rebuilt; migrations run with foreign keys off, and feed_lines' reference follows the name.
CREATE TABLE feed_batches_new (
    company_id BIGINT NOT NULL REFERENCES companies (id),
    batch_id TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    source TEXT NOT NULL CHECK (source IN ('connected', 'rdw')),
    format TEXT NOT NULL CHECK (format IN ('csv', 'ndjson', 'rdw')),
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

-- The RDW's judgment of a vehicle's series of readings ("tellerstandoordeel": logisch,
-- onlogisch, geen oordeel), as a line of an imported file gave it. The Car-Pass shows the one
-- given with the latest reading (the latest import on a tie).
CREATE TABLE rdw_verdicts (
    company_id BIGINT NOT NULL,
    batch_id TEXT NOT NULL,
    line BIGINT NOT NULL,
    vin TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('logisch', 'onlogisch', 'geen_oordeel')),
    -- The date of the line's reading: the history the verdict judged ends there.
    judged_on DATE NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (company_id, batch_id, line),
    FOREIGN KEY (company_id, batch_id) REFERENCES feed_batches (company_id, batch_id)
);
CREATE INDEX rdw_verdicts_by_vin ON rdw_verdicts (vin, judged_on);

-- The Dutch registry's odometer history (issue 22, point 4): a file the registry's staff import
-- goes through the partners' batches (one batch per file, so that importing it again stores
-- nothing twice), with its own source and format.
ALTER TABLE feed_batches DROP CONSTRAINT feed_batches_source_check;
ALTER TABLE feed_batches ADD CONSTRAINT feed_batches_source_check
    CHECK (source IN ('connected', 'rdw'));
ALTER TABLE feed_batches DROP CONSTRAINT feed_batches_format_check;
ALTER TABLE feed_batches ADD CONSTRAINT feed_batches_format_check
    CHECK (format IN ('csv', 'ndjson', 'rdw'));

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

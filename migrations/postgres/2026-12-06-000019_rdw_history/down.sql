-- Fails on the CHECKs while RDW imports exist: remove them first.
DROP TABLE rdw_verdicts;
ALTER TABLE feed_batches DROP CONSTRAINT feed_batches_format_check;
ALTER TABLE feed_batches ADD CONSTRAINT feed_batches_format_check
    CHECK (format IN ('csv', 'ndjson'));
ALTER TABLE feed_batches DROP CONSTRAINT feed_batches_source_check;
ALTER TABLE feed_batches ADD CONSTRAINT feed_batches_source_check
    CHECK (source IN ('connected'));

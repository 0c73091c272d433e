DROP TABLE feed_lines;
DROP TABLE feed_batches;

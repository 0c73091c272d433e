-- SQLite checks whether a query's `status = ?` implies a partial index's WHERE by reading the
-- bound value, and then expires the statement whenever that parameter is bound again: every
-- history read was prepared anew. readings_reviewing (status, received_at) serves the lookups
-- by status as well. Dropped on both backends, so that they keep one schema.
DROP INDEX readings_waiting;

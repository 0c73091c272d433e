-- Issue 21: every Car-Pass issued, with what it printed (the document as JSON: the
-- verification page shows exactly that, whatever happens to the history later), who asked for
-- it and what it cost (the monthly invoices). The request's own reading is the one it was
-- issued for; a resend of its ClientReference finds the same Car-Pass.
CREATE TABLE car_passes (
    id TEXT PRIMARY KEY NOT NULL,
    vin TEXT NOT NULL,
    reading_id TEXT NOT NULL UNIQUE REFERENCES readings (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    company_id BIGINT NOT NULL REFERENCES companies (id),
    issued_at TIMESTAMP NOT NULL,
    valid_until DATE NOT NULL,
    price_cents BIGINT NOT NULL,
    language TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX car_passes_by_vin ON car_passes (vin, issued_at);
CREATE INDEX car_passes_by_issue_time ON car_passes (issued_at);

-- Lookups of Car-Pass IDs that were never issued, per client address: a client that asks for
-- many is held back (issue 21, point 5). In the database so that every instance counts alike.
CREATE TABLE verify_misses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client TEXT NOT NULL,
    missed_at TIMESTAMP NOT NULL
);
CREATE INDEX verify_misses_by_client ON verify_misses (client, missed_at);

-- Fails on the CHECKs while partners' companies or accounts exist: remove them first.
ALTER TABLE readings DROP COLUMN source;
CREATE TABLE companies_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kbo TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('garage', 'portal', 'registry')),
    nace_codes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO companies_new (id, kbo, name, kind, nace_codes, created_at)
SELECT id, kbo, name, kind, nace_codes, created_at FROM companies;
DROP TABLE companies;
ALTER TABLE companies_new RENAME TO companies;

CREATE TABLE accounts_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('submitter', 'portal', 'staff')),
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);
INSERT INTO accounts_new (id, company_id, username, role, password_hash, created_at, disabled_at)
SELECT id, company_id, username, role, password_hash, created_at, disabled_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;

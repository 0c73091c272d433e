-- The registry's other partners (inspection centres, manufacturers and importers, accident
-- experts) get companies and accounts of their own kinds. SQLite cannot change a CHECK, so both
-- tables are rebuilt; migrations run with foreign keys off, and the references to them follow
-- the name.
CREATE TABLE companies_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kbo TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('garage', 'portal', 'registry', 'inspection', 'manufacturer', 'expert')),
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
    role TEXT NOT NULL CHECK (role IN ('submitter', 'portal', 'staff', 'inspector', 'manufacturer', 'expert')),
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);
INSERT INTO accounts_new (id, company_id, username, role, password_hash, created_at, disabled_at)
SELECT id, company_id, username, role, password_hash, created_at, disabled_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;

-- Where a reading came from: a garage's job (SPEC 3), the reading taken when a Car-Pass is
-- requested, a manufacturer's connected car, an importer's foreign history, the Dutch RDW.
ALTER TABLE readings ADD COLUMN source TEXT NOT NULL DEFAULT 'garage'
    CHECK (source IN ('garage', 'car_pass', 'connected', 'foreign', 'rdw'));

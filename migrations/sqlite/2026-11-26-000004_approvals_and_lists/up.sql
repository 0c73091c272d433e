-- "Approved DMS" labels issued from certification reports (SPEC 2.11, 5), the yearly Trusted
-- Provider lists (SPEC 2.10), and the staff's browser sessions (SPEC 6).
CREATE TABLE dms_approvals (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL,
    evaluation_id TEXT NOT NULL,
    dms_name TEXT NOT NULL,
    dms_version TEXT NOT NULL,
    dms_builder TEXT NOT NULL,
    valid_until DATE NOT NULL,
    approved_at TIMESTAMP NOT NULL,
    approved_by TEXT NOT NULL,
    note TEXT NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by TEXT,
    revoke_note TEXT
);
CREATE INDEX dms_approvals_software ON dms_approvals (dms_builder, dms_name, dms_version);

CREATE TABLE trusted_provider_lists (
    year INTEGER PRIMARY KEY NOT NULL,
    min_readings BIGINT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    published_by TEXT NOT NULL
);

CREATE TABLE trusted_providers (
    year INTEGER NOT NULL REFERENCES trusted_provider_lists (year),
    company_id BIGINT NOT NULL REFERENCES companies (id),
    kbo TEXT NOT NULL,
    name TEXT NOT NULL,
    readings BIGINT NOT NULL,
    discrepancies BIGINT NOT NULL,
    PRIMARY KEY (year, company_id)
);

CREATE TABLE staff_sessions (
    -- SHA-256 of the cookie's token: a stolen database does not yield live sessions.
    token_hash TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

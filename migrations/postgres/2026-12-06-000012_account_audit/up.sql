-- Accounts can be revoked (a leaked DMS password), and every change to a company or an account
-- keeps who made it and when. Rows of account_events are only ever added.
ALTER TABLE accounts ADD COLUMN disabled_at TIMESTAMP;

CREATE TABLE account_events (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    account_id BIGINT REFERENCES accounts (id),
    action TEXT NOT NULL CHECK (action IN ('company_added', 'account_added', 'disabled', 'enabled', 'password_reset')),
    -- The staff account that acted; NULL when there was none (see note).
    staff_username TEXT,
    note TEXT,
    acted_at TIMESTAMP NOT NULL
);
CREATE INDEX account_events_of_account ON account_events (account_id, id);
CREATE INDEX account_events_of_company ON account_events (company_id, id);

-- What existed before: its creation is known, who did it is not.
INSERT INTO account_events (company_id, account_id, action, staff_username, note, acted_at)
SELECT id, NULL, 'company_added', NULL, 'added before changes were recorded', created_at FROM companies;
INSERT INTO account_events (company_id, account_id, action, staff_username, note, acted_at)
SELECT company_id, id, 'account_added', NULL, 'added before changes were recorded', created_at FROM accounts;

ALTER TABLE readings DROP COLUMN source;
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check CHECK (role IN ('submitter', 'portal', 'staff'));
ALTER TABLE companies DROP CONSTRAINT companies_kind_check;
ALTER TABLE companies ADD CONSTRAINT companies_kind_check CHECK (kind IN ('garage', 'portal', 'registry'));

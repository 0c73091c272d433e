-- The registry's other partners (inspection centres, manufacturers and importers, accident
-- experts) get companies and accounts of their own kinds.
ALTER TABLE companies DROP CONSTRAINT companies_kind_check;
ALTER TABLE companies ADD CONSTRAINT companies_kind_check
    CHECK (kind IN ('garage', 'portal', 'registry', 'inspection', 'manufacturer', 'expert'));
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
    CHECK (role IN ('submitter', 'portal', 'staff', 'inspector', 'manufacturer', 'expert'));

-- The registry's other partners (inspection centres, manufacturers and importers, accident
-- experts) get companies and accounts of their own kinds.
ALTER TABLE companies DROP CONSTRAINT companies_kind_check;
ALTER TABLE companies ADD CONSTRAINT companies_kind_check
    CHECK (kind IN ('garage', 'portal', 'registry', 'inspection', 'manufacturer', 'expert'));
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
    CHECK (role IN ('submitter', 'portal', 'staff', 'inspector', 'manufacturer', 'expert'));

-- Where a reading came from: a garage's job (SPEC 3), the reading taken when a Car-Pass is
-- requested, a manufacturer's connected car, an importer's foreign history, the Dutch RDW.
ALTER TABLE readings ADD COLUMN source TEXT NOT NULL DEFAULT 'garage'
    CHECK (source IN ('garage', 'car_pass', 'connected', 'foreign', 'rdw'));

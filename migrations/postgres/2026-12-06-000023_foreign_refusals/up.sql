-- An importer's foreign readings that SubmitForeignHistory refused (issue 22, point 7): the
-- answer names them, and this keeps them so that staff see per partner what was refused and why.
-- Written in the transaction that stores the request's other readings; a reading refused again
-- when sent again is kept again (it was sent again). A request refused whole by a fault changes
-- nothing and is not kept here.
CREATE TABLE foreign_refusals (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    vin TEXT NOT NULL,
    reading_date DATE NOT NULL,
    odometer BIGINT NOT NULL,
    odometer_unit TEXT NOT NULL,
    country TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    refused_at TIMESTAMP NOT NULL
);
CREATE INDEX foreign_refusals_company ON foreign_refusals (company_id, id);

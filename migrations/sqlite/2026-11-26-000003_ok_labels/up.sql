-- SPEC 2.9: a granted OK label, as an advert links to it. The history is not copied here: the
-- public page re-checks it to say whether the label still holds.
CREATE TABLE ok_labels (
    id TEXT PRIMARY KEY NOT NULL,
    vin TEXT NOT NULL,
    advertised_km BIGINT NOT NULL,
    advert_reference TEXT,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    granted_at TIMESTAMP NOT NULL
);
CREATE INDEX ok_labels_by_vin ON ok_labels (vin);

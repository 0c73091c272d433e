-- An importer's reading from the vehicle's country of origin (issue 22, point 3). The reading
-- itself is in `readings` (source 'foreign'); here is where it was taken and by whom. The key
-- stores a reading once however often the importer sends it.
CREATE TABLE foreign_readings (
    reading_id TEXT PRIMARY KEY REFERENCES readings (id),
    vin TEXT NOT NULL,
    work_date DATE NOT NULL,
    odometer BIGINT NOT NULL,
    odometer_unit TEXT NOT NULL,
    -- ISO 3166-1 alpha-2.
    country TEXT NOT NULL,
    -- The foreign registry's or garage's name, as the importer gave it.
    source_text TEXT NOT NULL
);
CREATE UNIQUE INDEX foreign_readings_once
    ON foreign_readings (vin, work_date, odometer, odometer_unit, country);

-- Post-accident inspections (issue 22, point 6), as records that never change: an accident
-- expert's report sets a vehicle's inspection pending, an inspection centre's passed inspection
-- clears it, a failed one leaves it pending. The latest report without a passed inspection
-- after it is what a Car-Pass prints.
CREATE TABLE post_accident_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vin TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('reported', 'passed', 'failed')),
    event_date DATE NOT NULL,
    -- A report's INFORMEX reference: each is reported once.
    informex_reference TEXT UNIQUE,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    received_at TIMESTAMP NOT NULL,
    CHECK ((kind = 'reported') = (informex_reference IS NOT NULL))
);
CREATE INDEX post_accident_events_vin ON post_accident_events (vin, id);

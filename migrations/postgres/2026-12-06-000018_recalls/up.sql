-- Recalls (issue 22, point 5): a manufacturer or importer reports that a vehicle has an open
-- recall; it is closed by that company (CloseRecall) or by a garage's job that carried the
-- recall campaign's work (closed_reading_id). One row per vehicle and campaign reference.
CREATE TABLE recalls (
    vin TEXT NOT NULL REFERENCES vehicles (vin),
    reference TEXT NOT NULL,
    -- Dutch and French are required; German and English as sent (NULL: shown in French, in
    -- Dutch).
    title_nl TEXT NOT NULL,
    title_fr TEXT NOT NULL,
    title_de TEXT,
    title_en TEXT,
    opened_on DATE NOT NULL,
    reported_by BIGINT NOT NULL REFERENCES companies (id),
    reported_at TIMESTAMP NOT NULL,
    closed_on DATE,
    closed_how TEXT CHECK (closed_how IN ('manufacturer', 'repair')),
    -- The manufacturer, or the garage whose reading carried the repair.
    closed_by BIGINT REFERENCES companies (id),
    closed_reading_id TEXT REFERENCES readings (id),
    closed_at TIMESTAMP,
    PRIMARY KEY (vin, reference),
    CHECK ((closed_on IS NULL) = (closed_how IS NULL)),
    CHECK ((closed_on IS NULL) = (closed_by IS NULL)),
    CHECK ((closed_on IS NULL) = (closed_at IS NULL)),
    CHECK (closed_reading_id IS NULL OR closed_how = 'repair')
);

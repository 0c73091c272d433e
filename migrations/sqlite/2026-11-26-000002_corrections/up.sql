-- SPEC 2.7: an error is corrected electronically once. The primary key makes a second answer
-- to the same issue impossible, whichever server instance receives it.
CREATE TABLE issue_answers (
    issue_id BIGINT PRIMARY KEY NOT NULL REFERENCES issues (id),
    kind TEXT NOT NULL CHECK (kind IN ('Correction', 'Confirmation')),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    note TEXT,
    answered_at TIMESTAMP NOT NULL
);

-- The audit trail: the values a reading had before each change, who changed them, when, why.
CREATE TABLE reading_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reading_id TEXT NOT NULL REFERENCES readings (id),
    previous_values TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('CorrectIssue', 'PaperForm')),
    issue_id BIGINT REFERENCES issues (id),
    form_reference TEXT,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX reading_versions_by_reading ON reading_versions (reading_id);

-- What registry staff did to a reading, and why.
CREATE TABLE staff_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reading_id TEXT NOT NULL REFERENCES readings (id),
    staff_username TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('Accept', 'Reject', 'PaperCorrection')),
    note TEXT NOT NULL,
    form_reference TEXT,
    acted_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_actions_by_reading ON staff_actions (reading_id);
CREATE INDEX readings_reviewing ON readings (status, received_at);

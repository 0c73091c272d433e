-- Issue 18: the review of a session, as records that never change: the vendor's "ready for
-- review", the staff's comments, and their overrides of a criterion (with the reason, shown in
-- every report of the evaluations that follow).
CREATE TABLE certification_review_notes (
    id BIGSERIAL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES certification_sessions (id),
    kind TEXT NOT NULL CHECK (kind IN ('ready', 'comment', 'override')),
    -- An override's criterion and what staff decided; empty for the other kinds.
    criterion TEXT,
    passed BOOLEAN,
    body TEXT NOT NULL,
    written_at TIMESTAMP NOT NULL,
    written_by TEXT NOT NULL,
    CHECK ((kind = 'override') = (criterion IS NOT NULL AND passed IS NOT NULL))
);
CREATE INDEX certification_review_notes_session ON certification_review_notes (session_id, id);

-- Issue 18: a session's DMS version is approved once; renewing it is a new session's approval.
-- The index makes a second click (or a second staff member at the same moment) fail.
CREATE UNIQUE INDEX dms_approvals_one_per_session ON dms_approvals (session_id);

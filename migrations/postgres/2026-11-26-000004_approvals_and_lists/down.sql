DROP TABLE staff_sessions;
DROP TABLE trusted_providers;
DROP TABLE trusted_provider_lists;
DROP TABLE dms_approvals;

ALTER TABLE certification_attachments DROP COLUMN original_name;
ALTER TABLE certification_exchanges DROP COLUMN request_facts;
ALTER TABLE certification_exchanges DROP COLUMN request_note;
ALTER TABLE certification_exchanges DROP COLUMN request_sha256;
ALTER TABLE certification_exchanges DROP COLUMN request_size;
ALTER TABLE certification_sessions DROP COLUMN refused_exchanges;
ALTER TABLE certification_sessions DROP COLUMN recorded_bytes;
ALTER TABLE certification_sessions DROP COLUMN recorded_exchanges;

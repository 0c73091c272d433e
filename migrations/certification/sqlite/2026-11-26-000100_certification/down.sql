DROP TABLE certification_evaluations;
DROP TABLE certification_attachments;
DROP TABLE certification_exchanges;
DROP TABLE certification_steps;
DROP TABLE certification_sessions;

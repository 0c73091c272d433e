ALTER TABLE certification_exchanges DROP COLUMN attempt;
DELETE FROM certification_steps WHERE attempt > 1;
ALTER TABLE certification_steps DROP CONSTRAINT certification_steps_pkey;
ALTER TABLE certification_steps ADD PRIMARY KEY (session_id, number);
ALTER TABLE certification_steps DROP COLUMN attempt;
ALTER TABLE certification_steps DROP COLUMN id;

DROP INDEX readings_history;
CREATE INDEX readings_by_vin ON readings (vin, work_date);

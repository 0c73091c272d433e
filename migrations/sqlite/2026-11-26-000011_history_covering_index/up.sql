-- The history of a VIN is read for every reading received and every one checked: with every
-- column it needs in the index, in the order it is read, it costs neither a lookup in the
-- table per reading nor a sort.
DROP INDEX readings_by_vin;
CREATE INDEX readings_history ON readings (vin, work_date, received_at, id, status, odometer, odometer_unit, odometer_replaced);

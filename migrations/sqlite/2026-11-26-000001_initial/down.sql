DROP TABLE ws_nonces;
DROP TABLE vin_locks;
DROP TABLE issues;
DROP TABLE reading_works;
DROP TABLE readings;
DROP TABLE vehicles;
DROP TABLE accounts;
DROP TABLE companies;

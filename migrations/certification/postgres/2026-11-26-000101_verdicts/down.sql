DROP TABLE certification_verdicts;

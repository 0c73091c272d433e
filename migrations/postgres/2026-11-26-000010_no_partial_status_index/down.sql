CREATE INDEX readings_waiting ON readings (status) WHERE status = 'WaitingForRegistration';

DROP INDEX readings_reviewing;
DROP TABLE staff_actions;
DROP TABLE reading_versions;
DROP TABLE issue_answers;

DROP TABLE post_accident_events;
DROP TABLE foreign_readings;

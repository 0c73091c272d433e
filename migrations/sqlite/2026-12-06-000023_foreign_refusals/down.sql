DROP TABLE foreign_refusals;

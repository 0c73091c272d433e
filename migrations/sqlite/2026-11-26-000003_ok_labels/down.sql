DROP TABLE ok_labels;

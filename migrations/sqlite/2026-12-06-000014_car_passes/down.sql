DROP TABLE verify_misses;
DROP TABLE car_passes;

ALTER TABLE threads ADD COLUMN originator TEXT;

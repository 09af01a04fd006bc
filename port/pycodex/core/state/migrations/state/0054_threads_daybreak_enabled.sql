ALTER TABLE threads ADD COLUMN daybreak_enabled BOOLEAN;

ALTER TABLE threads ADD COLUMN thread_source TEXT;

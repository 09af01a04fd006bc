ALTER TABLE threads ADD COLUMN agent_path TEXT;

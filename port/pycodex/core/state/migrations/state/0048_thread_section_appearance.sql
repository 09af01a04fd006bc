ALTER TABLE thread_sections ADD COLUMN appearance TEXT;

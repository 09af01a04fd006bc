ALTER TABLE thread_dynamic_tools
ADD COLUMN namespace TEXT;

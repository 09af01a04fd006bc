ALTER TABLE thread_dynamic_tools
ADD COLUMN defer_loading INTEGER NOT NULL DEFAULT 0;

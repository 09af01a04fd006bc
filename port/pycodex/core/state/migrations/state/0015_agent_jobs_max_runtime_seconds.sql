ALTER TABLE agent_jobs
ADD COLUMN max_runtime_seconds INTEGER;

DROP TABLE IF EXISTS agent_job_items;
DROP TABLE IF EXISTS agent_jobs;

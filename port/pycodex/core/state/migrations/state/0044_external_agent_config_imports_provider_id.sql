ALTER TABLE external_agent_config_imports
ADD COLUMN provider_id TEXT;

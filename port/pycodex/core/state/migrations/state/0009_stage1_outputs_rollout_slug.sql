ALTER TABLE stage1_outputs
ADD COLUMN rollout_slug TEXT;

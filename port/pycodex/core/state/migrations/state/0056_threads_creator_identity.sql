ALTER TABLE threads ADD COLUMN creator_user_id TEXT;
ALTER TABLE threads ADD COLUMN creator_account_id TEXT;

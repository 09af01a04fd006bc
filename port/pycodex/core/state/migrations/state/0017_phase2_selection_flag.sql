ALTER TABLE stage1_outputs
ADD COLUMN selected_for_phase2 INTEGER NOT NULL DEFAULT 0;

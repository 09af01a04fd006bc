DROP TABLE IF EXISTS thread_goals;

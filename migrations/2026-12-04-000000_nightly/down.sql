DROP TABLE nights;
DROP INDEX refresh_runs_user;
ALTER TABLE refresh_runs DROP COLUMN ai_calls;
ALTER TABLE refresh_runs DROP COLUMN fingerprint;

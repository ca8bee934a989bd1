ALTER TABLE users DROP COLUMN rating_limit_source;
DROP TABLE used_pins;
ALTER TABLE refresh_runs DROP COLUMN ai_context;
ALTER TABLE refresh_runs DROP COLUMN ai_think_ms;

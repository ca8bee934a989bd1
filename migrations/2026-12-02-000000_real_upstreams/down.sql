DELETE FROM tmdb_lists WHERE list = 'discover';
ALTER TABLE refresh_runs DROP COLUMN ai_ms;
ALTER TABLE tautulli_metadata DROP COLUMN retry_after;

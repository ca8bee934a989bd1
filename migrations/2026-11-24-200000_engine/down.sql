ALTER TABLE users DROP COLUMN last_seen_at;
DROP TABLE tmdb_lists;
DROP TABLE title_lookups;
DROP TABLE refresh_runs;

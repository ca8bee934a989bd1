ALTER TABLE availability DROP COLUMN plex_url;
ALTER TABLE users DROP COLUMN rating_limit;

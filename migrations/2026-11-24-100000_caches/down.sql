DROP TABLE availability;
DROP TABLE plex_discover_keys;
DROP TABLE tautulli_metadata;
DROP TABLE tmdb_details;

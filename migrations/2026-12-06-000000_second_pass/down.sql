CREATE TABLE tmdb_lists_old (
    kind       TEXT   NOT NULL CHECK (kind IN ('movie', 'tv')),
    tmdb_id    BIGINT NOT NULL,
    list       TEXT   NOT NULL CHECK (list IN ('recommendations', 'similar', 'discover')),
    json       TEXT   NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (kind, tmdb_id, list)
);
INSERT INTO tmdb_lists_old SELECT kind, tmdb_id, list, json, fetched_at FROM tmdb_lists
    WHERE list IN ('recommendations', 'similar', 'discover');
DROP TABLE tmdb_lists;
ALTER TABLE tmdb_lists_old RENAME TO tmdb_lists;
ALTER TABLE users DROP COLUMN rating_limit_source;
DROP TABLE used_pins;
ALTER TABLE refresh_runs DROP COLUMN ai_context;
ALTER TABLE refresh_runs DROP COLUMN ai_think_ms;

-- What the real upstreams taught us (docs/upstreams.md).

-- Tautulli answers `data: {}` both for a deleted item and for every item while it cannot reach
-- Plex. Such an answer is kept only until `retry_after`; ids that were found keep NULL (for as
-- long as the key exists). Rows stored before this knew no difference: ask again.
ALTER TABLE tautulli_metadata ADD COLUMN retry_after BIGINT;
DELETE FROM tautulli_metadata WHERE tmdb_id IS NULL;

-- How long the AI took in a run (milliseconds, every attempt), for its measured speed.
ALTER TABLE refresh_runs ADD COLUMN ai_ms BIGINT NOT NULL DEFAULT 0;

-- TMDb's discover lists are cached too (short tabs are filled from them), keyed by genre.
CREATE TABLE tmdb_lists_new (
    kind       TEXT   NOT NULL CHECK (kind IN ('movie', 'tv')),
    tmdb_id    BIGINT NOT NULL,
    list       TEXT   NOT NULL CHECK (list IN ('recommendations', 'similar', 'discover')),
    json       TEXT   NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (kind, tmdb_id, list)
);
INSERT INTO tmdb_lists_new SELECT kind, tmdb_id, list, json, fetched_at FROM tmdb_lists;
DROP TABLE tmdb_lists;
ALTER TABLE tmdb_lists_new RENAME TO tmdb_lists;

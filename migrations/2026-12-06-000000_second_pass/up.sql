-- What a local model's answer cost beyond its writing (docs/recommendations.md "Thinking and
-- context"): how long it thought before its first word, and the context (Ollama's num_ctx) it
-- was asked within; 0 when it did not think, or for providers without such a setting.
ALTER TABLE refresh_runs ADD COLUMN ai_think_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refresh_runs ADD COLUMN ai_context INTEGER NOT NULL DEFAULT 0;

-- A Plex PIN signs in once (docs/reliability.md, "Threat model"): the pre-login cookie that
-- carries it could otherwise be replayed for the PIN's 30 minutes, even after logout.
CREATE TABLE used_pins (
    pin_id  BIGINT PRIMARY KEY NOT NULL,
    used_at BIGINT NOT NULL
);

-- The Plex Discover address is the environment's alone now (PLEX_DISCOVER_URL): every user's
-- Plex token is sent there.
DELETE FROM settings WHERE key = 'plex.discover_url';

-- Where each user's rating limit came from (docs/configuration.md "Users"): '' none, 'plex' the
-- owner's share restriction on plex.tv (Tautulli's filter_movies / filter_tv), 'home' a Plex
-- Home managed user's PG start, 'here' set on the admin page, which wins over the others.
ALTER TABLE users ADD COLUMN rating_limit_source TEXT NOT NULL DEFAULT '';
UPDATE users SET rating_limit_source = 'here' WHERE rating_limit IS NOT NULL;

-- TMDb's most voted titles within a certification (a kid's short tabs are filled from them),
-- cached per step of the ladder: discover_within_1 (G) … discover_within_5 (NC-17).
CREATE TABLE tmdb_lists_new (
    kind       TEXT   NOT NULL CHECK (kind IN ('movie', 'tv')),
    tmdb_id    BIGINT NOT NULL,
    list       TEXT   NOT NULL CHECK (list IN ('recommendations', 'similar', 'discover',
        'discover_within_1', 'discover_within_2', 'discover_within_3', 'discover_within_4',
        'discover_within_5')),
    json       TEXT   NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (kind, tmdb_id, list)
);
INSERT INTO tmdb_lists_new SELECT kind, tmdb_id, list, json, fetched_at FROM tmdb_lists;
DROP TABLE tmdb_lists;
ALTER TABLE tmdb_lists_new RENAME TO tmdb_lists;

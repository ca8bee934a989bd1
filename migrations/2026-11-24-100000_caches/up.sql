-- Caches shared by all users, so each upstream question is asked once. Times are unix seconds.

-- TMDb details (with external ids) as TMDb sent them; refetched after the TTL.
CREATE TABLE tmdb_details (
    kind       TEXT   NOT NULL CHECK (kind IN ('movie', 'tv')),
    tmdb_id    BIGINT NOT NULL,
    json       TEXT   NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (kind, tmdb_id)
);

-- Tautulli rating_key -> TMDb id of the movie or of the episode's show; NULL when it has none.
-- Kept as long as the key exists on the server.
CREATE TABLE tautulli_metadata (
    rating_key TEXT   PRIMARY KEY NOT NULL,
    kind       TEXT   CHECK (kind IN ('movie', 'tv')),
    tmdb_id    BIGINT,
    title      TEXT   NOT NULL DEFAULT '',
    year       INTEGER,
    fetched_at BIGINT NOT NULL
);

-- Plex Discover ratingKey of a title, for adding it to a watchlist.
CREATE TABLE plex_discover_keys (
    kind       TEXT   NOT NULL CHECK (kind IN ('movie', 'tv')),
    tmdb_id    BIGINT NOT NULL,
    rating_key TEXT   NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (kind, tmdb_id)
);

-- Overseerr availability of a title (the statuses of docs/http.md), refreshed in the background.
CREATE TABLE availability (
    kind       TEXT   NOT NULL CHECK (kind IN ('movie', 'tv')),
    tmdb_id    BIGINT NOT NULL,
    status     TEXT   NOT NULL CHECK (status IN ('available', 'partial', 'requested', 'processing', 'missing', 'unknown')),
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (kind, tmdb_id)
);

-- Times are unix seconds (UTC). Kinds are TMDb's: 'movie' or 'tv'.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY NOT NULL,
    plex_id           BIGINT  NOT NULL UNIQUE,       -- Plex account id (= Tautulli user_id, Overseerr plexId)
    username          TEXT    NOT NULL,
    email             TEXT,
    avatar_url        TEXT,
    role              TEXT    NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
    plex_token        TEXT,                          -- the user's own token: his watchlist, never shown
    tautulli_user_id  BIGINT,
    overseerr_user_id BIGINT,
    mapping_error     TEXT,                          -- why mapping to Tautulli/Overseerr failed, for the admin
    created_at        BIGINT  NOT NULL,
    last_login_at     BIGINT  NOT NULL
);

-- Server-side sessions: the cookie carries a random token, the row its SHA-256. Deleting the row
-- (logout, user removed) makes the cookie useless even though the cookie itself is still valid.
CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Values saved on the admin page; they win over the environment. Also holds generated ids.
CREATE TABLE settings (
    key        TEXT   PRIMARY KEY NOT NULL,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- docs/http.md "Records": one per (user, kind, tmdb_id). Title, year and poster are kept so the
-- history page renders without asking any upstream.
CREATE TABLE preferences (
    id          INTEGER PRIMARY KEY NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('movie', 'tv')),
    tmdb_id     BIGINT  NOT NULL CHECK (tmdb_id > 0),
    rating      INTEGER NOT NULL CHECK (rating IN (-1, 1, 2)),
    action      TEXT    NOT NULL CHECK (action IN ('seen', 'skip', 'request', 'watchlist')),
    title       TEXT    NOT NULL DEFAULT '',
    year        INTEGER,
    poster_path TEXT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (user_id, kind, tmdb_id)
);
CREATE INDEX preferences_user_recent ON preferences (user_id, updated_at DESC);

-- The last good rows of each dashboard tab, as one JSON document. Replaced whole, only by a run
-- that produced rows; cards the user acted on are filtered out at read time against preferences.
CREATE TABLE recommendations (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tab          TEXT    NOT NULL CHECK (tab IN ('movies', 'tv', 'documentaries')),
    rows_json    TEXT    NOT NULL,
    generated_at BIGINT  NOT NULL,
    PRIMARY KEY (user_id, tab)
);

-- Where each user's refresh stands, and how the last attempt ended.
CREATE TABLE refresh_status (
    user_id         INTEGER PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state           TEXT    NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'queued', 'running', 'failed')),
    step            TEXT    NOT NULL DEFAULT '',
    done            INTEGER NOT NULL DEFAULT 0,
    total           INTEGER NOT NULL DEFAULT 0,
    message         TEXT    NOT NULL DEFAULT '',
    started_at      BIGINT,
    finished_at     BIGINT,
    last_success_at BIGINT
);

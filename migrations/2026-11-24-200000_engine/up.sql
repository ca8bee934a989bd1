-- The recommendation engine: runs, title lookups, cached TMDb lists, and who is active.

-- One row per refresh attempt, for the admin: who, why, which AI answered, what it cost,
-- how many items were proposed, kept and dropped (and why), and how it ended.
CREATE TABLE refresh_runs (
    id                INTEGER PRIMARY KEY NOT NULL,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    trigger           TEXT    NOT NULL CHECK (trigger IN ('nightly', 'manual', 'admin', 'first_sign_in', 'cli')),
    provider          TEXT    NOT NULL DEFAULT '',
    model             TEXT    NOT NULL DEFAULT '',
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    proposed          INTEGER NOT NULL DEFAULT 0,
    kept              INTEGER NOT NULL DEFAULT 0,
    dropped_json      TEXT    NOT NULL DEFAULT '{}',
    outcome           TEXT    NOT NULL CHECK (outcome IN ('ok', 'ok_without_ai', 'no_history', 'failed')),
    message           TEXT    NOT NULL DEFAULT '',
    started_at        BIGINT  NOT NULL,
    finished_at       BIGINT  NOT NULL
);
CREATE INDEX refresh_runs_recent ON refresh_runs (finished_at DESC);

-- (kind, normalised title, year or 0) -> TMDb id, or NULL when TMDb has no such title.
-- Shared by all users, so each question is asked of TMDb once.
CREATE TABLE title_lookups (
    kind       TEXT    NOT NULL CHECK (kind IN ('movie', 'tv')),
    title      TEXT    NOT NULL,
    year       INTEGER NOT NULL,
    tmdb_id    BIGINT,
    fetched_at BIGINT  NOT NULL,
    PRIMARY KEY (kind, title, year)
);

-- TMDb recommendation lists of a title, as the engine grounds the model in them.
CREATE TABLE tmdb_lists (
    kind       TEXT   NOT NULL CHECK (kind IN ('movie', 'tv')),
    tmdb_id    BIGINT NOT NULL,
    list       TEXT   NOT NULL CHECK (list IN ('recommendations', 'similar')),
    json       TEXT   NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (kind, tmdb_id, list)
);

-- Last time the user was seen (sign-in or page view), for the nightly refresh of active users.
ALTER TABLE users ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE users SET last_seen_at = last_login_at;

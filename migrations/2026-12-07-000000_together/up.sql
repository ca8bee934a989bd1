-- Watch together (docs/recommendations.md "Watch together"): who said yes, what each user's
-- last refresh learned of his taste, and the AI's rows for a group.
ALTER TABLE users ADD COLUMN share_together BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE taste_profiles (
    user_id    INTEGER PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    json       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- members: the group's user ids, sorted, joined by commas.
CREATE TABLE together_rows (
    members      TEXT PRIMARY KEY NOT NULL,
    rows_json    TEXT NOT NULL,
    generated_at BIGINT NOT NULL
);

-- A group's AI call is recorded as its caller's run (trigger 'together'), so its tokens count
-- against the month's budget: the trigger's CHECK takes it (SQLite rebuilds the table for that).
CREATE TABLE refresh_runs_new (
    id                INTEGER PRIMARY KEY NOT NULL,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    trigger           TEXT    NOT NULL CHECK (trigger IN ('nightly', 'manual', 'admin', 'first_sign_in', 'cli', 'together')),
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
    finished_at       BIGINT  NOT NULL,
    ai_ms             BIGINT  NOT NULL DEFAULT 0,
    fingerprint       TEXT    NOT NULL DEFAULT '',
    ai_calls          INTEGER NOT NULL DEFAULT 0,
    ai_think_ms       BIGINT  NOT NULL DEFAULT 0,
    ai_context        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO refresh_runs_new
    SELECT id, user_id, trigger, provider, model, prompt_tokens, completion_tokens, proposed, kept,
           dropped_json, outcome, message, started_at, finished_at, ai_ms, fingerprint, ai_calls,
           ai_think_ms, ai_context
    FROM refresh_runs;
DROP TABLE refresh_runs;
ALTER TABLE refresh_runs_new RENAME TO refresh_runs;
CREATE INDEX refresh_runs_recent ON refresh_runs (finished_at DESC);
CREATE INDEX refresh_runs_user ON refresh_runs (user_id, id DESC);

-- The nightly asks the AI only when a user's taste changed (docs/recommendations.md "The
-- nightly"). Each run that ended with the AI's answer (or with no AI set up) keeps the taste
-- fingerprint it was made from; '' when the run was incomplete, so the next night asks again.
ALTER TABLE refresh_runs ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
-- AI requests the run made (a corrective retry and a fallback each count).
ALTER TABLE refresh_runs ADD COLUMN ai_calls INTEGER NOT NULL DEFAULT 0;
CREATE INDEX refresh_runs_user ON refresh_runs (user_id, id DESC);

-- One row per nightly run (the clock's or `sagarr refresh --nightly`), for the admin page, its
-- counts kept up to date as each user is done. `left_user_ids` (a JSON array) were not started
-- within the budget: they go first next night. A night still running at start-up was cut short
-- by a stop: it is closed at its last update and marked `interrupted`.
CREATE TABLE nights (
    id                INTEGER PRIMARY KEY NOT NULL,
    trigger           TEXT    NOT NULL CHECK (trigger IN ('clock', 'cli')),
    started_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    finished_at       BIGINT,
    interrupted       BOOLEAN NOT NULL DEFAULT 0,
    budget_seconds    BIGINT  NOT NULL,
    refreshed         INTEGER NOT NULL DEFAULT 0,
    skipped           INTEGER NOT NULL DEFAULT 0,
    failed            INTEGER NOT NULL DEFAULT 0,
    left_count        INTEGER NOT NULL DEFAULT 0,
    left_user_ids     TEXT    NOT NULL DEFAULT '[]',
    ai_calls          INTEGER NOT NULL DEFAULT 0,
    prompt_tokens     BIGINT  NOT NULL DEFAULT 0,
    completion_tokens BIGINT  NOT NULL DEFAULT 0
);

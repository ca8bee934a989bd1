CREATE TABLE recommendations_old (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tab          TEXT    NOT NULL CHECK (tab IN ('movies', 'tv', 'documentaries')),
    rows_json    TEXT    NOT NULL,
    generated_at BIGINT  NOT NULL,
    PRIMARY KEY (user_id, tab)
);
INSERT INTO recommendations_old (user_id, tab, rows_json, generated_at)
    SELECT user_id, tab, rows_json, generated_at FROM recommendations;
DROP TABLE recommendations;
ALTER TABLE recommendations_old RENAME TO recommendations;

-- A page view reads when a tab's rows were stored, and reads the rows themselves only when
-- that changed (docs/performance.md "Fragments"). SQLite stores a row's columns in order and a
-- 13 KB rows_json spills into overflow pages: with generated_at after it, reading the stamp
-- walked the whole chain. The stamp now comes first.
CREATE TABLE recommendations_new (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tab          TEXT    NOT NULL CHECK (tab IN ('movies', 'tv', 'documentaries')),
    generated_at BIGINT  NOT NULL,
    rows_json    TEXT    NOT NULL,
    PRIMARY KEY (user_id, tab)
);
INSERT INTO recommendations_new (user_id, tab, generated_at, rows_json)
    SELECT user_id, tab, generated_at, rows_json FROM recommendations;
DROP TABLE recommendations;
ALTER TABLE recommendations_new RENAME TO recommendations;

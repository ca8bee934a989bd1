-- "Not interested in this genre": a user's hidden genres, by TMDb id (which does not change
-- with TMDb's language), with the name as TMDb gave it when he hid it (what his history page
-- shows, and what a card stored before genre ids were kept is matched by).
CREATE TABLE hidden_genres (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    genre_id   BIGINT  NOT NULL CHECK (genre_id > 0),
    name       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (user_id, genre_id)
);

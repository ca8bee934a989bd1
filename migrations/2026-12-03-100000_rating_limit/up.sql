-- The highest certification shown to a user (docs/http.md `POST /admin/users/{id}/rating-limit`);
-- NULL: no limit. Overseerr's availability also keeps the title's Plex link.
ALTER TABLE users ADD COLUMN rating_limit TEXT;
ALTER TABLE availability ADD COLUMN plex_url TEXT;

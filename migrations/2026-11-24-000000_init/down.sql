DROP TABLE refresh_status;
DROP TABLE recommendations;
DROP TABLE preferences;
DROP TABLE settings;
DROP TABLE sessions;
DROP TABLE users;

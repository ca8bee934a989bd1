DELETE FROM refresh_runs WHERE trigger = 'together';
DROP TABLE together_rows;
DROP TABLE taste_profiles;
ALTER TABLE users DROP COLUMN share_together;

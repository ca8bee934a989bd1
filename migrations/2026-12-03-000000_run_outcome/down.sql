ALTER TABLE refresh_status DROP COLUMN last_outcome;

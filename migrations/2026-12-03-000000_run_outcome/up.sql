-- How the user's last run ended, so the dashboard picks its empty state from a stored
-- outcome (ok, ok_without_ai, no_history, failed) instead of the message text.
ALTER TABLE refresh_status ADD COLUMN last_outcome TEXT;
UPDATE refresh_status SET last_outcome = 'no_history' WHERE message LIKE 'No watch history%';
UPDATE refresh_status SET last_outcome = 'failed' WHERE state = 'failed';

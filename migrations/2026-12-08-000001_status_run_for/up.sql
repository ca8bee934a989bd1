-- Whose run a refresh status shows: the user's own refresh, or a group's AI call he asked for
-- (Watch together). A group page shows only the second; it used to tell them by the message.
ALTER TABLE refresh_status ADD COLUMN run_for TEXT NOT NULL DEFAULT 'own'
    CHECK (run_for IN ('own', 'group'));

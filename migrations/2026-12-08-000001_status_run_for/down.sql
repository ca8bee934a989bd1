ALTER TABLE refresh_status DROP COLUMN run_for;

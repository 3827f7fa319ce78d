DROP TABLE zoom_account_pauses;
DROP TABLE sync_status;
DROP TABLE sync_jobs;
DROP TABLE zoom_tombstones;
DROP TABLE webhook_events;
ALTER TABLE recordings DROP COLUMN zoom_version;
ALTER TABLE meetings DROP COLUMN zoom_version;

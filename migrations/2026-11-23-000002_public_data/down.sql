DROP TABLE registrations;
DROP TABLE recordings;
DROP TABLE meeting_occurrences;
ALTER TABLE tenants DROP COLUMN content_version;
ALTER TABLE meetings DROP COLUMN kind;

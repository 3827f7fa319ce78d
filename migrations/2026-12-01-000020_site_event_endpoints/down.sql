ALTER TABLE event_endpoints DROP COLUMN site_owned;

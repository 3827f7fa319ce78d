-- Site builders register their own endpoints with a tenant key (docs/events.md). An endpoint
-- a site registered is the site's: only that site's key sees it; the platform sees every one.
-- The platform's endpoints (site_owned false) stay invisible to site keys, even one the
-- platform limited to that site.
ALTER TABLE event_endpoints ADD COLUMN site_owned BOOLEAN NOT NULL DEFAULT FALSE;

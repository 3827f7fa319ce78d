-- The owner's data beside Zoom's, and what the owner flow needs to keep it safe. Same dialect
-- rules as the foundation: TEXT ids, BIGINT, TIMESTAMP (UTC), BOOLEAN.

-- What the owner hid from visitors: the owner's record, kept when the site's Zoom data is
-- purged (disconnect, deauthorization), so a reconnected site hides the same items. The
-- `hidden` column of a synced row is its copy for the visitor reads, written together with
-- this row and whenever a synced row is inserted.
CREATE TABLE hidden_items (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- 'meeting' (meetings and webinars; key: Zoom's meeting number as text) or 'recording'
    -- (key: the meeting-instance uuid).
    kind TEXT NOT NULL,
    zoom_id TEXT NOT NULL,
    hidden_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, kind, zoom_id)
);
CREATE INDEX hidden_items_tenant_id_hidden_at_idx ON hidden_items (tenant_id, hidden_at);
INSERT INTO hidden_items (tenant_id, kind, zoom_id, hidden_at)
    SELECT tenant_id, 'meeting', CAST(zoom_meeting_id AS TEXT), synced_at FROM meetings WHERE hidden = TRUE;
INSERT INTO hidden_items (tenant_id, kind, zoom_id, hidden_at)
    SELECT tenant_id, 'recording', zoom_meeting_uuid, synced_at FROM recordings WHERE hidden = TRUE;

-- The site's web addresses as the hosting platform gave them (space-separated origins): always
-- allowed to embed, beside the owner's own `site_settings.allowed_origins`.
ALTER TABLE tenants ADD COLUMN origins TEXT NOT NULL DEFAULT '';

-- Where an admin link sends the owner's browser: back to the platform ("Back to my site"), and
-- to a fresh link when this one has expired or was used. Checked against the allowed origins
-- when the link is minted and again before the browser is sent there.
ALTER TABLE admin_links ADD COLUMN return_url TEXT;
ALTER TABLE admin_links ADD COLUMN refresh_url TEXT;
ALTER TABLE admin_sessions ADD COLUMN return_url TEXT;

-- When the Zoom user last authorized the app for this grant (a new grant, or new tokens after
-- consent; refreshes do not count): a deauthorization notice older than this is about an
-- earlier authorization and leaves the grant alone. NULL (rows of older versions) reads as
-- created_at.
ALTER TABLE zoom_grants ADD COLUMN authorized_at TIMESTAMP;
UPDATE zoom_grants SET authorized_at = created_at;

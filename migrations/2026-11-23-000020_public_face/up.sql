-- The public face: what each site owner chose to show, and the registration questions Zoom
-- asks for each meeting (stored so a visitor never waits on Zoom to see the form).
-- Same dialect rules as the foundation: TEXT ids, BIGINT, TIMESTAMP (UTC), BOOLEAN.

-- One row per site; a missing row means the defaults below.
CREATE TABLE site_settings (
    tenant_id TEXT PRIMARY KEY NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    meetings_public BOOLEAN NOT NULL DEFAULT TRUE,
    recordings_public BOOLEAN NOT NULL DEFAULT TRUE,
    webinars_public BOOLEAN NOT NULL DEFAULT TRUE,
    registration_open BOOLEAN NOT NULL DEFAULT TRUE,
    -- Recording passcodes are shown publicly only if the owner allows it.
    show_recording_passcode BOOLEAN NOT NULL DEFAULT FALSE,
    -- Space-separated origins (scheme://host[:port]) allowed to frame the widgets and call
    -- the public API from a browser (CORS). Empty: only Marquee's own origin.
    allowed_origins TEXT NOT NULL DEFAULT '',
    -- Widget language ('en', 'de') and theme ('light', 'dark', 'auto', accent '#rrggbb', font).
    language TEXT NOT NULL DEFAULT 'en',
    theme_mode TEXT NOT NULL DEFAULT 'light',
    accent_color TEXT NOT NULL DEFAULT '',
    font TEXT NOT NULL DEFAULT 'system',
    updated_at TIMESTAMP NOT NULL
);

-- Zoom's GET /meetings/{id}/registrants/questions, as JSON text.
CREATE TABLE registration_questions (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    zoom_meeting_id BIGINT NOT NULL,
    questions_json TEXT NOT NULL,
    fetched_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, zoom_meeting_id)
);

-- The owner's registration list, newest first.
CREATE INDEX registrations_tenant_id_created_at_idx ON registrations (tenant_id, created_at);
-- Webhooks find a registration by Zoom's registrant id.
CREATE INDEX registrations_tenant_id_zoom_registrant_id_idx ON registrations (tenant_id, zoom_registrant_id);

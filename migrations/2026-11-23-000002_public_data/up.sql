-- Data the public face shows and the sync engine fills. Same dialect rules as the foundation.

-- 'meeting' or 'webinar': webinars live beside meetings (Zoom ids do not collide).
ALTER TABLE meetings ADD COLUMN kind TEXT NOT NULL DEFAULT 'meeting';

-- Bumped whenever a site's visible data changes (sync, webhook, owner setting), so every
-- instance's cache knows its copy is stale.
ALTER TABLE tenants ADD COLUMN content_version BIGINT NOT NULL DEFAULT 0;

-- Occurrences of recurring meetings (Zoom type 8), with Zoom's ms-epoch occurrence ids.
CREATE TABLE meeting_occurrences (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    zoom_meeting_id BIGINT NOT NULL,
    occurrence_id TEXT NOT NULL,
    start_time TIMESTAMP NOT NULL,
    duration_minutes INTEGER NOT NULL,
    -- Zoom's occurrence status, e.g. 'available' or 'deleted'.
    status TEXT NOT NULL,
    PRIMARY KEY (tenant_id, zoom_meeting_id, occurrence_id)
);
CREATE INDEX meeting_occurrences_tenant_id_start_time_idx ON meeting_occurrences (tenant_id, start_time);

-- One cloud recording = one ended meeting instance (Zoom's instance uuid).
CREATE TABLE recordings (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    zoom_meeting_uuid TEXT NOT NULL,
    zoom_meeting_id BIGINT NOT NULL,
    host_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    start_time TIMESTAMP NOT NULL,
    duration_minutes INTEGER NOT NULL,
    timezone TEXT NOT NULL,
    share_url TEXT NOT NULL,
    -- Shown publicly only if the owner allows it.
    play_passcode TEXT NOT NULL,
    total_size BIGINT NOT NULL,
    -- Zoom's recording_files as JSON text (type, size, play_url, recording_type, …).
    files_json TEXT NOT NULL,
    -- 'available' or 'trashed'.
    status TEXT NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    synced_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, zoom_meeting_uuid)
);
CREATE INDEX recordings_tenant_id_start_time_idx ON recordings (tenant_id, start_time);

-- Visitors' registrations, forwarded to Zoom's registrant API.
CREATE TABLE registrations (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    zoom_meeting_id BIGINT NOT NULL,
    -- '' when the meeting is not recurring or the registration covers all occurrences.
    occurrence_id TEXT NOT NULL,
    -- Lower-cased; one registration per visitor per meeting occurrence.
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    zoom_registrant_id TEXT NOT NULL,
    -- 'approved', 'pending', 'denied' or 'cancelled'.
    status TEXT NOT NULL,
    -- The visitor's personal join link (absent while pending).
    join_url TEXT,
    idempotency_key TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, zoom_meeting_id, occurrence_id, email)
);
CREATE INDEX registrations_tenant_id_zoom_meeting_id_idx ON registrations (tenant_id, zoom_meeting_id);
CREATE UNIQUE INDEX registrations_tenant_id_idempotency_key_uk ON registrations (tenant_id, idempotency_key);

-- One SQL dialect for SQLite and PostgreSQL (docs/database.md): TEXT ids, BIGINT numbers,
-- TIMESTAMP in UTC, BOOLEAN, no serial columns, no JSON/UUID/array types.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- SHA-256 of the key; the key itself is shown once and never stored.
    key_hash TEXT NOT NULL UNIQUE,
    -- First characters of the key, so an owner can tell keys apart.
    key_prefix TEXT NOT NULL,
    -- Space-separated, e.g. "meetings:read settings:write".
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_keys_tenant_id_idx ON api_keys (tenant_id);

CREATE TABLE admin_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX admin_links_tenant_id_idx ON admin_links (tenant_id);

CREATE TABLE admin_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX admin_sessions_tenant_id_idx ON admin_sessions (tenant_id);

CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- The admin session that started the flow; NULL when an API key started it.
    session_hash TEXT,
    -- PKCE verifier, sealed like every other secret.
    verifier_sealed TEXT NOT NULL,
    verifier_key_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX oauth_states_tenant_id_idx ON oauth_states (tenant_id);

-- One Zoom authorization (account + user) and its token pair. Zoom keeps only the newest
-- authorization of a user for an app, so sites connecting the same Zoom user share one grant.
CREATE TABLE zoom_grants (
    id TEXT PRIMARY KEY NOT NULL,
    zoom_account_id TEXT NOT NULL,
    zoom_user_id TEXT NOT NULL,
    zoom_email TEXT NOT NULL,
    zoom_display_name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    -- Both tokens sealed with the grant id as associated data, under key_id.
    access_token_sealed TEXT NOT NULL,
    refresh_token_sealed TEXT NOT NULL,
    key_id TEXT NOT NULL,
    access_expires_at TIMESTAMP NOT NULL,
    api_url TEXT,
    -- 'active' or 'dead' (Zoom refused the grant: the owner must reconnect).
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    refreshed_at TIMESTAMP,
    -- Single-flight refresh across instances: whoever sets this owns the refresh until then.
    refresh_lease_until TIMESTAMP,
    last_error TEXT,
    -- A Marketplace install not yet claimed by a site: SHA-256 of the claim cookie.
    claim_token_hash TEXT,
    UNIQUE (zoom_account_id, zoom_user_id)
);

-- Which grant a site uses. Deleting a grant (deauthorization) disconnects its sites.
CREATE TABLE zoom_connections (
    tenant_id TEXT PRIMARY KEY NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    grant_id TEXT NOT NULL REFERENCES zoom_grants (id) ON DELETE CASCADE,
    connected_at TIMESTAMP NOT NULL,
    last_sync_at TIMESTAMP,
    last_sync_result TEXT
);
CREATE INDEX zoom_connections_grant_id_idx ON zoom_connections (grant_id);

CREATE TABLE meetings (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    zoom_meeting_id BIGINT NOT NULL,
    zoom_uuid TEXT NOT NULL,
    host_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    agenda TEXT NOT NULL,
    meeting_type INTEGER NOT NULL,
    start_time TIMESTAMP,
    duration_minutes INTEGER NOT NULL,
    timezone TEXT NOT NULL,
    -- Zoom's approval_type: 0 auto-approve, 1 manual, 2 no registration.
    approval_type INTEGER NOT NULL,
    join_url TEXT NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    synced_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, zoom_meeting_id)
);
CREATE INDEX meetings_tenant_id_start_time_idx ON meetings (tenant_id, start_time);

-- What happened to a site's Zoom connection, kept after the connection (and the site) is gone.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT,
    zoom_account_id TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_tenant_id_idx ON audit_events (tenant_id);

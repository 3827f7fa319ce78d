-- Installs of the Zoom App from its direct landing URL (/zoomapp/install) use the OAuth state
-- store of the connect flow. Someone who is not signed in to a site may start one, so a state
-- may belong to no tenant (its grant is then parked for the claim flow), and `purpose` tells the
-- callback whether to open the app in the Zoom client afterwards. SQLite cannot drop NOT NULL in
-- place, so the table is rebuilt (the same statements on PostgreSQL).
CREATE TABLE oauth_states_new (
    state_hash TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    -- The browser that started the flow: the admin session's hash, or for someone not signed
    -- in the install cookie's hash; NULL when an API key started it.
    session_hash TEXT,
    verifier_sealed TEXT NOT NULL,
    verifier_key_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    purpose TEXT NOT NULL DEFAULT 'connect' CHECK (purpose IN ('connect', 'zoom_app_install')),
    -- Only an app install may be without a site.
    CHECK (tenant_id IS NOT NULL OR purpose = 'zoom_app_install')
);
INSERT INTO oauth_states_new (state_hash, tenant_id, session_hash, verifier_sealed,
    verifier_key_id, created_at, expires_at, used_at)
SELECT state_hash, tenant_id, session_hash, verifier_sealed, verifier_key_id, created_at,
    expires_at, used_at
FROM oauth_states;
DROP TABLE oauth_states;
ALTER TABLE oauth_states_new RENAME TO oauth_states;
CREATE INDEX oauth_states_tenant_id_idx ON oauth_states (tenant_id);

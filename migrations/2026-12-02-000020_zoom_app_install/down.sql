CREATE TABLE oauth_states_old (
    state_hash TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    session_hash TEXT,
    verifier_sealed TEXT NOT NULL,
    verifier_key_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
INSERT INTO oauth_states_old (state_hash, tenant_id, session_hash, verifier_sealed,
    verifier_key_id, created_at, expires_at, used_at)
SELECT state_hash, tenant_id, session_hash, verifier_sealed, verifier_key_id, created_at,
    expires_at, used_at
FROM oauth_states WHERE tenant_id IS NOT NULL;
DROP TABLE oauth_states;
ALTER TABLE oauth_states_old RENAME TO oauth_states;
CREATE INDEX oauth_states_tenant_id_idx ON oauth_states (tenant_id);

-- The Zoom App inside the Zoom client (docs/zoom-app.md). A session is bound to the Zoom user
-- of the decrypted `x-zoom-app-context` that opened it; only its SHA-256 is stored. `mid` is the
-- meeting UUID the app was opened in (if any).
CREATE TABLE zoom_app_sessions (
    id_hash TEXT PRIMARY KEY,
    zoom_user_id TEXT NOT NULL,
    mid TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX zoom_app_sessions_expiry ON zoom_app_sessions (expires_at);

-- An authorization started from a Zoom App session: in the client (`zoomSdk.authorize`, plain
-- PKCE) or in the system browser (S256, back through a deeplink). Every secret is a hash; the
-- verifier is sealed. `act_hash` is the opaque id the deeplink's action carries back.
CREATE TABLE zoom_app_attempts (
    id_hash TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    state_hash TEXT UNIQUE,
    verifier_sealed TEXT,
    verifier_key_id TEXT,
    act_hash TEXT UNIQUE,
    outcome TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX zoom_app_attempts_expiry ON zoom_app_attempts (expires_at);

-- Idempotency-Key: one row per (owner, credential, key) for 24 hours. Same dialect rules as the
-- foundation: TEXT ids, BIGINT, TIMESTAMP in UTC; no serial/JSON/UUID types.
--
-- The row is the reservation: whoever inserts it runs the request (the PRIMARY KEY settles races
-- between instances), then stores the answer in it, or deletes it when the answer must not be
-- replayed (5xx, 429). Not tenant-owned: platform requests have no tenant, and a row is useless
-- once its credential stops authenticating; rows are purged after 24 hours.
CREATE TABLE idempotency_keys (
    -- SHA-256 of owner, credential and key: neither the key nor the credential is stored.
    id TEXT PRIMARY KEY NOT NULL,
    -- Whose key it is, for support: 'platform', 'tenant:<id>' or 'site:<slug>'.
    owner TEXT NOT NULL,
    -- SHA-256 of the first request's method, path and body.
    fingerprint TEXT NOT NULL,
    -- The reservation's holder; only it may store the answer or release the row.
    lease_owner TEXT NOT NULL,
    -- While running: when another request may take the reservation over (its process died).
    lease_until TIMESTAMP,
    -- The stored answer: its status, and its headers and body sealed (crypto::KeyRing, the row
    -- id as associated data). NULL while the first request runs.
    answer_status BIGINT,
    answer_sealed TEXT,
    answer_key_id TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

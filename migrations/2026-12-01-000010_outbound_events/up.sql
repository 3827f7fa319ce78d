-- Signed outbound events (docs/events.md). Same dialect rules as the foundation: TEXT ids,
-- BIGINT, TIMESTAMP (UTC), BOOLEAN.

-- Where events go: the platform's endpoints (tenant_id NULL: every site, or one site when
-- set). The signing secret is sealed with the KeyRing (associated data: the endpoint id);
-- after a rotation the previous secret keeps signing beside the new one until
-- previous_secret_until.
CREATE TABLE event_endpoints (
    id TEXT PRIMARY KEY,
    tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    -- Space-separated event types.
    events TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    key_id TEXT NOT NULL,
    previous_secret_sealed TEXT,
    previous_key_id TEXT,
    previous_secret_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX event_endpoints_tenant_id_idx ON event_endpoints (tenant_id);

-- The per-site counter that orders a site's events: bumped in the transaction that emits,
-- so its row lock (PostgreSQL) or the write lock (SQLite) makes seq follow commit order.
CREATE TABLE event_sequences (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    last_seq BIGINT NOT NULL
);

-- The outbox: one row per event, written in the same transaction as the change it reports.
-- body is the exact JSON sent (signed byte for byte). tenant_id is NULL for test pings.
CREATE TABLE outbox_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_events_tenant_id_created_at_idx ON outbox_events (tenant_id, created_at);

-- One event to one endpoint. order_key groups the deliveries that must go out in order (the
-- site's id; a ping's own id); within a group the lowest pending seq goes first.
CREATE TABLE event_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES event_endpoints (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
    order_key TEXT NOT NULL,
    seq BIGINT NOT NULL,
    -- 'pending', 'delivered' or 'failed'.
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_status BIGINT,
    last_error TEXT,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX event_deliveries_due_idx ON event_deliveries (status, next_attempt_at);
CREATE INDEX event_deliveries_order_idx ON event_deliveries (endpoint_id, order_key, status, seq);

-- Webhook intake, the sync engine and Zoom rate-limit state. Same dialect rules as the
-- foundation: TEXT ids, BIGINT numbers, TIMESTAMP in UTC, BOOLEAN; no serial/JSON/UUID types.

-- Zoom's time (epoch ms) of the state a row holds: a webhook's event_ts, or when a sync read it.
-- An event older than the stored version is not applied (out-of-order and late deliveries).
ALTER TABLE meetings ADD COLUMN zoom_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE recordings ADD COLUMN zoom_version BIGINT NOT NULL DEFAULT 0;

-- Every accepted Zoom delivery, stored before Zoom gets its 200 and applied by a worker.
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY NOT NULL,
    -- SHA-256 of the raw body: Zoom sends no event id, and a retry repeats the body exactly.
    dedup_key TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    zoom_account_id TEXT NOT NULL,
    -- The envelope's event_ts (epoch ms, Zoom's clock).
    event_ts BIGINT NOT NULL,
    -- The raw body as received (the signed bytes).
    body TEXT NOT NULL,
    -- x-zm-request-timestamp and x-zm-trackingid of the first accepted delivery.
    request_timestamp TEXT NOT NULL,
    tracking_id TEXT,
    received_at TIMESTAMP NOT NULL,
    -- 'pending', 'applied', 'unknown_account', 'ignored' or 'failed' (parked for the operator).
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A worker owns the event until then (a crashed worker's lease simply expires).
    lease_until TIMESTAMP,
    last_error TEXT,
    -- What applying it did, for people (e.g. "2 sites updated", "stale: newer state kept").
    outcome TEXT,
    processed_at TIMESTAMP
);
CREATE INDEX webhook_events_status_next_attempt_idx ON webhook_events (status, next_attempt_at);

-- What Zoom deleted and when (Zoom's clock, epoch ms), so a late create/update of the same
-- object does not bring it back. Pruned after Zoom's retry window has long passed.
CREATE TABLE zoom_tombstones (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- 'meeting' (key: meeting id) or 'recording' (key: instance uuid).
    object_kind TEXT NOT NULL,
    object_key TEXT NOT NULL,
    zoom_version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, object_kind, object_key)
);

-- Sync work, claimed with row leases so several instances share it.
CREATE TABLE sync_jobs (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- The Zoom account whose rate budget the job spends.
    zoom_account_id TEXT NOT NULL,
    -- 'backfill', 'reconcile', 'meeting' (one meeting) or 'recordings' (one window).
    kind TEXT NOT NULL,
    -- Meeting id for 'meeting'; 'YYYY-MM-DD..YYYY-MM-DD' for 'recordings'; '' otherwise.
    param TEXT NOT NULL,
    -- tenant/kind/param while queued or running, NULL after: the same job is never queued twice.
    pending_key TEXT UNIQUE,
    -- 'queued', 'running', 'done' or 'failed'.
    status TEXT NOT NULL,
    run_after TIMESTAMP NOT NULL,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    attempts BIGINT NOT NULL,
    progress_done BIGINT NOT NULL,
    progress_total BIGINT NOT NULL,
    progress_note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    result TEXT,
    last_error TEXT
);
CREATE INDEX sync_jobs_status_run_after_idx ON sync_jobs (status, run_after);
CREATE INDEX sync_jobs_tenant_id_idx ON sync_jobs (tenant_id);

-- Each site's last sync and the next periodic reconcile.
CREATE TABLE sync_status (
    tenant_id TEXT PRIMARY KEY NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    last_kind TEXT,
    last_started_at TIMESTAMP,
    last_finished_at TIMESTAMP,
    -- 'ok' or 'failed'.
    last_result TEXT,
    last_error TEXT,
    meetings BIGINT NOT NULL,
    webinars BIGINT NOT NULL,
    recordings BIGINT NOT NULL,
    removed BIGINT NOT NULL,
    zoom_requests BIGINT NOT NULL,
    next_reconcile_at TIMESTAMP
);

-- A Zoom account that hit a daily quota: no job of it runs before paused_until (00:00 UTC).
CREATE TABLE zoom_account_pauses (
    zoom_account_id TEXT PRIMARY KEY NOT NULL,
    paused_until TIMESTAMP NOT NULL,
    reason TEXT NOT NULL
);

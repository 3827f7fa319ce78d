//! Call statistics for tests ("exactly one refresh happened"): per endpoint (route template),
//! per grant type, 429s served, faults served and webhook deliveries. `GET /_sim/stats`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

/// What happened to webhook events.
#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct WebhookStats {
    /// Events queued for delivery, by event name.
    pub events: BTreeMap<String, u64>,
    /// HTTP attempts (first tries and retries).
    pub attempted: u64,
    /// Attempts answered 200/204 within 3 s.
    pub succeeded: u64,
    /// Attempts that failed (non-2xx, timeout, connection error).
    pub failed: u64,
    /// Events given up after the last retry.
    pub dropped: u64,
    /// Events not queued because the outbox was full or no webhook URL was set.
    pub not_sent: u64,
}

/// Every counter `GET /_sim/stats` reports.
#[derive(Debug, Default, Clone)]
pub(crate) struct Stats {
    /// `"GET /v2/users/{userId}/meetings"` → calls (faulted and rate-limited calls included).
    pub endpoints: BTreeMap<String, u64>,
    /// Successful token grants by `grant_type`.
    pub grants: BTreeMap<String, u64>,
    /// Token-endpoint failures by OAuth `error` (`invalid_grant`, `invalid_client`, …).
    pub grant_errors: BTreeMap<String, u64>,
    /// 429 responses served.
    pub rate_limited: u64,
    /// Injected faults served.
    pub faults_served: u64,
    pub webhooks: WebhookStats,
}

impl Stats {
    /// Counts a call of the route `key` (`METHOD template`).
    pub(crate) fn call(&mut self, key: &str) {
        *self.endpoints.entry(key.to_string()).or_default() += 1;
    }

    /// Counts a successful token grant.
    pub(crate) fn grant(&mut self, grant_type: &str) {
        *self.grants.entry(grant_type.to_string()).or_default() += 1;
    }

    /// Counts a failed token request by its OAuth `error`.
    pub(crate) fn grant_error(&mut self, error: &str) {
        *self.grant_errors.entry(error.to_string()).or_default() += 1;
    }

    /// The JSON served by `GET /_sim/stats`; both user grant types are always present.
    pub(crate) fn to_json(&self) -> Value {
        let mut grants = self.grants.clone();
        grants.entry("authorization_code".into()).or_default();
        grants.entry("refresh_token".into()).or_default();
        json!({
            "endpoints": self.endpoints,
            "grants": grants,
            "grant_errors": self.grant_errors,
            "rate_limited": self.rate_limited,
            "faults_served": self.faults_served,
            "webhooks": self.webhooks,
        })
    }
}

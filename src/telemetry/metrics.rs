//! Prometheus metrics (`GET /metrics`), recorded through the `metrics` facade and rendered by
//! `metrics-exporter-prometheus`. Every metric Marquee has is written by one function here, so
//! names and labels are in one place (docs/operations.md lists them) and no call site can add a
//! label with a site, tenant or id in it: labels are route templates, kinds and outcomes.
//!
//! The recorder is process-global (the `metrics` facade allows one); [`install`] is idempotent,
//! so several apps in one test process share it and a test compares values before and after.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Seconds: from a fast cache hit to a slow Zoom call or a long sync.
const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Seconds: how late a webhook or delivery is applied, and how long a sync runs.
const LAG_BUCKETS: [f64; 11] = [
    0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 21_600.0, 86_400.0,
];
/// Items a sync job wrote.
const ITEM_BUCKETS: [f64; 8] = [0.0, 1.0, 10.0, 50.0, 100.0, 500.0, 1000.0, 5000.0];

/// Installs the Prometheus recorder once per process. `false` when another recorder was
/// installed first (then nothing is recorded and `/metrics` is empty).
pub fn install() -> bool {
    HANDLE.get_or_init(build).is_some()
}

/// Each histogram with the buckets that fit what it measures.
const HISTOGRAMS: [(&str, &[f64]); 6] = [
    ("marquee_http_request_duration_seconds", &LATENCY_BUCKETS),
    ("marquee_webhook_apply_lag_seconds", &LAG_BUCKETS),
    ("marquee_sync_job_duration_seconds", &LAG_BUCKETS),
    ("marquee_sync_job_items", &ITEM_BUCKETS),
    ("marquee_delivery_lag_seconds", &LAG_BUCKETS),
    ("marquee_zoom_call_duration_seconds", &LATENCY_BUCKETS),
];

fn build() -> Option<PrometheusHandle> {
    let mut builder = PrometheusBuilder::new();
    for (name, buckets) in HISTOGRAMS {
        builder = builder
            .set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)
            .ok()?;
    }
    match builder.install_recorder() {
        Ok(handle) => {
            describe();
            Some(handle)
        }
        Err(err) => {
            tracing::warn!(error = %err, "metrics recorder not installed");
            None
        }
    }
}

/// The text exposition of every metric recorded so far (empty without a recorder).
pub fn render() -> String {
    match HANDLE.get() {
        Some(Some(handle)) => {
            handle.run_upkeep();
            handle.render()
        }
        _ => String::new(),
    }
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "marquee_http_requests_total",
        "HTTP requests by route template, method and status."
    );
    describe_histogram!(
        "marquee_http_request_duration_seconds",
        "HTTP request latency by route template."
    );
    describe_counter!(
        "marquee_webhooks_received_total",
        "Zoom webhook deliveries at intake, by result."
    );
    describe_counter!(
        "marquee_webhooks_applied_total",
        "Stored webhook events worked on, by result (applied, ignored, unknown_account, retry, parked)."
    );
    describe_histogram!(
        "marquee_webhook_apply_lag_seconds",
        "From intake to applying a webhook event."
    );
    describe_counter!(
        "marquee_sync_jobs_total",
        "Sync jobs finished, by kind and result."
    );
    describe_histogram!(
        "marquee_sync_job_duration_seconds",
        "Sync job run time, by kind."
    );
    describe_histogram!("marquee_sync_job_items", "Items a sync job wrote, by kind.");
    describe_counter!(
        "marquee_zoom_calls_total",
        "Calls to Zoom's API by endpoint category (light, medium, heavy) and status."
    );
    describe_histogram!(
        "marquee_zoom_call_duration_seconds",
        "Zoom API call latency by endpoint category."
    );
    describe_counter!(
        "marquee_zoom_rate_limited_total",
        "Zoom 429 answers by the budget that ran out (account, daily, per-registrant)."
    );
    describe_counter!(
        "marquee_token_refreshes_total",
        "OAuth token refreshes, by outcome (ok, invalid_grant, error)."
    );
    describe_counter!(
        "marquee_registrations_total",
        "Visitor registrations, by result."
    );
    describe_counter!(
        "marquee_cache_total",
        "Cache lookups by cache and outcome (hit, miss)."
    );
    describe_counter!(
        "marquee_deliveries_total",
        "Outbound event deliveries, by result (ok, retry, failed)."
    );
    describe_histogram!(
        "marquee_delivery_lag_seconds",
        "From an event's commit to its successful delivery."
    );
    describe_gauge!(
        "marquee_sites",
        "Sites by connection state, counted at scrape time."
    );
}

/// One HTTP request: `route` is the matched template (`/embed/:site/meetings/:id`), never
/// the raw path; `unmatched` when no route matched.
pub fn http_request(route: &str, method: &str, status: u16, took: Duration) {
    let labels = [
        ("route", route.to_owned()),
        ("method", method.to_owned()),
        ("status", status.to_string()),
    ];
    counter!("marquee_http_requests_total", &labels).increment(1);
    histogram!(
        "marquee_http_request_duration_seconds",
        "route" => route.to_owned(),
        "method" => method.to_owned()
    )
    .record(took.as_secs_f64());
}

/// A webhook delivery at intake: `stored`, `duplicate`, `bad_signature`, `validation`, `invalid`.
pub fn webhook_received(result: &'static str) {
    counter!("marquee_webhooks_received_total", "result" => result).increment(1);
}

/// A stored webhook event worked on: `applied`, `ignored`, `unknown_account` (finished, with
/// `lag` since intake), `retry` or `parked` (failures; their lag is not recorded).
pub fn webhook_applied(result: &'static str, lag: Duration) {
    counter!("marquee_webhooks_applied_total", "result" => result).increment(1);
    if !matches!(result, "retry" | "parked") {
        histogram!("marquee_webhook_apply_lag_seconds").record(lag.as_secs_f64());
    }
}

/// A finished sync job of `kind` (`backfill`, `reconcile`, …): `ok` or `failed`.
pub fn sync_job(kind: &str, result: &'static str, took: Duration, items: u64) {
    let kind = kind.to_owned();
    counter!("marquee_sync_jobs_total", "kind" => kind.clone(), "result" => result).increment(1);
    histogram!("marquee_sync_job_duration_seconds", "kind" => kind.clone())
        .record(took.as_secs_f64());
    #[allow(clippy::cast_precision_loss)] // item counts stay far below 2^52
    histogram!("marquee_sync_job_items", "kind" => kind).record(items as f64);
}

/// One call to Zoom's API: `category` is Zoom's rate-limit category, `status` the HTTP status
/// (0 when no answer came).
pub fn zoom_call(category: &'static str, status: u16, took: Duration) {
    counter!("marquee_zoom_calls_total", "category" => category, "status" => status.to_string())
        .increment(1);
    histogram!("marquee_zoom_call_duration_seconds", "category" => category)
        .record(took.as_secs_f64());
}

/// A 429 from Zoom, by the budget it names (`account`, `daily`, `registrant`).
pub fn zoom_rate_limited(budget: &'static str) {
    counter!("marquee_zoom_rate_limited_total", "budget" => budget).increment(1);
}

/// A token refresh: `ok`, `invalid_grant` (the owner must reconnect) or `error`.
pub fn token_refresh(outcome: &'static str) {
    counter!("marquee_token_refreshes_total", "outcome" => outcome).increment(1);
}

/// A visitor registration: `created`, `existing`, `refused`, `unavailable`.
pub fn registration(result: &'static str) {
    counter!("marquee_registrations_total", "result" => result).increment(1);
}

/// A lookup in cache `cache` (`public_meetings`, `questions`, …).
pub fn cache(cache: &'static str, hit: bool) {
    let outcome = if hit { "hit" } else { "miss" };
    counter!("marquee_cache_total", "cache" => cache, "outcome" => outcome).increment(1);
}

/// An outbound event delivery: `ok`, `retry` or `failed` (gave up); `lag` from the event's
/// commit, recorded for `ok`. Written by the outbound-events worker after each attempt.
pub fn delivery(result: &'static str, lag: Option<Duration>) {
    counter!("marquee_deliveries_total", "result" => result).increment(1);
    if let Some(lag) = lag {
        histogram!("marquee_delivery_lag_seconds").record(lag.as_secs_f64());
    }
}

/// How many sites are in connection `state` right now (set at each scrape).
pub fn sites_in_state(state: &'static str, count: u64) {
    #[allow(clippy::cast_precision_loss)] // site counts stay far below 2^52
    metrics::gauge!("marquee_sites", "state" => state).set(count as f64);
}

#[cfg(test)]
mod tests {
    /// Metric names (`marquee_…`, without a histogram's `_bucket`) that `text` mentions.
    fn names_in(text: &str) -> std::collections::BTreeSet<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with("marquee_") && w.len() > "marquee_".len())
            .map(|w| w.trim_end_matches("_bucket").to_owned())
            .collect()
    }

    #[test]
    fn the_dashboard_and_the_docs_use_only_metrics_that_exist() {
        let here = names_in(include_str!("metrics.rs"));
        let dashboard = names_in(include_str!("../../docs/grafana-dashboard.json"));
        let documented = names_in(include_str!("../../docs/operations.md"));
        assert!(dashboard.len() >= 10, "{dashboard:?}");
        for name in dashboard.iter().chain(&documented) {
            assert!(
                here.contains(name),
                "{name} is not a metric of telemetry::metrics"
            );
        }
        for name in &here {
            assert!(
                documented.contains(name),
                "{name} is not in docs/operations.md"
            );
        }
    }
}

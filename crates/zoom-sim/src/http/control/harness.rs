//! The harness knobs of the control API: arm and clear faults, force-expire access tokens, read
//! and reset call statistics, challenge the webhook endpoint and read the delivery log, read and
//! flip the run-time settings, and move the simulator's clock.

use std::sync::Arc;

use chrono::Duration;
use poem::http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::replies::bad_request;
use crate::delivery::validate_endpoint;
use crate::faults::Fault;
use crate::http::call::Call;
use crate::http::pipeline::{Kind, Routes};
use crate::http::respond::{HResult, json_response, no_content};
use crate::sim::Sim;
use crate::wire::fmt_time;
use crate::world::rate_limit::RateLimits;

/// Registers the harness routes.
pub(super) fn routes(r: &mut Routes) {
    let p = Kind::Plain;
    r.add(Method::POST, "/_sim/faults", p, add_fault);
    r.add(Method::GET, "/_sim/faults", p, list_faults);
    r.add(Method::DELETE, "/_sim/faults", p, clear_faults);
    r.add(Method::POST, "/_sim/tokens/expire", p, expire_tokens);
    r.add(Method::GET, "/_sim/stats", p, stats);
    r.add(Method::POST, "/_sim/stats/reset", p, reset_stats);
    r.add(Method::POST, "/_sim/webhooks/validate", p, validate_webhook);
    r.add(Method::GET, "/_sim/webhooks/deliveries", p, deliveries);
    r.add(Method::GET, "/_sim/config", p, get_config);
    r.add(Method::PUT, "/_sim/config", p, put_config);
    r.add(Method::POST, "/_sim/clock/advance", p, advance_clock);
}

async fn add_fault(sim: Arc<Sim>, call: Call) -> HResult {
    let fault: Fault = call
        .json()
        .map_err(|_| bad_request("body must be {\"path\", \"kind\", \"count\"?, ...}"))?;
    fault.validate().map_err(bad_request)?;
    let mut faults = sim.faults();
    faults.armed.push(fault.clone());
    Ok(json_response(201, &json!({"armed": faults.armed})))
}

async fn list_faults(sim: Arc<Sim>, _call: Call) -> HResult {
    let faults = sim.faults();
    Ok(json_response(200, &json!({"armed": faults.armed})))
}

async fn clear_faults(sim: Arc<Sim>, _call: Call) -> HResult {
    sim.faults().armed.clear();
    Ok(no_content())
}

/// `{"user_id"?}`: every access token (of that user) is expired now.
async fn expire_tokens(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let user = body["user_id"].as_str().map(str::to_string);
    let past = sim.now() - Duration::seconds(1);
    let mut world = sim.world();
    let mut n = 0;
    for t in world.access_tokens.values_mut() {
        if user.as_ref().is_none_or(|u| *u == t.user_id) {
            t.expires_at = past;
            n += 1;
        }
    }
    Ok(json_response(200, &json!({"expired": n})))
}

async fn stats(sim: Arc<Sim>, _call: Call) -> HResult {
    let body = sim.stats().to_json();
    Ok(json_response(200, &body))
}

async fn reset_stats(sim: Arc<Sim>, _call: Call) -> HResult {
    *sim.stats() = Default::default();
    Ok(no_content())
}

async fn validate_webhook(sim: Arc<Sim>, _call: Call) -> HResult {
    let report = validate_endpoint(&sim).await;
    Ok(json_response(200, &report))
}

async fn deliveries(sim: Arc<Sim>, _call: Call) -> HResult {
    let log = sim.webhooks.deliveries();
    Ok(json_response(200, &json!({"deliveries": log})))
}

async fn get_config(sim: Arc<Sim>, _call: Call) -> HResult {
    let settings = sim.world().settings.clone();
    Ok(json_response(200, &json!(settings)))
}

/// The body of `PUT /_sim/config`: every field optional.
#[derive(Deserialize)]
struct ConfigPatch {
    auto_consent: Option<bool>,
    marketplace_mode: Option<bool>,
    /// `null` turns webhooks off; absent leaves it.
    #[serde(default, deserialize_with = "serde_with_null::deserialize")]
    webhook_url: Option<Option<String>>,
    duplicate: Option<bool>,
    out_of_order: Option<bool>,
    rate_limits: Option<RateLimits>,
    access_token_ttl_secs: Option<i64>,
}

/// Distinguishes `"webhook_url": null` (turn off) from a missing key (leave as is).
mod serde_with_null {
    use serde::{Deserialize, Deserializer};

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Ok(Some(Option::<String>::deserialize(d)?))
    }
}

async fn put_config(sim: Arc<Sim>, call: Call) -> HResult {
    let patch: ConfigPatch = call
        .json()
        .map_err(|e| bad_request(format!("invalid config: {}", error_text(e))))?;
    let mut world = sim.world();
    let s = &mut world.settings;
    if let Some(v) = patch.auto_consent {
        s.auto_consent = v;
    }
    if let Some(v) = patch.marketplace_mode {
        s.marketplace_mode = v;
    }
    if let Some(v) = patch.webhook_url {
        s.webhook_url = v;
    }
    if let Some(v) = patch.duplicate {
        s.duplicate = v;
    }
    if let Some(v) = patch.out_of_order {
        s.out_of_order = v;
    }
    if let Some(v) = patch.rate_limits {
        s.rate_limits = v;
    }
    if let Some(v) = patch.access_token_ttl_secs {
        s.access_token_ttl_secs = v.max(1);
    }
    Ok(json_response(200, &json!(s.clone())))
}

/// What a body error says in the control API's own error text.
fn error_text(r: poem::Response) -> String {
    format!("HTTP {}", r.status())
}

async fn advance_clock(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let secs = body["seconds"]
        .as_i64()
        .ok_or_else(|| bad_request("body must be {\"seconds\": N}"))?;
    sim.advance_clock(secs);
    Ok(json_response(200, &json!({"now": fmt_time(sim.now())})))
}

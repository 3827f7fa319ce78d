//! The control API under `/_sim` (not Zoom's; documented in docs/simulator.md): what a test or a
//! developer does to the simulated Zoom from outside. Users and who is signed in
//! ([`accounts`]), a host's actions in Zoom's UI ([`host`]), the test harness knobs (faults,
//! token expiry, statistics, webhook checks, settings, the clock: [`harness`]) and the Zoom
//! client for Zoom Apps ([`zoom_app`], docs/zoom.md §3, §7.8).

mod accounts;
mod harness;
mod host;
mod replies;
mod zoom_app;

use std::sync::Arc;

use poem::http::Method;
use serde_json::json;

use super::call::Call;
use super::pipeline::{Kind, Routes};
use super::respond::{HResult, json_response};
use crate::sim::Sim;

/// Registers every `/_sim` route.
pub(crate) fn routes(r: &mut Routes) {
    r.add(Method::GET, "/_sim", Kind::Plain, index);
    accounts::routes(r);
    host::routes(r);
    harness::routes(r);
    zoom_app::routes(r);
}

/// A short overview so `curl {url}/_sim` explains itself.
async fn index(sim: Arc<Sim>, _call: Call) -> HResult {
    let world = sim.world();
    Ok(json_response(
        200,
        &json!({
            "simulator": "Zoom (local simulator for Marquee)",
            "oauth_url": sim.url,
            "api_url": format!("{}/v2", sim.url),
            "signed_in_user": world.session_user,
            "users": world.users.len(),
            "meetings": world.meetings.len(),
            "recordings": world.recordings.len(),
            "docs": "docs/simulator.md",
        }),
    ))
}

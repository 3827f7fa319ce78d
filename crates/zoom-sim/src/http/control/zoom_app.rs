//! The Zoom client, played for Zoom Apps (docs/zoom.md §3, §7.8): a fresh encrypted
//! `x-zoom-app-context` for a user (with the action of a pending deeplink as `act`), opening the
//! app's home URL with it and checking the OWASP headers Zoom insists on, and the Marketplace
//! "Add" button that starts an install.

use std::sync::Arc;

use marquee_zoom_protocol::app_context;
use poem::http::Method;
use serde_json::{Value, json};

use super::replies::{bad_request, not_found};
use crate::http::call::Call;
use crate::http::oauth::authorize::marketplace_install;
use crate::http::pipeline::{Kind, Routes};
use crate::http::respond::{HResult, json_response};
use crate::sim::Sim;

/// Registers the Zoom App routes.
pub(super) fn routes(r: &mut Routes) {
    let p = Kind::Plain;
    r.add(Method::POST, "/_sim/zoomapp/context", p, app_context_header);
    r.add(Method::POST, "/_sim/zoomapp/open", p, open_app);
    r.add(Method::GET, "/_sim/install", p, install);
}

/// Builds a fresh context for `user_id` (default: signed-in user): `exp = ts + 120000`,
/// random 12-byte IV, empty AAD, base64url without padding (docs/zoom.md §3.2, §7.8).
fn context_for(sim: &Sim, body: &Value) -> Result<(String, Value), poem::Response> {
    let mut world = sim.world();
    let key = body["user_id"]
        .as_str()
        .map(str::to_string)
        .or_else(|| world.session_user.clone());
    let guest = body["guest"].as_bool() == Some(true);
    let user = match (&key, guest) {
        (_, true) => None,
        (Some(k), false) => Some(
            world
                .resolve_user(k, "")
                .cloned()
                .ok_or_else(|| not_found("user"))?,
        ),
        (None, false) => return Err(bad_request("no user_id and nobody signed in")),
    };
    let typ = body["typ"].as_str().unwrap_or("panel").to_string();
    let ts = sim.now().timestamp_millis();
    let mut ctx = json!({"typ": typ, "aud": sim.client_id, "iss": app_context::ISSUER, "ts": ts, "exp": ts + 120_000, "entitlements": []});
    if let Some(u) = &user {
        ctx["uid"] = json!(u.id);
        if let Some(act) = body["act"]
            .as_str()
            .map(str::to_string)
            .or_else(|| world.pending_actions.remove(&u.id))
        {
            ctx["act"] = json!(act);
        }
    }
    if typ == "meeting" || typ == "webinar" {
        let mid = match body["mid"].as_str() {
            Some(m) => m.to_string(),
            None => world.new_uuid(),
        };
        ctx["mid"] = json!(mid);
        ctx["attendrole"] = json!(body["attendrole"].as_str().unwrap_or("host"));
    }
    ctx["theme"] = json!(body["theme"].as_str().unwrap_or("light"));
    let header = app_context::encode(&sim.client_secret, rand::random(), b"", &ctx.to_string());
    Ok((header, ctx))
}

async fn app_context_header(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let (header, ctx) = context_for(&sim, &body)?;
    Ok(json_response(
        200,
        &json!({"header": header, "context": ctx}),
    ))
}

/// The four OWASP headers the Zoom client requires on HTML pages (docs/zoom.md §3.5).
const OWASP: [&str; 4] = [
    "strict-transport-security",
    "x-content-type-options",
    "content-security-policy",
    "referrer-policy",
];

/// Plays the Zoom client: GETs `home_url` with a fresh context and reports what Zoom would see.
async fn open_app(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let home = body["home_url"]
        .as_str()
        .ok_or_else(|| bad_request("home_url is required"))?
        .to_string();
    let (header, ctx) = context_for(&sim, &body)?;
    let resp = sim
        .http
        .get(&home)
        .header("x-zoom-app-context", &header)
        .header(
            "user-agent",
            "Mozilla/5.0 ZoomWebKit/537.36 (KHTML, like Gecko) ZoomApps/1.0",
        )
        .send()
        .await
        .map_err(|e| json_response(502, &json!({"error": e.to_string()})))?;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let missing: Vec<&str> = OWASP
        .iter()
        .copied()
        .filter(|h| !resp.headers().contains_key(*h))
        .collect();
    let is_html = content_type.starts_with("text/html");
    let rendered = status == 200 && (!is_html || missing.is_empty());
    Ok(json_response(
        200,
        &json!({"status": status, "content_type": content_type, "missing_owasp_headers": missing,
                "would_render": rendered, "context": ctx, "header": header}),
    ))
}

/// A Marketplace "Add" install: redirect to the app's first redirect URI with a code, no state.
async fn install(sim: Arc<Sim>, _call: Call) -> HResult {
    marketplace_install(&sim)
}

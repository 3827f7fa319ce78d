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
    // The Zoom client's web view for a person at a browser: the app's pages on this origin.
    for path in [
        "/zoomapp/home",
        "/zoomapp/app.js",
        "/zoomapp/sites/{slug}",
        "/zoomapp/authorize/external",
    ] {
        r.add(Method::GET, path, p, web_view_get);
    }
    for path in [
        "/zoomapp/sites/{slug}/meetings",
        "/zoomapp/sites/{slug}/meetings/{id}/start",
        "/zoomapp/sites/{slug}/admin",
        "/zoomapp/authorize",
        "/zoomapp/authorize/complete",
    ] {
        r.add(Method::POST, path, p, web_view_post);
    }
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

const ZOOM_UA: &str = "Mozilla/5.0 ZoomWebKit/537.36 (KHTML, like Gecko) ZoomApps/1.0";

/// The app's origin: that of its first redirect URI (docs/simulator.md, "The Zoom client in a
/// browser").
fn app_origin(sim: &Sim) -> Result<String, poem::Response> {
    sim.redirect_uris
        .first()
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .ok_or_else(|| bad_request("the app has no redirect URI"))
}

async fn web_view_get(sim: Arc<Sim>, call: Call) -> HResult {
    web_view(sim, call, Method::GET).await
}

async fn web_view_post(sim: Arc<Sim>, call: Call) -> HResult {
    web_view(sim, call, Method::POST).await
}

/// Plays the Zoom client's web view for an ordinary browser: forwards `/zoomapp/…` to the app
/// with the Zoom user agent, a fresh `x-zoom-app-context` on every home load (for `?user=` —
/// an id or e-mail — or the signed-in user), and the browser's cookies, forms and CSRF
/// header; answers with the app's status, headers and body. The app's pages link to
/// `/zoomapp/…`, so the browser stays on this origin.
async fn web_view(sim: Arc<Sim>, call: Call, method: Method) -> HResult {
    let origin = app_origin(&sim)?;
    let query: Vec<&(String, String)> = call.query.iter().filter(|(k, _)| k != "user").collect();
    let mut target = format!("{origin}{}", call.path);
    if !query.is_empty() {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        target = format!("{target}?{q}");
    }
    let mut request = sim
        .http
        .request(method.clone(), &target)
        .header("user-agent", ZOOM_UA)
        .body(call.body.clone());
    for name in [
        "cookie",
        "content-type",
        "accept-language",
        "x-csrf-token",
        "accept",
    ] {
        if let Some(v) = call.header(name) {
            request = request.header(name, v);
        }
    }
    if method == Method::GET && call.path == "/zoomapp/home" {
        let body = json!({"user_id": call.query("user")});
        let (header, _) = context_for(&sim, &body)?;
        request = request.header("x-zoom-app-context", header);
    }
    let answer = request
        .send()
        .await
        .map_err(|e| json_response(502, &json!({"error": e.to_string()})))?;
    let mut response = poem::Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        let keep = !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection" | "date"
        );
        if keep {
            response = response.header(name.clone(), value.clone());
        }
    }
    let body = answer
        .bytes()
        .await
        .map_err(|e| json_response(502, &json!({"error": e.to_string()})))?;
    Ok(response.body(body.to_vec()))
}

/// A Marketplace "Add" install: redirect to the app's first redirect URI with a code, no state.
async fn install(sim: Arc<Sim>, _call: Call) -> HResult {
    marketplace_install(&sim)
}

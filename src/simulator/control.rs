//! The control API under `/_sim` (not Zoom's; documented in docs/simulator.md): seed and change
//! data as a host would in the Zoom UI, sign a user in, inject faults, force-expire tokens, read
//! call statistics, validate the webhook endpoint, flip settings, move the clock, and play the
//! Zoom client for Zoom Apps (`x-zoom-app-context`, reference §3, §7.8).

use std::sync::Arc;

use chrono::Duration;
use poem::http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::{self, RecordingAction};
use super::faults::Fault;
use super::http::{Call, HResult, Kind, Routes, json_response, no_content};
use super::model::{self, meeting_detail, recording_json, user_json};
use super::oauth;
use super::rate_limit::RateLimits;
use super::state::{Account, Plan, Role, Sim, User, World};
use super::webhooks::{self, Operator};
use crate::zoom::app_context;

pub(crate) fn routes(r: &mut Routes) {
    let p = Kind::Plain;
    r.add(Method::GET, "/_sim", p, index);
    r.add(Method::POST, "/_sim/users", p, create_user);
    r.add(Method::GET, "/_sim/users", p, list_users);
    r.add(Method::PUT, "/_sim/session", p, set_session);
    r.add(
        Method::POST,
        "/_sim/users/{userId}/meetings",
        p,
        |s, c| async move { create_meeting(&s, &c, false) },
    );
    r.add(
        Method::POST,
        "/_sim/users/{userId}/webinars",
        p,
        |s, c| async move { create_meeting(&s, &c, true) },
    );
    r.add(
        Method::POST,
        "/_sim/users/{userId}/deauthorize",
        p,
        deauthorize_user,
    );
    r.add(Method::GET, "/_sim/meetings/{meetingId}", p, get_meeting);
    r.add(
        Method::PATCH,
        "/_sim/meetings/{meetingId}",
        p,
        patch_meeting,
    );
    r.add(
        Method::DELETE,
        "/_sim/meetings/{meetingId}",
        p,
        delete_meeting,
    );
    r.add(
        Method::PUT,
        "/_sim/meetings/{meetingId}/questions",
        p,
        set_questions,
    );
    r.add(
        Method::POST,
        "/_sim/meetings/{meetingId}/registrants",
        p,
        add_registrant,
    );
    r.add(
        Method::POST,
        "/_sim/meetings/{meetingId}/recordings",
        p,
        finish_recording,
    );
    r.add(
        Method::POST,
        "/_sim/recordings/trash",
        p,
        |s, c| async move { recording_action(&s, &c, RecordingAction::Trash) },
    );
    r.add(
        Method::POST,
        "/_sim/recordings/delete",
        p,
        |s, c| async move { recording_action(&s, &c, RecordingAction::Delete) },
    );
    r.add(
        Method::POST,
        "/_sim/recordings/recover",
        p,
        |s, c| async move { recording_action(&s, &c, RecordingAction::Recover) },
    );
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
    r.add(Method::POST, "/_sim/zoomapp/context", p, app_context_header);
    r.add(Method::POST, "/_sim/zoomapp/open", p, open_app);
    r.add(Method::GET, "/_sim/install", p, install);
}

fn bad_request(message: impl Into<String>) -> poem::Response {
    json_response(400, &json!({"error": message.into()}))
}

fn not_found(what: &str) -> poem::Response {
    json_response(404, &json!({"error": format!("{what} not found")}))
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

#[derive(Deserialize)]
struct NewUser {
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    timezone: Option<String>,
    account_id: Option<String>,
    plan: Option<Plan>,
    role: Option<Role>,
}

/// Adds a user (and an account when `account_id` is omitted); the first user signs in.
pub(crate) fn add_user(
    world: &mut World,
    input: NewUserInput,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<User, String> {
    if !input.email.contains('@') {
        return Err("email is invalid".into());
    }
    if world
        .users
        .iter()
        .any(|u| u.email.eq_ignore_ascii_case(&input.email))
    {
        return Err(format!("a user with e-mail {} exists", input.email));
    }
    let timezone = input.timezone.unwrap_or_else(|| "UTC".into());
    if super::recurrence::parse_tz(&timezone).is_none() {
        return Err(format!("unknown timezone {timezone}"));
    }
    let (account_id, default_role) = match input.account_id {
        Some(id) if world.accounts.contains_key(&id) => (id, Role::Member),
        Some(id) => return Err(format!("account {id} not found")),
        None => {
            let id = world.new_id();
            let number = 10_000_000 + (world.rng.next() % 89_999_999) as i64;
            let plan = input.plan.unwrap_or(Plan::Pro);
            world.accounts.insert(
                id.clone(),
                Account {
                    id: id.clone(),
                    number,
                    plan,
                },
            );
            (id, Role::Owner)
        }
    };
    let user = User {
        id: world.new_id(),
        account_id,
        email: input.email,
        first_name: input.first_name,
        last_name: input.last_name,
        timezone,
        role: input.role.unwrap_or(default_role),
        pmi: 2_000_000_000 + (world.rng.next() % 7_999_999_999) as i64,
        created_at: now,
    };
    world.users.push(user.clone());
    world.session_user.get_or_insert_with(|| user.id.clone());
    Ok(user)
}

/// What [`add_user`] needs (shared with the seed generator).
pub(crate) struct NewUserInput {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub timezone: Option<String>,
    pub account_id: Option<String>,
    pub plan: Option<Plan>,
    pub role: Option<Role>,
}

async fn create_user(sim: Arc<Sim>, call: Call) -> HResult {
    let input: NewUser = call
        .json()
        .map_err(|_| bad_request("body must be {\"email\", \"first_name\", ...}"))?;
    let first = input
        .first_name
        .unwrap_or_else(|| input.email.split('@').next().unwrap_or("").to_string());
    let now = sim.now();
    let mut world = sim.world();
    let user = add_user(
        &mut world,
        NewUserInput {
            email: input.email,
            first_name: first,
            last_name: input.last_name.unwrap_or_default(),
            timezone: input.timezone,
            account_id: input.account_id,
            plan: input.plan,
            role: input.role,
        },
        now,
    )
    .map_err(bad_request)?;
    Ok(json_response(
        201,
        &user_json(&sim.url, &user, world.account_of(&user)),
    ))
}

async fn list_users(sim: Arc<Sim>, _call: Call) -> HResult {
    let world = sim.world();
    let users: Vec<Value> = world
        .users
        .iter()
        .map(|u| user_json(&sim.url, u, world.account_of(u)))
        .collect();
    Ok(json_response(
        200,
        &json!({"users": users, "signed_in_user": world.session_user}),
    ))
}

async fn set_session(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call
        .json()
        .map_err(|_| bad_request("body must be {\"user_id\"}"))?;
    let mut world = sim.world();
    let key = body["user_id"].as_str().unwrap_or("");
    let id = world
        .resolve_user(key, "")
        .map(|u| u.id.clone())
        .ok_or_else(|| not_found("user"))?;
    world.session_user = Some(id.clone());
    Ok(json_response(200, &json!({"signed_in_user": id})))
}

/// The host acting in the Zoom UI: operator = the host.
fn host_operator(world: &World, host_id: &str) -> Option<Operator> {
    world.user(host_id).map(|u| Operator {
        email: u.email.clone(),
        id: u.id.clone(),
    })
}

fn create_meeting(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let body: Value = call.json()?;
    let mut world = sim.world();
    let host = world
        .resolve_user(&call.param("userId"), "")
        .cloned()
        .ok_or_else(|| not_found("user"))?;
    let op = host_operator(&world, &host.id).expect("host exists");
    let m = api::create_meeting(sim, &mut world, &host.id, &body, webinar, &op, false)?;
    Ok(json_response(
        201,
        &meeting_detail(&sim.url, &m, &host.email, sim.now(), None, false),
    ))
}

fn meeting_id(call: &Call, world: &World) -> Result<i64, poem::Response> {
    call.param("meetingId")
        .parse::<i64>()
        .ok()
        .filter(|id| world.meetings.contains_key(id))
        .ok_or_else(|| not_found("meeting"))
}

async fn get_meeting(sim: Arc<Sim>, call: Call) -> HResult {
    let world = sim.world();
    let m = &world.meetings[&meeting_id(&call, &world)?];
    let mut body = meeting_detail(&sim.url, m, "", sim.now(), None, true);
    body["registrants"] = m
        .registrants
        .iter()
        .map(|r| model::registrant_json(&sim.url, m, r))
        .collect();
    Ok(json_response(200, &body))
}

async fn patch_meeting(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let mut world = sim.world();
    let id = meeting_id(&call, &world)?;
    let op = host_operator(&world, &world.meetings[&id].host_id.clone())
        .ok_or_else(|| not_found("host"))?;
    api::update_meeting(
        &sim,
        &mut world,
        id,
        &body,
        call.query("occurrence_id"),
        &op,
        false,
    )?;
    Ok(no_content())
}

async fn delete_meeting(sim: Arc<Sim>, call: Call) -> HResult {
    let mut world = sim.world();
    let id = meeting_id(&call, &world)?;
    let op = host_operator(&world, &world.meetings[&id].host_id.clone())
        .ok_or_else(|| not_found("host"))?;
    api::delete_meeting(&sim, &mut world, id, call.query("occurrence_id"), &op)?;
    Ok(no_content())
}

/// Sets `{"questions":[{field_name, required}], "custom_questions":[{title, type, required, answers}]}`.
async fn set_questions(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let mut world = sim.world();
    let id = meeting_id(&call, &world)?;
    let questions = json!({
        "questions": body.get("questions").cloned().unwrap_or(json!([])),
        "custom_questions": body.get("custom_questions").cloned().unwrap_or(json!([])),
    });
    world.meetings.get_mut(&id).expect("checked").questions = questions.clone();
    Ok(json_response(200, &questions))
}

/// A visitor registering on Zoom's own registration page (no API limits apply).
async fn add_registrant(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let now = sim.now();
    let mut world = sim.world();
    let id = meeting_id(&call, &world)?;
    let body = body.as_object().cloned().unwrap_or_default();
    let (r, is_new) = api::register(&mut world, id, &body, now)?;
    let m = world.meetings[&id].clone();
    let registrant = model::registrant_json(&sim.url, &m, &r);
    if is_new {
        let account = world
            .user(&m.host_id)
            .map(|u| u.account_id.clone())
            .unwrap_or_default();
        sim.emit(webhooks::registration(
            "created",
            &account,
            &m,
            registrant.clone(),
            now.timestamp_millis(),
            now,
        ));
    }
    Ok(json_response(201, &registrant))
}

/// Body (all optional): `{"start_time", "duration", "password", "files": ["MP4","M4A","TRANSCRIPT","CHAT"]}`.
async fn finish_recording(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let mut world = sim.world();
    let id = meeting_id(&call, &world)?;
    let rec = api::complete_recording(&sim, &mut world, id, &body)?;
    let mut out = recording_json(&sim.url, &rec, true);
    out["download_token"] = json!(rec.download_token);
    Ok(json_response(201, &out))
}

/// Body: `{"meeting_uuid"}` or `{"meeting_id"}` (latest instance).
fn recording_action(sim: &Sim, call: &Call, action: RecordingAction) -> HResult {
    let body: Value = call.json()?;
    let key = match (&body["meeting_uuid"], &body["meeting_id"]) {
        (Value::String(u), _) => u.clone(),
        (_, Value::Number(n)) => n.to_string(),
        (_, Value::String(s)) => s.clone(),
        _ => {
            return Err(bad_request(
                "body must be {\"meeting_uuid\"} or {\"meeting_id\"}",
            ));
        }
    };
    let mut world = sim.world();
    let out = api::change_recording(sim, &mut world, &key, action)?;
    Ok(json_response(200, &out))
}

async fn add_fault(sim: Arc<Sim>, call: Call) -> HResult {
    let fault: Fault = call
        .json()
        .map_err(|_| bad_request("body must be {\"path\", \"kind\", \"count\"?, ...}"))?;
    fault.validate().map_err(bad_request)?;
    let mut faults = sim.faults.lock().unwrap_or_else(|e| e.into_inner());
    faults.armed.push(fault.clone());
    Ok(json_response(201, &json!({"armed": faults.armed})))
}

async fn list_faults(sim: Arc<Sim>, _call: Call) -> HResult {
    let faults = sim.faults.lock().unwrap_or_else(|e| e.into_inner());
    Ok(json_response(200, &json!({"armed": faults.armed})))
}

async fn clear_faults(sim: Arc<Sim>, _call: Call) -> HResult {
    sim.faults
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .armed
        .clear();
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

/// The user removes the app in Zoom: tokens die and `app_deauthorized` is sent (reference §2.8).
async fn deauthorize_user(sim: Arc<Sim>, call: Call) -> HResult {
    let mut world = sim.world();
    let id = world
        .resolve_user(&call.param("userId"), "")
        .map(|u| u.id.clone())
        .ok_or_else(|| not_found("user"))?;
    let killed = oauth::deauthorize(&sim, &mut world, &id);
    Ok(json_response(200, &json!({"revoked_tokens": killed})))
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
    let report = webhooks::validate_endpoint(&sim).await;
    Ok(json_response(200, &report))
}

async fn deliveries(sim: Arc<Sim>, _call: Call) -> HResult {
    let log: Vec<_> = sim
        .webhooks
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect();
    Ok(json_response(200, &json!({"deliveries": log})))
}

async fn get_config(sim: Arc<Sim>, _call: Call) -> HResult {
    let settings = sim.world().settings.clone();
    Ok(json_response(200, &json!(settings)))
}

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

fn error_text(r: poem::Response) -> String {
    format!("HTTP {}", r.status())
}

async fn advance_clock(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let secs = body["seconds"]
        .as_i64()
        .ok_or_else(|| bad_request("body must be {\"seconds\": N}"))?;
    sim.advance_clock(secs);
    Ok(json_response(
        200,
        &json!({"now": model::fmt_time(sim.now())}),
    ))
}

/// Builds a fresh context for `user_id` (default: signed-in user): `exp = ts + 120000`,
/// random 12-byte IV, empty AAD, base64url without padding (reference §3.2, §7.8).
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

/// The four OWASP headers the Zoom client requires on HTML pages (reference §3.5).
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
    oauth::marketplace_install(&sim)
}

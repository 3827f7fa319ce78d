//! Registrants of meetings and webinars (reference §4.4): add (only with `approval_type` 0 or 1;
//! 0 → approved with a personal `join_url`, 1 → pending without one; the same e-mail again →
//! the same registrant), list by status, get, delete, status changes, registration questions,
//! and the per-registrant daily add limit (§5.2).

use std::sync::Arc;

use poem::http::Method;
use serde_json::{Map, Value, json};

use super::super::http::{
    Call, HResult, Kind, Routes, Scopes, json_response, no_content, validation_error, zoom_error,
};
use super::super::model::{self, registrant_json};
use super::super::rate_limit::{Category, next_utc_midnight};
use super::super::state::{Meeting, Registrant, Sim, World};
use super::super::webhooks;
use super::{paginate, visible_meeting, with_page};

const ADD: Scopes = Scopes {
    user: &["meeting:write:registrant", "meeting:write"],
    admin: &["meeting:write:registrant:admin", "meeting:write:admin"],
};
const LIST: Scopes = Scopes {
    user: &["meeting:read:list_registrants", "meeting:read"],
    admin: &["meeting:read:list_registrants:admin", "meeting:read:admin"],
};
const READ: Scopes = Scopes {
    user: &["meeting:read:registrant", "meeting:read"],
    admin: &["meeting:read:registrant:admin", "meeting:read:admin"],
};
const DELETE: Scopes = Scopes {
    user: &["meeting:delete:registrant", "meeting:write"],
    admin: &["meeting:delete:registrant:admin", "meeting:write:admin"],
};
const STATUS: Scopes = Scopes {
    user: &["meeting:update:registrant_status", "meeting:write"],
    admin: &[
        "meeting:update:registrant_status:admin",
        "meeting:write:admin",
    ],
};
const QUESTIONS: Scopes = Scopes {
    user: &["meeting:read:list_registration_questions", "meeting:read"],
    admin: &[
        "meeting:read:list_registration_questions:admin",
        "meeting:read:admin",
    ],
};
const WEBINAR_ADD: Scopes = Scopes {
    user: &["webinar:write:registrant", "webinar:write"],
    admin: &["webinar:write:registrant:admin", "webinar:write:admin"],
};
const WEBINAR_LIST: Scopes = Scopes {
    user: &["webinar:read:list_registrants", "webinar:read"],
    admin: &["webinar:read:list_registrants:admin", "webinar:read:admin"],
};

/// Zoom's cap of registrants per meeting (reference §4.4).
const MAX_REGISTRANTS: usize = 4_999;

pub(super) fn routes(r: &mut Routes) {
    use Category::{Light, Medium};
    let base = "/v2/meetings/{meetingId}/registrants";
    r.add(
        Method::POST,
        base,
        Kind::Api(Light, ADD),
        |s, c| async move { add(&s, &c, false) },
    );
    r.add(
        Method::GET,
        base,
        Kind::Api(Medium, LIST),
        |s, c| async move { list(&s, &c, false) },
    );
    r.add(
        Method::GET,
        "/v2/meetings/{meetingId}/registrants/questions",
        Kind::Api(Light, QUESTIONS),
        questions,
    );
    r.add(
        Method::PUT,
        "/v2/meetings/{meetingId}/registrants/status",
        Kind::Api(Medium, STATUS),
        update_status,
    );
    r.add(
        Method::GET,
        "/v2/meetings/{meetingId}/registrants/{registrantId}",
        Kind::Api(Light, READ),
        get_one,
    );
    r.add(
        Method::DELETE,
        "/v2/meetings/{meetingId}/registrants/{registrantId}",
        Kind::Api(Light, DELETE),
        delete_one,
    );
    let webinar = "/v2/webinars/{webinarId}/registrants";
    r.add(
        Method::POST,
        webinar,
        Kind::Api(Light, WEBINAR_ADD),
        |s, c| async move { add(&s, &c, true) },
    );
    r.add(
        Method::GET,
        webinar,
        Kind::Api(Medium, WEBINAR_LIST),
        |s, c| async move { list(&s, &c, true) },
    );
}

fn meeting_param(webinar: bool) -> &'static str {
    if webinar { "webinarId" } else { "meetingId" }
}

/// Validates required fields, lengths and custom questions against the meeting's questions.
fn validate(
    m: &Meeting,
    body: &Map<String, Value>,
) -> Result<(String, String, String), poem::Response> {
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let (email, first, last) = (text("email"), text("first_name"), text("last_name"));
    if email.is_empty() || email.len() > 128 || !email.contains('@') {
        return Err(validation_error("email", "Invalid field."));
    }
    if first.is_empty() || first.chars().count() > 64 {
        return Err(validation_error("first_name", "Invalid field."));
    }
    if last.chars().count() > 64 {
        return Err(validation_error("last_name", "Invalid field."));
    }
    for q in m.questions["questions"].as_array().into_iter().flatten() {
        let field = q["field_name"].as_str().unwrap_or("");
        if q["required"].as_bool() == Some(true) && text(field).is_empty() {
            return Err(validation_error(field, "This field is required."));
        }
    }
    let answers = body
        .get("custom_questions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let configured = m.questions["custom_questions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for a in &answers {
        let title = a["title"].as_str().unwrap_or("");
        if !configured
            .iter()
            .any(|q| q["title"].as_str() == Some(title))
        {
            return Err(validation_error(
                "custom_questions",
                &format!("Unknown question: {title}"),
            ));
        }
        if a["value"].as_str().is_some_and(|v| v.chars().count() > 128) {
            return Err(validation_error(
                "custom_questions",
                "Value must be at most 128 characters.",
            ));
        }
    }
    for q in configured
        .iter()
        .filter(|q| q["required"].as_bool() == Some(true))
    {
        let answered = answers.iter().any(|a| {
            a["title"] == q["title"] && a["value"].as_str().is_some_and(|v| !v.is_empty())
        });
        if !answered {
            return Err(validation_error(
                "custom_questions",
                &format!("{} is required.", q["title"].as_str().unwrap_or("")),
            ));
        }
    }
    Ok((email, first, last))
}

fn registration_disabled(m: &Meeting) -> poem::Response {
    if m.webinar {
        // reference §4.4: webinars answer 400 code 3000
        zoom_error(
            400,
            3000,
            format!("Webinar does not need registration: {}", m.id),
        )
    } else {
        // reference §4.4, §8.10: body code 404; HTTP 400 as in the newer spec
        zoom_error(
            400,
            404,
            format!(
                "Registration has not been enabled for this meeting: {}",
                m.id
            ),
        )
    }
}

fn registrant_limit(
    world: &mut World,
    m: &Meeting,
    email: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), poem::Response> {
    let limits = world.settings.rate_limits.clone();
    if world.limiter.registrant_add(&limits, m.id, email, now) {
        return Ok(());
    }
    let n = limits.registrant_adds_per_day;
    let mut resp = zoom_error(
        429,
        429,
        format!(
            "You have exceeded the daily rate limit of \"{n}\" for Add meeting registrant API requests for the registrant \"{email}\". You can resume these API requests at GMT 00:00:00."
        ),
    );
    if let Ok(v) = next_utc_midnight(now).parse() {
        resp.headers_mut().insert("Retry-After", v);
    }
    Err(resp)
}

/// Adds (or finds) the registrant; returns it and whether it is new.
pub(crate) fn register(
    world: &mut World,
    id: i64,
    body: &Map<String, Value>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Registrant, bool), poem::Response> {
    let m = world.meetings.get(&id).cloned().ok_or_else(|| {
        zoom_error(
            404,
            3001,
            format!("Meeting {id} is not found or has expired."),
        )
    })?;
    if !matches!(m.approval_type(), 0 | 1) {
        return Err(registration_disabled(&m));
    }
    let (email, first, last) = validate(&m, body)?;
    registrant_limit(world, &m, &email, now)?;
    if let Some(existing) = m
        .registrants
        .iter()
        .find(|r| r.email.eq_ignore_ascii_case(&email))
    {
        return Ok((existing.clone(), false));
    }
    if m.registrants.len() >= MAX_REGISTRANTS {
        return Err(zoom_error(
            400,
            3043,
            "Meeting has reached maximum attendee capacity.",
        ));
    }
    let auto = body.get("auto_approve").and_then(Value::as_bool) == Some(true);
    let status = if m.approval_type() == 0 || auto {
        "approved"
    } else {
        "pending"
    };
    let mut extra = body.clone();
    for k in ["email", "first_name", "last_name", "auto_approve"] {
        extra.remove(k);
    }
    let r = Registrant {
        id: world.new_id(),
        email,
        first_name: first,
        last_name: last,
        status: status.into(),
        join_token: world.rng.token(43),
        pin: 100_000_000 + (world.rng.next() % 900_000_000) as i64,
        create_time: now,
        extra,
    };
    world
        .meetings
        .get_mut(&id)
        .expect("checked")
        .registrants
        .push(r.clone());
    Ok((r, true))
}

/// The 201 body: `join_url` is omitted while the registrant is pending (reference §4.4).
fn add_response(
    base: &str,
    m: &Meeting,
    r: &Registrant,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let mut v = json!({
        "id": m.id,
        "registrant_id": r.id,
        "topic": m.topic,
        "participant_pin_code": r.pin,
    });
    if let Some(s) = m.next_start(now) {
        v["start_time"] = json!(model::fmt_time(s));
    }
    if r.status == "approved" {
        v["join_url"] = json!(model::registrant_join_url(base, m, r));
    }
    if !m.occurrences.is_empty() {
        v["occurrences"] = json!(
            m.live_occurrences()
                .filter(|o| o.start_time > now)
                .map(|o| json!({
            "occurrence_id": o.occurrence_id, "start_time": model::fmt_time(o.start_time),
            "duration": o.duration, "status": "available"}))
                .collect::<Vec<_>>()
        );
    }
    v
}

fn add(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let body: Value = call.json()?;
    let body = body.as_object().cloned().unwrap_or_default();
    let now = sim.now();
    let mut world = sim.world();
    let id = visible_meeting(
        &world,
        call.auth(),
        &call.param(meeting_param(webinar)),
        webinar,
    )?
    .id;
    let (r, is_new) = register(&mut world, id, &body, now)?;
    let m = world.meetings[&id].clone();
    if is_new {
        let account_id = world
            .user(&m.host_id)
            .map(|u| u.account_id.clone())
            .unwrap_or_default();
        let registrant = registrant_json(&sim.url, &m, &r);
        sim.emit(webhooks::registration(
            "created",
            &account_id,
            &m,
            registrant,
            now.timestamp_millis(),
            now,
        ));
    }
    Ok(json_response(201, &add_response(&sim.url, &m, &r, now)))
}

fn list(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let status = call.query("status").unwrap_or("approved").to_string();
    if !["approved", "pending", "denied"].contains(&status.as_str()) {
        return Err(validation_error("status", "Invalid field."));
    }
    let now = sim.now();
    let mut world = sim.world();
    let m = visible_meeting(
        &world,
        call.auth(),
        &call.param(meeting_param(webinar)),
        webinar,
    )?
    .clone();
    let items: Vec<Value> = m
        .registrants
        .iter()
        .filter(|r| r.status == status)
        .map(|r| registrant_json(&sim.url, &m, r))
        .collect();
    let (page, info) = paginate(&mut world, call, now, items)?;
    Ok(json_response(
        200,
        &with_page(json!({ "registrants": page }), info),
    ))
}

fn find<'m>(m: &'m Meeting, id: &str) -> Result<&'m Registrant, poem::Response> {
    m.registrants
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| zoom_error(404, 3079, format!("Registrant {id} not found.")))
}

async fn get_one(sim: Arc<Sim>, call: Call) -> HResult {
    let world = sim.world();
    let m = visible_meeting(&world, call.auth(), &call.param("meetingId"), false)?;
    let r = find(m, &call.param("registrantId"))?;
    Ok(json_response(200, &registrant_json(&sim.url, m, r)))
}

async fn delete_one(sim: Arc<Sim>, call: Call) -> HResult {
    let mut world = sim.world();
    let id = visible_meeting(&world, call.auth(), &call.param("meetingId"), false)?.id;
    let rid = call.param("registrantId");
    let m = world.meetings.get_mut(&id).expect("visible");
    find(m, &rid)?;
    m.registrants.retain(|r| r.id != rid);
    Ok(no_content())
}

async fn questions(sim: Arc<Sim>, call: Call) -> HResult {
    let world = sim.world();
    let m = visible_meeting(&world, call.auth(), &call.param("meetingId"), false)?;
    Ok(json_response(200, &m.questions))
}

/// `PUT …/registrants/status` `{"action", "registrants":[{"id"|"email"}]}` (≤ 30), reference §4.4.
async fn update_status(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let (new_status, event) = match body["action"].as_str() {
        Some("approve") => ("approved", "approved"),
        Some("deny") => ("denied", "denied"),
        Some("cancel") => ("denied", "cancelled"),
        _ => return Err(validation_error("action", "Invalid field.")),
    };
    let targets = body["registrants"].as_array().cloned().unwrap_or_default();
    if targets.len() > 30 {
        return Err(validation_error(
            "registrants",
            "At most 30 registrants per request.",
        ));
    }
    let now = sim.now();
    let mut world = sim.world();
    let id = visible_meeting(&world, call.auth(), &call.param("meetingId"), false)?.id;
    let changed = set_status(&mut world, id, &targets, new_status);
    let m = world.meetings[&id].clone();
    let account_id = world
        .user(&m.host_id)
        .map(|u| u.account_id.clone())
        .unwrap_or_default();
    for r in changed {
        let registrant = json!({"id": r.id, "first_name": r.first_name, "last_name": r.last_name, "email": r.email});
        sim.emit(webhooks::registration(
            event,
            &account_id,
            &m,
            registrant,
            now.timestamp_millis(),
            now,
        ));
    }
    Ok(no_content())
}

fn set_status(world: &mut World, id: i64, targets: &[Value], status: &str) -> Vec<Registrant> {
    let m = world.meetings.get_mut(&id).expect("visible");
    let mut changed = Vec::new();
    for r in &mut m.registrants {
        let hit = targets.iter().any(|t| {
            t["id"].as_str() == Some(r.id.as_str())
                || t["email"]
                    .as_str()
                    .is_some_and(|e| e.eq_ignore_ascii_case(&r.email))
        });
        if hit && r.status != status {
            r.status = status.into();
            changed.push(r.clone());
        }
    }
    changed
}

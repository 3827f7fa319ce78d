//! The meeting and webinar routes (docs/zoom.md §4.3, §4.6): list by `type` with paging, get,
//! create (201), patch (204), delete (204) and past instances. What a change does to the world,
//! and the webhooks and daily write limit it involves, is `crate::ops::meetings`.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use poem::http::Method;
use serde_json::{Value, json};

use super::paging::{paginate, with_page};
use crate::error::ApiError;
use crate::http::access::{Scopes, target_user, visible_meeting};
use crate::http::call::Call;
use crate::http::pipeline::{Kind, Routes};
use crate::http::respond::{HResult, json_response, no_content, validation_error};
use crate::ops::meetings::{create_meeting, delete_meeting, update_meeting};
use crate::sim::Sim;
use crate::wire::{fmt_time, meeting_detail, meeting_list_item};
use crate::world::Meeting;
use crate::world::rate_limit::Category;

const LIST: Scopes = Scopes {
    user: &["meeting:read:list_meetings", "meeting:read"],
    admin: &["meeting:read:list_meetings:admin", "meeting:read:admin"],
};
const READ: Scopes = Scopes {
    user: &["meeting:read:meeting", "meeting:read"],
    admin: &["meeting:read:meeting:admin", "meeting:read:admin"],
};
const WRITE: Scopes = Scopes {
    user: &["meeting:write:meeting", "meeting:write"],
    admin: &["meeting:write:meeting:admin", "meeting:write:admin"],
};
const UPDATE: Scopes = Scopes {
    user: &["meeting:update:meeting", "meeting:write"],
    admin: &["meeting:update:meeting:admin", "meeting:write:admin"],
};
const DELETE: Scopes = Scopes {
    user: &["meeting:delete:meeting", "meeting:write"],
    admin: &["meeting:delete:meeting:admin", "meeting:write:admin"],
};
const INSTANCES: Scopes = Scopes {
    user: &["meeting:read:list_past_instances", "meeting:read"],
    admin: &[
        "meeting:read:list_past_instances:admin",
        "meeting:read:admin",
    ],
};
const LIST_WEBINARS: Scopes = Scopes {
    user: &["webinar:read:list_webinars", "webinar:read"],
    admin: &["webinar:read:list_webinars:admin", "webinar:read:admin"],
};
const READ_WEBINAR: Scopes = Scopes {
    user: &["webinar:read:webinar", "webinar:read"],
    admin: &["webinar:read:webinar:admin", "webinar:read:admin"],
};

const WRITE_WEBINAR: Scopes = Scopes {
    user: &["webinar:write:webinar", "webinar:write"],
    admin: &["webinar:write:webinar:admin", "webinar:write:admin"],
};
const UPDATE_WEBINAR: Scopes = Scopes {
    user: &["webinar:update:webinar", "webinar:write"],
    admin: &["webinar:update:webinar:admin", "webinar:write:admin"],
};
const DELETE_WEBINAR: Scopes = Scopes {
    user: &["webinar:delete:webinar", "webinar:write"],
    admin: &["webinar:delete:webinar:admin", "webinar:write:admin"],
};

/// A non-recurring meeting ID expires 30 days after its scheduled time.
const EXPIRY_DAYS: i64 = 30;

/// Registers the meeting and webinar routes.
pub(super) fn routes(r: &mut Routes) {
    use Category::{Light, Medium};
    r.add(
        Method::GET,
        "/v2/users/{userId}/meetings",
        Kind::Api(Medium, LIST),
        list_meetings,
    );
    r.add(
        Method::POST,
        "/v2/users/{userId}/meetings",
        Kind::Api(Medium, WRITE),
        |s, c| async move { post(&s, &c, false) },
    );
    r.add(
        Method::GET,
        "/v2/meetings/{meetingId}",
        Kind::Api(Light, READ),
        get_meeting,
    );
    r.add(
        Method::PATCH,
        "/v2/meetings/{meetingId}",
        Kind::Api(Light, UPDATE),
        |s, c| async move { patch(&s, &c, false) },
    );
    r.add(
        Method::DELETE,
        "/v2/meetings/{meetingId}",
        Kind::Api(Light, DELETE),
        |s, c| async move { remove(&s, &c, false) },
    );
    r.add(
        Method::GET,
        "/v2/past_meetings/{meetingId}/instances",
        Kind::Api(Medium, INSTANCES),
        past_instances,
    );
    r.add(
        Method::GET,
        "/v2/users/{userId}/webinars",
        Kind::Api(Medium, LIST_WEBINARS),
        list_webinars,
    );
    r.add(
        Method::GET,
        "/v2/webinars/{webinarId}",
        Kind::Api(Light, READ_WEBINAR),
        get_webinar,
    );
    r.add(
        Method::POST,
        "/v2/users/{userId}/webinars",
        Kind::Api(Medium, WRITE_WEBINAR),
        |s, c| async move { post(&s, &c, true) },
    );
    r.add(
        Method::PATCH,
        "/v2/webinars/{webinarId}",
        Kind::Api(Light, UPDATE_WEBINAR),
        |s, c| async move { patch(&s, &c, true) },
    );
    r.add(
        Method::DELETE,
        "/v2/webinars/{webinarId}",
        Kind::Api(Light, DELETE_WEBINAR),
        |s, c| async move { remove(&s, &c, true) },
    );
}

/// The path parameter naming the meeting or webinar.
fn id_param(webinar: bool) -> &'static str {
    if webinar { "webinarId" } else { "meetingId" }
}

// ---------------------------------------------------------------------------------------------
// Lists

/// Whether a meeting belongs in a list of the given `type` (docs/zoom.md §4.3).
fn in_list(m: &Meeting, list_type: &str, now: DateTime<Utc>) -> bool {
    let end = m.end();
    let first_start = m
        .live_occurrences()
        .map(|o| o.start_time)
        .min()
        .or(m.start_time);
    match list_type {
        "scheduled" => end.is_none_or(|e| e + Duration::days(EXPIRY_DAYS) > now),
        "upcoming" | "upcoming_meetings" => end.is_none_or(|e| e > now),
        "previous_meetings" => first_start.is_some_and(|s| s < now),
        _ => false, // "live": the simulator never has a meeting in progress
    }
}

fn list(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let list_type = call.query("type").unwrap_or("scheduled");
    let allowed: &[&str] = if webinar {
        &["scheduled", "upcoming"]
    } else {
        &[
            "scheduled",
            "live",
            "upcoming",
            "upcoming_meetings",
            "previous_meetings",
        ]
    };
    if !allowed.contains(&list_type) {
        return Err(validation_error("type", "Invalid field."));
    }
    let from = date_param(call, "from")?;
    let to = date_param(call, "to")?;
    let now = sim.now();
    let mut world = sim.world();
    let host_id = target_user(&world, call.auth(), &call.param("userId"))?
        .id
        .clone();
    let mut found: Vec<&Meeting> = world
        .meetings
        .values()
        .filter(|m| m.host_id == host_id && m.webinar == webinar && !matches!(m.kind, 1 | 4))
        .filter(|m| in_list(m, list_type, now))
        .filter(|m| {
            let day = m.next_start(now).map(|s| s.date_naive());
            from.is_none_or(|f| day.is_none_or(|d| d >= f))
                && to.is_none_or(|t| day.is_none_or(|d| d <= t))
        })
        .collect();
    found.sort_by_key(|m| (m.next_start(now).is_none(), m.next_start(now), m.id));
    let items: Vec<Value> = found
        .iter()
        .map(|m| meeting_list_item(&sim.url, m, now))
        .collect();
    let (page, info) = paginate(&mut world, call, now, items)?;
    let key = if webinar { "webinars" } else { "meetings" };
    Ok(json_response(200, &with_page(json!({ key: page }), info)))
}

fn date_param(call: &Call, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    call.query(name)
        .filter(|s| !s.is_empty())
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| ApiError::invalid(name, "Invalid field."))
        })
        .transpose()
}

async fn list_meetings(sim: Arc<Sim>, call: Call) -> HResult {
    list(&sim, &call, false)
}

async fn list_webinars(sim: Arc<Sim>, call: Call) -> HResult {
    list(&sim, &call, true)
}

// ---------------------------------------------------------------------------------------------
// Get

fn show(sim: &Sim, call: &Call, param: &str, webinar: bool) -> HResult {
    let now = sim.now();
    let world = sim.world();
    let m = visible_meeting(&world, call.auth(), &call.param(param), webinar)?;
    let occurrence = match call.query("occurrence_id").filter(|s| !s.is_empty()) {
        None => None,
        Some(id) => Some(
            m.live_occurrences()
                .find(|o| o.occurrence_id == id)
                .ok_or_else(ApiError::invalid_occurrence)?,
        ),
    };
    let show_previous = call.query("show_previous_occurrences") == Some("true");
    let host_email = world
        .user(&m.host_id)
        .map(|u| u.email.clone())
        .unwrap_or_default();
    Ok(json_response(
        200,
        &meeting_detail(&sim.url, m, &host_email, now, occurrence, show_previous),
    ))
}

async fn get_meeting(sim: Arc<Sim>, call: Call) -> HResult {
    show(&sim, &call, "meetingId", false)
}

async fn get_webinar(sim: Arc<Sim>, call: Call) -> HResult {
    show(&sim, &call, "webinarId", true)
}

/// `POST /users/{userId}/meetings` or `/webinars` (201 with the detail).
fn post(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let body: Value = call.json()?;
    let auth = call.auth();
    let mut world = sim.world();
    let mut host_id = target_user(&world, auth, &call.param("userId"))?.id.clone();
    if let Some(other) = body
        .get("schedule_for")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        host_id = target_user(&world, auth, other)?.id.clone();
    }
    let m = create_meeting(
        sim,
        &mut world,
        &host_id,
        &body,
        webinar,
        &auth.operator(),
        true,
    )?;
    let host_email = world
        .user(&host_id)
        .map(|u| u.email.clone())
        .unwrap_or_default();
    Ok(json_response(
        201,
        &meeting_detail(&sim.url, &m, &host_email, sim.now(), None, false),
    ))
}

fn patch(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let body: Value = call.json()?;
    let auth = call.auth();
    let mut world = sim.world();
    let id = visible_meeting(&world, auth, &call.param(id_param(webinar)), webinar)?.id;
    update_meeting(
        sim,
        &mut world,
        id,
        &body,
        call.query("occurrence_id"),
        &auth.operator(),
        true,
    )?;
    Ok(no_content())
}

fn remove(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let auth = call.auth();
    let mut world = sim.world();
    let id = visible_meeting(&world, auth, &call.param(id_param(webinar)), webinar)?.id;
    delete_meeting(
        sim,
        &mut world,
        id,
        call.query("occurrence_id"),
        &auth.operator(),
    )?;
    Ok(no_content())
}

/// Ended instances: every recorded instance of the meeting, plus a past single instance.
async fn past_instances(sim: Arc<Sim>, call: Call) -> HResult {
    let now = sim.now();
    let world = sim.world();
    let m = visible_meeting(&world, call.auth(), &call.param("meetingId"), false)?;
    let mut instances: Vec<(DateTime<Utc>, String)> = world
        .recordings
        .iter()
        .filter(|r| r.meeting_id == m.id)
        .map(|r| (r.start_time, r.meeting_uuid.clone()))
        .collect();
    if let Some(s) = m
        .start_time
        .filter(|s| *s < now && m.occurrences.is_empty())
        && !instances.iter().any(|(_, u)| *u == m.uuid)
    {
        instances.push((s, m.uuid.clone()));
    }
    instances.sort();
    let list: Vec<Value> = instances
        .into_iter()
        .map(|(t, uuid)| json!({"uuid": uuid, "start_time": fmt_time(t)}))
        .collect();
    Ok(json_response(200, &json!({ "meetings": list })))
}

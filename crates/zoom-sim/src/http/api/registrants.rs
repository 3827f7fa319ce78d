//! The registrant routes of meetings and webinars (docs/zoom.md §4.4): add (the 201 body omits
//! `join_url` while pending), list by status, get, delete, status changes and the registration
//! questions. The rules of registering live in `crate::ops::registrants`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use poem::http::Method;
use serde_json::{Value, json};

use super::paging::{paginate, with_page};
use crate::error::ApiError;
use crate::http::access::{Scopes, visible_meeting};
use crate::http::call::Call;
use crate::http::pipeline::{Kind, Routes};
use crate::http::respond::{HResult, json_response, no_content, validation_error};
use crate::ops::registrants::{change_status, register};
use crate::sim::Sim;
use crate::wire::{self, registrant_json};
use crate::world::rate_limit::Category;
use crate::world::{Meeting, Registrant};

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
/// Not in docs/zoom.md's table: the granular name is assumed from Zoom's pattern, and the
/// meeting's update scope is accepted as well.
const QUESTIONS_UPDATE: Scopes = Scopes {
    user: &[
        "meeting:update:registration_question",
        "meeting:update:meeting",
        "meeting:write",
    ],
    admin: &[
        "meeting:update:registration_question:admin",
        "meeting:update:meeting:admin",
        "meeting:write:admin",
    ],
};
const WEBINAR_QUESTIONS: Scopes = Scopes {
    user: &["webinar:read:list_registration_questions", "webinar:read"],
    admin: &[
        "webinar:read:list_registration_questions:admin",
        "webinar:read:admin",
    ],
};
const WEBINAR_QUESTIONS_UPDATE: Scopes = Scopes {
    user: &[
        "webinar:update:registration_question",
        "webinar:update:webinar",
        "webinar:write",
    ],
    admin: &[
        "webinar:update:registration_question:admin",
        "webinar:update:webinar:admin",
        "webinar:write:admin",
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
const WEBINAR_READ: Scopes = Scopes {
    user: &["webinar:read:registrant", "webinar:read"],
    admin: &["webinar:read:registrant:admin", "webinar:read:admin"],
};
const WEBINAR_STATUS: Scopes = Scopes {
    user: &["webinar:update:registrant_status", "webinar:write"],
    admin: &[
        "webinar:update:registrant_status:admin",
        "webinar:write:admin",
    ],
};

/// Registers the registrant routes.
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
        |s, c| async move { questions(&s, &c, false) },
    );
    r.add(
        Method::PATCH,
        "/v2/meetings/{meetingId}/registrants/questions",
        Kind::Api(Light, QUESTIONS_UPDATE),
        |s, c| async move { set_questions(&s, &c, false) },
    );
    r.add(
        Method::PUT,
        "/v2/meetings/{meetingId}/registrants/status",
        Kind::Api(Medium, STATUS),
        |s, c| async move { update_status(&s, &c, false) },
    );
    r.add(
        Method::GET,
        "/v2/meetings/{meetingId}/registrants/{registrantId}",
        Kind::Api(Light, READ),
        |s, c| async move { get_one(&s, &c, false) },
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
    r.add(
        Method::GET,
        "/v2/webinars/{webinarId}/registrants/questions",
        Kind::Api(Light, WEBINAR_QUESTIONS),
        |s, c| async move { questions(&s, &c, true) },
    );
    r.add(
        Method::PATCH,
        "/v2/webinars/{webinarId}/registrants/questions",
        Kind::Api(Light, WEBINAR_QUESTIONS_UPDATE),
        |s, c| async move { set_questions(&s, &c, true) },
    );
    r.add(
        Method::PUT,
        "/v2/webinars/{webinarId}/registrants/status",
        Kind::Api(Medium, WEBINAR_STATUS),
        |s, c| async move { update_status(&s, &c, true) },
    );
    r.add(
        Method::GET,
        "/v2/webinars/{webinarId}/registrants/{registrantId}",
        Kind::Api(Light, WEBINAR_READ),
        |s, c| async move { get_one(&s, &c, true) },
    );
}

/// The path parameter naming the meeting or webinar.
fn meeting_param(webinar: bool) -> &'static str {
    if webinar { "webinarId" } else { "meetingId" }
}

/// The 201 body: `join_url` is omitted while the registrant is pending (docs/zoom.md §4.4).
fn add_response(base: &str, m: &Meeting, r: &Registrant, now: DateTime<Utc>) -> Value {
    let mut v = json!({
        "id": m.id,
        "registrant_id": r.id,
        "topic": m.topic,
        "participant_pin_code": r.pin,
    });
    if let Some(s) = m.next_start(now) {
        v["start_time"] = json!(wire::fmt_time(s));
    }
    if r.status == "approved" {
        v["join_url"] = json!(wire::registrant_join_url(base, m, r));
    }
    if !m.occurrences.is_empty() {
        v["occurrences"] = json!(
            m.live_occurrences()
                .filter(|o| o.start_time > now)
                .map(|o| json!({
            "occurrence_id": o.occurrence_id, "start_time": wire::fmt_time(o.start_time),
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
    let r = register(sim, &mut world, id, &body, now)?;
    let m = &world.meetings[&id];
    Ok(json_response(201, &add_response(&sim.url, m, &r, now)))
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

fn find<'m>(m: &'m Meeting, id: &str) -> Result<&'m Registrant, ApiError> {
    m.registrants
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::new(404, 3079, format!("Registrant {id} not found.")))
}

fn get_one(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let world = sim.world();
    let m = visible_meeting(
        &world,
        call.auth(),
        &call.param(meeting_param(webinar)),
        webinar,
    )?;
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

fn questions(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let world = sim.world();
    let m = visible_meeting(
        &world,
        call.auth(),
        &call.param(meeting_param(webinar)),
        webinar,
    )?;
    Ok(json_response(200, &m.questions))
}

/// `PATCH …/registrants/questions` `{"questions":[{field_name, required}],
/// "custom_questions":[{title, type, required, answers}]}`: replaces both lists (204). A
/// standard field must be one Zoom knows; a custom question needs a title and a known type.
fn set_questions(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let body: Value = call.json()?;
    let standard = body.get("questions").cloned().unwrap_or(json!([]));
    let custom = body.get("custom_questions").cloned().unwrap_or(json!([]));
    check_questions(&standard, &custom)?;
    let mut world = sim.world();
    let id = visible_meeting(
        &world,
        call.auth(),
        &call.param(meeting_param(webinar)),
        webinar,
    )?
    .id;
    let m = world.meetings.get_mut(&id).expect("visible");
    m.questions = json!({"questions": standard, "custom_questions": custom});
    Ok(no_content())
}

/// Zoom's standard registration fields (docs/zoom.md §4.4).
const STANDARD_FIELDS: [&str; 15] = [
    "last_name",
    "address",
    "city",
    "country",
    "zip",
    "state",
    "phone",
    "industry",
    "org",
    "job_title",
    "purchasing_time_frame",
    "role_in_purchase_process",
    "no_of_employees",
    "comments",
    "language",
];

fn check_questions(standard: &Value, custom: &Value) -> Result<(), ApiError> {
    let (Some(standard), Some(custom)) = (standard.as_array(), custom.as_array()) else {
        return Err(ApiError::invalid("questions", "Invalid field."));
    };
    for q in standard {
        let known = q["field_name"]
            .as_str()
            .is_some_and(|f| STANDARD_FIELDS.contains(&f));
        if !known {
            return Err(ApiError::invalid("questions.field_name", "Invalid field."));
        }
    }
    for q in custom {
        let titled = q["title"].as_str().is_some_and(|t| !t.is_empty());
        let typed = matches!(
            q["type"].as_str(),
            Some("short" | "single" | "single_radio" | "single_dropdown" | "multiple")
        );
        if !titled || !typed {
            return Err(ApiError::invalid("custom_questions", "Invalid field."));
        }
    }
    Ok(())
}

/// `PUT …/registrants/status` `{"action", "registrants":[{"id"|"email"}]}`
/// (≤ 30), docs/zoom.md §4.4.
fn update_status(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let body: Value = call.json()?;
    // Zoom lists registrants by `approved`, `pending` or `denied` only (docs/zoom.md §4.4):
    // a cancelled one is listed as denied, and only its webhook says `cancelled`.
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
    let raw_id = call.param(meeting_param(webinar));
    let id = visible_meeting(&world, call.auth(), &raw_id, webinar)?.id;
    change_status(sim, &mut world, id, &targets, new_status, event, now);
    Ok(no_content())
}

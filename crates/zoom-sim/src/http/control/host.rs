//! A host's actions in Zoom's UI, from outside: create, change and delete meetings and webinars,
//! set registration questions, register on Zoom's own page, finish a cloud recording, and
//! trash, delete or recover one. Each goes through `crate::ops` and so emits its webhook, but
//! none counts against API rate limits.

use std::sync::Arc;

use poem::http::Method;
use serde_json::{Value, json};

use super::replies::{bad_request, not_found};
use crate::http::call::Call;
use crate::http::pipeline::{Kind, Routes};
use crate::http::respond::{HResult, json_response, no_content};
use crate::ops::meetings::{create_meeting, delete_meeting, update_meeting};
use crate::ops::recordings::{RecordingAction, change_recording, complete_recording};
use crate::ops::registrants::register;
use crate::ops::users::host_operator;
use crate::sim::Sim;
use crate::wire::{meeting_detail, recording_json, registrant_json};
use crate::world::World;

/// Registers the host action routes.
pub(super) fn routes(r: &mut Routes) {
    let p = Kind::Plain;
    r.add(
        Method::POST,
        "/_sim/users/{userId}/meetings",
        p,
        |s, c| async move { create(&s, &c, false) },
    );
    r.add(
        Method::POST,
        "/_sim/users/{userId}/webinars",
        p,
        |s, c| async move { create(&s, &c, true) },
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
        remove_meeting,
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
}

/// The host schedules a meeting or webinar in Zoom's UI.
fn create(sim: &Sim, call: &Call, webinar: bool) -> HResult {
    let body: Value = call.json()?;
    let mut world = sim.world();
    let host = world
        .resolve_user(&call.param("userId"), "")
        .cloned()
        .ok_or_else(|| not_found("user"))?;
    let op = host_operator(&world, &host.id).expect("host exists");
    let m = create_meeting(sim, &mut world, &host.id, &body, webinar, &op, false)?;
    Ok(json_response(
        201,
        &meeting_detail(&sim.url, &m, &host.email, sim.now(), None, false),
    ))
}

/// The `meetingId` path parameter of an existing meeting.
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
        .map(|r| registrant_json(&sim.url, m, r))
        .collect();
    Ok(json_response(200, &body))
}

async fn patch_meeting(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let mut world = sim.world();
    let id = meeting_id(&call, &world)?;
    let op = host_operator(&world, &world.meetings[&id].host_id.clone())
        .ok_or_else(|| not_found("host"))?;
    update_meeting(
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

async fn remove_meeting(sim: Arc<Sim>, call: Call) -> HResult {
    let mut world = sim.world();
    let id = meeting_id(&call, &world)?;
    let op = host_operator(&world, &world.meetings[&id].host_id.clone())
        .ok_or_else(|| not_found("host"))?;
    delete_meeting(&sim, &mut world, id, call.query("occurrence_id"), &op)?;
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
    let r = register(&sim, &mut world, id, &body, now)?;
    let registrant = registrant_json(&sim.url, &world.meetings[&id], &r);
    Ok(json_response(201, &registrant))
}

/// Body (all optional): `{"start_time", "duration", "password", "files": ["MP4","M4A","TRANSCRIPT","CHAT"]}`.
async fn finish_recording(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let mut world = sim.world();
    let id = meeting_id(&call, &world)?;
    let rec = complete_recording(&sim, &mut world, id, &body)?;
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
    let out = change_recording(sim, &mut world, &key, action)?;
    Ok(json_response(200, &out))
}

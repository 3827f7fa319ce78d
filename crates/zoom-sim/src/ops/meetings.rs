//! Creating, changing and deleting meetings and webinars (docs/zoom.md §4.3, §4.6), shared by the
//! REST API, the control API (the host in Zoom's UI) and the seed. Each change emits its webhook
//! (`meeting.created`, `.updated` with `old_object`, `.deleted`, §2.6); API changes count
//! against the host's 100 writes per UTC day (§5.2).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::meeting_fields;
use crate::error::ApiError;
use crate::events::{self, Operator};
use crate::sim::Sim;
use crate::wire;
use crate::world::rate_limit::next_utc_midnight;
use crate::world::{Meeting, User, World};

/// A body that is not a JSON object.
fn not_an_object() -> ApiError {
    ApiError::bad_request("Request Body should be a valid JSON object.")
}

/// The per-user 429 of meeting create/update (docs/zoom.md §5.2, §5.3).
fn daily_write_limit(world: &mut World, host_id: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let limits = world.settings.rate_limits.clone();
    if world.limiter.meeting_write(&limits, host_id, now) {
        return Ok(());
    }
    let max = limits.meeting_writes_per_host_per_day;
    Err(ApiError::daily_limit(
        format!(
            "You have exceeded the daily rate limit ({max}) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00."
        ),
        next_utc_midnight(now),
    ))
}

/// A new meeting of `host` from a create body, without side effects (also used by the seed).
pub(crate) fn build_meeting(
    world: &mut World,
    host: &User,
    body: &Value,
    webinar: bool,
    now: DateTime<Utc>,
) -> Result<Meeting, ApiError> {
    let body = body.as_object().ok_or_else(not_an_object)?;
    let id = world.new_meeting_id();
    let mut m = Meeting {
        id,
        uuid: world.new_uuid(),
        host_id: host.id.clone(),
        webinar,
        kind: if webinar { 5 } else { 2 },
        topic: if webinar {
            "Zoom Webinar"
        } else {
            "Zoom Meeting"
        }
        .into(),
        start_time: None,
        duration: 60,
        timezone: host.timezone.clone(),
        agenda: String::new(),
        password: world.rng.digits(6),
        created_at: now,
        settings: meeting_fields::default_settings(webinar),
        recurrence: None,
        occurrences: Vec::new(),
        registrants: Vec::new(),
        questions: json!({"questions": [], "custom_questions": []}),
        tracking_fields: json!([]),
        zak: world.rng.token(40),
    };
    meeting_fields::apply(world, &mut m, body, now, true)?;
    Ok(m)
}

/// Creates a meeting or webinar for `host_id` and emits `meeting.created`. `api_limited` = count
/// against the per-host daily quota (true for API calls, false for the host's own UI actions).
pub(crate) fn create_meeting(
    sim: &Sim,
    world: &mut World,
    host_id: &str,
    body: &Value,
    webinar: bool,
    op: &Operator,
    api_limited: bool,
) -> Result<Meeting, ApiError> {
    let now = sim.now();
    let host = world
        .user(host_id)
        .cloned()
        .ok_or_else(|| ApiError::user_not_found(host_id))?;
    if api_limited {
        daily_write_limit(world, host_id, now)?;
    }
    let m = build_meeting(world, &host, body, webinar, now)?;
    world.meetings.insert(m.id, m.clone());
    sim.emit(events::meeting_created(
        &sim.url,
        &host.account_id,
        op,
        &m,
        now.timestamp_millis(),
    ));
    Ok(m)
}

/// Patches a meeting (or one occurrence) and emits `meeting.updated` with `old_object`.
pub(crate) fn update_meeting(
    sim: &Sim,
    world: &mut World,
    id: i64,
    body: &Value,
    occurrence_id: Option<&str>,
    op: &Operator,
    api_limited: bool,
) -> Result<(), ApiError> {
    let body = body.as_object().ok_or_else(not_an_object)?;
    let now = sim.now();
    let mut m = world
        .meetings
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::meeting_not_found(id))?;
    if api_limited {
        daily_write_limit(world, &m.host_id.clone(), now)?;
    }
    let before = wire::patchable(&sim.url, &m);
    match occurrence_id.filter(|s| !s.is_empty()) {
        Some(occ_id) => meeting_fields::update_occurrence(&mut m, occ_id, body, now)?,
        None => meeting_fields::apply(world, &mut m, body, now, false)?,
    }
    let after = wire::patchable(&sim.url, &m);
    let account_id = world.host_account_id(&m.host_id);
    let (object, old) = wire::diff(m.id, &m.uuid, &before, &after);
    let ev = events::meeting_updated(&m, &account_id, op, object, old, now.timestamp_millis());
    world.meetings.insert(id, m);
    sim.emit(ev);
    Ok(())
}

/// Deletes a meeting (or one occurrence) and emits `meeting.deleted`.
pub(crate) fn delete_meeting(
    sim: &Sim,
    world: &mut World,
    id: i64,
    occurrence_id: Option<&str>,
    op: &Operator,
) -> Result<(), ApiError> {
    let now = sim.now();
    let Some(m) = world.meetings.get(&id).cloned() else {
        return Err(ApiError::meeting_not_found(id));
    };
    let account_id = world.host_account_id(&m.host_id);
    let ts = now.timestamp_millis();
    match occurrence_id.filter(|s| !s.is_empty()) {
        Some(occ_id) => {
            let only = [occ_id.to_string()];
            let ev = events::meeting_deleted(&sim.url, &account_id, op, &m, Some(&only), ts);
            let stored = world.meetings.get_mut(&id).expect("checked above");
            let occ = stored
                .occurrences
                .iter_mut()
                .find(|o| o.occurrence_id == occ_id && !o.deleted)
                .ok_or_else(ApiError::invalid_occurrence)?;
            occ.deleted = true;
            sim.emit(ev);
        }
        None => {
            world.meetings.remove(&id);
            sim.emit(events::meeting_deleted(
                &sim.url,
                &account_id,
                op,
                &m,
                None,
                ts,
            ));
        }
    }
    Ok(())
}

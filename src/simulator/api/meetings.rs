//! Meetings and webinars (reference §4.3, §4.6): list by `type` with paging, get, create (201),
//! patch (204, `meeting.updated` with `old_object`), delete (204), recurring type 8 with
//! occurrences, the per-host 100 writes per UTC day (§5.2) and past instances.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use poem::http::Method;
use serde_json::{Map, Value, json};

use super::super::http::{
    Call, HResult, Kind, Routes, Scopes, json_response, no_content, validation_error, zoom_error,
};
use super::super::model::{self, meeting_detail, meeting_list_item};
use super::super::rate_limit::{Category, next_utc_midnight};
use super::super::recurrence::{occurrences, parse_tz};
use super::super::state::{Meeting, Sim, User, World};
use super::super::webhooks::{self, Operator};
use super::{paginate, target_user, visible_meeting, with_page};

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

/// A non-recurring meeting ID expires 30 days after its scheduled time.
const EXPIRY_DAYS: i64 = 30;

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
        post_meeting,
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
        patch_meeting,
    );
    r.add(
        Method::DELETE,
        "/v2/meetings/{meetingId}",
        Kind::Api(Light, DELETE),
        remove_meeting,
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
}

// ---------------------------------------------------------------------------------------------
// Lists

/// Whether a meeting belongs in a list of the given `type` (reference §4.3).
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

fn date_param(call: &Call, name: &str) -> Result<Option<chrono::NaiveDate>, poem::Response> {
    call.query(name)
        .filter(|s| !s.is_empty())
        .map(|s| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| validation_error(name, "Invalid field."))
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
                .ok_or_else(|| zoom_error(400, 3000, "Invalid occurrence_id."))?,
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

// ---------------------------------------------------------------------------------------------
// Create / update / delete (shared with the control API)

fn field_err(field: &str, msg: &str) -> poem::Response {
    validation_error(field, msg)
}

fn str_field<'a>(
    body: &'a Map<String, Value>,
    key: &str,
    max: usize,
) -> Result<Option<&'a str>, poem::Response> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s)),
        Some(Value::String(_)) => Err(field_err(key, &format!("Length must be at most {max}."))),
        Some(_) => Err(field_err(key, "Invalid field.")),
    }
}

fn int_field(body: &Map<String, Value>, key: &str) -> Result<Option<i64>, poem::Response> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .map(Some)
            .ok_or_else(|| field_err(key, "Invalid field.")),
    }
}

/// `start_time` is UTC with `Z` (or an offset) or local time in `tz` (reference §4.1).
fn parse_start(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn valid_password(p: &str) -> bool {
    p.len() <= 10
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@-_*".contains(c))
}

/// Default meeting settings (a subset of Zoom's, reference §4.3).
fn default_settings(webinar: bool) -> Map<String, Value> {
    let v = json!({
        "host_video": false, "participant_video": false, "join_before_host": false, "jbh_time": 0,
        "mute_upon_entry": false, "waiting_room": !webinar, "audio": "voip", "auto_recording": "none",
        "approval_type": 2, "registration_type": 1, "alternative_hosts": "", "use_pmi": false,
        "meeting_authentication": false, "registrants_confirmation_email": true,
        "registrants_email_notification": true, "close_registration": false,
        "show_share_button": false, "allow_multiple_devices": false,
        "encryption_type": "enhanced_encryption", "private_meeting": false, "meeting_invitees": [],
    });
    v.as_object().cloned().unwrap_or_default()
}

/// Applies a create/patch body to `m`; on error `m` may be partly changed (callers work on a copy).
fn apply(
    world: &mut World,
    m: &mut Meeting,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
    creating: bool,
) -> Result<(), poem::Response> {
    if let Some(t) = str_field(body, "topic", 200)? {
        m.topic = t.to_string();
    }
    if let Some(k) = int_field(body, "type")? {
        let allowed: &[i64] = if m.webinar { &[5, 6, 9] } else { &[1, 2, 3, 8] };
        if !allowed.contains(&k) {
            return Err(field_err("type", "Invalid field."));
        }
        m.kind = k;
    }
    if let Some(tz) = str_field(body, "timezone", 64)?.filter(|s| !s.is_empty()) {
        parse_tz(tz).ok_or_else(|| field_err("timezone", "Invalid field."))?;
        m.timezone = tz.to_string();
    }
    let tz = parse_tz(&m.timezone).unwrap_or(chrono_tz::UTC);
    if let Some(s) = str_field(body, "start_time", 64)? {
        let start = parse_start(s, tz).ok_or_else(|| field_err("start_time", "Invalid field."))?;
        if !creating && Some(start) != m.start_time && start < now {
            return Err(zoom_error(
                400,
                300,
                "The start time must be in the future.",
            ));
        }
        m.start_time = Some(start);
    }
    if let Some(d) = int_field(body, "duration")? {
        if !(0..=1440 * 7).contains(&d) {
            return Err(field_err("duration", "Invalid field."));
        }
        m.duration = d;
    }
    if let Some(a) = str_field(body, "agenda", 2000)? {
        m.agenda = a.to_string();
    }
    if let Some(p) = str_field(body, "password", 10)? {
        if !valid_password(p) {
            return Err(zoom_error(400, 300, "Invalid password."));
        }
        m.password = p.to_string();
    }
    if body.get("default_password").and_then(Value::as_bool) == Some(true) {
        m.password = world.rng.digits(6);
    }
    if let Some(settings) = body.get("settings") {
        let settings = settings
            .as_object()
            .ok_or_else(|| field_err("settings", "Invalid field."))?;
        for (k, v) in settings {
            m.settings.insert(k.clone(), v.clone());
        }
        let approval = m.settings.get("approval_type").and_then(Value::as_i64);
        if !matches!(approval, Some(0..=2)) {
            return Err(field_err("settings.approval_type", "Invalid field."));
        }
        let registration = m.settings.get("registration_type").and_then(Value::as_i64);
        if !matches!(registration, Some(1..=3)) {
            return Err(field_err("settings.registration_type", "Invalid field."));
        }
    }
    if let Some(r) = body.get("recurrence").filter(|v| !v.is_null()) {
        m.recurrence = Some(r.clone());
    }
    if let Some(t) = body.get("tracking_fields").filter(|v| v.is_array()) {
        m.tracking_fields = t.clone();
    }
    schedule(m, now, tz)
}

/// Derives `start_time`, `recurrence` and `occurrences` from the type (reference §4.3, §7.6).
fn schedule(m: &mut Meeting, now: DateTime<Utc>, tz: Tz) -> Result<(), poem::Response> {
    match m.kind {
        3 | 6 => {
            m.start_time = None;
            m.occurrences.clear();
        }
        8 | 9 => {
            let start = *m.start_time.get_or_insert(now);
            let rec = m
                .recurrence
                .clone()
                .ok_or_else(|| field_err("recurrence", "Recurrence is required for type 8."))?;
            let deleted: Vec<String> = m
                .occurrences
                .iter()
                .filter(|o| o.deleted)
                .map(|o| o.occurrence_id.clone())
                .collect();
            let mut occ = occurrences(&rec, start, tz, m.duration)
                .map_err(|e| field_err("recurrence", &e))?;
            for o in &mut occ {
                o.deleted = deleted.contains(&o.occurrence_id);
            }
            m.occurrences = occ;
        }
        _ => {
            m.start_time.get_or_insert(now);
            m.recurrence = None;
            m.occurrences.clear();
        }
    }
    Ok(())
}

/// The per-user 429 of meeting create/update (reference §5.2, §5.3).
fn daily_write_limit(
    world: &mut World,
    host_id: &str,
    now: DateTime<Utc>,
) -> Result<(), poem::Response> {
    let limits = world.settings.rate_limits.clone();
    if world.limiter.meeting_write(&limits, host_id, now) {
        return Ok(());
    }
    let max = limits.meeting_writes_per_host_per_day;
    let mut resp = zoom_error(
        429,
        429,
        format!(
            "You have exceeded the daily rate limit ({max}) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00."
        ),
    );
    if let Ok(v) = next_utc_midnight(now).parse() {
        resp.headers_mut().insert("Retry-After", v);
    }
    Err(resp)
}

/// A new meeting of `host` from a create body, without side effects (also used by the seed).
pub(crate) fn build_meeting(
    world: &mut World,
    host: &User,
    body: &Value,
    webinar: bool,
    now: DateTime<Utc>,
) -> Result<Meeting, poem::Response> {
    let body = body
        .as_object()
        .ok_or_else(|| zoom_error(400, 300, "Request Body should be a valid JSON object."))?;
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
        settings: default_settings(webinar),
        recurrence: None,
        occurrences: Vec::new(),
        registrants: Vec::new(),
        questions: json!({"questions": [], "custom_questions": []}),
        tracking_fields: json!([]),
        zak: world.rng.token(40),
    };
    apply(world, &mut m, body, now, true)?;
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
) -> Result<Meeting, poem::Response> {
    let now = sim.now();
    let host = world
        .user(host_id)
        .cloned()
        .ok_or_else(|| zoom_error(404, 1001, format!("User does not exist: {host_id}.")))?;
    if api_limited {
        daily_write_limit(world, host_id, now)?;
    }
    let m = build_meeting(world, &host, body, webinar, now)?;
    world.meetings.insert(m.id, m.clone());
    sim.emit(webhooks::meeting_created(
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
) -> Result<(), poem::Response> {
    let body = body
        .as_object()
        .ok_or_else(|| zoom_error(400, 300, "Request Body should be a valid JSON object."))?;
    let now = sim.now();
    let mut m = world.meetings.get(&id).cloned().ok_or_else(|| {
        zoom_error(
            404,
            3001,
            format!("Meeting {id} is not found or has expired."),
        )
    })?;
    if api_limited {
        daily_write_limit(world, &m.host_id.clone(), now)?;
    }
    let before = model::patchable(&sim.url, &m);
    match occurrence_id.filter(|s| !s.is_empty()) {
        Some(occ_id) => update_occurrence(&mut m, occ_id, body, now)?,
        None => apply(world, &mut m, body, now, false)?,
    }
    let after = model::patchable(&sim.url, &m);
    let account_id = world
        .user(&m.host_id)
        .map(|u| u.account_id.clone())
        .unwrap_or_default();
    let (object, old) = model::diff(m.id, &m.uuid, &before, &after);
    let ev = webhooks::meeting_updated(&m, &account_id, op, object, old, now.timestamp_millis());
    world.meetings.insert(id, m);
    sim.emit(ev);
    Ok(())
}

/// Only `start_time`, `duration` and `agenda` change for one occurrence (reference §4.3).
fn update_occurrence(
    m: &mut Meeting,
    occ_id: &str,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<(), poem::Response> {
    let tz = parse_tz(&m.timezone).unwrap_or(chrono_tz::UTC);
    let start = str_field(body, "start_time", 64)?
        .map(|s| parse_start(s, tz).ok_or_else(|| field_err("start_time", "Invalid field.")))
        .transpose()?;
    let duration = int_field(body, "duration")?;
    if let Some(a) = str_field(body, "agenda", 2000)? {
        m.agenda = a.to_string();
    }
    let occ = m
        .occurrences
        .iter_mut()
        .find(|o| o.occurrence_id == occ_id && !o.deleted)
        .ok_or_else(|| zoom_error(400, 3000, "Invalid occurrence_id."))?;
    if let Some(s) = start {
        if s < now {
            return Err(zoom_error(
                400,
                300,
                "The start time must be in the future.",
            ));
        }
        occ.start_time = s;
    }
    if let Some(d) = duration {
        occ.duration = d;
    }
    Ok(())
}

/// Deletes a meeting (or one occurrence) and emits `meeting.deleted`.
pub(crate) fn delete_meeting(
    sim: &Sim,
    world: &mut World,
    id: i64,
    occurrence_id: Option<&str>,
    op: &Operator,
) -> Result<(), poem::Response> {
    let now = sim.now();
    let Some(m) = world.meetings.get(&id).cloned() else {
        return Err(zoom_error(
            404,
            3001,
            format!("Meeting {id} is not found or has expired."),
        ));
    };
    let account_id = world
        .user(&m.host_id)
        .map(|u| u.account_id.clone())
        .unwrap_or_default();
    let ts = now.timestamp_millis();
    match occurrence_id.filter(|s| !s.is_empty()) {
        Some(occ_id) => {
            let only = [occ_id.to_string()];
            let ev = webhooks::meeting_deleted(&sim.url, &account_id, op, &m, Some(&only), ts);
            let stored = world.meetings.get_mut(&id).expect("checked above");
            let occ = stored
                .occurrences
                .iter_mut()
                .find(|o| o.occurrence_id == occ_id && !o.deleted)
                .ok_or_else(|| zoom_error(400, 3000, "Invalid occurrence_id."))?;
            occ.deleted = true;
            sim.emit(ev);
        }
        None => {
            world.meetings.remove(&id);
            sim.emit(webhooks::meeting_deleted(
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

async fn post_meeting(sim: Arc<Sim>, call: Call) -> HResult {
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
        &sim,
        &mut world,
        &host_id,
        &body,
        false,
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

async fn patch_meeting(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let auth = call.auth();
    let mut world = sim.world();
    let id = visible_meeting(&world, auth, &call.param("meetingId"), false)?.id;
    update_meeting(
        &sim,
        &mut world,
        id,
        &body,
        call.query("occurrence_id"),
        &auth.operator(),
        true,
    )?;
    Ok(no_content())
}

async fn remove_meeting(sim: Arc<Sim>, call: Call) -> HResult {
    let auth = call.auth();
    let mut world = sim.world();
    let id = visible_meeting(&world, auth, &call.param("meetingId"), false)?.id;
    delete_meeting(
        &sim,
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
        .map(|(t, uuid)| json!({"uuid": uuid, "start_time": model::fmt_time(t)}))
        .collect();
    Ok(json_response(200, &json!({ "meetings": list })))
}

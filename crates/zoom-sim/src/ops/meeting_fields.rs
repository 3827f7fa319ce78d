//! How a create or patch body changes a meeting (docs/zoom.md §4.3): field types and lengths,
//! `start_time` in UTC or in the meeting's zone, passcodes, settings, and the schedule each type
//! implies (occurrences of recurring meetings, §7.6). Failures are Zoom's validation errors.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::world::recurrence::{occurrences, parse_tz};
use crate::world::{Meeting, World};

/// A validation failure of one body field.
fn field_err(field: &str, msg: &str) -> ApiError {
    ApiError::invalid(field, msg)
}

/// A string field of at most `max` characters (absent or null = None).
fn str_field<'a>(
    body: &'a Map<String, Value>,
    key: &str,
    max: usize,
) -> Result<Option<&'a str>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s)),
        Some(Value::String(_)) => Err(field_err(key, &format!("Length must be at most {max}."))),
        Some(_) => Err(field_err(key, "Invalid field.")),
    }
}

/// An integer field, also accepted as a numeric string.
fn int_field(body: &Map<String, Value>, key: &str) -> Result<Option<i64>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .map(Some)
            .ok_or_else(|| field_err(key, "Invalid field.")),
    }
}

/// `start_time` is UTC with `Z` (or an offset) or local time in `tz` (docs/zoom.md §4.1).
fn parse_start(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Zoom's meeting passcode rule: at most 10 of `[A-Za-z0-9@-_*]`.
fn valid_password(p: &str) -> bool {
    p.len() <= 10
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@-_*".contains(c))
}

/// Default meeting settings (a subset of Zoom's, docs/zoom.md §4.3).
pub(super) fn default_settings(webinar: bool) -> Map<String, Value> {
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
pub(super) fn apply(
    world: &mut World,
    m: &mut Meeting,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
    creating: bool,
) -> Result<(), ApiError> {
    if let Some(t) = str_field(body, "topic", 200)? {
        m.topic = t.to_string();
    }
    apply_type_and_zone(m, body)?;
    let tz = parse_tz(&m.timezone).unwrap_or(chrono_tz::UTC);
    apply_time(m, body, tz, now, creating)?;
    apply_texts(world, m, body)?;
    if let Some(settings) = body.get("settings") {
        apply_settings(m, settings)?;
    }
    if let Some(r) = body.get("recurrence").filter(|v| !v.is_null()) {
        m.recurrence = Some(r.clone());
    }
    if let Some(t) = body.get("tracking_fields").filter(|v| v.is_array()) {
        m.tracking_fields = t.clone();
    }
    schedule(m, now, tz)
}

/// `type` (meeting types 1/2/3/8, webinar types 5/6/9) and `timezone`.
fn apply_type_and_zone(m: &mut Meeting, body: &Map<String, Value>) -> Result<(), ApiError> {
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
    Ok(())
}

/// `start_time` (a change must lie in the future) and `duration` (at most a week).
fn apply_time(
    m: &mut Meeting,
    body: &Map<String, Value>,
    tz: Tz,
    now: DateTime<Utc>,
    creating: bool,
) -> Result<(), ApiError> {
    if let Some(s) = str_field(body, "start_time", 64)? {
        let start = parse_start(s, tz).ok_or_else(|| field_err("start_time", "Invalid field."))?;
        if !creating && Some(start) != m.start_time && start < now {
            return Err(ApiError::bad_request(
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
    Ok(())
}

/// `agenda`, `password` and `default_password`.
fn apply_texts(
    world: &mut World,
    m: &mut Meeting,
    body: &Map<String, Value>,
) -> Result<(), ApiError> {
    if let Some(a) = str_field(body, "agenda", 2000)? {
        m.agenda = a.to_string();
    }
    if let Some(p) = str_field(body, "password", 10)? {
        if !valid_password(p) {
            return Err(ApiError::bad_request("Invalid password."));
        }
        m.password = p.to_string();
    }
    if body.get("default_password").and_then(Value::as_bool) == Some(true) {
        m.password = world.rng.digits(6);
    }
    Ok(())
}

/// Merges `settings` into the meeting's and checks the registration settings it must keep.
fn apply_settings(m: &mut Meeting, settings: &Value) -> Result<(), ApiError> {
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
    Ok(())
}

/// Derives `start_time`, `recurrence` and `occurrences` from the type (docs/zoom.md §4.3, §7.6).
fn schedule(m: &mut Meeting, now: DateTime<Utc>, tz: Tz) -> Result<(), ApiError> {
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

/// Only `start_time`, `duration` and `agenda` change for one occurrence (docs/zoom.md §4.3).
pub(super) fn update_occurrence(
    m: &mut Meeting,
    occ_id: &str,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
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
        .ok_or_else(ApiError::invalid_occurrence)?;
    if let Some(s) = start {
        if s < now {
            return Err(ApiError::bad_request(
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

//! Registering for meetings and webinars (docs/zoom.md §4.4), shared by the REST API and Zoom's own
//! registration page (the control API): validation of the fields and custom questions, the
//! approval type (0 → approved, 1 → pending, 2 → no registration), one registrant per e-mail, the
//! per-registrant daily add limit (§5.2), status changes, and the registration webhooks (§2.6).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::events;
use crate::sim::Sim;
use crate::wire;
use crate::world::rate_limit::next_utc_midnight;
use crate::world::{Meeting, Registrant, World};

/// Zoom's cap of registrants per meeting (docs/zoom.md §4.4).
const MAX_REGISTRANTS: usize = 4_999;

/// Validates required fields, lengths and custom questions against the meeting's questions;
/// returns the trimmed e-mail, first and last name.
fn validate(m: &Meeting, body: &Map<String, Value>) -> Result<(String, String, String), ApiError> {
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let (email, first, last) = (text("email"), text("first_name"), text("last_name"));
    if email.is_empty() || email.len() > 128 || !email.contains('@') {
        return Err(ApiError::invalid("email", "Invalid field."));
    }
    if first.is_empty() || first.chars().count() > 64 {
        return Err(ApiError::invalid("first_name", "Invalid field."));
    }
    if last.chars().count() > 64 {
        return Err(ApiError::invalid("last_name", "Invalid field."));
    }
    for q in m.questions["questions"].as_array().into_iter().flatten() {
        let field = q["field_name"].as_str().unwrap_or("");
        if q["required"].as_bool() == Some(true) && text(field).is_empty() {
            return Err(ApiError::invalid(field, "This field is required."));
        }
    }
    check_custom_answers(m, body)?;
    Ok((email, first, last))
}

/// Every answer names a configured custom question (value ≤ 128 characters), and every required
/// one is answered.
fn check_custom_answers(m: &Meeting, body: &Map<String, Value>) -> Result<(), ApiError> {
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
            return Err(ApiError::invalid(
                "custom_questions",
                &format!("Unknown question: {title}"),
            ));
        }
        if a["value"].as_str().is_some_and(|v| v.chars().count() > 128) {
            return Err(ApiError::invalid(
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
            return Err(ApiError::invalid(
                "custom_questions",
                &format!("{} is required.", q["title"].as_str().unwrap_or("")),
            ));
        }
    }
    Ok(())
}

/// The refusal of a meeting without registration.
fn registration_disabled(m: &Meeting) -> ApiError {
    if m.webinar {
        // docs/zoom.md §4.4: webinars answer 400 code 3000
        ApiError::new(
            400,
            3000,
            format!("Webinar does not need registration: {}", m.id),
        )
    } else {
        // docs/zoom.md §4.4, §8.10: body code 404; HTTP 400 as in the newer spec
        ApiError::new(
            400,
            404,
            format!(
                "Registration has not been enabled for this meeting: {}",
                m.id
            ),
        )
    }
}

/// The per-registrant daily add limit (docs/zoom.md §5.2).
fn registrant_limit(
    world: &mut World,
    m: &Meeting,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let limits = world.settings.rate_limits.clone();
    if world.limiter.registrant_add(&limits, m.id, email, now) {
        return Ok(());
    }
    let n = limits.registrant_adds_per_day;
    Err(ApiError::daily_limit(
        format!(
            "You have exceeded the daily rate limit of \"{n}\" for Add meeting registrant API requests for the registrant \"{email}\". You can resume these API requests at GMT 00:00:00."
        ),
        next_utc_midnight(now),
    ))
}

/// Registers someone for meeting `id` (the same e-mail again finds the same registrant) and
/// announces a new registrant with `meeting.registration_created`.
pub(crate) fn register(
    sim: &Sim,
    world: &mut World,
    id: i64,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<Registrant, ApiError> {
    let (r, is_new) = add_or_find(world, id, body, now)?;
    if is_new {
        let m = &world.meetings[&id];
        let registrant = wire::registrant_json(&sim.url, m, &r);
        let account_id = world.host_account_id(&m.host_id);
        let ts = now.timestamp_millis();
        sim.emit(events::registration(
            "created",
            &account_id,
            m,
            registrant,
            ts,
            now,
        ));
    }
    Ok(r)
}

/// Adds (or finds) the registrant; returns it and whether it is new.
fn add_or_find(
    world: &mut World,
    id: i64,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<(Registrant, bool), ApiError> {
    let m = world
        .meetings
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::meeting_not_found(id))?;
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
        return Err(ApiError::new(
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
    let r = new_registrant(world, body, (email, first, last), status, now);
    world
        .meetings
        .get_mut(&id)
        .expect("checked")
        .registrants
        .push(r.clone());
    Ok((r, true))
}

/// A registrant with `status`; every body field other than the identity is kept as posted.
fn new_registrant(
    world: &mut World,
    body: &Map<String, Value>,
    (email, first_name, last_name): (String, String, String),
    status: &str,
    now: DateTime<Utc>,
) -> Registrant {
    let mut extra = body.clone();
    for k in ["email", "first_name", "last_name", "auto_approve"] {
        extra.remove(k);
    }
    Registrant {
        id: world.new_id(),
        email,
        first_name,
        last_name,
        status: status.into(),
        join_token: world.rng.token(43),
        pin: 100_000_000 + (world.rng.next() % 900_000_000) as i64,
        create_time: now,
        extra,
    }
}

/// Moves the registrants of meeting `id` named in `targets` (by `id` or `email`) to `status` and
/// sends `meeting.registration_{event}` for each one that changed (docs/zoom.md §4.4, §2.6).
pub(crate) fn change_status(
    sim: &Sim,
    world: &mut World,
    id: i64,
    targets: &[Value],
    status: &str,
    event: &str,
    now: DateTime<Utc>,
) {
    let changed = set_status(world, id, targets, status);
    let m = &world.meetings[&id];
    let account_id = world.host_account_id(&m.host_id);
    for r in changed {
        let registrant = json!({"id": r.id, "first_name": r.first_name, "last_name": r.last_name, "email": r.email});
        let ts = now.timestamp_millis();
        sim.emit(events::registration(
            event,
            &account_id,
            m,
            registrant,
            ts,
            now,
        ));
    }
}

/// Sets the status of the registrants `targets` name; returns those that changed.
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

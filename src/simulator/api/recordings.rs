//! Cloud recordings (reference §4.5): per user with `from`/`to` (UTC dates, at most one month,
//! default today → tomorrow) and trash, per meeting (numeric ID = latest instance, or an instance
//! UUID, double-encoded when needed), and the host-side actions the control API performs:
//! finish a recording (`recording.completed`), trash, delete, recover.

use std::sync::Arc;

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use poem::http::Method;
use serde_json::{Value, json};

use super::super::http::{
    Call, HResult, Kind, Routes, Scopes, json_response, percent_decode, validation_error,
    zoom_error,
};
use super::super::model::{fmt_time, recording_json};
use super::super::rate_limit::Category;
use super::super::state::{Recording, RecordingFile, RecordingStatus, Sim, World};
use super::super::webhooks::{self, Operator};
use super::{paginate, target_user, with_page};

const LIST: Scopes = Scopes {
    user: &[
        "cloud_recording:read:list_user_recordings",
        "recording:read",
    ],
    admin: &[
        "cloud_recording:read:list_user_recordings:admin",
        "recording:read:admin",
    ],
};
const FILES: Scopes = Scopes {
    user: &[
        "cloud_recording:read:list_recording_files",
        "recording:read",
    ],
    admin: &[
        "cloud_recording:read:list_recording_files:admin",
        "recording:read:admin",
    ],
};

pub(super) fn routes(r: &mut Routes) {
    r.add(
        Method::GET,
        "/v2/users/{userId}/recordings",
        Kind::Api(Category::Medium, LIST),
        list,
    );
    r.add(
        Method::GET,
        "/v2/meetings/{meetingId}/recordings",
        Kind::Api(Category::Light, FILES),
        for_meeting,
    );
}

fn no_recording() -> poem::Response {
    zoom_error(404, 3301, "There is no recording for this meeting.")
}

fn date(call: &Call, name: &str, default: NaiveDate) -> Result<NaiveDate, poem::Response> {
    match call.query(name).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| validation_error(name, "Invalid field.")),
    }
}

/// `from`/`to` with Zoom's defaults and its one-month window rule (reference §4.5).
fn window(call: &Call, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), poem::Response> {
    let from = date(call, "from", today)?;
    let to = date(call, "to", today + Duration::days(1))?;
    if to < from {
        return Err(zoom_error(
            400,
            300,
            "The 'to' date cannot be earlier than the 'from' date.",
        ));
    }
    if from
        .checked_add_months(Months::new(1))
        .is_some_and(|limit| to > limit)
    {
        return Err(zoom_error(
            400,
            300,
            "The date range cannot exceed one month.",
        ));
    }
    Ok((from, to))
}

async fn list(sim: Arc<Sim>, call: Call) -> HResult {
    let now = sim.now();
    let (from, to) = window(&call, now.date_naive())?;
    let trash = call.query("trash") == Some("true");
    let meeting_filter = call.query("meeting_id").and_then(|s| s.parse::<i64>().ok());
    let mut world = sim.world();
    let host_id = target_user(&world, call.auth(), &call.param("userId"))?
        .id
        .clone();
    let wanted = if trash {
        RecordingStatus::Trashed
    } else {
        RecordingStatus::Active
    };
    let mut found: Vec<&Recording> = world
        .recordings
        .iter()
        .filter(|r| r.host_id == host_id && r.status == wanted)
        .filter(|r| trash || (r.start_time.date_naive() >= from && r.start_time.date_naive() <= to))
        .filter(|r| meeting_filter.is_none_or(|id| r.meeting_id == id))
        .collect();
    found.sort_by_key(|r| std::cmp::Reverse(r.start_time));
    let items: Vec<Value> = found
        .iter()
        .map(|r| recording_json(&sim.url, r, false))
        .collect();
    let (page, info) = paginate(&mut world, &call, now, items)?;
    let body = json!({"from": from.to_string(), "to": to.to_string(), "meetings": page});
    Ok(json_response(200, &with_page(body, info)))
}

/// `meetingId` is a numeric ID (latest instance) or a UUID, possibly double-encoded (§4.1).
fn find_instance<'w>(world: &'w World, key: &str, account_id: &str) -> Option<&'w Recording> {
    let active = world
        .recordings
        .iter()
        .filter(|r| r.status == RecordingStatus::Active && r.account_id == account_id);
    match key.parse::<i64>() {
        Ok(id) => active
            .filter(|r| r.meeting_id == id)
            .max_by_key(|r| r.start_time),
        Err(_) => active.into_iter().find(|r| r.meeting_uuid == key),
    }
}

async fn for_meeting(sim: Arc<Sim>, call: Call) -> HResult {
    let mut key = percent_decode(call.raw_param("meetingId"));
    if key.contains('%') {
        key = percent_decode(&key);
    }
    let auth = call.auth();
    let world = sim.world();
    let rec = find_instance(&world, &key, &auth.account_id).ok_or_else(no_recording)?;
    if rec.host_id != auth.user_id && !auth.is_admin() {
        return Err(no_recording());
    }
    let mut body = recording_json(&sim.url, rec, true);
    if call.query("include_fields") == Some("download_access_token") {
        body["download_access_token"] = json!(rec.download_token);
    }
    Ok(json_response(200, &body))
}

// ---------------------------------------------------------------------------------------------
// Host actions (control API)

/// Files of a finished cloud recording; sizes are plausible for the duration.
fn make_files(
    world: &mut World,
    start: DateTime<Utc>,
    minutes: i64,
    kinds: &[&str],
) -> Vec<RecordingFile> {
    let end = start + Duration::minutes(minutes);
    kinds
        .iter()
        .filter_map(|k| {
            let (file_type, ext, rtype, per_min) = match *k {
                "MP4" => ("MP4", "MP4", "shared_screen_with_speaker_view", 9_000_000),
                "M4A" => ("M4A", "M4A", "audio_only", 480_000),
                "TRANSCRIPT" => ("TRANSCRIPT", "VTT", "audio_transcript", 6_000),
                "CHAT" => ("CHAT", "TXT", "chat_file", 300),
                _ => return None,
            };
            Some(RecordingFile {
                id: uuid_like(world),
                file_type,
                file_extension: ext,
                recording_type: rtype,
                file_size: per_min * minutes.max(1) + (world.rng.next() % 10_000) as i64,
                start,
                end,
            })
        })
        .collect()
}

fn uuid_like(world: &mut World) -> String {
    let b = world.rng.bytes::<16>();
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

/// Finishes a recording of meeting `id` (a new instance UUID unless the meeting's own instance
/// has none yet) and emits `recording.completed` with a `download_token` (reference §2.6).
pub(crate) fn complete_recording(
    sim: &Sim,
    world: &mut World,
    id: i64,
    body: &Value,
) -> Result<Recording, poem::Response> {
    let now = sim.now();
    let m = world.meetings.get(&id).cloned().ok_or_else(|| {
        zoom_error(
            404,
            3001,
            format!("Meeting {id} is not found or has expired."),
        )
    })?;
    let host = world
        .user(&m.host_id)
        .cloned()
        .ok_or_else(|| zoom_error(404, 1001, "Host does not exist."))?;
    let duration = body["duration"].as_i64().unwrap_or(m.duration.max(1));
    let start = match body["start_time"].as_str() {
        Some(s) => s
            .parse::<DateTime<Utc>>()
            .map_err(|_| validation_error("start_time", "Invalid field."))?,
        None => now - Duration::minutes(duration),
    };
    let kinds: Vec<String> = body["files"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_else(|| {
            vec![
                "MP4".into(),
                "M4A".into(),
                "TRANSCRIPT".into(),
                "CHAT".into(),
            ]
        });
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    let instance_taken = world.recordings.iter().any(|r| r.meeting_uuid == m.uuid);
    let rec = Recording {
        meeting_uuid: if instance_taken {
            world.new_uuid()
        } else {
            m.uuid.clone()
        },
        meeting_id: m.id,
        host_id: m.host_id.clone(),
        account_id: host.account_id.clone(),
        topic: m.topic.clone(),
        kind: m.kind,
        start_time: start,
        duration,
        timezone: m.timezone.clone(),
        password: body["password"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| world.rng.token(8)),
        play_passcode: world.rng.token(32),
        share_token: world.rng.token(64),
        download_token: super::super::oauth::random_token(200),
        files: make_files(world, start, duration, &kinds),
        status: RecordingStatus::Active,
        deleted_time: None,
    };
    world.recordings.push(rec.clone());
    let op = Operator {
        email: host.email.clone(),
        id: host.id.clone(),
    };
    sim.emit(webhooks::recording_event(
        "completed",
        &sim.url,
        &rec,
        &host.email,
        &op,
        now.timestamp_millis(),
    ));
    Ok(rec)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordingAction {
    Trash,
    Delete,
    Recover,
}

/// Trash / permanently delete / recover an instance; emits `recording.trashed|deleted|recovered`.
pub(crate) fn change_recording(
    sim: &Sim,
    world: &mut World,
    key: &str,
    action: RecordingAction,
) -> Result<Value, poem::Response> {
    let now = sim.now();
    let idx = match key.parse::<i64>() {
        Ok(id) => world
            .recordings
            .iter()
            .enumerate()
            .filter(|(_, r)| r.meeting_id == id && r.status != RecordingStatus::Deleted)
            .max_by_key(|(_, r)| r.start_time)
            .map(|(i, _)| i),
        Err(_) => world
            .recordings
            .iter()
            .position(|r| r.meeting_uuid == key && r.status != RecordingStatus::Deleted),
    }
    .ok_or_else(no_recording)?;
    let (from, to, event) = match action {
        RecordingAction::Trash => (
            Some(RecordingStatus::Active),
            RecordingStatus::Trashed,
            "trashed",
        ),
        RecordingAction::Delete => (None, RecordingStatus::Deleted, "deleted"),
        RecordingAction::Recover => (
            Some(RecordingStatus::Trashed),
            RecordingStatus::Active,
            "recovered",
        ),
    };
    let rec = &mut world.recordings[idx];
    if from.is_some_and(|f| rec.status != f) {
        return Err(zoom_error(
            400,
            3303,
            format!(
                "The recording is not in a state that allows this action: {}",
                rec.meeting_uuid
            ),
        ));
    }
    rec.status = to;
    rec.deleted_time = (to == RecordingStatus::Trashed).then_some(now);
    let rec = rec.clone();
    let host = world.user(&rec.host_id).cloned();
    let (email, id) = host.map(|h| (h.email, h.id)).unwrap_or_default();
    let op = Operator {
        email: email.clone(),
        id,
    };
    sim.emit(webhooks::recording_event(
        event,
        &sim.url,
        &rec,
        &email,
        &op,
        now.timestamp_millis(),
    ));
    Ok(
        json!({"uuid": rec.meeting_uuid, "id": rec.meeting_id, "status": event, "at": fmt_time(now)}),
    )
}

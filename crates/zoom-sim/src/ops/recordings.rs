//! What a host does with cloud recordings (docs/zoom.md §4.5), through the control API: finish a
//! recording (`recording.completed` with a `download_token`), trash, delete and recover an
//! instance, each with its webhook (§2.6). The seed builds its recordings from the same files.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::events::{self, Operator};
use crate::sim::Sim;
use crate::wire::fmt_time;
use crate::world::rng::os_token;
use crate::world::{Meeting, Recording, RecordingFile, RecordingStatus, World};

/// The file kinds a recording can have, in Zoom's order.
pub(crate) const FILE_KINDS: [&str; 4] = ["MP4", "M4A", "TRANSCRIPT", "CHAT"];

/// One file of kind `kind` (see [`FILE_KINDS`]) of a recording that ran `minutes` from `start`,
/// its size plausible for the duration; None for an unknown kind.
pub(crate) fn recording_file(
    world: &mut World,
    kind: &str,
    start: DateTime<Utc>,
    minutes: i64,
) -> Option<RecordingFile> {
    let (file_type, ext, rtype, per_min) = match kind {
        "MP4" => ("MP4", "MP4", "shared_screen_with_speaker_view", 9_000_000),
        "M4A" => ("M4A", "M4A", "audio_only", 480_000),
        "TRANSCRIPT" => ("TRANSCRIPT", "VTT", "audio_transcript", 6_000),
        "CHAT" => ("CHAT", "TXT", "chat_file", 300),
        _ => return None,
    };
    let id = uuid_like(world);
    Some(RecordingFile {
        id,
        file_type,
        file_extension: ext,
        recording_type: rtype,
        file_size: per_min * minutes.max(1) + world.rng.below(10_000) as i64,
        start,
        end: start + Duration::minutes(minutes),
    })
}

/// A random-looking but seeded UUID for a file id.
fn uuid_like(world: &mut World) -> String {
    let b = world.rng.bytes::<16>();
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

/// Finishes a recording of meeting `id` (a new instance UUID unless the meeting's own instance
/// has none yet) and emits `recording.completed` with a `download_token` (docs/zoom.md §2.6).
pub(crate) fn complete_recording(
    sim: &Sim,
    world: &mut World,
    id: i64,
    body: &Value,
) -> Result<Recording, ApiError> {
    let now = sim.now();
    let m = world
        .meetings
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::meeting_not_found(id))?;
    let host = world
        .user(&m.host_id)
        .cloned()
        .ok_or_else(|| ApiError::new(404, 1001, "Host does not exist."))?;
    let duration = body["duration"].as_i64().unwrap_or(m.duration.max(1));
    let start = match body["start_time"].as_str() {
        Some(s) => s
            .parse::<DateTime<Utc>>()
            .map_err(|_| ApiError::invalid("start_time", "Invalid field."))?,
        None => now - Duration::minutes(duration),
    };
    let rec = new_recording(world, &m, &host.account_id, body, start, duration);
    world.recordings.push(rec.clone());
    sim.emit(events::recording_event(
        "completed",
        &sim.url,
        &rec,
        &host.email,
        &Operator::of(&host),
        now.timestamp_millis(),
    ));
    Ok(rec)
}

/// A recorded instance of `m` with the files `body` asks for (all kinds by default): a new
/// instance UUID unless the meeting's own instance has no recording yet.
fn new_recording(
    world: &mut World,
    m: &Meeting,
    account_id: &str,
    body: &Value,
    start: DateTime<Utc>,
    duration: i64,
) -> Recording {
    let kinds: Vec<String> = body["files"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_else(|| FILE_KINDS.map(String::from).to_vec());
    let instance_taken = world.recordings.iter().any(|r| r.meeting_uuid == m.uuid);
    Recording {
        meeting_uuid: if instance_taken {
            world.new_uuid()
        } else {
            m.uuid.clone()
        },
        meeting_id: m.id,
        host_id: m.host_id.clone(),
        account_id: account_id.to_string(),
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
        download_token: os_token(200),
        files: kinds
            .iter()
            .filter_map(|k| recording_file(world, k, start, duration))
            .collect(),
        status: RecordingStatus::Active,
        deleted_time: None,
    }
}

/// What the host does to a recorded instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordingAction {
    Trash,
    Delete,
    Recover,
}

impl RecordingAction {
    /// The status it needs (None = any), the status it leaves, and its `recording.*` event.
    fn transition(self) -> (Option<RecordingStatus>, RecordingStatus, &'static str) {
        match self {
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
        }
    }
}

/// The instance `key` names, not deleted: a meeting ID (its latest instance) or an instance UUID.
fn find_instance(world: &World, key: &str) -> Option<usize> {
    match key.parse::<i64>() {
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
}

/// Trash / permanently delete / recover an instance; emits `recording.trashed|deleted|recovered`.
pub(crate) fn change_recording(
    sim: &Sim,
    world: &mut World,
    key: &str,
    action: RecordingAction,
) -> Result<Value, ApiError> {
    let now = sim.now();
    let idx = find_instance(world, key).ok_or_else(ApiError::no_recording)?;
    let (from, to, event) = action.transition();
    let rec = &mut world.recordings[idx];
    if from.is_some_and(|f| rec.status != f) {
        return Err(ApiError::new(
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
    sim.emit(events::recording_event(
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

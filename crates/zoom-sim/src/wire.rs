//! How the world looks on the wire: Zoom's JSON for users (docs/zoom.md §4.2), meetings (§4.3),
//! registrants (§4.4) and recordings (§4.5), plus the URLs Zoom hands out. Every URL points back
//! at the simulator so `marquee dev` never leaves the machine.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::world::{
    Account, Meeting, Occurrence, Plan, Recording, RecordingFile, Registrant, User,
};

/// Zoom's UTC time format `yyyy-MM-ddTHH:mm:ssZ` (docs/zoom.md §4.1).
pub(crate) fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A short stable token derived from some inputs (used for `pwd=` and similar URL parts).
pub(crate) fn derived_token(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&h.finalize()[..18])
}

/// The meeting's `join_url` (`/j/…` or `/w/…`, with `pwd=` when it has a passcode).
pub(crate) fn join_url(base: &str, m: &Meeting) -> String {
    let path = if m.webinar { "w" } else { "j" };
    if m.password.is_empty() {
        format!("{base}/{path}/{}", m.id)
    } else {
        let pwd = derived_token(&[&m.id.to_string(), &m.password]);
        format!("{base}/{path}/{}?pwd={pwd}", m.id)
    }
}

/// An approved registrant's personal `join_url`.
pub(crate) fn registrant_join_url(base: &str, m: &Meeting, r: &Registrant) -> String {
    format!("{base}/w/{}?tk={}", m.id, r.join_token)
}

/// Zoom's own registration page of a meeting with registration on.
pub(crate) fn registration_url(base: &str, m: &Meeting) -> String {
    let kind = if m.webinar { "webinar" } else { "meeting" };
    format!(
        "{base}/{kind}/register/{}",
        derived_token(&["reg", &m.id.to_string()])
    )
}

/// A user as `GET /users/{userId}` shows it (docs/zoom.md §4.2).
pub(crate) fn user_json(base: &str, u: &User, a: &Account) -> Value {
    let (role_id, role_name) = u.role.zoom();
    let licensed = a.plan != Plan::Free;
    json!({
        "id": u.id,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "display_name": format!("{} {}", u.first_name, u.last_name).trim().to_string(),
        "email": u.email,
        "type": if licensed { 2 } else { 1 },
        "role_id": role_id,
        "role_name": role_name,
        "pmi": u.pmi,
        "use_pmi": false,
        "personal_meeting_url": format!("{base}/j/{}", u.pmi),
        "timezone": u.timezone,
        "verified": 1,
        "dept": "",
        "created_at": fmt_time(u.created_at),
        "user_created_at": fmt_time(u.created_at),
        "last_login_time": fmt_time(u.created_at + Duration::days(1)),
        "last_client_version": "6.0.2.33403(mac)",
        "pic_url": format!("{base}/p/{}", u.id),
        "language": "en-US",
        "phone_number": "",
        "status": "active",
        "account_id": a.id,
        "account_number": a.number,
        "cluster": "us05",
        "jid": format!("{}@xmpp.zoom.us", u.id.to_lowercase()),
        "group_ids": [],
        "im_group_ids": [],
        "login_types": [100],
        "host_key": format!("{:06}", u.pmi % 1_000_000),
    })
}

fn occurrence_json(o: &Occurrence) -> Value {
    json!({
        "occurrence_id": o.occurrence_id,
        "start_time": fmt_time(o.start_time),
        "duration": o.duration,
        "status": if o.deleted { "deleted" } else { "available" },
    })
}

/// The agenda as lists show it: at most 250 characters (docs/zoom.md §4.3).
fn list_agenda(agenda: &str) -> String {
    agenda.chars().take(250).collect()
}

/// One item of `GET /users/{userId}/meetings` or `/webinars` (docs/zoom.md §4.3, §4.6).
pub(crate) fn meeting_list_item(base: &str, m: &Meeting, now: DateTime<Utc>) -> Value {
    let mut v = json!({
        "uuid": m.uuid,
        "id": m.id,
        "host_id": m.host_id,
        "topic": m.topic,
        "type": m.kind,
        "duration": m.duration,
        "timezone": m.timezone,
        "agenda": list_agenda(&m.agenda),
        "created_at": fmt_time(m.created_at),
        "join_url": join_url(base, m),
    });
    if let Some(start) = m.next_start(now) {
        v["start_time"] = json!(fmt_time(start));
    }
    if m.webinar {
        v["is_simulive"] = json!(false);
    }
    v
}

/// Full detail of `GET /meetings/{id}` and of the 201 create response (docs/zoom.md §4.3).
pub(crate) fn meeting_detail(
    base: &str,
    m: &Meeting,
    host_email: &str,
    now: DateTime<Utc>,
    occurrence: Option<&Occurrence>,
    show_previous: bool,
) -> Value {
    let mut v = json!({
        "uuid": m.uuid,
        "id": m.id,
        "host_id": m.host_id,
        "host_email": host_email,
        "assistant_id": "",
        "topic": m.topic,
        "type": m.kind,
        "status": "waiting",
        "duration": m.duration,
        "timezone": m.timezone,
        "agenda": m.agenda,
        "created_at": fmt_time(m.created_at),
        "start_url": format!("{base}/s/{}?zak={}", m.id, m.zak),
        "join_url": join_url(base, m),
        "password": m.password,
        "h323_password": m.password.chars().filter(char::is_ascii_digit).collect::<String>(),
        "encrypted_password": derived_token(&[&m.id.to_string(), &m.password]),
        "pre_schedule": false,
        "settings": Value::Object(m.settings.clone()),
        "tracking_fields": m.tracking_fields,
    });
    if m.webinar {
        v.as_object_mut().map(|o| o.remove("status"));
        v["is_simulive"] = json!(false);
    } else {
        v["chat_join_url"] = json!(format!("{base}/launch/jc/{}", m.id));
    }
    if let Some(o) = occurrence {
        v["start_time"] = json!(fmt_time(o.start_time));
        v["duration"] = json!(o.duration);
    } else if let Some(start) = m.next_start(now) {
        v["start_time"] = json!(fmt_time(start));
    }
    if m.approval_type() != 2 {
        v["registration_url"] = json!(registration_url(base, m));
    }
    if !m.occurrences.is_empty() {
        let occ: Vec<Value> = m
            .live_occurrences()
            .filter(|o| show_previous || o.start_time + Duration::minutes(o.duration) > now)
            .map(occurrence_json)
            .collect();
        v["occurrences"] = Value::Array(occ);
    }
    if let Some(r) = &m.recurrence {
        v["recurrence"] = r.clone();
    }
    v
}

/// A registrant in list/get responses (docs/zoom.md §4.4); `join_url` only once approved.
pub(crate) fn registrant_json(base: &str, m: &Meeting, r: &Registrant) -> Value {
    let mut v = Value::Object(r.extra.clone());
    v["id"] = json!(r.id);
    v["email"] = json!(r.email);
    v["first_name"] = json!(r.first_name);
    v["last_name"] = json!(r.last_name);
    v["status"] = json!(r.status);
    v["create_time"] = json!(fmt_time(r.create_time));
    v["participant_pin_code"] = json!(r.pin);
    if v.get("custom_questions").is_none() {
        v["custom_questions"] = json!([]);
    }
    if r.status == "approved" {
        v["join_url"] = json!(registrant_join_url(base, m, r));
    }
    v
}

/// A recording file as both the REST API and webhooks show it (docs/zoom.md §4.5, §2.6).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileView {
    pub id: String,
    pub meeting_id: String,
    pub recording_start: String,
    pub recording_end: String,
    pub file_type: &'static str,
    pub file_size: i64,
    pub file_extension: &'static str,
    pub play_url: String,
    pub download_url: String,
    pub status: &'static str,
    pub recording_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_time: Option<String>,
}

/// One recording file with its play and download URLs.
pub(crate) fn file_view(base: &str, rec: &Recording, f: &RecordingFile) -> FileView {
    FileView {
        id: f.id.clone(),
        meeting_id: rec.meeting_uuid.clone(),
        recording_start: fmt_time(f.start),
        recording_end: fmt_time(f.end),
        file_type: f.file_type,
        file_size: f.file_size,
        file_extension: f.file_extension,
        play_url: format!("{base}/rec/play/{}", f.id),
        download_url: format!("{base}/rec/download/{}", f.id),
        status: "completed",
        recording_type: f.recording_type,
        deleted_time: rec.deleted_time.map(fmt_time),
    }
}

/// The recording's share page.
pub(crate) fn share_url(base: &str, rec: &Recording) -> String {
    format!("{base}/rec/share/{}", rec.share_token)
}

/// A recorded instance in `GET /users/{id}/recordings` and `GET /meetings/{id}/recordings`.
/// `share_url` is included although the REST schema omits it (docs/zoom.md §4.5, §8.9).
pub(crate) fn recording_json(base: &str, rec: &Recording, detail: bool) -> Value {
    let files: Vec<FileView> = rec.files.iter().map(|f| file_view(base, rec, f)).collect();
    let mut v = json!({
        "uuid": rec.meeting_uuid,
        "id": rec.meeting_id,
        "account_id": rec.account_id,
        "host_id": rec.host_id,
        "topic": rec.topic,
        "type": rec.kind.to_string(),
        "start_time": fmt_time(rec.start_time),
        "timezone": rec.timezone,
        "duration": rec.duration,
        "total_size": rec.total_size(),
        "recording_count": rec.files.len(),
        "share_url": share_url(base, rec),
        "recording_play_passcode": rec.play_passcode,
        "recording_files": files,
    });
    if detail {
        v["password"] = json!(rec.password);
        v["participant_audio_files"] = json!([]);
    }
    v
}

/// The fields `meeting.updated` compares to build `object` / `old_object` (docs/zoom.md §2.6).
pub(crate) fn patchable(base: &str, m: &Meeting) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("topic".into(), json!(m.topic));
    o.insert("type".into(), json!(m.kind));
    o.insert("start_time".into(), json!(m.start_time.map(fmt_time)));
    o.insert("duration".into(), json!(m.duration));
    o.insert("timezone".into(), json!(m.timezone));
    o.insert("agenda".into(), json!(m.agenda));
    o.insert("password".into(), json!(m.password));
    o.insert("join_url".into(), json!(join_url(base, m)));
    o.insert("settings".into(), Value::Object(m.settings.clone()));
    if let Some(r) = &m.recurrence {
        o.insert("recurrence".into(), r.clone());
    }
    if !m.occurrences.is_empty() {
        let occ: Vec<Value> = m.live_occurrences().map(occurrence_json).collect();
        o.insert("occurrences".into(), Value::Array(occ));
    }
    o
}

/// `(object, old_object)` holding only what changed, both with `id` (and `uuid`).
pub(crate) fn diff(
    id: i64,
    uuid: &str,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
) -> (Value, Value) {
    let mut new = Map::new();
    let mut old = Map::new();
    for (k, v) in after {
        let prev = before.get(k).cloned().unwrap_or(Value::Null);
        if *v == prev {
            continue;
        }
        if let (Value::Object(a), Value::Object(b)) = (v, &prev) {
            let changed: Vec<&String> = a.keys().filter(|key| a.get(*key) != b.get(*key)).collect();
            new.insert(
                k.clone(),
                Value::Object(
                    changed
                        .iter()
                        .map(|c| ((*c).clone(), a[*c].clone()))
                        .collect(),
                ),
            );
            old.insert(
                k.clone(),
                Value::Object(
                    changed
                        .iter()
                        .map(|c| ((*c).clone(), b.get(*c).cloned().unwrap_or(Value::Null)))
                        .collect(),
                ),
            );
        } else {
            new.insert(k.clone(), v.clone());
            old.insert(k.clone(), prev);
        }
    }
    for m in [&mut new, &mut old] {
        m.insert("id".into(), json!(id));
        m.insert("uuid".into(), json!(uuid));
    }
    (Value::Object(new), Value::Object(old))
}

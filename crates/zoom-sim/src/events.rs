//! The webhook events Zoom sends, built byte for byte (docs/zoom.md §2.6): compact JSON in Zoom's
//! field order, `event_ts` in milliseconds, one builder per event family (meetings,
//! registrations, recordings, `app_deauthorized`) and the `endpoint.url_validation` challenge
//! (§2.3). Pure functions of the world's records; [`crate::delivery`] signs and sends them.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::wire::{self, FileView};
use crate::world::{Meeting, Recording, User};
use marquee_zoom_protocol::signature;

/// A serialized event waiting for delivery; the body never changes between attempts.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub name: String,
    pub body: Arc<Vec<u8>>,
}

#[derive(Serialize)]
struct Envelope<'a, P: Serialize> {
    event: &'a str,
    payload: P,
    event_ts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    download_token: Option<&'a str>,
}

/// Compact JSON `{"event","payload","event_ts"[,"download_token"]}` (W1's order,
/// docs/zoom.md §2.2/§2.6).
pub(crate) fn envelope(
    name: &str,
    payload: impl Serialize,
    event_ts: i64,
    download_token: Option<&str>,
) -> Event {
    let body = serde_json::to_vec(&Envelope {
        event: name,
        payload,
        event_ts,
        download_token,
    })
    .expect("event payloads serialize");
    Event {
        name: name.to_string(),
        body: Arc::new(body),
    }
}

/// Who made a change (`operator`, `operator_id`).
#[derive(Debug, Clone)]
pub(crate) struct Operator {
    pub email: String,
    pub id: String,
}

impl Operator {
    /// `user` as the operator of a change.
    pub(crate) fn of(user: &User) -> Self {
        Operator {
            email: user.email.clone(),
            id: user.id.clone(),
        }
    }
}

#[derive(Serialize)]
struct ChangePayload<'a, O: Serialize> {
    account_id: &'a str,
    operator: &'a str,
    operator_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_stamp: Option<i64>,
    object: O,
    #[serde(skip_serializing_if = "Option::is_none")]
    old_object: Option<Value>,
}

#[derive(Serialize)]
struct MeetingSettings<'a> {
    use_pmi: bool,
    alternative_hosts: &'a str,
}

#[derive(Serialize)]
struct OccurrenceRef {
    occurrence_id: String,
    start_time: String,
}

/// The object of `meeting.created` / `meeting.deleted` in docs/zoom.md §2.6 order.
#[derive(Serialize)]
pub(crate) struct MeetingObject<'a> {
    uuid: &'a str,
    id: i64,
    host_id: &'a str,
    topic: &'a str,
    #[serde(rename = "type")]
    kind: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<String>,
    duration: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<&'a str>,
    join_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    occurrences: Vec<OccurrenceRef>,
    settings: MeetingSettings<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recurrence: Option<&'a Value>,
}

/// A meeting as the object of its events, with only the occurrences in `only` when given.
pub(crate) fn meeting_object<'a>(
    base: &str,
    m: &'a Meeting,
    only: Option<&[String]>,
) -> MeetingObject<'a> {
    let occurrences = m
        .live_occurrences()
        .filter(|o| only.is_none_or(|ids| ids.contains(&o.occurrence_id)))
        .map(|o| OccurrenceRef {
            occurrence_id: o.occurrence_id.clone(),
            start_time: wire::fmt_time(o.start_time),
        })
        .collect();
    MeetingObject {
        uuid: &m.uuid,
        id: m.id,
        host_id: &m.host_id,
        topic: &m.topic,
        kind: m.kind,
        start_time: m.start_time.map(wire::fmt_time),
        duration: m.duration,
        timezone: (!m.timezone.is_empty()).then_some(m.timezone.as_str()),
        join_url: wire::join_url(base, m),
        password: (!m.password.is_empty()).then_some(m.password.as_str()),
        occurrences,
        settings: MeetingSettings {
            use_pmi: m
                .settings
                .get("use_pmi")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            alternative_hosts: m
                .settings
                .get("alternative_hosts")
                .and_then(Value::as_str)
                .unwrap_or(""),
        },
        recurrence: m.recurrence.as_ref(),
    }
}

fn prefix(m: &Meeting) -> &'static str {
    if m.webinar { "webinar" } else { "meeting" }
}

/// `meeting.created` (or `webinar.created`).
pub(crate) fn meeting_created(
    base: &str,
    account_id: &str,
    op: &Operator,
    m: &Meeting,
    ts: i64,
) -> Event {
    let payload = ChangePayload {
        account_id,
        operator: &op.email,
        operator_id: &op.id,
        time_stamp: None,
        object: meeting_object(base, m, None),
        old_object: None,
    };
    envelope(&format!("{}.created", prefix(m)), payload, ts, None)
}

/// `meeting.updated` with the changed fields in `object` and their prior values in `old_object`.
pub(crate) fn meeting_updated(
    m: &Meeting,
    account_id: &str,
    op: &Operator,
    object: Value,
    old: Value,
    ts: i64,
) -> Event {
    let payload = ChangePayload {
        account_id,
        operator: &op.email,
        operator_id: &op.id,
        time_stamp: Some(ts),
        object,
        old_object: Some(old),
    };
    envelope(&format!("{}.updated", prefix(m)), payload, ts, None)
}

/// `meeting.deleted`; with `occurrences` only those occurrences were deleted.
pub(crate) fn meeting_deleted(
    base: &str,
    account_id: &str,
    op: &Operator,
    m: &Meeting,
    only: Option<&[String]>,
    ts: i64,
) -> Event {
    let mut object = meeting_object(base, m, only);
    if only.is_none() {
        object.occurrences.clear();
    }
    let payload = ChangePayload {
        account_id,
        operator: &op.email,
        operator_id: &op.id,
        time_stamp: None,
        object,
        old_object: None,
    };
    envelope(&format!("{}.deleted", prefix(m)), payload, ts, None)
}

#[derive(Serialize)]
struct RegistrationObject<'a> {
    uuid: &'a str,
    id: i64,
    host_id: &'a str,
    topic: &'a str,
    #[serde(rename = "type")]
    kind: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<String>,
    duration: i64,
    timezone: &'a str,
    registrant: Value,
}

#[derive(Serialize)]
struct AccountPayload<'a, O: Serialize> {
    account_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    operator: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operator_id: Option<&'a str>,
    object: O,
}

/// `meeting.registration_created` / `_approved` / `_cancelled` / `_denied` (docs/zoom.md §2.6).
pub(crate) fn registration(
    action: &str,
    account_id: &str,
    m: &Meeting,
    registrant: Value,
    ts: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Event {
    let object = RegistrationObject {
        uuid: &m.uuid,
        id: m.id,
        host_id: &m.host_id,
        topic: &m.topic,
        kind: m.kind,
        start_time: m.next_start(now).map(wire::fmt_time),
        duration: m.duration,
        timezone: &m.timezone,
        registrant,
    };
    let payload = AccountPayload {
        account_id,
        operator: None,
        operator_id: None,
        object,
    };
    envelope(
        &format!("{}.registration_{action}", prefix(m)),
        payload,
        ts,
        None,
    )
}

/// The object of `recording.*` events (docs/zoom.md §2.6).
#[derive(Serialize)]
struct RecordingObject<'a> {
    id: i64,
    uuid: &'a str,
    host_id: &'a str,
    account_id: &'a str,
    topic: &'a str,
    #[serde(rename = "type")]
    kind: i64,
    start_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
    timezone: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    host_email: Option<&'a str>,
    duration: i64,
    share_url: String,
    total_size: i64,
    recording_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    recording_play_passcode: Option<&'a str>,
    recording_files: Vec<FileView>,
}

/// `recording.completed` (with top-level `download_token`), `.trashed`, `.deleted`, `.recovered`.
pub(crate) fn recording_event(
    action: &str,
    base: &str,
    rec: &Recording,
    host_email: &str,
    op: &Operator,
    ts: i64,
) -> Event {
    let completed = action == "completed";
    let object = RecordingObject {
        id: rec.meeting_id,
        uuid: &rec.meeting_uuid,
        host_id: &rec.host_id,
        account_id: &rec.account_id,
        topic: &rec.topic,
        kind: rec.kind,
        start_time: wire::fmt_time(rec.start_time),
        password: completed.then_some(rec.password.as_str()),
        timezone: &rec.timezone,
        host_email: completed.then_some(host_email),
        duration: rec.duration,
        share_url: wire::share_url(base, rec),
        total_size: rec.total_size(),
        recording_count: rec.files.len(),
        recording_play_passcode: completed.then_some(rec.play_passcode.as_str()),
        recording_files: rec
            .files
            .iter()
            .map(|f| wire::file_view(base, rec, f))
            .collect(),
    };
    let payload = AccountPayload {
        account_id: &rec.account_id,
        operator: (!completed).then_some(op.email.as_str()),
        operator_id: (!completed).then_some(op.id.as_str()),
        object,
    };
    let token = completed.then_some(rec.download_token.as_str());
    envelope(&format!("recording.{action}"), payload, ts, token)
}

#[derive(Serialize)]
struct DeauthPayload<'a> {
    account_id: &'a str,
    user_id: &'a str,
    signature: String,
    deauthorization_time: String,
    client_id: &'a str,
    user_data_retention: &'a str,
}

/// The app whose authorization an `app_deauthorized` event reports.
pub(crate) struct App<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
}

/// `app_deauthorized` (docs/zoom.md §2.8); `event_ts` top-level like every other event.
pub(crate) fn app_deauthorized(app: &App<'_>, account_id: &str, user_id: &str, ts: i64) -> Event {
    let when = chrono::DateTime::from_timestamp_millis(ts).unwrap_or_default();
    let payload = DeauthPayload {
        account_id,
        user_id,
        signature: signature::url_validation_token(
            app.client_secret,
            &format!("{account_id}:{user_id}:{ts}"),
        ),
        deauthorization_time: when.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        client_id: app.client_id,
        user_data_retention: "false",
    };
    envelope("app_deauthorized", payload, ts, None)
}

#[derive(Serialize)]
struct ValidationBody<'a> {
    payload: PlainToken<'a>,
    event_ts: i64,
    event: &'a str,
}

#[derive(Serialize)]
struct PlainToken<'a> {
    #[serde(rename = "plainToken")]
    plain_token: &'a str,
}

/// The `endpoint.url_validation` body in the documented order (docs/zoom.md §2.3, vector V2).
pub(crate) fn url_validation_body(plain_token: &str, event_ts: i64) -> Vec<u8> {
    serde_json::to_vec(&ValidationBody {
        payload: PlainToken { plain_token },
        event_ts,
        event: "endpoint.url_validation",
    })
    .expect("validation body serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::Occurrence;
    use serde_json::{Map, json};

    const SECRET: &str = "zoomsim_webhook_secret_0001";

    fn w1_meeting() -> Meeting {
        let mut settings = Map::new();
        settings.insert("use_pmi".into(), json!(false));
        settings.insert("alternative_hosts".into(), json!(""));
        Meeting {
            id: 81234567890,
            uuid: "4444AAAiAAAAAiAiAiiAii==".into(),
            host_id: "uLoRgfbbTayCX6r2Q_qQsQ".into(),
            webinar: false,
            kind: 2,
            topic: "Site demo".into(),
            start_time: Some("2023-11-20T15:00:00Z".parse().unwrap()),
            duration: 60,
            timezone: "UTC".into(),
            agenda: String::new(),
            password: String::new(),
            created_at: "2023-11-01T00:00:00Z".parse().unwrap(),
            settings,
            recurrence: None,
            occurrences: Vec::<Occurrence>::new(),
            registrants: vec![],
            questions: json!({}),
            tracking_fields: json!([]),
            zak: String::new(),
        }
    }

    #[test]
    fn meeting_created_reproduces_vector_w1_byte_for_byte() {
        let op = Operator {
            email: "owner@example.com".into(),
            id: "uLoRgfbbTayCX6r2Q_qQsQ".into(),
        };
        let ev = meeting_created(
            "https://us02web.zoom.us",
            "AbCdEfGhIjKlMnOpQrStUv",
            &op,
            &w1_meeting(),
            1700000000123,
        );
        let body = std::str::from_utf8(&ev.body).unwrap();
        assert_eq!(
            body,
            r#"{"event":"meeting.created","payload":{"account_id":"AbCdEfGhIjKlMnOpQrStUv","operator":"owner@example.com","operator_id":"uLoRgfbbTayCX6r2Q_qQsQ","object":{"uuid":"4444AAAiAAAAAiAiAiiAii==","id":81234567890,"host_id":"uLoRgfbbTayCX6r2Q_qQsQ","topic":"Site demo","type":2,"start_time":"2023-11-20T15:00:00Z","duration":60,"timezone":"UTC","join_url":"https://us02web.zoom.us/j/81234567890","settings":{"use_pmi":false,"alternative_hosts":""}}},"event_ts":1700000000123}"#
        );
        assert_eq!(
            signature::sign(SECRET, "1700000000", &ev.body),
            "v0=360ff5b9b08214c1471a235557a0466a504792d4ba31d9dcbbddf8df8d8c0895"
        );
    }

    #[test]
    fn url_validation_request_reproduces_vector_v2() {
        let body = url_validation_body("qgg8vlvZRS6UYooatFL8Aw", 1700000000456);
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1700000000456,"event":"endpoint.url_validation"}"#
        );
        assert_eq!(
            signature::sign(SECRET, "1700000001", &body),
            "v0=990fe0ce3c4186ec183945aa6a71621013184e51600a1324a82f5a9bbbded492"
        );
        assert_eq!(
            signature::url_validation_token(SECRET, "qgg8vlvZRS6UYooatFL8Aw"),
            "ae6b91db8952eaa503dfc30326901bc1c503f4bbb91a8d0ced5f2baa89acd86e"
        );
    }
}

//! Signed webhook delivery (reference §2): compact JSON in Zoom's field order (§2.6),
//! `x-zm-request-timestamp` in seconds, `x-zm-signature` = `v0=` + hex HMAC-SHA256 of
//! `v0:{ts}:{body}` (§2.2), a 3-second budget per attempt and retries at +5, +20 and +60 minutes
//! divided by the time scale (§2.4), `endpoint.url_validation` challenges (§2.3) on demand and
//! every 72 hours, and optional duplicate or out-of-order delivery to exercise idempotency.
//!
//! Events are queued on a bounded channel and delivered by one background task; first attempts
//! go out in order, retries run in their own (bounded) tasks.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc, watch};

use super::model::{self, FileView};
use super::state::{Meeting, Recording, Sim};
use crate::zoom::signature;

/// Zoom's retry delays after a failed attempt, in seconds (reference §2.4).
pub(crate) const RETRY_DELAYS_SECS: [f64; 3] = [5.0 * 60.0, 20.0 * 60.0, 60.0 * 60.0];
/// URL revalidation period (reference §2.3).
const REVALIDATE_SECS: f64 = 72.0 * 3600.0;
const QUEUE: usize = 1024;
const MAX_RETRY_TASKS: usize = 256;
const LOG_LEN: usize = 200;
/// With out-of-order delivery, a lone held event goes out after this long.
const HOLD: Duration = Duration::from_millis(250);

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

/// Compact JSON `{"event","payload","event_ts"[,"download_token"]}` (W1's order, §2.2/§2.6).
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

/// The object of `meeting.created` / `meeting.deleted` in §2.6 order.
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
            start_time: model::fmt_time(o.start_time),
        })
        .collect();
    MeetingObject {
        uuid: &m.uuid,
        id: m.id,
        host_id: &m.host_id,
        topic: &m.topic,
        kind: m.kind,
        start_time: m.start_time.map(model::fmt_time),
        duration: m.duration,
        timezone: (!m.timezone.is_empty()).then_some(m.timezone.as_str()),
        join_url: model::join_url(base, m),
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

/// `meeting.registration_created` / `_approved` / `_cancelled` / `_denied` (reference §2.6).
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
        start_time: m.next_start(now).map(model::fmt_time),
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

/// The object of `recording.*` events (reference §2.6).
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
        start_time: model::fmt_time(rec.start_time),
        password: completed.then_some(rec.password.as_str()),
        timezone: &rec.timezone,
        host_email: completed.then_some(host_email),
        duration: rec.duration,
        share_url: model::share_url(base, rec),
        total_size: rec.total_size(),
        recording_count: rec.files.len(),
        recording_play_passcode: completed.then_some(rec.play_passcode.as_str()),
        recording_files: rec
            .files
            .iter()
            .map(|f| model::file_view(base, rec, f))
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

/// `app_deauthorized` (reference §2.8); `event_ts` top-level like every other event.
pub(crate) fn app_deauthorized(sim: &Sim, account_id: &str, user_id: &str, ts: i64) -> Event {
    let when = chrono::DateTime::from_timestamp_millis(ts).unwrap_or_default();
    let payload = DeauthPayload {
        account_id,
        user_id,
        signature: signature::url_validation_token(
            &sim.client_secret,
            &format!("{account_id}:{user_id}:{ts}"),
        ),
        deauthorization_time: when.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        client_id: &sim.client_id,
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

/// The `endpoint.url_validation` body in the documented order (reference §2.3, vector V2).
pub(crate) fn url_validation_body(plain_token: &str, event_ts: i64) -> Vec<u8> {
    serde_json::to_vec(&ValidationBody {
        payload: PlainToken { plain_token },
        event_ts,
        event: "endpoint.url_validation",
    })
    .expect("validation body serializes")
}

// ---------------------------------------------------------------------------------------------
// Delivery

/// One delivery attempt as `GET /_sim/webhooks/deliveries` reports it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Delivery {
    pub event: String,
    pub attempt: u32,
    pub status: Option<u16>,
    pub ok: bool,
    pub error: Option<String>,
    pub at: String,
}

/// The sending side of the event queue, plus the delivery log.
pub(crate) struct Outbox {
    tx: Mutex<Option<mpsc::Sender<Event>>>,
    rx: Mutex<Option<mpsc::Receiver<Event>>>,
    closed: watch::Sender<bool>,
    pub log: Mutex<VecDeque<Delivery>>,
    retries: Arc<Semaphore>,
}

impl Outbox {
    pub(crate) fn new() -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        Self {
            tx: Mutex::new(Some(tx)),
            rx: Mutex::new(Some(rx)),
            closed: watch::Sender::new(false),
            log: Mutex::new(VecDeque::new()),
            retries: Arc::new(Semaphore::new(MAX_RETRY_TASKS)),
        }
    }

    /// Stops delivery: the dispatcher drains nothing more and retry tasks end.
    pub(crate) fn close(&self) {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.closed.send_replace(true);
    }

    fn record(&self, d: Delivery) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() >= LOG_LEN {
            log.pop_front();
        }
        log.push_back(d);
    }

    /// Resolves once `close` was called.
    async fn wait_closed(&self) {
        let mut rx = self.closed.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }
}

impl Sim {
    /// Queues an event; never blocks (a full queue counts as `not_sent`). Safe to call while
    /// holding the world lock (it only takes the stats lock, which never precedes the world's).
    pub(crate) fn emit(&self, event: Event) {
        let sender = self
            .webhooks
            .tx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut stats = self.stats();
        *stats.webhooks.events.entry(event.name.clone()).or_default() += 1;
        let queued = sender.is_some_and(|tx| tx.try_send(event).is_ok());
        if !queued {
            stats.webhooks.not_sent += 1;
        }
    }
}

/// Starts the dispatcher and the 72-hour revalidation task.
pub(crate) fn spawn_dispatcher(sim: &Arc<Sim>) {
    let rx = sim
        .webhooks
        .rx
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    let Some(rx) = rx else { return };
    tokio::spawn(dispatch(sim.clone(), rx));
    let sim = sim.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(sim.scaled(REVALIDATE_SECS)) => {}
                _ = sim.webhooks.wait_closed() => return,
            }
            if sim.world().settings.webhook_url.is_some() {
                let report = validate_endpoint(&sim).await;
                tracing::info!(%report, "zoom simulator revalidated the webhook URL");
            }
        }
    });
}

async fn dispatch(sim: Arc<Sim>, mut rx: mpsc::Receiver<Event>) {
    let mut held: Option<Event> = None;
    loop {
        let next = match held {
            Some(_) => tokio::time::timeout(HOLD, rx.recv()).await.ok(),
            None => Some(rx.recv().await),
        };
        match next {
            None => {
                if let Some(h) = held.take() {
                    deliver(&sim, h).await;
                }
            }
            Some(None) => break,
            Some(Some(ev)) => {
                let out_of_order = sim.world().settings.out_of_order;
                match (held.take(), out_of_order) {
                    (None, true) => held = Some(ev),
                    (Some(prev), true) => {
                        deliver(&sim, ev).await;
                        deliver(&sim, prev).await;
                    }
                    (prev, false) => {
                        if let Some(p) = prev {
                            deliver(&sim, p).await;
                        }
                        deliver(&sim, ev).await;
                    }
                }
            }
        }
    }
    if let Some(h) = held {
        deliver(&sim, h).await;
    }
}

/// First attempt now (twice in duplicate mode); on failure a retry task follows the schedule.
async fn deliver(sim: &Arc<Sim>, ev: Event) {
    let copies = if sim.world().settings.duplicate { 2 } else { 1 };
    for _ in 0..copies {
        if attempt(sim, &ev, 0).await {
            continue;
        }
        match sim.webhooks.retries.clone().try_acquire_owned() {
            Ok(permit) => {
                let (sim, ev) = (sim.clone(), ev.clone());
                tokio::spawn(async move {
                    retry(&sim, &ev).await;
                    drop(permit);
                });
            }
            Err(_) => sim.stats().webhooks.dropped += 1,
        }
    }
}

async fn retry(sim: &Arc<Sim>, ev: &Event) {
    for (i, delay) in RETRY_DELAYS_SECS.iter().enumerate() {
        tokio::select! {
            _ = tokio::time::sleep(sim.scaled(*delay)) => {}
            _ = sim.webhooks.wait_closed() => return,
        }
        if attempt(sim, ev, i as u32 + 1).await {
            return;
        }
    }
    sim.stats().webhooks.dropped += 1;
}

/// Signs the headers a real delivery carries (reference §2.1, §2.2).
fn signed_request(sim: &Sim, url: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
    let ts = sim.now().timestamp().to_string();
    let sig = signature::sign(&sim.webhook_secret, &ts, &body);
    let rid = hex::encode(rand::random::<[u8; 16]>());
    sim.http
        .post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "Zoom Marketplace/1.0a")
        .header("x-zm-request-timestamp", ts)
        .header("x-zm-signature", sig)
        .header(
            "x-zm-trackingid",
            format!("v=2.0;clid=sim01;rid=WEBHOOK_{rid}"),
        )
        .header("clientid", sim.client_id.clone())
        .body(body)
}

/// One POST; success is 200 or 204 within 3 s (reference §2.4).
async fn attempt(sim: &Arc<Sim>, ev: &Event, n: u32) -> bool {
    let Some(url) = sim.world().settings.webhook_url.clone() else {
        sim.stats().webhooks.not_sent += 1;
        return true; // nothing to retry against
    };
    sim.stats().webhooks.attempted += 1;
    let result = signed_request(sim, &url, ev.body.as_ref().clone())
        .send()
        .await;
    let (status, error) = match result {
        Ok(r) => (Some(r.status().as_u16()), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let ok = matches!(status, Some(200 | 204));
    {
        let mut stats = sim.stats();
        if ok {
            stats.webhooks.succeeded += 1;
        } else {
            stats.webhooks.failed += 1;
        }
    }
    sim.webhooks.record(Delivery {
        event: ev.name.clone(),
        attempt: n,
        status,
        ok,
        error,
        at: model::fmt_time(sim.now()),
    });
    ok
}

/// Sends an `endpoint.url_validation` challenge and checks the answer (reference §2.3).
pub(crate) async fn validate_endpoint(sim: &Arc<Sim>) -> Value {
    let Some(url) = sim.world().settings.webhook_url.clone() else {
        return json!({"ok": false, "error": "no webhook_url configured"});
    };
    let plain = sim.world().rng.token(22);
    let expected = signature::url_validation_token(&sim.webhook_secret, &plain);
    let body = url_validation_body(&plain, sim.now().timestamp_millis());
    let (status, answer, error) = match signed_request(sim, &url, body).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let answer = r.json::<Value>().await.unwrap_or(Value::Null);
            (Some(status), answer, None)
        }
        Err(e) => (None, Value::Null, Some(e.to_string())),
    };
    let ok = status == Some(200)
        && answer.get("plainToken").and_then(Value::as_str) == Some(plain.as_str())
        && answer.get("encryptedToken").and_then(Value::as_str) == Some(expected.as_str());
    json!({
        "ok": ok,
        "status": status,
        "plain_token": plain,
        "expected_encrypted_token": expected,
        "received": answer,
        "error": error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::state::{Meeting, Occurrence};
    use serde_json::Map;

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

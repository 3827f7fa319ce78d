//! Signed outbound events (docs/events.md), both backends: a receiver on loopback gets each
//! event type once per change, signed; a receiver that fails for a while gets the events later,
//! in order; replay by id and by time range; test-send and secret rotation; URLs on private
//! addresses refused unless allowed; another site's endpoint and callers without the platform
//! key get nothing.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hmac::{Hmac, KeyInit, Mac};
use poem::http::StatusCode as PoemStatus;
use poem::web::Data;
use poem::{EndpointExt, Request, Route, handler, post};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{ServeProcess, TestApp, assert_invalid_request, eventually, meeting_body};
use crate::operations::Scrape;

const ENDPOINTS: &str = "/api/v1/platform/event-endpoints";
/// The replay window a receiver enforces (docs/events.md).
const TOLERANCE_SECS: i64 = 300;

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    signature: String,
    event_id: String,
    event_type: String,
    body: String,
    /// What the receiver answered.
    ok: bool,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A loopback HTTP server that records every POST; it answers 500 while `failures` lasts.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    failures: Arc<AtomicUsize>,
}

#[handler]
async fn receive(req: &Request, body: String, r: Data<&Receiver>) -> PoemStatus {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let failing = r
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    r.got.lock().unwrap().push(Received {
        signature: header("marquee-signature"),
        event_id: header("marquee-event-id"),
        event_type: header("marquee-event-type"),
        body,
        ok: !failing,
    });
    if failing {
        PoemStatus::INTERNAL_SERVER_ERROR
    } else {
        PoemStatus::NO_CONTENT
    }
}

impl Receiver {
    /// Starts the server; returns it and its URL.
    fn start() -> (Self, String) {
        let receiver = Self::default();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/events", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let acceptor = poem::listener::TcpAcceptor::from_std(listener).unwrap();
        let app = Route::new()
            .at("/events", post(receive))
            .data(receiver.clone());
        tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
        (receiver, url)
    }

    fn delivered(&self) -> Vec<Received> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.ok)
            .cloned()
            .collect()
    }

    fn all(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until a delivered event satisfies `pick`, and returns it.
    async fn wait_for(&self, what: &str, pick: impl Fn(&Value) -> bool) -> Received {
        eventually(20, what, || async {
            self.delivered().into_iter().find(|r| pick(&r.json()))
        })
        .await
    }
}

/// How a receiver checks a delivery: every `v1` is the HMAC-SHA256 of `"<t>.<body>"`, and `t`
/// is within the replay window. Returns whether one `v1` matches `secret`.
fn verifies(received: &Received, secret: &str) -> bool {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in received.signature.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(hex::decode(v).unwrap()),
            _ => {}
        }
    }
    let t = t.expect("a timestamp");
    assert!(
        (chrono::Utc::now().timestamp() - t).abs() <= TOLERANCE_SECS,
        "fresh timestamp"
    );
    signatures.iter().any(|sig| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{}", received.body).as_bytes());
        mac.verify_slice(sig).is_ok()
    })
}

const EVERY_EVENT: [&str; 11] = [
    "connection.connected",
    "connection.needs_reconnect",
    "connection.disconnected",
    "sync.completed",
    "sync.failed",
    "meeting.created",
    "meeting.updated",
    "meeting.deleted",
    "recording.available",
    "registration.created",
    "registration.updated",
];

/// Registers an endpoint; returns its id and secret.
async fn endpoint(
    app: &TestApp,
    url: &str,
    events: &[&str],
    site: Option<&str>,
) -> (String, String) {
    let mut body = json!({"url": url, "events": events});
    if let Some(site) = site {
        body["site"] = json!(site);
    }
    let (status, created) = app.platform(Method::POST, ENDPOINTS, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    (
        created["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

async fn deliveries(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, log) = app
        .platform(
            Method::GET,
            &format!("{ENDPOINTS}/{id}/deliveries?limit=100"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    log["deliveries"].as_array().unwrap().clone()
}

/// Stores a recording through the store's own write (the one sync and webhooks use).
async fn recording_arrives(app: &TestApp, slug: &str, uuid: &str) {
    use marquee::domain::status::RecordingStatus;
    use marquee::store::recording::RecordingData;
    let tid = app.tenant_id(slug).await;
    let data = RecordingData {
        zoom_meeting_uuid: uuid.to_owned(),
        zoom_meeting_id: 81_000_000_001,
        host_id: "host".into(),
        topic: "Recorded class".into(),
        start_time: chrono::Utc::now().naive_utc(),
        duration_minutes: 42,
        timezone: "Europe/Berlin".into(),
        share_url: "https://zoom.example/rec/share/secret-link".into(),
        play_passcode: "pass-secret".into(),
        total_size: 1000,
        files_json: "[]".into(),
        status: RecordingStatus::Available,
    };
    app.services
        .store
        .write(move |mut db| {
            Box::pin(async move {
                let now = marquee::store::now();
                marquee::store::recording::upsert_versioned(&mut db, &tid, &data, 1, now).await?;
                // The same state again is not a change: no second event.
                marquee::store::recording::upsert_versioned(&mut db, &tid, &data, 1, now).await
            })
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_reaches_the_receiver_once_and_signed() {
    let app = TestApp::spawn().await;
    let (receiver, url) = Receiver::start();
    let (_, secret) = endpoint(&app, &url, &EVERY_EVENT, None).await;

    // Connected, backfilled (one meeting at Zoom already).
    let (meetings, key) = app
        .public_site("evt", vec![meeting_body("Synced class", 3, 0)])
        .await;
    let synced_id = meetings[0]["id"].as_i64().unwrap();
    receiver
        .wait_for("sync.completed", |e| e["type"] == "sync.completed")
        .await;

    // Created, changed and deleted through the admin API.
    let (status, created) = app
        .admin_call(
            &key,
            Method::POST,
            "/api/v1/admin/meetings",
            Some(new_meeting("Made here")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let made_id = created["id"].as_i64().unwrap();
    let one = format!("/api/v1/admin/meetings/{made_id}");
    let (status, body) = app
        .admin_call(
            &key,
            Method::PATCH,
            &one,
            Some(json!({"topic": "Made here, renamed"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.admin_call(&key, Method::DELETE, &one, None).await;
    assert!(status.is_success(), "{status} {body}");

    // A visitor registers; the owner cancels.
    let registration = app
        .registration_id("evt", &key, synced_id, "eve@example.com")
        .await;
    let status_path =
        format!("/api/v1/admin/meetings/{synced_id}/registrants/{registration}/status");
    let (status, body) = app
        .admin_call(
            &key,
            Method::PUT,
            &status_path,
            Some(json!({"action": "cancel"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    recording_arrives(&app, "evt", "rec-evt-1").await;

    // A sync that fails: Zoom refuses every listing.
    let fault = json!({"method": "GET", "path": "/v2/users/{userId}/meetings", "kind": "status",
        "status": 400, "count": 100});
    app.sim_post("/_sim/faults", fault).await;
    let (status, body) = app
        .admin_call(&key, Method::POST, "/api/v1/admin/sync", None)
        .await;
    assert!(status.is_success(), "{status} {body}");
    receiver
        .wait_for("sync.failed", |e| e["type"] == "sync.failed")
        .await;
    let cleared = app
        .http
        .delete(format!("{}/_sim/faults", app.sim.url()))
        .send()
        .await
        .unwrap();
    assert!(cleared.status().is_success());

    // Another site's refresh token dies at Zoom: that site needs reconnecting.
    let (_, dead_key) = app.public_site("evt-dead", vec![]).await;
    let fault =
        json!({"method": "POST", "path": "/oauth/token", "kind": "drop_after_commit", "count": 1});
    app.sim_post("/_sim/faults", fault).await;
    app.age_access_tokens().await;
    let _ = app.live_user(&app.url, &dead_key).await;
    let _ = app.live_user(&app.url, &dead_key).await;
    let dead = receiver
        .wait_for("connection.needs_reconnect", |e| {
            e["type"] == "connection.needs_reconnect"
        })
        .await;
    assert_eq!(dead.json()["site"], "evt-dead");

    // The owner disconnects.
    let (status, body) = app
        .admin_call(&key, Method::DELETE, "/api/v1/admin/zoom", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    receiver
        .wait_for("connection.disconnected", |e| {
            e["type"] == "connection.disconnected"
        })
        .await;

    let got = receiver.delivered();
    let types: BTreeSet<&str> = got.iter().map(|r| r.event_type.as_str()).collect();
    assert_eq!(
        types,
        EVERY_EVENT.into_iter().collect(),
        "every type arrived"
    );
    let mut ids = BTreeSet::new();
    for r in &got {
        assert!(verifies(r, &secret), "signed: {}", r.body);
        let event = r.json();
        assert_eq!(event["id"], json!(r.event_id), "{event}");
        assert_eq!(event["type"], json!(r.event_type), "{event}");
        assert!(
            event["site"] == "evt" || event["site"] == "evt-dead",
            "{event}"
        );
        assert!(chrono::DateTime::parse_from_rfc3339(event["created"].as_str().unwrap()).is_ok());
        assert!(event["data"].is_object(), "{event}");
        for secret_text in [
            "start_url",
            "access_token",
            "refresh_token",
            "secret-link",
            "pass-secret",
            "whsec_",
        ] {
            assert!(!r.body.contains(secret_text), "{secret_text} in {}", r.body);
        }
        assert!(ids.insert(r.event_id.clone()), "delivered once: {}", r.body);
    }
    // Once per change: each meeting created once, the made one updated and deleted once.
    let count = |kind: &str, id: i64| {
        got.iter()
            .filter(|r| r.event_type == kind && r.json()["data"]["id"] == json!(id))
            .count()
    };
    assert_eq!(count("meeting.created", synced_id), 1);
    assert_eq!(count("meeting.created", made_id), 1);
    assert_eq!(count("meeting.updated", made_id), 1);
    assert_eq!(count("meeting.deleted", made_id), 1);
    let of_type = |kind: &str| got.iter().filter(|r| r.event_type == kind).count();
    assert_eq!(
        of_type("recording.available"),
        1,
        "the same state twice is one change"
    );
    assert_eq!(of_type("registration.created"), 1);
    assert_eq!(of_type("registration.updated"), 1);
    assert_eq!(of_type("connection.connected"), 2, "one per site");
    assert!(
        !app.services
            .store
            .dump_table("event_endpoints")
            .await
            .unwrap()
            .concat()
            .contains(&secret),
        "the secret is sealed at rest"
    );
}

fn new_meeting(topic: &str) -> Value {
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(7)).format("%Y-%m-%dT09:00:00");
    json!({"topic": topic, "start_time": start.to_string(), "timezone": "Europe/Berlin", "duration": 30})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_gets_the_events_later_in_order() {
    let app = TestApp::spawn().await;
    let (receiver, url) = Receiver::start();
    let (_, key) = app.public_site("late", vec![]).await;
    receiver.failures.store(6, Ordering::SeqCst);
    let (id, secret) = endpoint(&app, &url, &["meeting.created"], Some("late")).await;
    // The metrics recorder is the process's: other tests only ever add to it.
    let (before, _) = Scrape::take(&app).await;
    let mut made = Vec::new();
    for n in 0..3 {
        let (status, created) = app
            .admin_call(
                &key,
                Method::POST,
                "/api/v1/admin/meetings",
                Some(new_meeting(&format!("Class {n}"))),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        made.push(created["id"].as_i64().unwrap());
    }
    let log = eventually(20, "retries while the receiver fails", || async {
        let log = deliveries(&app, &id).await;
        log.iter()
            .any(|d| {
                d["last_status"] == 500
                    && d["attempts"].as_i64() > Some(1)
                    && d["status"] == "pending"
            })
            .then_some(log)
    })
    .await;
    assert!(
        log.iter().any(|d| d["next_attempt_at"].is_string()),
        "{log:?}"
    );
    eventually(30, "all three delivered", || async {
        (receiver.delivered().len() == 3).then_some(())
    })
    .await;
    let order: Vec<i64> = receiver
        .delivered()
        .iter()
        .map(|r| r.json()["data"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, made, "in the order of the changes");
    // While the first failed, nothing after it was sent: every failed attempt is the first event.
    let first = receiver.delivered()[0].event_id.clone();
    assert!(
        receiver
            .all()
            .iter()
            .filter(|r| !r.ok)
            .all(|r| r.event_id == first),
        "no overtaking"
    );
    assert!(receiver.delivered().iter().all(|r| verifies(r, &secret)));
    // The receiver answers before the attempt is recorded: the log follows a moment later.
    eventually(10, "the log to show three deliveries", || async {
        let log = deliveries(&app, &id).await;
        log.iter()
            .all(|d| d["status"] == "delivered" && d["delivered_at"].is_string())
            .then_some(())
    })
    .await;
    let (after, _) = Scrape::take(&app).await;
    let moved = |result: &str| {
        let label = format!("result={result}");
        after.get("marquee_deliveries_total", &[&label])
            - before.get("marquee_deliveries_total", &[&label])
    };
    assert!(
        moved("retry") >= 6.0,
        "six refused attempts counted as retries"
    );
    assert!(moved("ok") >= 3.0, "three deliveries counted");
    assert!(
        after.get("marquee_delivery_lag_seconds", &[])
            >= before.get("marquee_delivery_lag_seconds", &[]) + 3.0,
        "a lag recorded per delivery"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_by_id_and_by_time_range_sends_again() {
    let app = TestApp::spawn().await;
    let (receiver, url) = Receiver::start();
    let (id, _) = endpoint(&app, &url, &["meeting.created", "sync.completed"], None).await;
    let before = chrono::Utc::now();
    app.public_site(
        "again",
        vec![meeting_body("One", 3, 0), meeting_body("Two", 4, 0)],
    )
    .await;
    eventually(20, "three events", || async {
        (receiver.delivered().len() == 3).then_some(())
    })
    .await;
    let first = receiver.delivered()[0].event_id.clone();

    let path = format!("{ENDPOINTS}/{id}/replay");
    let (status, body) = app
        .platform(Method::POST, &path, Some(json!({"event_ids": [first]})))
        .await;
    assert_eq!(
        (status, body["queued"].clone()),
        (StatusCode::ACCEPTED, json!(1)),
        "{body}"
    );
    eventually(20, "the replayed event", || async {
        (receiver
            .delivered()
            .iter()
            .filter(|r| r.event_id == first)
            .count()
            == 2)
            .then_some(())
    })
    .await;

    let window = json!({"from": before.to_rfc3339(), "to": (chrono::Utc::now() + chrono::TimeDelta::minutes(1)).to_rfc3339()});
    let (status, body) = app.platform(Method::POST, &path, Some(window)).await;
    assert_eq!(
        (status, body["queued"].clone()),
        (StatusCode::ACCEPTED, json!(3)),
        "{body}"
    );
    eventually(20, "the window again", || async {
        (receiver.delivered().len() == 7).then_some(())
    })
    .await;
    let empty = json!({"from": "2001-01-01T00:00:00Z", "to": "2001-01-02T00:00:00Z"});
    let (_, body) = app.platform(Method::POST, &path, Some(empty)).await;
    assert_eq!(body["queued"], 0, "{body}");
    let (status, body) = app
        .platform(
            Method::POST,
            &path,
            Some(json!({"from": "2030-01-01T00:00:00Z", "to": "2020-01-01T00:00:00Z"})),
        )
        .await;
    assert_invalid_request(status, &body, "to", "a window that ends before it starts");
    let not_a_time = json!({"from": "yesterday", "to": "2020-01-01T00:00:00Z"});
    let (status, body) = app.platform(Method::POST, &path, Some(not_a_time)).await;
    assert_invalid_request(status, &body, "from", "a time that is not RFC 3339");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_send_and_rotation_sign_with_the_right_secrets() {
    let app = TestApp::spawn().await;
    let (receiver, url) = Receiver::start();
    let (id, old) = endpoint(&app, &url, &["meeting.created"], None).await;
    let (status, ping) = app
        .platform(Method::POST, &format!("{ENDPOINTS}/{id}/test"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{ping}");
    assert_eq!(
        (ping["status"].clone(), ping["last_status"].clone()),
        (json!("delivered"), json!(204)),
        "{ping}"
    );
    let got = receiver.delivered();
    assert_eq!(got.len(), 1, "delivered before the answer");
    assert_eq!(got[0].event_type, "ping");
    assert!(verifies(&got[0], &old));

    let (status, rotated) = app
        .platform(
            Method::POST,
            &format!("{ENDPOINTS}/{id}/rotate-secret"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated["previous_secret_until"].is_string(), "{rotated}");
    app.platform(Method::POST, &format!("{ENDPOINTS}/{id}/test"), None)
        .await;
    let second = receiver.delivered()[1].clone();
    assert!(
        verifies(&second, &new) && verifies(&second, &old),
        "both sign during the grace period"
    );
    assert!(!verifies(&second, "whsec_not-the-secret"));
    let (_, listed) = app.platform(Method::GET, ENDPOINTS, None).await;
    assert!(
        !listed.to_string().contains(&new) && !listed.to_string().contains(&old),
        "{listed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_are_refused_unless_allowed() {
    let app = TestApp::spawn_configured(
        |_| {},
        |vars| {
            vars.insert("MARQUEE_EVENTS_ALLOW_PRIVATE_URLS".into(), "false".into());
        },
    )
    .await;
    for url in [
        "http://hooks.example/in",
        "https://127.0.0.1/in",
        "https://localhost/in",
        "https://10.1.2.3/in",
        "https://192.168.0.10/in",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/in",
        "https://[fd00::1]/in",
    ] {
        let (status, body) = app
            .platform(
                Method::POST,
                ENDPOINTS,
                Some(json!({"url": url, "events": ["meeting.created"]})),
            )
            .await;
        assert_invalid_request(status, &body, "url", url);
    }
    let unknown_types = [
        (json!(["meeting.exploded"]), "events.0"),
        (json!(["meeting.created", "ping"]), "events.1"),
        (json!([]), "events"),
    ];
    for (events, field) in unknown_types {
        let body = json!({"url": "https://hooks.example/in", "events": events});
        let (status, body) = app.platform(Method::POST, ENDPOINTS, Some(body)).await;
        assert_invalid_request(status, &body, field, &events.to_string());
    }
    assert_eq!(app.rows("event_endpoints").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_sites_and_callers_without_the_platform_key_get_nothing() {
    let app = TestApp::spawn().await;
    let (receiver, url) = Receiver::start();
    app.create_tenant("mine").await;
    let (id, _) = endpoint(
        &app,
        &url,
        &["meeting.created", "connection.connected"],
        Some("mine"),
    )
    .await;
    let (_, key) = app
        .public_site("theirs", vec![meeting_body("Not yours", 3, 0)])
        .await;
    // A second endpoint for every site proves the events exist.
    let (receiver_all, url_all) = Receiver::start();
    endpoint(&app, &url_all, &["meeting.created"], None).await;
    let (status, _) = app
        .admin_call(
            &key,
            Method::POST,
            "/api/v1/admin/meetings",
            Some(new_meeting("Theirs again")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    receiver_all
        .wait_for("their meeting", |e| e["data"]["topic"] == "Theirs again")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(receiver.all().is_empty(), "{:?}", receiver.all());
    let replay = json!({"from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"});
    let (_, body) = app
        .platform(
            Method::POST,
            &format!("{ENDPOINTS}/{id}/replay"),
            Some(replay),
        )
        .await;
    assert_eq!(body["queued"], 0, "a replay neither: {body}");

    // No platform key, a wrong one, or a tenant key: 401 on every route, nothing shown.
    for path in [
        ENDPOINTS.to_owned(),
        format!("{ENDPOINTS}/{id}"),
        format!("{ENDPOINTS}/{id}/deliveries"),
    ] {
        let none = app.http.get(app.at(&path)).send().await.unwrap();
        assert_eq!(none.status(), StatusCode::UNAUTHORIZED, "{path}");
        let wrong = app
            .http
            .get(app.at(&path))
            .header("x-platform-key", "not-the-key-0123456789abcdef")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{path}");
        let tenant = app
            .http
            .get(app.at(&path))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(tenant.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let test = app
        .http
        .post(app.at(&format!("{ENDPOINTS}/{id}/test")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(test.status(), StatusCode::UNAUTHORIZED);
    assert!(receiver.all().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_committed_before_a_kill_9_are_delivered_after_restart() {
    // No workers here: the events of the killed process stay for the restarted one.
    let app = TestApp::spawn_configured(
        |_| {},
        |vars| {
            vars.insert("MARQUEE_WORKERS".into(), "false".into());
        },
    )
    .await;
    let (receiver, url) = Receiver::start();
    app.sim_user("killed@example.com").await;
    app.create_tenant("killed").await;
    app.connect_site("killed").await;
    let key = app
        .api_key("killed", &["meetings:read", "meetings:write"])
        .await;
    endpoint(&app, &url, &["meeting.created"], None).await;

    // A real `marquee serve` process, without workers: it commits changes, sends nothing.
    let child = ServeProcess::start(&app.http, app.vars.clone()).await;
    let child_url = child.url.clone();
    let mut made = Vec::new();
    for n in 0..3 {
        let resp = app
            .http
            .post(format!("{child_url}/api/v1/admin/meetings"))
            .bearer_auth(&key)
            .json(&new_meeting(&format!("Before the kill {n}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let body: Value = resp.json().await.unwrap();
        made.push(body["id"].as_i64().unwrap());
    }
    child.kill();
    assert!(receiver.all().is_empty(), "nothing was sent yet");

    let mut vars = app.vars.clone();
    vars.insert("MARQUEE_WORKERS".into(), "true".into());
    let restarted = crate::helpers::Instance::start(vars).await;
    eventually(20, "the three events after the restart", || async {
        (receiver.delivered().len() == 3).then_some(())
    })
    .await;
    let order: Vec<i64> = receiver
        .delivered()
        .iter()
        .map(|r| r.json()["data"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, made, "every committed event, in order");
    drop(restarted);
}

// ---- site builders' own endpoints (`/api/v1/admin/event-endpoints`) ----

const SITE_ENDPOINTS: &str = "/api/v1/admin/event-endpoints";

/// Registers an endpoint with a site's key; returns its id and secret.
async fn site_endpoint(app: &TestApp, key: &str, url: &str, events: &[&str]) -> (String, String) {
    let body = json!({"url": url, "events": events});
    let (status, created) = app
        .admin_call(key, Method::POST, SITE_ENDPOINTS, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (
        created["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_key_registers_an_endpoint_that_gets_only_its_own_sites_events() {
    let app = TestApp::spawn().await;
    let (_, key_a) = app.public_site("site-a", vec![]).await;
    let (_, key_b) = app.public_site("site-b", vec![]).await;
    let (receiver, url) = Receiver::start();
    let (id, secret) = site_endpoint(&app, &key_a, &url, &["meeting.created"]).await;
    let (_, shown) = app
        .admin_call(&key_a, Method::GET, &format!("{SITE_ENDPOINTS}/{id}"), None)
        .await;
    assert_eq!(shown["site"], "site-a", "forced to the key's site: {shown}");
    // The platform's endpoints: one for every site, one it limited to site A.
    let (receiver_all, url_all) = Receiver::start();
    let (platform_every, _) = endpoint(&app, &url_all, &["meeting.created"], None).await;
    let (platform_a, _) = endpoint(&app, &url_all, &["meeting.created"], Some("site-a")).await;

    for (key, topic) in [(&key_b, "B's class"), (&key_a, "A's class")] {
        let (status, body) = app
            .admin_call(
                key,
                Method::POST,
                "/api/v1/admin/meetings",
                Some(new_meeting(topic)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let mine = receiver
        .wait_for("A's meeting", |e| e["data"]["topic"] == "A's class")
        .await;
    assert!(verifies(&mine, &secret), "signed: {}", mine.body);
    receiver_all
        .wait_for("B's meeting at the platform", |e| {
            e["data"]["topic"] == "B's class"
        })
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let got = receiver.all();
    assert!(
        got.iter().all(|r| r.json()["site"] == "site-a"),
        "only site A's events: {got:?}"
    );

    // A's key lists its own endpoint only: not the platform's, not even the one for site A.
    let (status, list) = app
        .admin_call(&key_a, Method::GET, SITE_ENDPOINTS, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<&str> = list["event_endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()], "{list}");
    let (_, log) = app
        .admin_call(
            &key_a,
            Method::GET,
            &format!("{SITE_ENDPOINTS}/{id}/deliveries"),
            None,
        )
        .await;
    assert!(!log["deliveries"].as_array().unwrap().is_empty(), "{log}");

    // Site B sees, changes, replays and reads nothing of A's, nor the platform's: 404.
    let (status, list) = app
        .admin_call(&key_b, Method::GET, SITE_ENDPOINTS, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["event_endpoints"], json!([]), "{list}");
    let window = json!({"from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"});
    for (key, target) in [
        (&key_b, &id),
        (&key_b, &platform_every),
        (&key_a, &platform_every),
        (&key_a, &platform_a),
    ] {
        let one = format!("{SITE_ENDPOINTS}/{target}");
        for (method, path, body) in [
            (Method::GET, one.clone(), None),
            (Method::GET, format!("{one}/deliveries"), None),
            (Method::POST, format!("{one}/rotate-secret"), None),
            (Method::POST, format!("{one}/test"), None),
            (Method::POST, format!("{one}/replay"), Some(window.clone())),
            (Method::DELETE, one.clone(), None),
        ] {
            let (status, body) = app.admin_call(key, method.clone(), &path, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
        }
    }
    let still = deliveries(&app, &id).await;
    assert!(!still.is_empty(), "A's endpoint is still there");

    // A key of site A without the events scopes: 403, naming the scope.
    let reader = app.api_key("site-a", &["settings:read"]).await;
    let (status, body) = app
        .admin_call(&reader, Method::GET, SITE_ENDPOINTS, None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "missing_scope", "{body}");
    let (status, body) = app
        .admin_call(
            &reader,
            Method::POST,
            SITE_ENDPOINTS,
            Some(json!({"url": url, "events": ["meeting.created"]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let read_only = app.api_key("site-a", &["events:read"]).await;
    let (status, body) = app
        .admin_call(
            &read_only,
            Method::DELETE,
            &format!("{SITE_ENDPOINTS}/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["error"]["message"],
        "this API key lacks the events:write scope"
    );

    // The platform sees the site's endpoint; the site deletes its own.
    let (status, body) = app
        .platform(Method::GET, &format!("{ENDPOINTS}/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["site"], "site-a");
    let (status, body) = app
        .admin_call(
            &key_a,
            Method::DELETE,
            &format!("{SITE_ENDPOINTS}/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

// ---- end to end: the change arrives from Zoom, not from a store call ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_completed_webhook_from_zoom_emits_recording_available() {
    let app = TestApp::spawn_with(crate::webhooks::deliver_to_marquee).await;
    let (receiver, url) = Receiver::start();
    let (_, secret) = endpoint(&app, &url, &["recording.available"], None).await;
    let (meetings, _) = app
        .public_site("rec-e2e", vec![meeting_body("Recorded here", 2, 0)])
        .await;
    let meeting_id = meetings[0]["id"].as_i64().unwrap();
    let rec = app
        .sim_post(
            &format!("/_sim/meetings/{meeting_id}/recordings"),
            json!({"duration": 40, "password": "rec-pass-e2e", "files": ["MP4"]}),
        )
        .await;
    let got = receiver
        .wait_for("recording.available", |e| {
            e["type"] == "recording.available"
        })
        .await;
    assert!(verifies(&got, &secret), "signed: {}", got.body);
    let event = got.json();
    assert_eq!(event["site"], "rec-e2e", "{event}");
    assert_eq!(event["data"]["uuid"], rec["uuid"], "{event}");
    assert_eq!(event["data"]["meeting_id"], json!(meeting_id), "{event}");
    assert!(
        !got.body.contains("rec-pass-e2e"),
        "no passcode: {}",
        got.body
    );
    assert!(!got.body.contains("share"), "no share link: {}", got.body);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.all().len(), 1, "once: {:?}", receiver.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_deauthorizing_the_app_emits_connection_disconnected() {
    let app = TestApp::spawn_with(crate::webhooks::deliver_to_marquee).await;
    let (receiver, url) = Receiver::start();
    let (_, secret) = endpoint(&app, &url, &["connection.disconnected"], None).await;
    let host = app.sim_user("host-deauth@example.com").await;
    app.create_tenant("deauth").await;
    app.connect_site("deauth").await;
    // The owner removes the app in Zoom: Zoom sends its signed `app_deauthorized`.
    let host_id = host["id"].as_str().unwrap();
    app.sim_post(&format!("/_sim/users/{host_id}/deauthorize"), json!({}))
        .await;
    let got = receiver
        .wait_for("connection.disconnected", |e| {
            e["type"] == "connection.disconnected"
        })
        .await;
    assert!(verifies(&got, &secret), "signed: {}", got.body);
    assert_eq!(got.json()["site"], "deauth", "{}", got.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_reseals_endpoint_secrets_and_deliveries_still_verify() {
    let app = TestApp::spawn().await;
    let (receiver, url) = Receiver::start();
    let (id, secret) = endpoint(&app, &url, &["meeting.created"], None).await;
    let new_spec = marquee::crypto::KeyRing::generate_spec("test2");
    let both = app.sibling_with_keys(&new_spec, true).await;
    assert_eq!(
        both.services.key_rotation().rotate().await.unwrap(),
        1,
        "the endpoint's secret"
    );
    let sealed_under = {
        let id = id.clone();
        app.services
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    marquee::store::outbox::find_endpoint(
                        &mut db,
                        &marquee::store::outbox::EndpointScope::Platform,
                        &id,
                    )
                    .await
                })
            })
            .await
            .unwrap()
            .unwrap()
            .key_id
    };
    assert_eq!(sealed_under, "test2");

    // An instance holding only the new key signs with the same secret.
    let new_only = app.sibling_with_keys(&new_spec, false).await;
    let resp = app
        .http
        .post(format!("{}{ENDPOINTS}/{id}/test", new_only.url))
        .header("x-platform-key", crate::helpers::PLATFORM_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let tried: Value = resp.json().await.unwrap();
    assert_eq!(tried["status"], "delivered", "{tried}");
    let ping = receiver.wait_for("the ping", |e| e["type"] == "ping").await;
    assert!(verifies(&ping, &secret), "same secret after rotation");
}

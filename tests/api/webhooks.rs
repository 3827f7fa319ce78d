//! `POST /webhooks/zoom` end to end: signatures (docs/zoom.md vectors W1 and V2), freshness,
//! storage before the 200, duplicates, out-of-order delivery, and the events' effect on what
//! visitors see. The simulator delivers real signed webhooks over HTTP.

use marquee::domain::TenantId;
use marquee::domain::status::{RecordingStatus, WebhookEventStatus};
use marquee::store::{self, recording::RecordingData, webhook_event::StoredEvent};
use marquee_zoom_sim::SimConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, eventually, meeting_body};

const W1_BODY: &str = r#"{"event":"meeting.created","payload":{"account_id":"AbCdEfGhIjKlMnOpQrStUv","operator":"owner@example.com","operator_id":"uLoRgfbbTayCX6r2Q_qQsQ","object":{"uuid":"4444AAAiAAAAAiAiAiiAii==","id":81234567890,"host_id":"uLoRgfbbTayCX6r2Q_qQsQ","topic":"Site demo","type":2,"start_time":"2023-11-20T15:00:00Z","duration":60,"timezone":"UTC","join_url":"https://us02web.zoom.us/j/81234567890","settings":{"use_pmi":false,"alternative_hosts":""}}},"event_ts":1700000000123}"#;
const W1_SIG: &str = "v0=360ff5b9b08214c1471a235557a0466a504792d4ba31d9dcbbddf8df8d8c0895";
const V2_BODY: &str = r#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1700000000456,"event":"endpoint.url_validation"}"#;
const V2_SIG: &str = "v0=990fe0ce3c4186ec183945aa6a71621013184e51600a1324a82f5a9bbbded492";

pub async fn stored_events(app_services: &marquee::service::Services) -> Vec<StoredEvent> {
    app_services.events().list(None, 10_000).await.unwrap()
}

/// Zoom delivers webhooks to this Marquee.
pub fn deliver_to_marquee(sim: &mut SimConfig) {
    let callback = sim.redirect_uris[0].clone();
    sim.webhook_url = Some(callback.replace("/oauth/zoom/callback", "/webhooks/zoom"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_vectors_are_accepted_and_forgeries_refused_before_storing() {
    // Zoom's vectors were signed in 2023: this instance accepts timestamps of any age.
    let app = TestApp::spawn_configured(
        |_| {},
        |vars| {
            vars.insert(
                "MARQUEE_WEBHOOK_TOLERANCE_SECS".into(),
                (10 * 365 * 86_400).to_string(),
            );
        },
    )
    .await;

    let (status, body) = app
        .post_raw_webhook(V2_BODY, Some("1700000001"), Some(V2_SIG))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"plainToken": "qgg8vlvZRS6UYooatFL8Aw",
               "encryptedToken": "ae6b91db8952eaa503dfc30326901bc1c503f4bbb91a8d0ced5f2baa89acd86e"})
    );

    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(W1_BODY).unwrap()).unwrap();
    let (status, body) = app
        .post_raw_webhook(&pretty, Some("1700000000"), Some(W1_SIG))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = app.post_raw_webhook(W1_BODY, None, Some(W1_SIG)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .post_raw_webhook(W1_BODY, Some("1700000000"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        stored_events(&app.services).await.is_empty(),
        "refused deliveries store nothing; validations are not stored"
    );

    let (status, _) = app
        .post_raw_webhook(W1_BODY, Some("1700000000"), Some(W1_SIG))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Zoom's retry of the same event: a new timestamp and signature, the same body.
    let (status, _) = app
        .post_webhook(W1_BODY, chrono::Utc::now().timestamp())
        .await;
    assert_eq!(status, StatusCode::OK);
    let events = stored_events(&app.services).await;
    assert_eq!(
        events.len(),
        1,
        "a duplicate is acknowledged, not stored twice"
    );
    assert_eq!(
        events[0].body, W1_BODY,
        "the raw body is kept byte for byte"
    );
    assert_eq!(events[0].event_ts, 1_700_000_000_123);
    // No site uses that Zoom account: kept and marked, not an error.
    let status = eventually(10, "the worker to mark the event", || async {
        let e = stored_events(&app.services).await.pop()?;
        (e.status != WebhookEventStatus::Pending).then_some(e.status)
    })
    .await;
    assert_eq!(status, WebhookEventStatus::UnknownAccount);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_timestamps_are_refused_and_fresh_signatures_accepted() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let (status, body) = app
        .post_raw_webhook(W1_BODY, Some("1700000000"), Some(W1_SIG))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "W1 is years old: {body}");
    let (status, _) = app.post_webhook(W1_BODY, now - 301).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "outside the 5-minute window"
    );
    // Read the clock again: on a loaded machine the requests above can take seconds, and a
    // timestamp taken before them could slide back inside the window.
    let (status, _) = app
        .post_webhook(W1_BODY, chrono::Utc::now().timestamp() + 301)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "from the future");
    let forged =
        marquee::zoom::signature::sign("not-the-secret", &now.to_string(), W1_BODY.as_bytes());
    let (status, _) = app
        .post_raw_webhook(W1_BODY, Some(&now.to_string()), Some(&forged))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(stored_events(&app.services).await.is_empty());
    let (status, _) = app.post_webhook(W1_BODY, now - 10).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stored_events(&app.services).await.len(), 1);
}

async fn tenant_id(app: &TestApp, slug: &str) -> TenantId {
    app.services.tenants().get(slug).await.unwrap().id
}

pub async fn recordings_of(app: &TestApp, tenant: &TenantId) -> Vec<RecordingData> {
    let tid = tenant.clone();
    app.services
        .store
        .read(move |mut db| {
            Box::pin(async move { store::recording::list_for_tenant(&mut db, &tid).await })
        })
        .await
        .unwrap()
}

fn topics(meetings: &[Value]) -> Vec<String> {
    meetings
        .iter()
        .map(|m| m["topic"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_and_out_of_order_deliveries_end_in_zoom_s_state() {
    let app = TestApp::spawn_with(deliver_to_marquee).await;
    let user = app.sim_user("host@example.com").await;
    let host = user["id"].as_str().unwrap();
    app.create_tenant("studio").await;
    app.connect_site("studio").await;
    // Zoom misbehaves: every event twice, and neighbours swapped.
    app.sim_config(json!({"duplicate": true, "out_of_order": true}))
        .await;

    let kept = app
        .sim_meeting(host, meeting_body("Morning flow", 2, 2))
        .await;
    let doomed = app
        .sim_meeting(host, meeting_body("Cancelled class", 3, 2))
        .await;
    let kept_id = kept["id"].as_i64().unwrap();
    eventually(10, "both new meetings in the public JSON", || async {
        let t = topics(&app.public_meetings("studio").await);
        (t.contains(&"Morning flow".to_owned()) && t.contains(&"Cancelled class".to_owned()))
            .then_some(())
    })
    .await;

    // Two edits a second apart (Zoom's clock), delivered newest first.
    for (topic, approval) in [("Morning flow (moved)", 2), ("Morning flow — final", 0)] {
        app.sim_post("/_sim/clock/advance", json!({"seconds": 1}))
            .await;
        let resp = app
            .http
            .patch(format!("{}/_sim/meetings/{kept_id}", app.sim.url()))
            .json(&json!({"topic": topic, "settings": {"approval_type": approval}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    }
    let resp = app
        .http
        .delete(format!("{}/_sim/meetings/{}", app.sim.url(), doomed["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);

    let meetings = eventually(10, "the final state in the public JSON", || async {
        let meetings = app.public_meetings("studio").await;
        let t = topics(&meetings);
        (t == ["Morning flow — final"]).then_some(meetings)
    })
    .await;
    assert_eq!(
        meetings[0]["registration_open"], true,
        "the patch's settings applied"
    );

    // A finished recording appears, and a trashed one is hidden.
    let rec = app
        .sim_post(
            &format!("/_sim/meetings/{kept_id}/recordings"),
            json!({"duration": 40, "files": ["MP4", "TRANSCRIPT"]}),
        )
        .await;
    let tenant = tenant_id(&app, "studio").await;
    let stored = eventually(10, "the recording in the store", || async {
        recordings_of(&app, &tenant).await.into_iter().next()
    })
    .await;
    assert_eq!(stored.zoom_meeting_uuid, rec["uuid"].as_str().unwrap());
    assert_eq!(stored.status, RecordingStatus::Available);
    assert!(
        !stored.play_passcode.is_empty(),
        "recording.completed carries the passcode"
    );
    assert!(stored.files_json.contains("MP4"));
    assert!(!stored.files_json.contains("download_token"));
    let raw = stored_events(&app.services)
        .await
        .into_iter()
        .find(|e| e.event == "recording.completed")
        .unwrap();
    let token = rec["download_token"].as_str().unwrap();
    assert!(
        !raw.body.contains(token),
        "the download token is not stored"
    );
    app.sim_post(
        "/_sim/recordings/trash",
        json!({"meeting_uuid": rec["uuid"]}),
    )
    .await;
    eventually(10, "the recording trashed", || async {
        let r = recordings_of(&app, &tenant).await;
        (r.len() == 1 && r[0].status == RecordingStatus::Trashed).then_some(())
    })
    .await;

    // Every delivery was acknowledged, each distinct event stored once and applied once.
    let events = eventually(10, "every event processed", || async {
        let events = stored_events(&app.services).await;
        events
            .iter()
            .all(|e| e.status != WebhookEventStatus::Pending)
            .then_some(events)
    })
    .await;
    // The simulator sends each duplicate on its own schedule: wait until both copies of every
    // event were sent and every attempt was answered, or a copy still in flight would count
    // as missing.
    let want = 2 * events.len() as u64;
    let what = format!("{want} deliveries sent and every attempt answered");
    let stats = eventually(10, &what, || async {
        let stats = app.sim_stats().await;
        let w = &stats["webhooks"];
        let (attempted, succeeded) = (w["attempted"].as_u64()?, w["succeeded"].as_u64()?);
        let answered = succeeded + w["failed"].as_u64()?;
        (attempted == answered && succeeded >= want).then_some(stats)
    })
    .await;
    let webhooks = &stats["webhooks"];
    assert_eq!(webhooks["failed"], 0, "{webhooks}");
    assert!(
        webhooks["succeeded"].as_u64().unwrap() >= 2 * events.len() as u64,
        "duplicates were delivered and acknowledged: {webhooks} for {} events",
        events.len()
    );
    for e in &events {
        assert_eq!(
            e.status,
            WebhookEventStatus::Applied,
            "{} {:?}",
            e.event,
            e.last_error
        );
        assert_eq!(e.attempts, 1, "{} applied once", e.event);
    }
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    for expected in [
        "meeting.created",
        "meeting.updated",
        "meeting.deleted",
        "recording.completed",
        "recording.trashed",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_event_is_retried_then_parked_and_replayable() {
    let app = TestApp::spawn_configured(deliver_to_marquee, |vars| {
        vars.insert("MARQUEE_WEBHOOK_MAX_ATTEMPTS".into(), "3".into());
        vars.insert("MARQUEE_WEBHOOK_RETRY_BASE_MS".into(), "50".into());
    })
    .await;
    let user = app.sim_user("host@example.com").await;
    let host = user["id"].as_str().unwrap().to_owned();
    app.create_tenant("studio").await;
    app.connect_site("studio").await;
    // Zoom's API fails for every re-read of the meeting the event names.
    app.sim_post(
        "/_sim/faults",
        json!({"path": "/v2/meetings/{meetingId}", "kind": "status", "status": 500, "count": 1000}),
    )
    .await;
    app.sim_meeting(&host, meeting_body("Flaky", 2, 2)).await;
    let failed = eventually(10, "the event parked as failed", || async {
        stored_events(&app.services)
            .await
            .into_iter()
            .find(|e| e.status == WebhookEventStatus::Failed)
    })
    .await;
    assert_eq!(failed.attempts, 3, "retried up to the limit");
    assert!(failed.last_error.unwrap().contains("unavailable"));
    assert!(app.public_meetings("studio").await.is_empty());

    let resp = app
        .http
        .delete(format!("{}/_sim/faults", app.sim.url()))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let replayed = app.services.events().replay(None).await.unwrap();
    assert_eq!(replayed, 1);
    eventually(10, "the replayed event applied", || async {
        (topics(&app.public_meetings("studio").await) == ["Flaky"]).then_some(())
    })
    .await;
}

/// A distinct, valid event for the group-commit tests.
fn numbered_event(i: usize, event: &str) -> String {
    format!(
        r#"{{"event":"{event}","payload":{{"account_id":"groupAccount","operator":"o@example.com","operator_id":"op","object":{{"id":{id},"topic":"Batch {i}"}}}},"event_ts":{ts}}}"#,
        id = 85_000_000_000_u64 + i as u64,
        ts = 1_800_000_000_000_u64 + i as u64,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_are_each_answered_only_once_stored_and_stored_once() {
    // Workers off: the rows stay as intake left them.
    let app = TestApp::spawn_configured(
        |_| {},
        |vars| {
            vars.insert("MARQUEE_WORKERS".into(), "false".into());
        },
    )
    .await;
    let now = chrono::Utc::now().timestamp();
    let bodies: Vec<String> = (0..40)
        .map(|i| numbered_event(i, "meeting.updated"))
        .collect();
    // Every body twice at once (Zoom's retry racing its original), so copies share batches.
    let app = &app;
    let deliveries = bodies.iter().chain(bodies.iter()).map(|body| async move {
        let (status, answer) = app.post_webhook(body, now).await;
        // Read right after the 200: the event must already be committed.
        let stored = stored_events(&app.services)
            .await
            .iter()
            .any(|e| &e.body == body);
        (status, answer, stored)
    });
    for (status, answer, stored) in futures::future::join_all(deliveries).await {
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert!(stored, "a 200 is sent only after the event is committed");
    }
    let mut stored: Vec<String> = stored_events(&app.services)
        .await
        .into_iter()
        .map(|e| e.body)
        .collect();
    stored.sort();
    let mut expected = bodies.clone();
    expected.sort();
    assert_eq!(stored, expected, "each body is stored exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_the_database_refuses_does_not_fail_the_deliveries_committed_with_it() {
    let app = TestApp::spawn_configured(
        |_| {},
        |vars| {
            vars.insert("MARQUEE_WORKERS".into(), "false".into());
        },
    )
    .await;
    let now = chrono::Utc::now().timestamp();
    // PostgreSQL refuses a NUL character in TEXT (the unescaped event name); SQLite keeps it.
    // Either way the outcome is the odd event's own: its neighbours in the batch are stored.
    let odd = numbered_event(999, r"meeting.updated\u0000");
    let good: Vec<String> = (0..30)
        .map(|i| numbered_event(i, "meeting.updated"))
        .collect();
    // Late in the burst: the first arrival is usually committed alone, the rest together.
    let all: Vec<&String> = good
        .iter()
        .take(25)
        .chain([&odd])
        .chain(good.iter().skip(25))
        .collect();
    let answers =
        futures::future::join_all(all.iter().map(|body| app.post_webhook(body, now))).await;
    let stored = stored_events(&app.services).await;
    for (body, (status, answer)) in all.iter().zip(&answers) {
        let kept = stored.iter().any(|e| &e.body == *body);
        if *body == &odd {
            assert_eq!(kept, *status == StatusCode::OK, "{status} {answer}");
        } else {
            assert_eq!(*status, StatusCode::OK, "{answer}");
            assert!(kept, "a neighbour of the refused event is stored");
        }
    }
}

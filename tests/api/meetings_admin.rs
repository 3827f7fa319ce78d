//! Meetings made from Marquee (`/api/v1/admin/meetings…`) against the simulator, on both
//! backends: created at Zoom and shown at once in the public JSON and widget, recurring ones
//! with their occurrences; `start_url` only in its own answer (never public, logged or stored);
//! checked before Zoom is called; one meeting per `Idempotency-Key`; Zoom's daily limit 429;
//! Zoom down 503 with nothing stored; another site's key sees 404.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_invalid_request, captured_logs, json_response};

const CREATE_AT_ZOOM: &str = "POST /v2/users/{userId}/meetings";

/// Every table Marquee has (docs/architecture.md, "Storage").
const TABLES: [&str; 20] = [
    "tenants",
    "api_keys",
    "admin_links",
    "admin_sessions",
    "oauth_states",
    "zoom_grants",
    "zoom_connections",
    "audit_events",
    "meetings",
    "meeting_occurrences",
    "recordings",
    "registrations",
    "site_settings",
    "registration_questions",
    "webhook_events",
    "zoom_tombstones",
    "sync_jobs",
    "sync_status",
    "zoom_account_pauses",
    "idempotency_keys",
];

/// A one-time meeting `days` ahead, local time in Berlin.
fn new_meeting(topic: &str, days: i64) -> Value {
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(days))
        .format("%Y-%m-%dT18:00:00")
        .to_string();
    json!({"topic": topic, "agenda": format!("About {topic}"), "start_time": start,
           "timezone": "Europe/Berlin", "duration": 45, "registration": "automatic"})
}

/// A weekly meeting on Tuesdays and Thursdays, four times.
fn weekly_meeting(topic: &str) -> Value {
    let mut body = new_meeting(topic, 2);
    body["recurrence"] = json!({"repeat": "weekly", "weekly_days": [3, 5], "end_times": 4});
    body
}

async fn create(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    app.admin_call(key, Method::POST, "/api/v1/admin/meetings", Some(body))
        .await
}

async fn created(app: &TestApp, key: &str, body: Value) -> Value {
    let (status, meeting) = create(app, key, body).await;
    assert_eq!(status, StatusCode::CREATED, "{meeting}");
    meeting
}

/// The public list's entries of meeting `id`.
async fn public_entries(app: &TestApp, slug: &str, id: i64) -> Vec<Value> {
    let list = app.public_meetings(slug).await;
    list.into_iter().filter(|m| m["id"] == id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_meeting_is_public_and_in_the_widget_at_once() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("maker", vec![]).await;
    let meeting = created(&app, &key, new_meeting("Evening yoga", 3)).await;
    let id = meeting["id"].as_i64().unwrap();
    assert_eq!(meeting["topic"], "Evening yoga");
    assert_eq!(meeting["timezone"], "Europe/Berlin");
    assert_eq!(meeting["duration"], 45);
    assert_eq!(meeting["registration"], "automatic");
    assert_eq!(meeting["recurring"], false);
    assert_eq!(meeting["hidden"], false);

    // No webhook or sync has run yet: the answer was stored.
    let entries = public_entries(&app, "maker", id).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["topic"], "Evening yoga");
    let (status, _, widget) = app.get_public("/embed/maker/meetings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(widget.contains("Evening yoga"));

    let (status, got) = app
        .admin_call(
            &key,
            Method::GET,
            &format!("/api/v1/admin/meetings/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got, meeting);
    let at_zoom = app.sim_calls(CREATE_AT_ZOOM).await;
    assert_eq!(at_zoom, 1);

    // Hidden ones stay in the owner's list, marked.
    let (status, _) = app
        .admin_call(
            &key,
            Method::PUT,
            &format!("/api/v1/admin/meetings/{id}/visibility"),
            Some(json!({"hidden": true})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, list) = app
        .admin_call(&key, Method::GET, "/api/v1/admin/meetings", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed = &list["meetings"][0];
    assert_eq!(listed["id"], id);
    assert_eq!(listed["hidden"], true);
    assert!(public_entries(&app, "maker", id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recurring_meeting_shows_its_occurrences() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("weekly", vec![]).await;
    let meeting = created(&app, &key, weekly_meeting("Choir")).await;
    let id = meeting["id"].as_i64().unwrap();
    assert_eq!(meeting["recurring"], true);
    let occurrences = meeting["occurrences"].as_array().unwrap();
    assert_eq!(occurrences.len(), 4, "{meeting}");
    let entries = public_entries(&app, "weekly", id).await;
    assert_eq!(
        entries.len(),
        4,
        "one public entry per occurrence: {entries:?}"
    );
    for (entry, occurrence) in entries.iter().zip(occurrences) {
        assert_eq!(entry["occurrence_id"], occurrence["occurrence_id"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_url_is_fetched_fresh_and_never_public_logged_or_stored() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("starter", vec![]).await;
    let meeting = created(&app, &key, weekly_meeting("Host only")).await;
    let id = meeting["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/meetings/{id}/start");
    let resp = app
        .http
        .get(app.at(&path))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let (status, link) = json_response(resp).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let start_url = link["start_url"].as_str().unwrap().to_owned();
    assert!(
        start_url.contains("/s/") && start_url.contains("zak="),
        "{start_url}"
    );
    // The secret part: the host's ZAK token.
    let zak = start_url.split("zak=").nth(1).unwrap().to_owned();

    let mut public = String::new();
    for path in [
        "/api/v1/sites/starter/meetings".to_owned(),
        format!("/api/v1/sites/starter/meetings/{id}"),
        "/embed/starter/meetings".to_owned(),
        format!("/embed/starter/meetings/{id}"),
    ] {
        let (status, _, text) = app.get_public(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        public.push_str(&text);
    }
    for path in [
        "/api/v1/admin/meetings".to_owned(),
        format!("/api/v1/admin/meetings/{id}"),
    ] {
        let (_, body) = app.admin_call(&key, Method::GET, &path, None).await;
        public.push_str(&body.to_string());
    }
    let mut stored = String::new();
    for table in TABLES {
        let rows = app.services.store.dump_table(table).await.unwrap();
        stored.push_str(&rows.join("\n"));
    }
    assert!(stored.contains("Host only"), "the meeting is stored");
    for (what, text) in [
        ("public", &public),
        ("stored", &stored),
        ("logged", &captured_logs()),
    ] {
        assert!(!text.contains(&zak), "start_url {what}");
        assert!(!text.contains("zak="), "a start link {what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_naming_the_field_before_zoom_is_called() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("checks", vec![]).await;
    let past = (chrono::Utc::now() - chrono::TimeDelta::hours(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let change = |field: &str, value: Value| {
        let mut body = new_meeting("Checked", 3);
        body[field] = value;
        body
    };
    let recurring = |recurrence: Value| {
        let mut body = new_meeting("Checked", 3);
        body["recurrence"] = recurrence;
        body
    };
    let cases = [
        ("timezone", change("timezone", json!("Mars/Olympus"))),
        ("start_time", change("start_time", json!(past))),
        ("start_time", change("start_time", json!("next tuesday"))),
        ("duration", change("duration", json!(0))),
        ("duration", change("duration", json!(1441))),
        ("topic", change("topic", json!("a".repeat(201)))),
        ("agenda", change("agenda", json!("a".repeat(2001)))),
        ("passcode", change("passcode", json!("no spaces"))),
        (
            "recurrence.interval",
            recurring(json!({"repeat": "daily", "interval": 91, "end_times": 3})),
        ),
        (
            "recurrence.interval",
            recurring(
                json!({"repeat": "monthly", "interval": 4, "monthly_day": 1, "end_times": 3}),
            ),
        ),
        (
            "recurrence.end_times",
            recurring(json!({"repeat": "daily", "end_times": 61})),
        ),
        (
            "recurrence.end_times",
            recurring(json!({"repeat": "daily"})),
        ),
        (
            "recurrence.weekly_days",
            recurring(json!({"repeat": "weekly", "weekly_days": [8], "end_times": 2})),
        ),
        (
            "recurrence.monthly_day",
            recurring(json!({"repeat": "monthly", "end_times": 2})),
        ),
    ];
    for (field, body) in cases {
        let (status, answer) = create(&app, &key, body.clone()).await;
        assert_invalid_request(status, &answer, field, &body.to_string());
    }
    assert_eq!(
        app.sim_calls(CREATE_AT_ZOOM).await,
        0,
        "Zoom was not called"
    );
    assert_eq!(app.rows("meetings").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_create_with_its_idempotency_key_makes_one_meeting() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("retry", vec![]).await;
    let send = || async {
        let resp = app
            .http
            .post(app.at("/api/v1/admin/meetings"))
            .bearer_auth(&key)
            .header("Idempotency-Key", "class-2027-01-05")
            .json(&new_meeting("Once", 4))
            .send()
            .await
            .unwrap();
        (resp.status(), resp.text().await.unwrap())
    };
    let first = send().await;
    let again = send().await;
    assert_eq!(first.0, StatusCode::CREATED, "{}", first.1);
    assert_eq!(again, first);
    assert_eq!(app.sim_calls(CREATE_AT_ZOOM).await, 1);
    assert_eq!(app.rows("meetings").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zooms_daily_limit_is_429_with_the_reset_time() {
    let app = TestApp::spawn_with(|sim| sim.rate_limits.meeting_writes_per_host_per_day = 1).await;
    let (_, key) = app.public_site("limited", vec![]).await;
    created(&app, &key, new_meeting("First", 3)).await;
    let resp = app
        .http
        .post(app.at("/api/v1/admin/meetings"))
        .bearer_auth(&key)
        .json(&new_meeting("Second", 3))
        .send()
        .await
        .unwrap();
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let (status, body) = json_response(resp).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "daily_limit");
    // Zoom's limit resets at 00:00 UTC.
    let midnight = (chrono::Utc::now().date_naive() + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let until = (midnight - chrono::Utc::now()).num_seconds() as u64;
    assert!(
        retry_after <= until + 1 && retry_after + 5 >= until,
        "{retry_after} vs {until}"
    );
    assert_eq!(app.rows("meetings").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_down_is_503_with_retry_after_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("outage", vec![]).await;
    let (_, before, _) = app.get_public("/api/v1/sites/outage/meetings").await;
    for fault in [
        json!({"kind": "status", "status": 503}),
        json!({"kind": "drop"}),
    ] {
        let mut fault = fault;
        fault["method"] = json!("POST");
        fault["path"] = json!("/v2/users/{userId}/meetings");
        app.sim_post("/_sim/faults", fault.clone()).await;
        let resp = app
            .http
            .post(app.at("/api/v1/admin/meetings"))
            .bearer_auth(&key)
            .json(&new_meeting("Not today", 3))
            .send()
            .await
            .unwrap();
        assert!(resp.headers().contains_key("retry-after"), "{fault}");
        let (status, body) = json_response(resp).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{fault}: {body}");
        assert_eq!(body["error"]["code"], "zoom_unavailable");
    }
    assert_eq!(app.rows("meetings").await, 0);
    let (_, after, _) = app.get_public("/api/v1/sites/outage/meetings").await;
    assert_eq!(
        after["etag"], before["etag"],
        "the public data did not change"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_sites_key_cannot_see_or_start_the_meeting() {
    let app = TestApp::spawn().await;
    let (_, key_a) = app.public_site("site-a", vec![]).await;
    let (_, key_b) = app.public_site("site-b", vec![]).await;
    let meeting = created(&app, &key_a, new_meeting("Mine", 3)).await;
    let id = meeting["id"].as_i64().unwrap();
    for path in [
        format!("/api/v1/admin/meetings/{id}"),
        format!("/api/v1/admin/meetings/{id}/start"),
    ] {
        let (status, body) = app.admin_call(&key_b, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (_, list) = app
        .admin_call(&key_b, Method::GET, "/api/v1/admin/meetings", None)
        .await;
    assert_eq!(list["meetings"], json!([]));
    assert_eq!(app.sim_calls("GET /v2/meetings/{meetingId}").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_and_deletions_of_meetings_and_occurrences_show_at_once() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("changer", vec![]).await;
    let plain = created(&app, &key, new_meeting("Draft title", 3)).await;
    let plain_id = plain["id"].as_i64().unwrap();
    let weekly = created(&app, &key, weekly_meeting("Weekly choir")).await;
    let weekly_id = weekly["id"].as_i64().unwrap();
    let one = |id: i64| format!("/api/v1/admin/meetings/{id}");

    let (status, changed) = app
        .admin_call(
            &key,
            Method::PATCH,
            &one(plain_id),
            Some(json!({"topic": "Final title", "duration": 90, "registration": "none"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["topic"], "Final title");
    assert_eq!(changed["duration"], 90);
    assert_eq!(changed["registration"], "none");
    let entries = public_entries(&app, "changer", plain_id).await;
    assert_eq!(entries[0]["topic"], "Final title");

    // One occurrence moves by an hour; the others stay.
    let occurrences = weekly["occurrences"].as_array().unwrap().clone();
    let second = occurrences[1]["occurrence_id"].as_str().unwrap().to_owned();
    let moved_to =
        chrono::DateTime::parse_from_rfc3339(occurrences[1]["start_time"].as_str().unwrap())
            .unwrap()
            + chrono::TimeDelta::hours(1);
    let (status, changed) = app
        .admin_call(
            &key,
            Method::PATCH,
            &format!("{}?occurrence_id={second}", one(weekly_id)),
            Some(json!({"start_time": moved_to.to_rfc3339()})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let starts: Vec<chrono::DateTime<chrono::FixedOffset>> = changed["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| chrono::DateTime::parse_from_rfc3339(o["start_time"].as_str().unwrap()).unwrap())
        .collect();
    assert!(starts.contains(&moved_to), "{starts:?} has {moved_to}");
    // An occurrence takes no topic.
    let (status, refused) = app
        .admin_call(
            &key,
            Method::PATCH,
            &format!("{}?occurrence_id={second}", one(weekly_id)),
            Some(json!({"topic": "Nope"})),
        )
        .await;
    assert_invalid_request(status, &refused, "topic", "an occurrence's topic");

    // One occurrence deleted: three left, at Zoom and in public.
    let first = occurrences[0]["occurrence_id"].as_str().unwrap();
    let (status, _) = app
        .admin_call(
            &key,
            Method::DELETE,
            &format!("{}?occurrence_id={first}", one(weekly_id)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(public_entries(&app, "changer", weekly_id).await.len(), 3);
    let at_zoom = app.sim_calls("DELETE /v2/meetings/{meetingId}").await;
    assert_eq!(at_zoom, 1);

    // The whole meeting deleted: gone from the public list and the owner's.
    let (status, _) = app
        .admin_call(&key, Method::DELETE, &one(plain_id), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(public_entries(&app, "changer", plain_id).await.is_empty());
    let (status, _) = app
        .admin_call(&key, Method::GET, &one(plain_id), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .get_public(&format!("/api/v1/sites/changer/meetings/{plain_id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_must_be_a_user_of_the_connected_account() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("hosts", vec![]).await;
    app.sim_user("stranger@example.com").await;
    let with_host = |host: &str| {
        let mut body = new_meeting("Hosted", 3);
        body["host"] = json!(host);
        body
    };
    let (status, body) = create(&app, &key, with_host("stranger@example.com")).await;
    assert_invalid_request(status, &body, "host", "a user of another account");
    assert_eq!(app.sim_calls(CREATE_AT_ZOOM).await, 0);
    let meeting = created(&app, &key, with_host("host-hosts@example.com")).await;
    assert_eq!(meeting["topic"], "Hosted");
}

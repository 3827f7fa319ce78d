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

/// The meeting as the simulated Zoom has it, with its registrants.
async fn at_zoom(app: &TestApp, id: i64) -> Value {
    let resp = app
        .http
        .get(format!("{}/_sim/meetings/{id}", app.sim.url()))
        .send()
        .await
        .unwrap();
    resp.json().await.unwrap()
}

const QUESTIONS_AT_ZOOM: &str = "PATCH /v2/meetings/{meetingId}/registrants/questions";
const QUESTIONS_FROM_ZOOM: &str = "GET /v2/meetings/{meetingId}/registrants/questions";

/// `body` asking for the organisation and a level.
fn with_questions(mut body: Value) -> Value {
    body["standard_questions"] = json!([{"field_name": "org", "required": true}]);
    body["questions"] = json!([{"title": "Level", "type": "single", "required": true,
                                "answers": ["Beginner", "Pro"]},
                               {"title": "Anything else?", "type": "short"}]);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_set_on_create_are_at_zoom_and_in_the_forms_first_view() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("asks", vec![]).await;
    let meeting = created(&app, &key, with_questions(new_meeting("Workshop", 3))).await;
    let id = meeting["id"].as_i64().unwrap();
    assert_eq!(app.sim_calls(QUESTIONS_AT_ZOOM).await, 1);

    // The very first view of the form asks them: stored with the meeting, not fetched.
    let (status, _, form) = app.get_public(&format!("/embed/asks/meetings/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for asked in ["Level", "Beginner", "Anything else?", "name=\"field_org\""] {
        assert!(form.contains(asked), "{asked} missing from the form");
    }
    let (_, _, detail) = app
        .get_public(&format!("/api/v1/sites/asks/meetings/{id}"))
        .await;
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["registration"]["questions_loaded"], true, "{detail}");
    assert_eq!(app.sim_calls(QUESTIONS_FROM_ZOOM).await, 0);

    // Zoom has them: it takes an answer to them and refuses a registration without one.
    let answered = json!({"first_name": "Ada", "last_name": "L", "email": "ada@example.com",
        "fields": {"org": "ACME"}, "custom_questions": [{"title": "Level", "value": "Pro"}]});
    let (status, _, body) = app.register("asks", id, answered, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let at_zoom = at_zoom(&app, id).await;
    let registrant = &at_zoom["registrants"][0];
    assert_eq!(registrant["org"], "ACME", "{at_zoom}");
    assert_eq!(
        registrant["custom_questions"][0]["value"], "Pro",
        "{at_zoom}"
    );

    // A change replaces them; the form follows at once.
    let (status, changed) = app
        .admin_call(
            &key,
            Method::PATCH,
            &format!("/api/v1/admin/meetings/{id}"),
            Some(json!({"questions": [{"title": "Shoe size", "type": "short", "required": true}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let (_, _, form) = app.get_public(&format!("/embed/asks/meetings/{id}")).await;
    assert!(form.contains("Shoe size"));
    assert!(!form.contains("Beginner"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_questions_are_refused_naming_the_question_before_zoom_is_called() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("badasks", vec![]).await;
    let twice = |mut body: Value| {
        body["questions"][1]["title"] = json!("Level");
        body
    };
    let cases = [
        (
            twice(with_questions(new_meeting("A", 3))),
            "questions[1].title",
        ),
        (
            {
                let mut b = with_questions(new_meeting("A", 3));
                b["questions"][0]["answers"] = json!([]);
                b
            },
            "questions[0].answers",
        ),
        (
            {
                let mut b = with_questions(new_meeting("A", 3));
                b["questions"][1]["answers"] = json!(["x"]);
                b
            },
            "questions[1].answers",
        ),
        (
            {
                let mut b = with_questions(new_meeting("A", 3));
                b["standard_questions"] = json!([{"field_name": "org"}, {"field_name": "org"}]);
                b
            },
            "standard_questions[1].field_name",
        ),
        (
            {
                let mut b = with_questions(new_meeting("A", 3));
                b["registration"] = json!("none");
                b
            },
            "questions",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = create(&app, &key, body).await;
        assert_invalid_request(status, &answer, field, field);
    }
    assert_eq!(app.sim_calls(CREATE_AT_ZOOM).await, 0);
    assert_eq!(app.sim_calls(QUESTIONS_AT_ZOOM).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_becomes_recurring_and_one_time_again_with_its_occurrences_public() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("turns", vec![]).await;
    let meeting = created(&app, &key, new_meeting("Reading club", 2)).await;
    let id = meeting["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/meetings/{id}");
    assert_eq!(public_entries(&app, "turns", id).await.len(), 1);

    let (status, daily) = app
        .admin_call(
            &key,
            Method::PATCH,
            &path,
            Some(
                json!({"recurrence": {"repeat": "daily", "interval": 2, "end_times": 3},
                        "join_before_host": true}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{daily}");
    assert_eq!(daily["recurring"], true);
    let occurrences = daily["occurrences"].as_array().unwrap().clone();
    assert_eq!(occurrences.len(), 3, "{daily}");
    let entries = public_entries(&app, "turns", id).await;
    assert_eq!(
        entries.len(),
        3,
        "one public entry per occurrence: {entries:?}"
    );
    for (entry, occurrence) in entries.iter().zip(&occurrences) {
        assert_eq!(entry["occurrence_id"], occurrence["occurrence_id"]);
    }
    let first =
        chrono::DateTime::parse_from_rfc3339(occurrences[0]["start_time"].as_str().unwrap())
            .unwrap();
    let second =
        chrono::DateTime::parse_from_rfc3339(occurrences[1]["start_time"].as_str().unwrap())
            .unwrap();
    assert_eq!(
        second - first,
        chrono::TimeDelta::days(2),
        "every other day"
    );
    let at_zoom = at_zoom(&app, id).await;
    assert_eq!(at_zoom["type"], 8, "{at_zoom}");
    assert_eq!(at_zoom["settings"]["join_before_host"], true, "{at_zoom}");

    // A new rule replaces the occurrences.
    let (status, weekly) = app
        .admin_call(
            &key,
            Method::PATCH,
            &path,
            Some(json!({"recurrence": {"repeat": "weekly", "weekly_days": [2], "end_times": 2}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{weekly}");
    assert_eq!(
        weekly["occurrences"].as_array().unwrap().len(),
        2,
        "{weekly}"
    );
    assert_eq!(public_entries(&app, "turns", id).await.len(), 2);

    let (status, once) = app
        .admin_call(
            &key,
            Method::PATCH,
            &path,
            Some(json!({"recurring": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{once}");
    assert_eq!(once["recurring"], false);
    assert_eq!(once["occurrences"], json!([]));
    let entries = public_entries(&app, "turns", id).await;
    assert_eq!(entries.len(), 1, "{entries:?}");

    let (status, answer) = app
        .admin_call(&key, Method::PATCH, &path, Some(json!({"recurring": true})))
        .await;
    assert_invalid_request(status, &answer, "recurrence", "recurring without a rule");
}

/// Zoom's scopes of the Webinar add-on that changing webinars takes.
const WEBINAR_WRITES: [&str; 3] = [
    "webinar:write:webinar:admin",
    "webinar:update:webinar:admin",
    "webinar:delete:webinar:admin",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webinars_are_made_listed_registered_for_and_deleted_like_meetings() {
    let app = TestApp::spawn_with(|c| c.scopes.extend(WEBINAR_WRITES.map(String::from))).await;
    let (_, key) = app.public_site("stage", vec![]).await;
    app.site_settings(&key, json!({"webinars_public": true}))
        .await;
    let mut body = with_questions(new_meeting("Product launch", 4));
    body["recurrence"] = json!({"repeat": "weekly", "weekly_days": [4], "end_times": 2});
    let (status, webinar) = app
        .admin_call(&key, Method::POST, "/api/v1/admin/webinars", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{webinar}");
    let id = webinar["id"].as_i64().unwrap();
    assert_eq!(webinar["recurring"], true);
    assert_eq!(webinar["occurrences"].as_array().unwrap().len(), 2);
    assert_eq!(app.sim_calls("POST /v2/users/{userId}/webinars").await, 1);
    assert_eq!(
        app.sim_calls("PATCH /v2/webinars/{webinarId}/registrants/questions")
            .await,
        1
    );

    // Public at once, among webinars only.
    let (status, _, list) = app.get_public("/api/v1/sites/stage/webinars").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list: Value = serde_json::from_str(&list).unwrap();
    let public: Vec<&Value> = list["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["id"] == id)
        .collect();
    assert_eq!(public.len(), 2, "one per occurrence: {list}");
    assert!(public_entries(&app, "stage", id).await.is_empty());
    let (_, webinars) = app
        .admin_call(&key, Method::GET, "/api/v1/admin/webinars", None)
        .await;
    assert_eq!(webinars["meetings"][0]["id"], id, "{webinars}");
    let (_, meetings) = app
        .admin_call(&key, Method::GET, "/api/v1/admin/meetings", None)
        .await;
    assert_eq!(meetings["meetings"], json!([]), "{meetings}");
    let (status, _) = app
        .admin_call(
            &key,
            Method::GET,
            &format!("/api/v1/admin/meetings/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a webinar is not a meeting");

    // A visitor registers through Zoom's webinar registrants.
    let first = &webinar["occurrences"][0]["occurrence_id"];
    let answered = json!({"first_name": "Ada", "last_name": "L", "email": "ada@example.com",
        "occurrence_id": first, "fields": {"org": "ACME"},
        "custom_questions": [{"title": "Level", "value": "Pro"}]});
    let (status, _, registration) = app.register("stage", id, answered, None).await;
    assert_eq!(status, StatusCode::CREATED, "{registration}");
    assert_eq!(
        app.sim_calls("POST /v2/webinars/{webinarId}/registrants")
            .await,
        1
    );

    let path = format!("/api/v1/admin/webinars/{id}");
    let (status, changed) = app
        .admin_call(
            &key,
            Method::PATCH,
            &path,
            Some(json!({"topic": "Launch, day 2"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["topic"], "Launch, day 2");
    let (status, answer) = app
        .admin_call(
            &key,
            Method::PATCH,
            &path,
            Some(json!({"waiting_room": true})),
        )
        .await;
    assert_invalid_request(
        status,
        &answer,
        "waiting_room",
        "no waiting room in webinars",
    );

    let (status, _) = app.admin_call(&key, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, list) = app.get_public("/api/v1/sites/stage/webinars").await;
    assert!(!list.contains(&id.to_string()), "{list}");
    let (status, _) = app.admin_call(&key, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webinars_without_zooms_webinar_scopes_are_refused_naming_the_scope() {
    // The default grant reads webinars but may not change them.
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("noadd", vec![]).await;
    let (status, answer) = app
        .admin_call(
            &key,
            Method::POST,
            "/api/v1/admin/webinars",
            Some(new_meeting("Launch", 3)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "zoom_scope_missing");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("webinar:write:webinar"), "{message}");
    assert_eq!(app.sim_calls("POST /v2/users/{userId}/webinars").await, 0);
    let (_, list) = app
        .admin_call(&key, Method::GET, "/api/v1/admin/webinars", None)
        .await;
    assert_eq!(list["meetings"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webinars_start_link_is_fresh_private_and_only_for_the_sites_own_webinars() {
    let app = TestApp::spawn_with(|c| c.scopes.extend(WEBINAR_WRITES.map(String::from))).await;
    let (_, key) = app.public_site("stage-start", vec![]).await;
    let (_, other_key) = app.public_site("stage-other", vec![]).await;
    let (status, webinar) = app
        .admin_call(
            &key,
            Method::POST,
            "/api/v1/admin/webinars",
            Some(new_meeting("Keynote", 3)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{webinar}");
    let id = webinar["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/webinars/{id}/start");
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
    let start_url = link["start_url"].as_str().unwrap();
    assert!(start_url.contains(&format!("/s/{id}?zak=")), "{start_url}");
    assert_eq!(app.sim_calls("GET /v2/webinars/{webinarId}").await, 1);

    // Not a meeting's link, and not another site's.
    let meeting = created(&app, &key, new_meeting("Plain", 3)).await;
    let (status, body) = app
        .admin_call(
            &key,
            Method::GET,
            &format!("/api/v1/admin/webinars/{}/start", meeting["id"]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = app.admin_call(&other_key, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(!body.to_string().contains("zak="));
    assert_eq!(app.sim_calls("GET /v2/webinars/{webinarId}").await, 1);
}

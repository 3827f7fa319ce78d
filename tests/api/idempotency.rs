//! `Idempotency-Key` on every creating POST, driven by the served document: each POST declares
//! the key; a repeat gets the first answer byte for byte and creates nothing; another request
//! with the key is 422; concurrent first requests do the work once; a 5xx is not kept; another
//! credential never sees the answer; stored answers are sealed; a stale reservation is taken
//! over and keys are purged after a day. Both backends (`MARQUEE_TEST_DB`).

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Caller, RawAnswer, TestApp, meeting_body, visitor};

const ADD: &str = "POST /v2/meetings/{meetingId}/registrants";

/// A creating request, the same key with another request, and the table its work shows in.
struct Creating {
    path: String,
    caller: Caller,
    body: Option<Value>,
    other_path: String,
    other_body: Option<Value>,
    table: &'static str,
}

impl Creating {
    async fn send(&self, app: &TestApp, key: &str) -> RawAnswer {
        self.post(app, &self.path, self.body.as_ref(), key).await
    }

    async fn send_other(&self, app: &TestApp, key: &str) -> RawAnswer {
        self.post(app, &self.other_path, self.other_body.as_ref(), key)
            .await
    }

    async fn post(&self, app: &TestApp, path: &str, body: Option<&Value>, key: &str) -> RawAnswer {
        let caller = &self.caller;
        let mut path = path.replace(ENDPOINT, &first_endpoint(app).await);
        if path.contains(SITE_ENDPOINT) {
            path = path.replace(SITE_ENDPOINT, &first_site_endpoint(app, caller).await);
        }
        app.keyed(Method::POST, &path, caller, body, Some(key))
            .await
    }
}

/// In a path: the event endpoint `two_sites` registered.
const ENDPOINT: &str = "{endpoint}";

/// In a path: the event endpoint `idem-a`'s own key registered.
const SITE_ENDPOINT: &str = "{site_endpoint}";

async fn first_site_endpoint(app: &TestApp, caller: &Caller) -> String {
    let answer = app
        .keyed(
            Method::GET,
            "/api/v1/admin/event-endpoints",
            caller,
            None,
            None,
        )
        .await;
    let list: Value = serde_json::from_str(&answer.text).unwrap();
    list["event_endpoints"][0]["id"]
        .as_str()
        .unwrap_or("none")
        .to_owned()
}

async fn first_endpoint(app: &TestApp) -> String {
    let (_, list) = app
        .platform(Method::GET, "/api/v1/platform/event-endpoints", None)
        .await;
    list["event_endpoints"][0]["id"]
        .as_str()
        .unwrap_or("none")
        .to_owned()
}

/// Two sites: `idem-a` connected to Zoom with one meeting open for registration (returned
/// with an API key holding every scope), `idem-b` bare.
async fn two_sites(app: &TestApp) -> (i64, String) {
    let (created, key) = app
        .public_site("idem-a", vec![meeting_body("Keyed", 3, 0)])
        .await;
    app.create_tenant("idem-b").await;
    let endpoint = json!({"url": "http://127.0.0.1:9/events", "events": ["meeting.created"]});
    let (status, body) = app
        .platform(
            Method::POST,
            "/api/v1/platform/event-endpoints",
            Some(endpoint),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let own = json!({"url": "http://127.0.0.1:9/own", "events": ["meeting.created"]});
    let answer = app
        .keyed(
            Method::POST,
            "/api/v1/admin/event-endpoints",
            &Caller::Bearer(key.clone()),
            Some(&own),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    (created[0]["id"].as_i64().unwrap(), key)
}

/// The creating request of every POST operation of the document, by operation id.
fn creating_requests(meeting_id: i64, key: &str) -> BTreeMap<&'static str, Creating> {
    let tenants = "/api/v1/platform/tenants".to_owned();
    let register = format!("/api/v1/sites/idem-a/meetings/{meeting_id}/registrations");
    let admin = Caller::Bearer(key.to_owned());
    let other = Some(json!({"another": "request"}));
    BTreeMap::from([
        (
            "create_tenant",
            Creating {
                path: tenants.clone(),
                caller: Caller::Platform,
                body: Some(json!({"slug": "idem-new", "display_name": "New"})),
                other_path: tenants,
                other_body: Some(json!({"slug": "idem-other", "display_name": "Other"})),
                table: "tenants",
            },
        ),
        (
            "create_admin_link",
            Creating {
                path: "/api/v1/platform/tenants/idem-a/admin-links".into(),
                caller: Caller::Platform,
                body: None,
                other_path: "/api/v1/platform/tenants/idem-b/admin-links".into(),
                other_body: None,
                table: "admin_links",
            },
        ),
        (
            "create_api_key",
            Creating {
                path: "/api/v1/platform/tenants/idem-a/api-keys".into(),
                caller: Caller::Platform,
                body: Some(json!({"name": "builder", "scopes": ["settings:read"]})),
                other_path: "/api/v1/platform/tenants/idem-a/api-keys".into(),
                other_body: Some(json!({"name": "other", "scopes": ["settings:read"]})),
                table: "api_keys",
            },
        ),
        (
            "create_event_endpoint",
            Creating {
                path: "/api/v1/platform/event-endpoints".into(),
                caller: Caller::Platform,
                body: Some(json!({"url": "http://127.0.0.1:9/a", "events": ["sync.failed"]})),
                other_path: "/api/v1/platform/event-endpoints".into(),
                other_body: Some(json!({"url": "http://127.0.0.1:9/b", "events": ["sync.failed"]})),
                table: "event_endpoints",
            },
        ),
        (
            "rotate_event_endpoint_secret",
            Creating {
                path: format!("/api/v1/platform/event-endpoints/{ENDPOINT}/rotate-secret"),
                caller: Caller::Platform,
                body: None,
                other_path: format!("/api/v1/platform/event-endpoints/{ENDPOINT}/rotate-secret"),
                other_body: other.clone(),
                table: "event_endpoints",
            },
        ),
        (
            "test_event_endpoint",
            Creating {
                path: format!("/api/v1/platform/event-endpoints/{ENDPOINT}/test"),
                caller: Caller::Platform,
                body: None,
                other_path: format!("/api/v1/platform/event-endpoints/{ENDPOINT}/test"),
                other_body: other.clone(),
                table: "event_deliveries",
            },
        ),
        (
            "replay_events",
            Creating {
                path: format!("/api/v1/platform/event-endpoints/{ENDPOINT}/replay"),
                caller: Caller::Platform,
                body: Some(json!({"from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"})),
                other_path: format!("/api/v1/platform/event-endpoints/{ENDPOINT}/replay"),
                other_body: Some(json!({"event_ids": ["none"]})),
                table: "event_deliveries",
            },
        ),
        (
            "create_site_event_endpoint",
            Creating {
                path: "/api/v1/admin/event-endpoints".into(),
                caller: admin.clone(),
                body: Some(json!({"url": "http://127.0.0.1:9/c", "events": ["sync.failed"]})),
                other_path: "/api/v1/admin/event-endpoints".into(),
                other_body: Some(json!({"url": "http://127.0.0.1:9/d", "events": ["sync.failed"]})),
                table: "event_endpoints",
            },
        ),
        (
            "rotate_site_event_endpoint_secret",
            Creating {
                path: format!("/api/v1/admin/event-endpoints/{SITE_ENDPOINT}/rotate-secret"),
                caller: admin.clone(),
                body: None,
                other_path: format!("/api/v1/admin/event-endpoints/{SITE_ENDPOINT}/rotate-secret"),
                other_body: other.clone(),
                table: "event_endpoints",
            },
        ),
        (
            "test_site_event_endpoint",
            Creating {
                path: format!("/api/v1/admin/event-endpoints/{SITE_ENDPOINT}/test"),
                caller: admin.clone(),
                body: None,
                other_path: format!("/api/v1/admin/event-endpoints/{SITE_ENDPOINT}/test"),
                other_body: other.clone(),
                table: "event_deliveries",
            },
        ),
        (
            "replay_site_events",
            Creating {
                path: format!("/api/v1/admin/event-endpoints/{SITE_ENDPOINT}/replay"),
                caller: admin.clone(),
                body: Some(json!({"from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"})),
                other_path: format!("/api/v1/admin/event-endpoints/{SITE_ENDPOINT}/replay"),
                other_body: Some(json!({"event_ids": ["none"]})),
                table: "event_deliveries",
            },
        ),
        (
            "start_zoom_connect",
            Creating {
                path: "/api/v1/admin/zoom/connect".into(),
                caller: admin.clone(),
                body: None,
                other_path: "/api/v1/admin/zoom/connect".into(),
                other_body: other.clone(),
                table: "oauth_states",
            },
        ),
        (
            "start_sync",
            Creating {
                path: "/api/v1/admin/sync".into(),
                caller: admin,
                body: None,
                other_path: "/api/v1/admin/sync".into(),
                other_body: other,
                table: "sync_jobs",
            },
        ),
        (
            "create_meeting",
            Creating {
                path: "/api/v1/admin/meetings".into(),
                caller: Caller::Bearer(key.to_owned()),
                body: Some(new_meeting("Keyed class")),
                other_path: "/api/v1/admin/meetings".into(),
                other_body: Some(new_meeting("Another class")),
                table: "meetings",
            },
        ),
        (
            "create_webinar",
            Creating {
                path: "/api/v1/admin/webinars".into(),
                caller: Caller::Bearer(key.to_owned()),
                body: Some(new_meeting("Keyed webinar")),
                other_path: "/api/v1/admin/webinars".into(),
                other_body: Some(new_meeting("Another webinar")),
                table: "meetings",
            },
        ),
        (
            "add_registrant",
            Creating {
                path: format!("/api/v1/admin/meetings/{meeting_id}/registrants"),
                caller: Caller::Bearer(key.to_owned()),
                body: Some(visitor("booked@example.com")),
                other_path: format!("/api/v1/admin/meetings/{meeting_id}/registrants"),
                other_body: Some(visitor("booked-too@example.com")),
                table: "registrations",
            },
        ),
        (
            "register_for_meeting",
            Creating {
                path: register.clone(),
                caller: Caller::Anonymous,
                body: Some(visitor("first@example.com")),
                other_path: register,
                other_body: Some(visitor("second@example.com")),
                table: "registrations",
            },
        ),
    ])
}

/// A meeting to create through the admin API, a week ahead.
fn new_meeting(topic: &str) -> Value {
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(7)).format("%Y-%m-%dT09:00:00");
    json!({"topic": topic, "start_time": start.to_string(), "timezone": "Europe/Berlin",
           "duration": 30})
}

/// The served document's POST operations, by operation id.
async fn posts_in_document(app: &TestApp) -> BTreeMap<String, Value> {
    app.served_document().await["paths"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|item| item.get("post"))
        .map(|op| (op["operationId"].as_str().unwrap().to_owned(), op.clone()))
        .collect()
}

fn assert_declares_the_key(id: &str, op: &Value) {
    let key = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Idempotency-Key")
        .unwrap_or_else(|| panic!("{id}: no Idempotency-Key parameter"));
    assert_eq!(key["in"], "header", "{id}");
    assert_eq!(key["required"], false, "{id}");
    assert_eq!(key["schema"]["maxLength"], 255, "{id}");
    assert!(key["description"].as_str().unwrap().contains("24 hours"));
    let responses = &op["responses"];
    assert!(responses["422"].is_object(), "{id}: no 422");
    assert!(
        responses["409"]["headers"]["RETRY-AFTER"].is_object(),
        "{id}"
    );
    let success = ["200", "201", "202"]
        .iter()
        .find_map(|s| responses.get(*s))
        .unwrap_or_else(|| panic!("{id}: no success answer"));
    assert!(
        success["headers"]["Idempotent-Replayed"].is_object(),
        "{id}: the replay header"
    );
}

fn assert_reused(what: &str, answer: &RawAnswer) {
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{what}: {}",
        answer.text
    );
    let err = answer.json();
    assert_eq!(err["error"]["code"], "idempotency_key_reused", "{what}");
    assert_eq!(err["error"]["field"], "Idempotency-Key", "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_creating_post_replays_its_first_answer_and_creates_nothing_more() {
    // Creating webinars takes the scopes of Zoom's Webinar add-on.
    let app = TestApp::spawn_with(|c| c.scopes.push("webinar:write:webinar:admin".into())).await;
    let (meeting_id, key) = two_sites(&app).await;
    let mut requests = creating_requests(meeting_id, &key);
    let posts = posts_in_document(&app).await;
    assert!(posts.len() >= 6, "{:?}", posts.keys());
    for (id, op) in &posts {
        assert_declares_the_key(id, op);
        let creating = requests
            .remove(id.as_str())
            .unwrap_or_else(|| panic!("{id}: a POST without a request in this test; add one"));
        let idempotency_key = format!("key-{id}");
        let first = creating.send(&app, &idempotency_key).await;
        assert!(first.status.is_success(), "{id}: {}", first.text);
        assert_eq!(first.header("idempotent-replayed"), None, "{id}");
        let rows = app.rows(creating.table).await;
        let zoom_calls = app.sim_calls(ADD).await;

        let again = creating.send(&app, &idempotency_key).await;
        assert_eq!(again.status, first.status, "{id}: {}", again.text);
        assert_eq!(again.text, first.text, "{id}: byte for byte");
        assert_eq!(again.header("idempotent-replayed"), Some("true"), "{id}");
        assert_eq!(
            again.header("content-type"),
            first.header("content-type"),
            "{id}"
        );
        assert_ne!(
            again.header("x-request-id"),
            first.header("x-request-id"),
            "{id}: each answer has its own request id"
        );
        assert_eq!(app.rows(creating.table).await, rows, "{id}: nothing more");
        assert_eq!(app.sim_calls(ADD).await, zoom_calls, "{id}: no Zoom call");

        assert_reused(id, &creating.send_other(&app, &idempotency_key).await);
        assert_eq!(app.rows(creating.table).await, rows, "{id}: nothing more");
    }
    assert!(
        requests.is_empty(),
        "no longer POSTs: {:?}",
        requests.keys()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_requests_do_the_work_once() {
    let app = TestApp::spawn().await;
    let (meeting_id, _) = two_sites(&app).await;
    let requests = creating_requests(meeting_id, "");
    let minting = &requests["create_api_key"];
    let keys_before = app.rows("api_keys").await;
    let answers = futures::future::join_all((0..4).map(|_| minting.send(&app, "mint-once"))).await;
    assert_one_did_the_work(&answers);
    assert_eq!(app.rows("api_keys").await, keys_before + 1);

    // The same with a registration that waits on a slow Zoom.
    app.sim_post(
        "/_sim/faults",
        json!({"method": "POST", "path": "/v2/meetings/{meetingId}/registrants",
               "kind": "slow", "delay_ms": 1000}),
    )
    .await;
    let registering = &requests["register_for_meeting"];
    let answers =
        futures::future::join_all((0..3).map(|_| registering.send(&app, "register-once"))).await;
    assert_one_did_the_work(&answers);
    assert_eq!(app.rows("registrations").await, 1);
    assert_eq!(app.sim_calls(ADD).await, 1, "Zoom was asked once");
}

/// Exactly one answer is the first; the others replay it or say it is still running.
fn assert_one_did_the_work(answers: &[RawAnswer]) {
    let first: Vec<_> = answers
        .iter()
        .filter(|a| a.status.is_success() && a.header("idempotent-replayed").is_none())
        .collect();
    assert_eq!(first.len(), 1, "{answers:#?}");
    for answer in answers {
        if answer.status.is_success() {
            assert_eq!(answer.text, first[0].text);
        } else {
            assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.text);
            assert_eq!(answer.json()["error"]["code"], "idempotency_key_in_flight");
            assert_eq!(answer.header("retry-after"), Some("1"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_failures_and_invalid_requests_are_not_kept_so_a_retry_runs() {
    let app = TestApp::spawn().await;
    let (meeting_id, _) = two_sites(&app).await;
    let requests = creating_requests(meeting_id, "");
    let registering = &requests["register_for_meeting"];
    app.sim_post(
        "/_sim/faults",
        json!({"method": "POST", "path": "/v2/meetings/{meetingId}/registrants",
               "kind": "status", "status": 503}),
    )
    .await;
    let down = registering.send(&app, "retry-me").await;
    assert_eq!(
        down.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        down.text
    );
    let retry = registering.send(&app, "retry-me").await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed"), None, "it ran again");
    assert_eq!(app.rows("registrations").await, 1);
    let replay = registering.send(&app, "retry-me").await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));

    // An invalid request did nothing: corrected, it runs with the same key.
    let path = registering.path.as_str();
    let typo = json!({"first_name": "A", "last_name": "B", "email": "not-an-address"});
    let refused = app
        .keyed(
            Method::POST,
            path,
            &Caller::Anonymous,
            Some(&typo),
            Some("fix-me"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    let fixed = visitor("fixed@example.com");
    let ok = app
        .keyed(
            Method::POST,
            path,
            &Caller::Anonymous,
            Some(&fixed),
            Some("fix-me"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    assert_eq!(app.rows("registrations").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_credential_never_sees_the_first_answer() {
    let app = TestApp::spawn().await;
    let app = &app;
    let (meeting_id, key) = two_sites(app).await;
    let mint = |name: &str| {
        let body = json!({"name": name, "scopes": ["settings:write"]});
        async move {
            app.keyed(
                Method::POST,
                "/api/v1/platform/tenants/idem-a/api-keys",
                &Caller::Platform,
                Some(&body),
                None,
            )
            .await
            .json()
        }
    };
    let (a, b) = (mint("a").await, mint("b").await);
    let connect = |token: &str| {
        let caller = Caller::Bearer(token.to_owned());
        async move {
            app.keyed(
                Method::POST,
                "/api/v1/admin/zoom/connect",
                &caller,
                None,
                Some("shared"),
            )
            .await
        }
    };
    let by_a = connect(a["key"].as_str().unwrap()).await;
    assert_eq!(by_a.status, StatusCode::OK, "{}", by_a.text);
    for other in [b["key"].as_str().unwrap(), key.as_str()] {
        let answer = connect(other).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert_eq!(answer.header("idempotent-replayed"), None, "its own answer");
        assert_ne!(answer.text, by_a.text);
    }
    let session = app.sign_in("idem-a").await;
    let (_, csrf) = app.admin_page(&session).await;
    let by_owner = app
        .http
        .post(app.at("/api/v1/admin/zoom/connect"))
        .header("cookie", &session)
        .header("x-csrf-token", csrf)
        .header("Idempotency-Key", "shared")
        .send()
        .await
        .unwrap();
    assert_eq!(by_owner.status(), StatusCode::OK);
    assert!(by_owner.headers().get("idempotent-replayed").is_none());

    // A revoked key is refused before any stored answer is looked at.
    let revoke = format!(
        "/api/v1/platform/tenants/idem-a/api-keys/{}",
        a["id"].as_str().unwrap()
    );
    let revoked = app
        .keyed(Method::DELETE, &revoke, &Caller::Platform, None, None)
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = connect(a["key"].as_str().unwrap()).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.text);
    assert_ne!(after.text, by_a.text);

    // Unauthenticated requests reserve nothing.
    let rows = app.rows("idempotency_keys").await;
    let anonymous = creating_requests(meeting_id, "wrong-key");
    let refused = anonymous["start_sync"].send(app, "nobody").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.rows("idempotency_keys").await, rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_answers_and_keys_are_not_in_plain_text() {
    let app = TestApp::spawn().await;
    let (meeting_id, _) = two_sites(&app).await;
    let requests = creating_requests(meeting_id, "");
    let minted = requests["create_api_key"]
        .send(&app, "plain-key-marker-1")
        .await
        .json();
    let link = requests["create_admin_link"]
        .send(&app, "plain-key-marker-2")
        .await
        .json();
    let secret = minted["key"].as_str().unwrap();
    let token = link["url"].as_str().unwrap().rsplit('=').next().unwrap();
    let rows = app
        .services
        .store
        .dump_table("idempotency_keys")
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    for row in &rows {
        for plain in [secret, token, "plain-key-marker", "scopes", "expires_at"] {
            assert!(!row.contains(plain), "{plain} in {row}");
        }
        assert!(row.contains("platform"), "the owner is kept: {row}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_holder_is_taken_over_and_keys_are_purged_after_a_day() {
    let app = TestApp::spawn().await;
    let (meeting_id, _) = two_sites(&app).await;
    let requests = creating_requests(meeting_id, "");
    let minting = &requests["create_api_key"];
    let store = &app.services.store;
    let first = minting.send(&app, "held").await;
    assert_eq!(first.status, StatusCode::CREATED);
    let keys = app.rows("api_keys").await;

    // As if the first request's process had died mid-request, its lease still running.
    store
        .execute_raw(
            "UPDATE idempotency_keys SET answer_status = NULL, answer_sealed = NULL, \
             answer_key_id = NULL, lease_until = '2999-01-01 00:00:00'",
        )
        .await
        .unwrap();
    let waiting = minting.send(&app, "held").await;
    assert_eq!(waiting.status, StatusCode::CONFLICT, "{}", waiting.text);
    assert_eq!(waiting.json()["error"]["code"], "idempotency_key_in_flight");
    assert_eq!(waiting.header("retry-after"), Some("1"));
    // Its lease ran out: the next request takes the key over and runs.
    store
        .execute_raw("UPDATE idempotency_keys SET lease_until = '2000-01-01 00:00:00'")
        .await
        .unwrap();
    let taken = minting.send(&app, "held").await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.text);
    assert_eq!(taken.header("idempotent-replayed"), None);
    assert_eq!(app.rows("api_keys").await, keys + 1);

    // After 24 hours a key is new again, and upkeep deletes it.
    store
        .execute_raw("UPDATE idempotency_keys SET created_at = '2000-01-01 00:00:00'")
        .await
        .unwrap();
    let other = minting.send_other(&app, "held").await;
    assert_eq!(
        other.status,
        StatusCode::CREATED,
        "a day later: {}",
        other.text
    );
    store
        .execute_raw("UPDATE idempotency_keys SET created_at = '2000-01-01 00:00:00'")
        .await
        .unwrap();
    let report = app.services.upkeep().run().await.unwrap();
    assert_eq!(report.idempotency_keys_purged, 1, "{report:?}");
    assert_eq!(app.rows("idempotency_keys").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_keys_are_refused_and_nothing_is_done() {
    let app = TestApp::spawn().await;
    let (meeting_id, _) = two_sites(&app).await;
    let requests = creating_requests(meeting_id, "");
    let minting = &requests["create_api_key"];
    let keys = app.rows("api_keys").await;
    for bad in [
        String::new(),
        "has space".into(),
        "k".repeat(256),
        "é".into(),
    ] {
        let answer = minting.send(&app, &bad).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad:?}");
        let err = answer.json();
        assert_eq!(err["error"]["code"], "invalid_request", "{bad:?}");
        assert_eq!(err["error"]["field"], "Idempotency-Key", "{bad:?}");
    }
    assert_eq!(app.rows("api_keys").await, keys);
    let longest = minting.send(&app, &"k".repeat(255)).await;
    assert_eq!(longest.status, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_forms_hidden_key_replays_a_double_submit() {
    let app = TestApp::spawn().await;
    let app = &app;
    let (meeting_id, _) = two_sites(app).await;
    let (_, _, page) = app
        .get_public(&format!("/embed/idem-a/meetings/{meeting_id}"))
        .await;
    let key =
        crate::helpers::extract_between(&page, "name=\"idempotency_key\" value=\"", "\"").unwrap();
    let submit = |email: &'static str| {
        let key = key.clone();
        async move {
            let resp = app
                .http
                .post(app.at(&format!("/embed/idem-a/meetings/{meeting_id}/register")))
                .form(&[
                    ("first_name", "Plain"),
                    ("last_name", "Visitor"),
                    ("email", email),
                    ("idempotency_key", key.as_str()),
                ])
                .send()
                .await
                .unwrap();
            let (status, headers) = (resp.status(), resp.headers().clone());
            (status, headers, resp.text().await.unwrap())
        }
    };
    let (status, first_headers, first) = submit("plain@example.com").await;
    assert_eq!(status, StatusCode::OK);
    assert!(first.contains("Join the meeting"), "{first}");
    assert!(first_headers.get("idempotent-replayed").is_none());
    let (status, headers, again) = submit("plain@example.com").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first, "the same page, join link included");
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(
        headers["content-security-policy"], first_headers["content-security-policy"],
        "the page's inline hashes and its policy stay a pair"
    );
    let (status, headers, other) = submit("someone@example.com").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{other}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(app.rows("registrations").await, 1);
    assert_eq!(app.sim_calls(ADD).await, 1);
}

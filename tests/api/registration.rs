//! Visitor registration through the public API and the plain HTML form: validation, Zoom's
//! answers (approved, pending), idempotency, closed/ended meetings, Zoom outages (503, nothing
//! stored), Zoom's daily limit, abuse limits, and the owner's view.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, captured_logs, eventually, meeting_body, visitor};

const ADD: &str = "POST /v2/meetings/{meetingId}/registrants";

async fn registrations(app: &TestApp, key: &str) -> Vec<Value> {
    let (status, body) = app
        .admin_call(
            key,
            reqwest::Method::GET,
            "/api/v1/admin/registrations",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["registrations"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_visitor_twice_gets_one_registration_and_one_zoom_call() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site("reg-site", vec![meeting_body("Open day", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();

    let (status, _, first) = app
        .register("reg-site", id, visitor("Grace@Example.com"), None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "approved");
    let join = first["join_url"].as_str().unwrap().to_owned();
    assert!(join.starts_with(app.sim.url()), "{join}");

    let (status, _, second) = app
        .register("reg-site", id, visitor("grace@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["status"], "approved");
    assert!(
        second["join_url"].is_null(),
        "someone who only knows the address does not get the personal link: {second}"
    );
    assert_eq!(app.sim_calls(ADD).await, 1, "no second call to Zoom");

    let list = registrations(&app, &key).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["email"], "grace@example.com");
    assert_eq!(list[0]["status"], "approved");
    assert_eq!(list[0]["meeting_id"], json!(id));

    // Visitors' e-mails and join links never reach the logs.
    let logs = captured_logs();
    assert!(logs.contains("visitor registered"), "logs captured");
    assert!(!logs.to_lowercase().contains("grace@example.com"));
    assert!(!logs.contains(&join));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_approval_is_pending_until_zoom_approves() {
    // The test plays the host approving through Zoom's API, which needs one more scope.
    let app = TestApp::spawn_with(|c| {
        c.scopes
            .push("meeting:update:registrant_status:admin".into())
    })
    .await;
    let (created, key) = app
        .public_site("manual", vec![meeting_body("Reviewed", 3, 1)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let (status, _, body) = app
        .register("manual", id, visitor("ada@example.org"), None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "pending");
    assert!(body["join_url"].is_null());

    // The host approves in Zoom; Zoom's `meeting.registration_approved` webhook reaches
    // Marquee, whose worker fetches the visitor's personal join link.
    app.sim_config(json!({"webhook_url": app.at("/webhooks/zoom")}))
        .await;
    let registrant_id = registrations(&app, &key).await[0]["zoom_registrant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tenant = app.tenant_id("manual").await;
    let token = app.services.tokens().access_token(&tenant).await.unwrap();
    let resp = app
        .http
        .put(format!(
            "{}/meetings/{id}/registrants/status",
            app.sim.api_url()
        ))
        .bearer_auth(token.value.as_str())
        .json(&json!({"action": "approve", "registrants": [{"id": registrant_id}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let list = eventually(10, "the approval webhook to be applied", || async {
        let list = registrations(&app, &key).await;
        (list[0]["status"] == "approved").then_some(list)
    })
    .await;
    assert!(list[0]["join_url"].as_str().unwrap().starts_with("http"));
    let (status, _, again) = app
        .register("manual", id, visitor("ada@example.org"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["status"], "approved");
    assert!(
        again["join_url"].is_null(),
        "the link is not handed out by e-mail match"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_replays_and_cannot_be_reused_for_someone_else() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site("idem", vec![meeting_body("Keyed", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let (status, _, first) = app
        .register("idem", id, visitor("k1@example.com"), Some("key-123"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, headers, replay) = app
        .register("idem", id, visitor("k1@example.com"), Some("key-123"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "the first answer again");
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(replay, first);
    assert!(
        replay["join_url"].is_string(),
        "the same client keeps its link"
    );
    let (status, _, clash) = app
        .register("idem", id, visitor("k2@example.com"), Some("key-123"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{clash}");
    assert_eq!(clash["error"]["code"], "idempotency_key_reused");
    assert_eq!(app.sim_calls(ADD).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_and_required_questions_are_refused_with_the_field() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site("checks", vec![meeting_body("Questions", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let resp = app
        .http
        .put(format!("{}/_sim/meetings/{id}/questions", app.sim.url()))
        .json(&json!({"questions": [{"field_name": "org", "required": true}],
               "custom_questions": [{"title": "Level", "type": "single", "required": true, "answers": ["Beginner", "Pro"]}]}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());

    for (body, field) in [
        (
            json!({"first_name": "A", "last_name": "B", "email": "not-an-email"}),
            "email",
        ),
        (
            json!({"first_name": "A", "last_name": "B", "email": "a@localhost"}),
            "email",
        ),
        (
            json!({"first_name": " ", "last_name": "B", "email": "a@example.com"}),
            "first_name",
        ),
        (
            json!({"first_name": "A", "last_name": "B", "email": "a@example.com"}),
            "org",
        ),
        (
            json!({"first_name": "A", "last_name": "B", "email": "a@example.com", "fields": {"org": "ACME"}}),
            "question_0",
        ),
        (
            json!({"first_name": "A", "last_name": "B", "email": "a@example.com", "fields": {"org": "ACME"},
                "custom_questions": [{"title": "Level", "value": "Wizard"}]}),
            "question_0",
        ),
        (
            json!({"first_name": "A", "last_name": "B", "email": "a@example.com", "website": "spam"}),
            "form",
        ),
    ] {
        let (status, _, err) = app.register("checks", id, body.clone(), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {err}");
        assert_eq!(err["error"]["field"], field, "{body} → {err}");
        assert!(!err["error"]["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(app.sim_calls(ADD).await, 0, "nothing invalid reached Zoom");

    let ok = json!({"first_name": "A", "last_name": "B", "email": "a@example.com",
                    "fields": {"org": "ACME"}, "custom_questions": [{"title": "Level", "value": "Pro"}]});
    let (status, _, body) = app.register("checks", id, ok, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The detail shows the questions (fetched from Zoom once and stored).
    let (_, _, detail) = app
        .get_public(&format!("/api/v1/sites/checks/meetings/{id}"))
        .await;
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["registration"]["questions_loaded"], true, "{detail}");
    assert_eq!(
        detail["registration"]["custom_questions"][0]["title"],
        "Level"
    );

    let big = json!({"first_name": "A".repeat(20_000), "last_name": "B", "email": "b@example.com"});
    let (status, _, _) = app.register("checks", id, big, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_ended_and_hidden_meetings_refuse_clearly() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site(
            "closed",
            vec![
                meeting_body("No registration", 3, 2),
                meeting_body("Open", 3, 0),
            ],
        )
        .await;
    let (none, open) = (
        created[0]["id"].as_i64().unwrap(),
        created[1]["id"].as_i64().unwrap(),
    );

    let (status, _, err) = app
        .register("closed", none, visitor("v@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["code"], "registration_closed");

    app.site_settings(&key, json!({"registration_open": false}))
        .await;
    let (status, _, err) = app
        .register("closed", open, visitor("v@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["error"]["code"], "registration_closed");
    let (_, _, html) = app
        .get_public(&format!("/embed/closed/meetings/{open}"))
        .await;
    assert!(
        !html.contains("<form"),
        "no form while registration is closed"
    );
    app.site_settings(&key, json!({"registration_open": true}))
        .await;

    // The meeting took place (as a sync would store it).
    let tenant = app.tenant_id("closed").await;
    app.services
        .store
        .execute_raw(&format!(
            "UPDATE meetings SET start_time = '2020-01-01 10:00:00' WHERE tenant_id = '{tenant}' AND zoom_meeting_id = {open}"
        ))
        .await
        .unwrap();
    app.bump_content_version("closed").await;
    let (status, _, err) = app
        .register("closed", open, visitor("v@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["code"], "meeting_ended");

    let (status, _, err) = app
        .register("closed", 999, visitor("v@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    assert_eq!(app.sim_calls(ADD).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_outages_answer_503_with_retry_after_and_store_nothing() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site("outage", vec![meeting_body("Fragile", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    for (kind, status) in [("status", 503), ("status", 429), ("drop", 0)] {
        let mut fault =
            json!({"method": "POST", "path": "/v2/meetings/{meetingId}/registrants", "kind": kind});
        if status > 0 {
            fault["status"] = json!(status);
        }
        app.sim_post("/_sim/faults", fault).await;
        let (code, headers, err) = app
            .register("outage", id, visitor("o@example.com"), None)
            .await;
        assert_eq!(
            code,
            StatusCode::SERVICE_UNAVAILABLE,
            "{kind} {status}: {err}"
        );
        assert!(headers.contains_key("retry-after"), "{kind} {status}");
        assert_eq!(err["error"]["code"], "zoom_unavailable");
        assert!(
            registrations(&app, &key).await.is_empty(),
            "nothing half-stored"
        );
    }
    let (code, _, body) = app
        .register("outage", id, visitor("o@example.com"), None)
        .await;
    assert_eq!(
        code,
        StatusCode::CREATED,
        "works again once Zoom is back: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zooms_daily_registrant_limit_is_a_clear_429() {
    let app = TestApp::spawn_with(|c| c.rate_limits.registrant_adds_per_day = 0).await;
    let (created, _) = app
        .public_site("daily", vec![meeting_body("Popular", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let (status, headers, err) = app
        .register("daily", id, visitor("d@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{err}");
    assert_eq!(err["error"]["code"], "daily_limit");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tomorrow")
    );
    assert!(headers.contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_from_one_address_are_rate_limited() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site("flood", vec![meeting_body("Target", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let bad = json!({"first_name": "A", "last_name": "B", "email": "x"});
    let header = |headers: &reqwest::header::HeaderMap, name: &str| -> u64 {
        headers[name].to_str().unwrap().parse().unwrap()
    };
    let mut limited = None;
    let mut remaining = Vec::new();
    for i in 0..15 {
        let (status, headers, _) = app.register("flood", id, bad.clone(), None).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((i, headers));
            break;
        }
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // The per-address limit (burst 10) runs out before the site's (burst 60).
        assert_eq!(header(&headers, "ratelimit-limit"), 10);
        assert!(header(&headers, "ratelimit-reset") <= 60);
        remaining.push(header(&headers, "ratelimit-remaining"));
    }
    let (i, headers) = limited.expect("limited within 15 attempts");
    assert_eq!(i, 10, "a burst of 10 is allowed");
    assert_eq!(
        remaining,
        (0..10).rev().collect::<Vec<u64>>(),
        "counting down"
    );
    assert!(header(&headers, "retry-after") >= 1);
    assert_eq!(header(&headers, "ratelimit-remaining"), 0);
    assert!(header(&headers, "ratelimit-reset") >= header(&headers, "retry-after"));

    // The plain form shares the address's limit and answers the same 429.
    let resp = app
        .http
        .post(app.at(&format!("/embed/flood/meetings/{id}/register")))
        .form(&[("first_name", "A"), ("last_name", "B"), ("email", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    assert_eq!(header(resp.headers(), "ratelimit-remaining"), 0);

    // The document says so.
    let spec = app.served_document().await;
    let responses = &spec["paths"]["/api/v1/sites/{site}/meetings/{meeting_id}/registrations"]["post"]
        ["responses"];
    for status in ["201", "200", "400", "429"] {
        for name in ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"] {
            assert!(
                responses[status]["headers"][name].is_object(),
                "{status} {name}"
            );
        }
    }
    assert!(responses["429"]["headers"]["RETRY-AFTER"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_works_without_javascript() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site("plain", vec![meeting_body("Plain form", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let (_, _, page) = app.get_public(&format!("/embed/plain/meetings/{id}")).await;
    let action = crate::helpers::extract_between(&page, "method=\"post\" action=\"", "\"").unwrap();
    let action = action.replace("&#x2f;", "/").replace("&amp;", "&");
    let key =
        crate::helpers::extract_between(&page, "name=\"idempotency_key\" value=\"", "\"").unwrap();
    assert!(
        key.len() > 16 && !key.contains('<'),
        "a per-response key: {key}"
    );

    let post = |email: &'static str| {
        app.http
            .post(app.at(&action))
            .form(&[
                ("first_name", "Plain"),
                ("last_name", "Visitor"),
                ("email", email),
                ("website", ""),
                ("idempotency_key", key.as_str()),
            ])
            .send()
    };
    let resp = post("plain@example.com").await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("You are registered"), "{html}");
    assert!(html.contains("Join the meeting"));

    let resp = app
        .http
        .post(app.at(&action))
        .form(&[("first_name", "P"), ("last_name", "V"), ("email", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Registration not possible") && html.contains("valid e-mail"),
        "{html}"
    );
}

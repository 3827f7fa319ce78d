//! One failure, one answer: the same service error gives the same status and `Retry-After`
//! from the JSON API, the plain registration form and the owner pages. Zoom's failures are
//! provoked through the simulator's control API (faults, rate limits, a removed app).

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::helpers::{TestApp, escaped, json_response, meeting_body, visitor};

const ADD_REGISTRANT: &str = "/v2/meetings/{meetingId}/registrants";

/// What the surfaces must agree on.
#[derive(Debug, PartialEq)]
struct Answer {
    status: StatusCode,
    retry_after: Option<String>,
}

impl Answer {
    fn of(status: StatusCode, headers: &HeaderMap) -> Self {
        let retry_after = headers
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        Self {
            status,
            retry_after,
        }
    }

    fn retry_secs(&self) -> i64 {
        self.retry_after
            .as_deref()
            .expect("a Retry-After header")
            .parse()
            .unwrap()
    }
}

/// An HTML answer of the form or an owner page.
struct Page {
    answer: Answer,
    content_type: String,
    html: String,
}

impl Page {
    async fn of(resp: reqwest::Response) -> Self {
        let answer = Answer::of(resp.status(), resp.headers());
        let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
        let html = resp.text().await.unwrap();
        Self {
            answer,
            content_type,
            html,
        }
    }

    /// The page is HTML and shows `message` (as the templates escape it).
    fn assert_shows(&self, message: &str) {
        assert!(
            self.content_type.starts_with("text/html"),
            "{}",
            self.content_type
        );
        assert!(
            self.html.contains(&escaped(message)),
            "{message}: {}",
            self.html
        );
    }
}

/// The next call of `method path` at Zoom fails as `fault` says.
async fn arm(app: &TestApp, method: &str, path: &str, fault: &Value) {
    let mut fault = fault.clone();
    fault["method"] = json!(method);
    fault["path"] = json!(path);
    app.sim_post("/_sim/faults", fault).await;
}

/// Registers through the JSON API: the answer and the error body.
async fn register_by_api(app: &TestApp, slug: &str, id: i64, email: &str) -> (Answer, Value) {
    let (status, headers, body) = app.register(slug, id, visitor(email), None).await;
    (Answer::of(status, &headers), body)
}

/// Registers through the plain form, as a browser without JavaScript does.
async fn register_by_form(app: &TestApp, slug: &str, id: i64, email: &str) -> Page {
    let resp = app
        .http
        .post(app.at(&format!("/embed/{slug}/meetings/{id}/register")))
        .form(&[
            ("first_name", "Grace"),
            ("last_name", "Hopper"),
            ("email", email),
            ("website", ""),
        ])
        .send()
        .await
        .unwrap();
    Page::of(resp).await
}

/// The live Zoom user through the admin API: the answer and the error body.
async fn zoom_user_by_api(app: &TestApp, key: &str) -> (Answer, Value) {
    let resp = app
        .http
        .get(app.at("/api/v1/admin/zoom/user"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let answer = Answer::of(resp.status(), resp.headers());
    (answer, json_response(resp).await.1)
}

/// The owner connects Zoom again; Zoom's redirect back lands while `fault` is armed on the
/// call that reads the connected user.
async fn reconnect_while(app: &TestApp, cookie: &str, fault: &Value) -> Page {
    let authorize = app.press_connect(cookie).await;
    let callback = app.consent(&authorize).await;
    arm(app, "GET", "/v2/users/me", fault).await;
    Page::of(app.callback(&callback, Some(cookie)).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_down_or_rate_limiting_is_one_503_with_retry_after_on_every_surface() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site("same-503", vec![meeting_body("Fragile", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let faults = [
        ("down", json!({"kind": "status", "status": 503})),
        ("unreachable", json!({"kind": "drop"})),
        ("rate limited", json!({"kind": "status", "status": 429})),
    ];
    let mut answers = Vec::new();
    for (what, fault) in &faults {
        arm(&app, "POST", ADD_REGISTRANT, fault).await;
        let (api, err) = register_by_api(&app, "same-503", id, "api@example.com").await;
        assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE, "{what}: {err}");
        assert!(api.retry_after.is_some(), "{what}");
        assert_eq!(err["error"]["code"], "zoom_unavailable", "{what}");
        let message = err["error"]["message"].as_str().unwrap().to_owned();

        arm(&app, "POST", ADD_REGISTRANT, fault).await;
        let form = register_by_form(&app, "same-503", id, "form@example.com").await;
        assert_eq!(
            form.answer, api,
            "{what}: the form answers like the JSON API"
        );
        // The visitor's page says it in the widget's language (registered.html.j2).
        form.assert_shows(
            "We cannot reach Zoom right now, so your registration was not sent. Please try again in a moment.",
        );

        arm(&app, "GET", "/v2/users/me", fault).await;
        let (admin_api, err) = zoom_user_by_api(&app, &key).await;
        assert_eq!(admin_api, api, "{what}: {err}");
        answers.push((api, message));
    }

    // Last, as a code exchanged at Zoom replaces the site's tokens even when the owner's
    // connect then fails.
    let cookie = app.sign_in("same-503").await;
    for ((what, fault), (api, message)) in faults.iter().zip(&answers) {
        let owner = reconnect_while(&app, &cookie, fault).await;
        assert_eq!(
            &owner.answer, api,
            "{what}: the owner page answers like the JSON API"
        );
        owner.assert_shows(message);
    }
    app.connect_site("same-503").await;
    let (api, body) = register_by_api(&app, "same-503", id, "api@example.com").await;
    assert_eq!(api.status, StatusCode::CREATED, "Zoom is back: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zooms_daily_limit_is_one_429_with_retry_after_from_api_and_form() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site("same-429", vec![meeting_body("Popular", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let resp = app
        .http
        .get(format!("{}/_sim/config", app.sim.url()))
        .send()
        .await
        .unwrap();
    let mut limits = json_response(resp).await.1["rate_limits"].clone();
    limits["registrant_adds_per_day"] = json!(0);
    app.sim_config(json!({"rate_limits": limits})).await;

    let (api, err) = register_by_api(&app, "same-429", id, "api@example.com").await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS, "{err}");
    assert_eq!(err["error"]["code"], "daily_limit");
    let form = register_by_form(&app, "same-429", id, "form@example.com").await;
    assert_eq!(form.answer.status, api.status);
    // Both wait until Zoom's day ends; a second may pass between the two requests.
    let apart = (form.answer.retry_secs() - api.retry_secs()).abs();
    assert!(
        apart <= 2,
        "{form_wait:?} vs {api:?}",
        form_wait = form.answer
    );
    form.assert_shows(err["error"]["message"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_zoom_app_is_one_409_without_retry_after_from_api_and_form() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site("same-409", vec![meeting_body("Orphaned", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let host = created[0]["host_id"].as_str().unwrap();
    app.sim_post(&format!("/_sim/users/{host}/deauthorize"), json!({}))
        .await;

    let (api, err) = register_by_api(&app, "same-409", id, "api@example.com").await;
    let expected = Answer {
        status: StatusCode::CONFLICT,
        retry_after: None,
    };
    assert_eq!(api, expected, "{err}");
    // Visitors are told it is temporary, in their words; the owner's API names the cause.
    assert_eq!(err["error"]["code"], "registration_unavailable", "{err}");
    let form = register_by_form(&app, "same-409", id, "form@example.com").await;
    assert_eq!(form.answer, api, "the form answers like the JSON API");
    form.assert_shows(err["error"]["message"].as_str().unwrap());
    let (admin_api, err) = zoom_user_by_api(&app, &key).await;
    assert_eq!(admin_api, api, "{err}");
    assert_eq!(err["error"]["code"], "zoom_not_connected", "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_routes_keep_their_body_limit_and_answer_errors_in_the_envelope() {
    let app = TestApp::spawn().await;
    let big = "A".repeat(20_000);
    let form = app
        .http
        .post(app.at("/embed/any-site/meetings/1/register"))
        .form(&[("first_name", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = json!({"first_name": big, "last_name": "B", "email": "b@example.com"});
    let (status, _, _) = app.register("any-site", 1, body, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (status, _, err) = app
        .register("any-site", 1, visitor("v@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    let resp = app
        .http
        .get(app.at("/api/v1/sites/any-site/meetings?limit=0"))
        .send()
        .await
        .unwrap();
    let (status, err) = json_response(resp).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["error"]["code"], "invalid_request", "{err}");
}

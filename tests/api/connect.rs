//! The walking skeleton's whole path: tenant → admin link → session → Connect → Zoom consent →
//! callback → meetings in JSON and in the widget.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, extract_between, json_response, location, meeting_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_connects_zoom_and_visitors_see_the_meetings() {
    let app = TestApp::spawn().await;
    let user = app.sim_user("teacher@example.com").await;
    let host = user["id"].as_str().unwrap();
    let later = app
        .sim_meeting(host, meeting_body("Yoga for beginners", 3, 0))
        .await;
    let sooner = app
        .sim_meeting(host, meeting_body("Q&A session", 1, 2))
        .await;
    app.create_tenant("yoga-club").await;

    let cookie = app.sign_in("yoga-club").await;
    let (html, _) = app.admin_page(&cookie).await;
    assert!(
        html.contains("Connect Zoom") && html.contains("Not connected"),
        "{html}"
    );

    let authorize = app.press_connect(&cookie).await;
    let auth_url = url::Url::parse(&authorize).unwrap();
    let query: std::collections::HashMap<_, _> = auth_url.query_pairs().into_owned().collect();
    assert!(authorize.starts_with(&format!("{}/oauth/authorize?", app.sim.url())));
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["redirect_uri"], app.at("/oauth/zoom/callback"));
    assert!(query["state"].len() >= 40, "state must be long and random");

    let callback = app.consent(&authorize).await;
    let resp = app.callback(&callback, Some(&cookie)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/admin");

    let (html, _) = app.admin_page(&cookie).await;
    assert!(html.contains("Connected as"), "{html}");
    assert!(html.contains("teacher@example.com"));

    let (status, body) = json_response(
        app.http
            .get(app.at("/api/v1/sites/yoga-club/meetings"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let meetings = body["meetings"].as_array().unwrap();
    let topics: Vec<&str> = meetings
        .iter()
        .map(|m| m["topic"].as_str().unwrap())
        .collect();
    assert_eq!(
        topics,
        ["Q&A session", "Yoga for beginners"],
        "soonest first"
    );
    assert_eq!(
        meetings[1]["id"], later["id"],
        "Zoom's meeting id as a JSON number"
    );
    assert!(meetings[1]["id"].is_i64());
    assert_eq!(meetings[1]["registration_open"], Value::Bool(true));
    assert_eq!(meetings[0]["registration_open"], Value::Bool(false));
    assert_eq!(meetings[0]["timezone"], "Europe/Berlin");
    assert!(
        !body.to_string().contains("start_url"),
        "start_url never reaches a public response"
    );
    assert!(
        !body
            .to_string()
            .contains(later["start_url"].as_str().unwrap_or("zzz-no-start-url"))
    );

    let one = format!("/api/v1/sites/yoga-club/meetings/{}", sooner["id"]);
    let (status, body) = json_response(app.http.get(app.at(&one)).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["topic"], "Q&A session");

    let widget = app
        .http
        .get(app.at("/embed/yoga-club/meetings"))
        .send()
        .await
        .unwrap();
    assert_eq!(widget.status(), StatusCode::OK);
    let html = widget.text().await.unwrap();
    assert!(html.contains("Yoga for beginners"));
    assert!(html.contains("Q&amp;A session"), "topics are escaped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_clients_get_an_authorize_url_and_the_callback_confirms_without_a_session() {
    let app = TestApp::spawn().await;
    app.sim_user("coach@example.com").await;
    app.create_tenant("coach").await;
    let key = app
        .api_key("coach", &["settings:read", "settings:write"])
        .await;

    let resp = app
        .http
        .post(app.at("/api/v1/admin/zoom/connect"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    let (status, body) = json_response(resp).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let authorize = body["authorize_url"].as_str().unwrap();

    let callback = app.consent(authorize).await;
    let resp = app.callback(&callback, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("coach@example.com"), "{html}");

    let (status, body) = json_response(
        app.http
            .get(app.at("/api/v1/admin/zoom"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["connected"], Value::Bool(true));
    assert_eq!(body["zoom_email"], "coach@example.com");
    assert!(
        body["last_sync_result"].as_str().unwrap().starts_with("ok"),
        "{body}"
    );
}

/// Refused callbacks land on a clear page and store nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_with_bad_state_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    app.sim_user("owner@example.com").await;
    app.create_tenant("site-a").await;
    app.create_tenant("site-b").await;
    let cookie_a = app.sign_in("site-a").await;
    let cookie_b = app.sign_in("site-b").await;

    // Missing state: treated as a Marketplace install, but this code was issued for a PKCE flow,
    // so Zoom will not exchange it without the verifier; nothing is parked.
    let authorize = app.press_connect(&cookie_a).await;
    let callback = app.consent(&authorize).await;
    let code = extract_between(&format!("{callback}&"), "code=", "&").unwrap();
    let stateless = app.at(&format!("/oauth/zoom/callback?code={code}"));
    let resp = app.callback(&stateless, Some(&cookie_a)).await;
    assert_refused(resp, "did not confirm").await;
    assert!(
        app.services
            .store
            .dump_table("zoom_grants")
            .await
            .unwrap()
            .is_empty()
    );

    // Foreign: site A's attempt finished in site B's session.
    let resp = app.callback(&callback, Some(&cookie_b)).await;
    assert_refused(resp, "another session").await;
    // ... and without any session.
    let resp = app.callback(&callback, None).await;
    assert_refused(resp, "another session").await;

    // Expired.
    let authorize = app.press_connect(&cookie_a).await;
    let callback_expired = app.consent(&authorize).await;
    let state = extract_between(&format!("{callback_expired}&"), "state=", "&").unwrap();
    let state_hash = marquee::crypto::sha256_hex(&state);
    let aged = format!(
        "UPDATE oauth_states SET expires_at = '2000-01-01 00:00:00' WHERE state_hash = '{state_hash}'"
    );
    assert_eq!(app.services.store.execute_raw(&aged).await.unwrap(), 1);
    let resp = app.callback(&callback_expired, Some(&cookie_a)).await;
    assert_refused(resp, "expired").await;

    // Unknown state.
    let resp = app
        .callback(
            &app.at("/oauth/zoom/callback?code=abc&state=forged"),
            Some(&cookie_a),
        )
        .await;
    assert_refused(resp, "did not start here").await;

    // Denied on Zoom's page.
    let resp = app
        .callback(
            &app.at("/oauth/zoom/callback?error=access_denied&state=x"),
            Some(&cookie_a),
        )
        .await;
    assert_refused(resp, "declined").await;

    assert!(
        app.services
            .store
            .dump_table("zoom_connections")
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );
    assert!(
        app.services
            .store
            .dump_table("meetings")
            .await
            .unwrap()
            .is_empty()
    );

    // The first, untouched attempt still works in the right session, exactly once.
    let resp = app.callback(&callback, Some(&cookie_a)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.services
            .store
            .dump_table("zoom_connections")
            .await
            .unwrap()
            .len(),
        1
    );
    let resp = app.callback(&callback, Some(&cookie_a)).await;
    assert_refused(resp, "already used").await;
}

async fn assert_refused(resp: reqwest::Response, phrase: &str) {
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains(phrase), "expected {phrase:?} in {html}");
}

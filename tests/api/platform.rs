//! The operator API: tenants, admin links, API keys, and the JSON error envelope.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PLATFORM_KEY, PLATFORM_KEY_HEADER, TestApp, WithPlatformKey, json_response};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_are_created_validated_listed_and_deleted() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .platform(
            Method::POST,
            "/api/v1/platform/tenants",
            Some(json!({"slug": "chess-club", "display_name": "Chess Club"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["slug"], "chess-club");

    let (status, body) = app
        .platform(
            Method::POST,
            "/api/v1/platform/tenants",
            Some(json!({"slug": "chess-club", "display_name": "Again"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "conflict");

    for bad in ["ab", "Upper", "-lead", "under_score", &"x".repeat(64)] {
        let (status, body) = app
            .platform(
                Method::POST,
                "/api/v1/platform/tenants",
                Some(json!({"slug": bad, "display_name": "X"})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "invalid_request");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("slug:"),
            "{body}"
        );
    }
    let (status, body) = app
        .platform(
            Method::POST,
            "/api/v1/platform/tenants",
            Some(json!({"slug": "fine"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "missing field: {body}");
    assert!(body["error"]["message"].is_string());

    app.create_tenant("another").await;
    let (status, body) = app
        .platform(Method::GET, "/api/v1/platform/tenants?limit=1", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["tenants"].as_array().unwrap().len(), 1);
    assert_eq!(body["tenants"][0]["slug"], "another");
    let next = body["next_after"].as_str().unwrap();
    let (_, body) = app
        .platform(
            Method::GET,
            &format!("/api/v1/platform/tenants?limit=1&after={next}"),
            None,
        )
        .await;
    assert_eq!(body["tenants"][0]["slug"], "chess-club");

    let (status, _) = app
        .platform(Method::DELETE, "/api/v1/platform/tenants/chess-club", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app
        .platform(Method::GET, "/api/v1/platform/tenants/chess-club", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_routes_need_the_platform_key() {
    let app = TestApp::spawn().await;
    let tenants = || app.http.get(app.at("/api/v1/platform/tenants"));
    let (status, body) = json_response(tenants().send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(body["error"]["message"], "missing X-Platform-Key header");

    let wrong = tenants().header(PLATFORM_KEY_HEADER, "wrong-key");
    let (status, body) = json_response(wrong.send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["message"], "invalid platform key");

    // The right key in the wrong header: the answer says where it goes.
    let as_bearer = tenants().bearer_auth(PLATFORM_KEY);
    let (status, body) = json_response(as_bearer.send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("X-Platform-Key"), "{message}");

    let right = tenants().platform_key();
    assert_eq!(right.send().await.unwrap().status(), StatusCode::OK);

    // A tenant key is not the platform key, in either header.
    app.create_tenant("tenant").await;
    let key = app.api_key("tenant", &["settings:read"]).await;
    for req in [
        tenants().bearer_auth(&key),
        tenants().header(PLATFORM_KEY_HEADER, &key),
    ] {
        assert_eq!(req.send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_links_work_once_and_api_keys_are_shown_once() {
    let app = TestApp::spawn().await;
    app.create_tenant("once").await;
    let link = app.admin_link("once").await;
    assert!(link.starts_with(&app.at("/admin/login?token=")));
    let first = app.http.get(&link).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let set_cookie = first.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let second = app.http.get(&link).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::BAD_REQUEST);
    assert!(second.text().await.unwrap().contains("already used"));

    let expired = app.admin_link("once").await;
    app.services
        .store
        .execute_raw(
            "UPDATE admin_links SET expires_at = '2000-01-01 00:00:00' WHERE used_at IS NULL",
        )
        .await
        .unwrap();
    let resp = app.http.get(&expired).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.text().await.unwrap().contains("expired"));

    let (status, body) = app
        .platform(
            Method::POST,
            "/api/v1/platform/tenants/once/api-keys",
            Some(json!({"name": "builder", "scopes": ["meetings:read", "settings:read"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let secret = body["key"].as_str().unwrap();
    assert!(secret.starts_with("mq_live_"));
    assert_eq!(body["scopes"], json!(["meetings:read", "settings:read"]));
    let (_, list) = app
        .platform(Method::GET, "/api/v1/platform/tenants/once/api-keys", None)
        .await;
    assert!(
        !list.to_string().contains(secret),
        "the key is never shown again"
    );
    assert_eq!(
        list["api_keys"][0]["prefix"].as_str().unwrap(),
        &secret[..14]
    );

    let (status, body) = app
        .platform(
            Method::POST,
            "/api/v1/platform/tenants/once/api-keys",
            Some(json!({"name": "x", "scopes": ["root"]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_errors_use_the_json_envelope_and_health_answers() {
    let app = TestApp::spawn().await;
    let (status, body) = json_response(
        app.http
            .get(app.at("/api/v1/no-such-route"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");

    let resp = app
        .http
        .post(app.at("/api/v1/platform/tenants"))
        .platform_key()
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, body) = json_response(resp).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_request");

    // Answered without reading the body, after which the server closes the connection: use a
    // client of its own so later requests do not pick that connection from the pool.
    let huge = "x".repeat(200 * 1024);
    let resp = reqwest::Client::new()
        .post(app.at("/api/v1/platform/tenants"))
        .platform_key()
        .json(&json!({"slug": "big", "display_name": huge}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);

    for path in ["/healthz", "/readyz"] {
        let (status, body) = json_response(app.http.get(app.at(path)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], Value::String("ok".into()));
    }
    let resp = app.http.get(app.at("/docs")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, spec) =
        json_response(app.http.get(app.at("/openapi.json")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec["paths"]["/api/v1/platform/tenants"].is_object());
}

//! One tenant can never read or change another's data, through any admin route.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, json_response, meeting_body};

/// Every route of the tenant admin API, and what tenant A (not connected) must get from it.
const ADMIN_ROUTES: [(&str, &str, u16); 4] = [
    ("GET", "/api/v1/admin/zoom", 200),
    ("POST", "/api/v1/admin/zoom/connect", 200),
    ("GET", "/api/v1/admin/zoom/user", 409),
    ("DELETE", "/api/v1/admin/zoom", 404),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenants_key_and_session_only_ever_reach_their_own_site() {
    let app = TestApp::spawn().await;
    let user = app.sim_user("b-owner@example.com").await;
    app.sim_meeting(
        user["id"].as_str().unwrap(),
        meeting_body("B's secret class", 2, 0),
    )
    .await;
    app.create_tenant("tenant-a").await;
    app.create_tenant("tenant-b").await;
    app.connect_site("tenant-b").await;
    let key_a = app
        .api_key("tenant-a", &["settings:read", "settings:write"])
        .await;
    let cookie_a = app.sign_in("tenant-a").await;
    let (_, csrf_a) = app.admin_page(&cookie_a).await;

    for (method, path, expected) in ADMIN_ROUTES {
        let method: Method = method.parse().unwrap();
        let by_key = app
            .http
            .request(method.clone(), app.at(path))
            .bearer_auth(&key_a)
            .send()
            .await
            .unwrap();
        let by_session = app
            .http
            .request(method.clone(), app.at(path))
            .header("cookie", &cookie_a)
            .header("x-csrf-token", &csrf_a)
            .send()
            .await
            .unwrap();
        for resp in [by_key, by_session] {
            let (status, body) = json_response(resp).await;
            assert_eq!(status.as_u16(), expected, "{method} {path}: {body}");
            let text = body.to_string();
            assert!(
                !text.contains("b-owner@example.com"),
                "{path} leaked tenant B: {text}"
            );
            assert!(!text.contains("B's secret class"));
            if method == Method::GET && path == "/api/v1/admin/zoom" {
                assert_eq!(
                    body["connected"],
                    Value::Bool(false),
                    "A sees A's (unconnected) status"
                );
            }
        }
    }

    // A's attempts never touched B: B is still connected as before, A still is not.
    let b = app
        .services
        .store
        .dump_table("zoom_connections")
        .await
        .unwrap();
    assert_eq!(b.len(), 1);
    let a_page = app.admin_page(&cookie_a).await.0;
    assert!(a_page.contains("Not connected") && !a_page.contains("b-owner@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_refuses_missing_wrong_revoked_and_underscoped_credentials() {
    let app = TestApp::spawn().await;
    app.create_tenant("guarded").await;
    let read_only = app.api_key("guarded", &["settings:read"]).await;

    let cases: [(Option<&str>, StatusCode, &str); 3] = [
        (None, StatusCode::UNAUTHORIZED, ""),
        (
            Some("mq_live_not-a-real-key"),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            Some(read_only.as_str()),
            StatusCode::FORBIDDEN,
            "missing_scope",
        ),
    ];
    for (key, expected, code) in cases {
        let mut req = app.http.post(app.at("/api/v1/admin/zoom/connect"));
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        let (status, body) = json_response(req.send().await.unwrap()).await;
        assert_eq!(status, expected, "{body}");
        assert!(
            body["error"]["message"].is_string(),
            "JSON error envelope: {body}"
        );
        if !code.is_empty() {
            assert_eq!(body["error"]["code"], code);
        }
    }

    // The platform key is not a tenant key.
    let resp = app
        .http
        .get(app.at("/api/v1/admin/zoom"))
        .bearer_auth(crate::helpers::PLATFORM_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // Revoked keys stop working at once.
    let (_, keys) = app
        .platform(
            Method::GET,
            "/api/v1/platform/tenants/guarded/api-keys",
            None,
        )
        .await;
    let key_id = keys["api_keys"][0]["id"].as_str().unwrap();
    let (status, _) = app
        .platform(
            Method::DELETE,
            &format!("/api/v1/platform/tenants/guarded/api-keys/{key_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let resp = app
        .http
        .get(app.at("/api/v1/admin/zoom"))
        .bearer_auth(&read_only)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_writes_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    app.create_tenant("csrf-site").await;
    let cookie = app.sign_in("csrf-site").await;

    let resp = app
        .http
        .post(app.at("/api/v1/admin/zoom/connect"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let (status, body) = json_response(resp).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "csrf_failed");

    let resp = app
        .http
        .post(app.at("/admin/zoom/connect"))
        .header("cookie", &cookie)
        .form(&[("csrf_token", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(
        app.services
            .store
            .dump_table("oauth_states")
            .await
            .unwrap()
            .is_empty(),
        "no state created"
    );

    // Reads with the session need no token.
    let resp = app
        .http
        .get(app.at("/api/v1/admin/zoom"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

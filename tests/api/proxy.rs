//! Behind a load balancer: forwarding headers decide the visitor's address only when the TCP
//! peer is one of `MARQUEE_TRUSTED_PROXIES`; the per-address registration limit keys on it.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, meeting_body};

/// One refused (400) registration attempt on `slug`/`id` with `headers`; its status and the
/// `RateLimit-Remaining` it reports.
async fn attempt(
    app: &TestApp,
    slug: &str,
    id: i64,
    headers: &[(&str, &str)],
) -> (StatusCode, u64) {
    let mut req = app
        .http
        .post(app.at(&format!("/api/v1/sites/{slug}/meetings/{id}/registrations")))
        .json(&json!({"first_name": "A", "last_name": "B", "email": "x"}));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let resp = req.send().await.unwrap();
    let remaining = resp.headers()["ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    (resp.status(), remaining)
}

/// Spends the burst of 10 attempts the per-address limit allows, sending `headers`.
async fn spend_burst(
    app: &TestApp,
    slug: &str,
    id: i64,
    headers: impl Fn(usize) -> Vec<(&'static str, String)>,
) {
    for i in 0..10 {
        let owned = headers(i);
        let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _) = attempt(app, slug, id, &pairs).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "attempt {i} within the burst"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site("spoof", vec![meeting_body("Target", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    // A new made-up address on every attempt does not buy a new limit.
    spend_burst(&app, "spoof", id, |i| {
        vec![
            ("x-forwarded-for", format!("203.0.113.{i}")),
            ("forwarded", format!("for=198.51.100.{i}")),
        ]
    })
    .await;
    let (status, remaining) =
        attempt(&app, "spoof", id, &[("x-forwarded-for", "192.0.2.200")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(remaining, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_limit() {
    let app = TestApp::spawn_configured(
        |_| {},
        |vars| {
            vars.insert("MARQUEE_TRUSTED_PROXIES".into(), "127.0.0.1".into());
        },
    )
    .await;
    let (created, _) = app
        .public_site("proxied", vec![meeting_body("Target", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    // The client forged the left hop; the proxy appended the address it saw (rightmost).
    let first = |_| vec![("x-forwarded-for", "6.6.6.6, 203.0.113.1".to_owned())];
    spend_burst(&app, "proxied", id, first).await;
    let (status, _) = attempt(
        &app,
        "proxied",
        id,
        &[("x-forwarded-for", "7.7.7.7, 203.0.113.1")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "same client, other forged hop"
    );

    let (status, remaining) =
        attempt(&app, "proxied", id, &[("x-forwarded-for", "203.0.113.2")]).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "another client has its own limit"
    );
    assert_eq!(remaining, 9);
    let (status, remaining) = attempt(
        &app,
        "proxied",
        id,
        &[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "RFC 7239 names a third client"
    );
    assert_eq!(remaining, 9);
}

//! The control API under `/_sim`: faults, statistics, the seeded demo world, shutdown and the
//! validation of users and the session.

use std::time::{Duration, Instant};

use marquee_zoom_sim::SeedOptions;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CLIENT_ID, CLIENT_SECRET, REDIRECT, access, config, start};

// ---------------------------------------------------------------------------------------------
// Faults and statistics

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_status_drop_timeout_slow_and_drop_after_commit() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    let t = s.connect().await;
    let refresh = t["refresh_token"].as_str().unwrap().to_string();

    let (status, _) = s.control("POST", "/_sim/faults", json!({"method": "POST", "path": "/oauth/token", "kind": "status", "status": 503, "count": 2})).await;
    assert_eq!(status, StatusCode::CREATED);
    for _ in 0..2 {
        assert_eq!(
            s.token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
                .await
                .status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
    // the 503s did not consume the refresh token; now the response gets lost after the rotation
    s.control(
        "POST",
        "/_sim/faults",
        json!({"path": "/oauth/token", "kind": "drop_after_commit"}),
    )
    .await;
    let lost = s
        .http
        .post(s.url("/oauth/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await;
    assert!(lost.is_err(), "the client never sees the answer");
    let again = s
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
        .await;
    assert_eq!(
        again.status(),
        StatusCode::BAD_REQUEST,
        "the old refresh token died with the lost rotation"
    );
    let stats = s.stats().await;
    assert_eq!(
        stats["grants"]["refresh_token"], 1,
        "exactly one refresh happened"
    );
    assert_eq!(stats["endpoints"]["POST /oauth/token"], 5);
    assert_eq!(stats["faults_served"], 3);

    // drop before doing anything, on an API route template
    let t = access(&s.connect().await);
    s.control(
        "POST",
        "/_sim/faults",
        json!({"path": "/v2/users/{userId}/meetings", "kind": "drop"}),
    )
    .await;
    assert!(
        s.http
            .get(format!("{}/users/me/meetings", s.sim.api_url()))
            .bearer_auth(&t)
            .send()
            .await
            .is_err()
    );
    assert_eq!(
        s.api("GET", &t, "/users/me/meetings", None).await.status(),
        StatusCode::OK,
        "only the next call"
    );

    // timeout: the client gives up first
    s.control(
        "POST",
        "/_sim/faults",
        json!({"path": "/v2/users/me", "kind": "timeout", "delay_ms": 1500}),
    )
    .await;
    let started = Instant::now();
    let r = s
        .http
        .get(format!("{}/users/me", s.sim.api_url()))
        .bearer_auth(&t)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
    assert!(started.elapsed() < Duration::from_millis(1000));

    // slow: answered after the delay
    s.control(
        "POST",
        "/_sim/faults",
        json!({"path": "/v2/users/me", "kind": "slow", "delay_ms": 300}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(
        s.api("GET", &t, "/users/me", None).await.status(),
        StatusCode::OK
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    let (_, armed) = s.control("GET", "/_sim/faults", Value::Null).await;
    assert_eq!(armed["armed"], json!([]));
    let (status, _) = s
        .control(
            "POST",
            "/_sim/faults",
            json!({"path": "no-slash", "kind": "drop"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_by_route_template_and_reset() {
    let s = start(config()).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let t = access(&s.connect().await);
    s.api("GET", &t, "/users/me/meetings", None).await;
    s.api(
        "GET",
        &t,
        &format!("/users/{}/meetings", owner["id"].as_str().unwrap()),
        None,
    )
    .await;
    s.api("GET", &t, "/users/me", None).await;
    let stats = s.stats().await;
    assert_eq!(stats["endpoints"]["GET /v2/users/{userId}/meetings"], 2);
    assert_eq!(stats["endpoints"]["GET /v2/users/me"], 1);
    assert_eq!(stats["endpoints"]["POST /oauth/token"], 1);
    assert_eq!(
        stats["grants"],
        json!({"authorization_code": 1, "refresh_token": 0})
    );
    assert_eq!(
        s.control("POST", "/_sim/stats/reset", json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    let stats = s.stats().await;
    assert_eq!(stats["endpoints"], json!({"GET /_sim/stats": 1}));
    assert_eq!(stats["grants"]["authorization_code"], 0);
}

// ---------------------------------------------------------------------------------------------
// Seed data and lifecycle

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seed_is_deterministic_and_has_the_promised_fixtures() {
    let mut cfg = config();
    cfg.seed = Some(SeedOptions::demo());
    let a = start(cfg.clone()).await;
    let b = start(cfg).await;
    let ta = access(&a.connect().await);
    let tb = access(&b.connect().await);
    let (_, la) = a
        .api_json("GET", &ta, "/users/me/meetings?type=upcoming", None)
        .await;
    let (_, lb) = b
        .api_json("GET", &tb, "/users/me/meetings?type=upcoming", None)
        .await;
    let strip = |v: &Value, url: &str| v.to_string().replace(url, "");
    assert_eq!(
        strip(&la, a.sim.url()),
        strip(&lb, b.sim.url()),
        "same seed, same world"
    );
    let meetings = la["meetings"].as_array().unwrap();
    assert!(meetings.len() >= 6);
    assert!(meetings.iter().any(|m| m["type"] == 8));
    assert!(
        meetings
            .iter()
            .any(|m| m["topic"].as_str().unwrap().contains("<script>")
                && m["topic"].as_str().unwrap().contains("日本語"))
    );
    let (_, users) = a.api_json("GET", &ta, "/users", None).await;
    assert_eq!(users["total_records"], 2);
    let second_host = users["users"][1]["id"].as_str().unwrap();
    assert_ne!(users["users"][0]["timezone"], users["users"][1]["timezone"]);
    let (_, other) = a
        .api_json(
            "GET",
            &ta,
            &format!("/users/{second_host}/meetings?type=upcoming"),
            None,
        )
        .await;
    assert!(other["total_records"].as_u64().unwrap() >= 6);
    let mut with_registration = 0;
    for m in meetings {
        let (_, d) = a
            .api_json("GET", &ta, &format!("/meetings/{}", m["id"]), None)
            .await;
        if d["settings"]["approval_type"] != 2 {
            with_registration += 1;
            assert!(d["registration_url"].is_string());
        }
    }
    assert!(with_registration >= 1);
    let today = chrono::Utc::now().date_naive();
    let mut total = 0;
    for back in 0..3u32 {
        let to = today - chrono::Months::new(back);
        let from = to - chrono::Months::new(1);
        let (_, r) = a
            .api_json(
                "GET",
                &ta,
                &format!("/users/me/recordings?from={from}&to={to}"),
                None,
            )
            .await;
        total += r["total_records"].as_u64().unwrap();
    }
    assert!(total >= 1, "recordings in the last months");
    let (_, webinars) = a.api_json("GET", &ta, "/users/me/webinars", None).await;
    assert_eq!(webinars["total_records"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_serving() {
    let s = start(config()).await;
    let url = s.url("/_sim");
    assert_eq!(
        s.http.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    s.sim.shutdown().await;
    assert!(reqwest::Client::new().get(&url).send().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_api_validates_users_and_session() {
    let s = start(config()).await;
    let first = s.user("first@example.com", json!({})).await;
    let (status, _) = s
        .control("POST", "/_sim/users", json!({"email": "first@example.com"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "duplicate e-mail");
    let (status, _) = s
        .control(
            "POST",
            "/_sim/users",
            json!({"email": "x@example.com", "account_id": "nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let second = s
        .user(
            "second@example.com",
            json!({"account_id": first["account_id"], "role": "admin"}),
        )
        .await;
    assert_eq!(second["role_name"], "Admin");
    assert_eq!(s.sim.signed_in_user_id().as_deref(), first["id"].as_str());
    let (status, _) = s
        .control("PUT", "/_sim/session", json!({"user_id": second["id"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let t = access(&s.connect().await);
    let (_, me) = s.api_json("GET", &t, "/users/me", None).await;
    assert_eq!(me["id"], second["id"]);
    // a member cannot authorize an app with admin scopes (docs/zoom.md §1.1)
    let member = s
        .user(
            "member@example.com",
            json!({"account_id": first["account_id"]}),
        )
        .await;
    s.control("PUT", "/_sim/session", json!({"user_id": member["id"]}))
        .await;
    let r = s
        .http
        .post(s.url("/oauth/authorize"))
        .form(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

//! Zoom's rate limits (docs/zoom.md §5): per-account QPS with `X-RateLimit-*` headers, the daily
//! meeting-write limit per host and the daily add limit per registrant.

use std::time::Duration;

use marquee_zoom_sim::RateLimits;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{access, config, start};

// ---------------------------------------------------------------------------------------------
// Limits (docs/zoom.md §5)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_account_qps_limit_answers_429_with_headers() {
    let mut cfg = config();
    cfg.rate_limits = RateLimits::uniform(2, 1, 1);
    let s = start(cfg).await;
    s.user("owner@example.com", json!({})).await;
    let t = access(&s.connect().await);
    let first = s.api("GET", &t, "/users/me", None).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["x-ratelimit-category"], "Light");
    assert_eq!(
        s.api("GET", &t, "/users/me", None).await.status(),
        StatusCode::OK
    );
    let limited = s.api("GET", &t, "/users/me", None).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "1");
    assert_eq!(limited.headers()["x-ratelimit-type"], "QPS");
    assert_eq!(limited.headers()["x-ratelimit-limit"], "2");
    assert_eq!(limited.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(limited.json::<Value>().await.unwrap()["code"], 429);
    // Medium has its own bucket
    let m = s.api("GET", &t, "/users/me/meetings", None).await;
    assert_eq!(
        (
            m.status(),
            m.headers()["x-ratelimit-category"].to_str().unwrap()
        ),
        (StatusCode::OK, "Medium")
    );
    assert_eq!(s.stats().await["rate_limited"], 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        s.api("GET", &t, "/users/me", None).await.status(),
        StatusCode::OK,
        "the bucket refills"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_meeting_write_and_registrant_limits() {
    let mut cfg = config();
    cfg.rate_limits = RateLimits {
        meeting_writes_per_host_per_day: 3,
        ..RateLimits::uniform(1000, 1000, 1000)
    };
    let s = start(cfg).await;
    s.user("owner@example.com", json!({})).await;
    let t = access(&s.connect().await);
    let body = json!({"topic": "x", "start_time": "2031-01-01T10:00:00Z", "settings": {"approval_type": 0}});
    let (_, m) = s
        .api_json("POST", &t, "/users/me/meetings", Some(body.clone()))
        .await;
    assert_eq!(
        s.api(
            "PATCH",
            &t,
            &format!("/meetings/{}", m["id"]),
            Some(json!({"topic": "y"}))
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.api("POST", &t, "/users/me/meetings", Some(body.clone()))
            .await
            .status(),
        StatusCode::CREATED
    );
    let r = s
        .api("POST", &t, "/users/me/meetings", Some(body.clone()))
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .ends_with("T00:00:00Z")
    );
    assert!(
        r.json::<Value>().await.unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("daily rate limit (3) of Meeting Create/Update")
    );
    // the host's own UI is not an API request
    assert_eq!(
        s.control(
            "PATCH",
            &format!("/_sim/meetings/{}", m["id"]),
            json!({"topic": "z"})
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );

    // three adds per registrant per day (docs/zoom.md §5.2)
    let reg = json!({"email": "same@example.org", "first_name": "S"});
    for _ in 0..3 {
        assert_eq!(
            s.api(
                "POST",
                &t,
                &format!("/meetings/{}/registrants", m["id"]),
                Some(reg.clone())
            )
            .await
            .status(),
            StatusCode::CREATED
        );
    }
    let (status, body) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", m["id"]),
            Some(reg),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("for the registrant \"same@example.org\"")
    );

    // after 00:00 UTC the counters reset
    s.control("POST", "/_sim/clock/advance", json!({"seconds": 86_400}))
        .await;
    let t = access(&s.connect().await);
    assert_eq!(
        s.api(
            "POST",
            &t,
            "/users/me/meetings",
            Some(json!({"topic": "next day"}))
        )
        .await
        .status(),
        StatusCode::CREATED
    );
}

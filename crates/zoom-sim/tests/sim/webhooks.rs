//! Webhook delivery (docs/zoom.md §2.3, §2.4): retries on the scaled schedule, dropping after the
//! last retry, duplicate and out-of-order modes, and the URL validation challenge.

use std::time::{Duration, Instant};

use marquee_zoom_protocol::signature;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{WEBHOOK_SECRET, assert_signed, config, with_webhooks};

// ---------------------------------------------------------------------------------------------
// Webhook delivery (docs/zoom.md §2.3, §2.4)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_retried_on_the_scaled_schedule() {
    let mut cfg = config();
    cfg.time_scale = 6000.0; // +5 min → 50 ms, +20 min → 200 ms, +60 min → 600 ms
    let (s, rx) = with_webhooks(cfg, 2).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let started = Instant::now();
    s.control(
        "POST",
        &format!("/_sim/users/{}/meetings", owner["id"].as_str().unwrap()),
        json!({"topic": "retry me"}),
    )
    .await;
    let ev = rx.wait_for(3, Duration::from_secs(5)).await;
    assert_eq!(ev.len(), 3);
    assert_eq!(
        ev.iter().map(|d| d.answered).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    assert!(
        ev.iter().all(|d| d.raw == ev[0].raw),
        "identical body on every attempt"
    );
    ev.iter().for_each(assert_signed);
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "waited 50 + 200 ms"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let w = &s.stats().await["webhooks"];
    assert_eq!(
        (
            w["attempted"].clone(),
            w["succeeded"].clone(),
            w["failed"].clone()
        ),
        (json!(3), json!(1), json!(2))
    );
    let (_, log) = s
        .control("GET", "/_sim/webhooks/deliveries", Value::Null)
        .await;
    assert_eq!(
        log["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["attempt"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_dropped_after_three_failed_retries() {
    let mut cfg = config();
    cfg.time_scale = 36_000.0; // 8.3 ms, 33 ms, 100 ms
    let (s, rx) = with_webhooks(cfg, 10).await;
    let owner = s.user("owner@example.com", json!({})).await;
    s.control(
        "POST",
        &format!("/_sim/users/{}/meetings", owner["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.stats().await["webhooks"]["dropped"] != 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(s.stats().await["webhooks"]["dropped"], 1);
    assert_eq!(rx.events().len(), 4, "first attempt plus three retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_and_out_of_order_delivery_modes() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let path = format!("/_sim/users/{}/meetings", owner["id"].as_str().unwrap());
    s.control("PUT", "/_sim/config", json!({"duplicate": true}))
        .await;
    s.control("POST", &path, json!({"topic": "twice"})).await;
    let ev = rx.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].raw, ev[1].raw);

    s.control(
        "PUT",
        "/_sim/config",
        json!({"duplicate": false, "out_of_order": true}),
    )
    .await;
    s.control("POST", &path, json!({"topic": "first"})).await;
    s.control("POST", &path, json!({"topic": "second"})).await;
    let ev = rx.wait_for(4, Duration::from_secs(5)).await;
    let topics: Vec<&str> = ev[2..]
        .iter()
        .map(|d| d.json["payload"]["object"]["topic"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["second", "first"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_validation_challenge_on_demand() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let (status, report) = s
        .control("POST", "/_sim/webhooks/validate", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["ok"], true, "{report}");
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let d = &got[0];
    assert_eq!(d.json["event"], "endpoint.url_validation");
    assert!(
        signature::verify(WEBHOOK_SECRET, &d.ts, &d.raw, &d.sig),
        "validation requests are signed"
    );
    let raw = std::str::from_utf8(&d.raw).unwrap();
    assert!(
        raw.starts_with(r#"{"payload":{"plainToken":""#)
            && raw.ends_with(r#","event":"endpoint.url_validation"}"#),
        "{raw}"
    );
    // a wrong answer is reported as such
    s.control(
        "PUT",
        "/_sim/config",
        json!({"webhook_url": format!("{}/nowhere", s.sim.url())}),
    )
    .await;
    let (_, report) = s
        .control("POST", "/_sim/webhooks/validate", json!({}))
        .await;
    assert_eq!(report["ok"], false);
}

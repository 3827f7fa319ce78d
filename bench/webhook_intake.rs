//! Webhook intake: signed Zoom events per second into `POST /webhooks/zoom`, with p50/p99 of
//! the time to the 200, and a count of the events found stored afterwards (each is committed
//! before its 200). Workers are off, so only intake is measured.
//!
//! `cargo bench --bench webhook_intake` (release build). Knobs: `BENCH_EVENTS` (20000),
//! `BENCH_CONCURRENCY` (32), `MARQUEE_BENCH_DATABASE_URL` (default: a fresh SQLite file).
//! The load generator runs in the same process, on the same cores.

#[path = "common.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if !common::run_as_benchmark() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let events = env_or("BENCH_EVENTS", 20_000);
    let concurrency = env_or("BENCH_CONCURRENCY", 32);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bench = common::start(
        listener,
        "http://127.0.0.1:9",
        &[("MARQUEE_WORKERS", "false".to_owned())],
    )
    .await;
    // Distinct events (so none is a duplicate), signed up front like Zoom would.
    let ts = chrono::Utc::now().timestamp().to_string();
    let bodies: Arc<Vec<(String, String)>> = Arc::new(
        (0..events)
            .map(|i| {
                let body = format!(
                    r#"{{"event":"meeting.updated","payload":{{"account_id":"benchAccount","operator":"o@example.com","operator_id":"op","time_stamp":{t},"object":{{"id":{id},"topic":"Topic {i}"}},"old_object":{{"id":{id},"topic":"Old"}}}},"event_ts":{t}}}"#,
                    t = 1_800_000_000_000_i64 + i as i64,
                    id = 80_000_000_000_i64 + i as i64,
                );
                let sig = marquee::zoom::signature::sign(common::WEBHOOK_SECRET, &ts, body.as_bytes());
                (body, sig)
            })
            .collect(),
    );
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let url = format!("{}/webhooks/zoom", bench.url);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, next, bodies, url, ts) = (
            http.clone(),
            next.clone(),
            bodies.clone(),
            url.clone(),
            ts.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((body, sig)) = bodies.get(i) else {
                    return latencies;
                };
                let t0 = Instant::now();
                let resp = http
                    .post(&url)
                    .header("content-type", "application/json; charset=utf-8")
                    .header("x-zm-request-timestamp", &ts)
                    .header("x-zm-signature", sig)
                    .body(body.clone())
                    .send()
                    .await
                    .expect("Marquee answers");
                assert_eq!(
                    resp.status(),
                    200,
                    "{}",
                    resp.text().await.unwrap_or_default()
                );
                latencies.push(t0.elapsed());
            }
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(events);
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let stored = bench
        .services
        .events()
        .list(None, events as i64 + 10)
        .await
        .unwrap()
        .len();
    println!(
        "webhook intake ({}): {events} signed events, concurrency {concurrency}: {:.0} events/s, ack p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; stored durably: {stored}/{events}",
        bench.services.store.backend_name(),
        events as f64 / elapsed.as_secs_f64(),
        common::quantile_ms(&latencies, 0.50),
        common::quantile_ms(&latencies, 0.99),
        common::quantile_ms(&latencies, 1.0),
    );
    assert_eq!(stored, events, "every acknowledged event is stored");
}

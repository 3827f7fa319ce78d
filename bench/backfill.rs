//! Backfill against Zoom's rate-limit floor: a generated account (default 20 hosts, 10,000
//! meetings, 2,000 recordings over 14 months) behind the simulator's rate limits (Zoom's
//! Business plan: Light 80/s, Medium 60/s per account). Prints the time the backfill took, the
//! requests it made per category, the floor those requests force (the busier category's
//! requests ÷ its allowed rate; the categories are budgeted apart), and the ratio.
//!
//! `cargo bench --bench backfill`. Knobs: `BENCH_HOSTS` (20), `BENCH_MEETINGS_PER_HOST` (500),
//! `BENCH_RECORDINGS_PER_HOST` (100), `BENCH_PACE` (1.0: Marquee's configured pace as a share
//! of the allowed rate; the bench's Marquee is the account's only app, and the pacer never
//! exceeds its rate, so the run must show zero 429s; below 1.0 the ratio cannot drop under
//! 1 / pace). It also prints when Zoom saw the last call, so the time Marquee spends after it
//! (storing, clean-up) is visible.

#[path = "common.rs"]
mod common;

use std::time::{Duration, Instant};

use marquee::domain::{Principal, ScopeSet};
use marquee::service::connect::{CallbackBrowser, CallbackParams, Completed};
use marquee_zoom_sim::{self as simulator, RateLimits, SeedOptions, SimConfig};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
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

/// Every `/v2` call the simulator served so far.
async fn api_calls(http: &reqwest::Client, sim_url: &str) -> u64 {
    let stats: serde_json::Value = http
        .get(format!("{sim_url}/_sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["endpoints"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(route, _)| route.contains(" /v2"))
        .filter_map(|(_, n)| n.as_u64())
        .sum()
}

async fn run() {
    let hosts: usize = env_or("BENCH_HOSTS", 20);
    let per_host: usize = env_or("BENCH_MEETINGS_PER_HOST", 500);
    let recordings: usize = env_or("BENCH_RECORDINGS_PER_HOST", 100);
    let pace: f64 = env_or("BENCH_PACE", 1.0);
    let limits = RateLimits::default();
    let (light_rate, medium_rate) = (
        f64::from(limits.business.light),
        f64::from(limits.business.medium),
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let marquee_url = format!("http://{}", listener.local_addr().unwrap());
    let mut sim_config = SimConfig::new(
        common::CLIENT_ID,
        common::CLIENT_SECRET,
        common::WEBHOOK_SECRET,
    );
    sim_config.redirect_uris = vec![format!("{marquee_url}/oauth/zoom/callback")];
    sim_config.seed = Some(SeedOptions {
        seed: 11,
        hosts,
        meetings_per_host: per_host,
        recordings_per_host: recordings,
        months_of_recordings: 14,
    });
    sim_config.rate_limits = limits.clone();
    let seeding = Instant::now();
    let sim = simulator::start(sim_config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    eprintln!(
        "simulator seeded in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let bench = common::start(
        listener,
        sim.url(),
        &[
            ("MARQUEE_ZOOM_RATE_LIGHT", (light_rate * pace).to_string()),
            ("MARQUEE_ZOOM_RATE_MEDIUM", (medium_rate * pace).to_string()),
            ("MARQUEE_RECORDINGS_HORIZON_MONTHS", "15".to_owned()),
            ("MARQUEE_SYNC_CONCURRENCY", "8".to_owned()),
        ],
    )
    .await;
    let s = &bench.services;
    let tenant = s.tenants().create("bench", "Bench", &[]).await.unwrap();
    let principal = Principal::ApiKey {
        tenant_id: tenant.id.clone(),
        key_id: "bench".into(),
        scopes: ScopeSet::all(),
    };
    let authorize = s.connect().start(&principal).await.unwrap();
    let mut form: Vec<(String, String)> = url::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    form.push(("decision".into(), "allow".into()));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = http
        .post(format!("{}/oauth/authorize", sim.url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let query: std::collections::HashMap<String, String> = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    http.post(format!("{}/_sim/stats/reset", sim.url()))
        .send()
        .await
        .unwrap();
    let started = Instant::now();
    // The callback starts the backfill (and carries on in the background after 10 s).
    let completed = s
        .connect()
        .complete(
            CallbackParams {
                code: query.get("code").cloned(),
                state: query.get("state").cloned(),
                error: None,
            },
            CallbackBrowser::default(),
        )
        .await
        .unwrap();
    assert!(
        matches!(completed, Ok(Completed::Connected(_))),
        "connected"
    );
    let mut last_report = Instant::now();
    // When the simulator last saw a new API call: the rest of the run is Marquee's own work.
    let (mut served, mut last_call_at) = (0u64, started.elapsed());
    let status = loop {
        let st = s.sync().status_of(&tenant.id).await.unwrap();
        let now_served = api_calls(&http, sim.url()).await;
        if now_served != served {
            (served, last_call_at) = (now_served, started.elapsed());
        }
        if st.last_finished_at.is_some() {
            break st;
        }
        if let Some(job) = st
            .current_job
            .as_ref()
            .filter(|_| last_report.elapsed().as_secs() >= 10)
        {
            eprintln!(
                "… {:.0} s: {}/{} steps ({}), {served} Zoom calls",
                started.elapsed().as_secs_f64(),
                job.done,
                job.total,
                job.note
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let elapsed = match (status.last_started_at, status.last_finished_at) {
        (Some(a), Some(b)) => (b - a).to_std().unwrap_or_default(),
        _ => started.elapsed(),
    };
    assert_eq!(
        status.last_result.as_deref(),
        Some("ok"),
        "{:?}",
        status.last_error
    );
    let stats: serde_json::Value = http
        .get(format!("{}/_sim/stats", sim.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (mut light, mut medium) = (0u64, 0u64);
    for (route, count) in stats["endpoints"].as_object().unwrap() {
        let n = count.as_u64().unwrap_or(0);
        let Some(path) = route.strip_prefix("GET /v2") else {
            continue;
        };
        // docs/zoom.md §5.1: lists are Medium, single reads Light.
        let is_list = path == "/users"
            || (path.starts_with("/users/{userId}/") && !path.ends_with("/users/me"));
        if is_list {
            medium += n;
        } else {
            light += n;
        }
    }
    let floor = (light as f64 / light_rate).max(medium as f64 / medium_rate);
    eprintln!(
        "Zoom's last call came {:.1} s after the start; Marquee finished {:.1} s after it",
        last_call_at.as_secs_f64(),
        (started.elapsed() - last_call_at).as_secs_f64()
    );
    println!(
        "backfill: {} meetings, {} webinars, {} recordings in {:.1} s; requests: {light} Light + {medium} Medium (Zoom answered 429 {} times); floor {:.1} s (max of {light}/{light_rate} and {medium}/{medium_rate}); ratio {:.2}",
        status.meetings,
        status.webinars,
        status.recordings,
        elapsed.as_secs_f64(),
        stats["rate_limited"],
        floor,
        elapsed.as_secs_f64() / floor.max(f64::EPSILON),
    );
}

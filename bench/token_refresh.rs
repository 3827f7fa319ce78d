//! Token benchmark (issue 4): how fast a warm access token is handed out, and how long 500
//! concurrent callers wait when the token has expired (one refresh for all of them), also with
//! two instances on one database. Runs against the in-process Zoom simulator on loopback.
//!
//!     cargo bench --bench token_refresh                      # SQLite
//!     MARQUEE_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench token_refresh

use std::collections::HashMap;
use std::time::{Duration, Instant};

use marquee::app::App;
use marquee::config::Config;
use marquee::crypto::KeyRing;
use marquee::domain::{Principal, ScopeSet, TenantId};
use marquee::service::Services;
use marquee::service::connect::{CallbackBrowser, CallbackParams};
use marquee_zoom_sim::{self as simulator, RateLimits, SimConfig};

const WARM_CALLS: usize = 20_000;
const WAITERS: usize = 500;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn instance(vars: &HashMap<String, String>) -> Services {
    App::build(Config::from_vars(vars).unwrap())
        .await
        .unwrap()
        .services
}

/// Connects `slug` through the real OAuth flow against the simulator.
async fn connect(s: &Services, http: &reqwest::Client, sim_url: &str, slug: &str) -> TenantId {
    let tenant = s.tenants().create(slug, slug, &[]).await.unwrap();
    let principal = Principal::ApiKey {
        tenant_id: tenant.id.clone(),
        key_id: "bench".into(),
        scopes: ScopeSet::all(),
    };
    let authorize = s.connect().start(&principal).await.unwrap();
    let mut form: Vec<(String, String)> = url::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    form.push(("decision".into(), "allow".into()));
    let resp = http
        .post(format!("{sim_url}/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let callback = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let q: HashMap<String, String> = callback.query_pairs().into_owned().collect();
    let params = CallbackParams {
        code: q.get("code").cloned(),
        state: q.get("state").cloned(),
        error: None,
    };
    s.connect()
        .complete(params, CallbackBrowser::default())
        .await
        .unwrap()
        .unwrap();
    tenant.id
}

async fn refreshes(http: &reqwest::Client, sim_url: &str) -> u64 {
    let stats: serde_json::Value = http
        .get(format!("{sim_url}/_sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["grants"]["refresh_token"].as_u64().unwrap_or(0)
}

/// `WAITERS` concurrent callers spread over `instances`; returns (wall time, refreshes caused).
async fn fan_in(
    instances: &[Services],
    tenant: &TenantId,
    http: &reqwest::Client,
    sim_url: &str,
) -> (Duration, u64) {
    instances[0]
        .store
        .execute_raw("UPDATE zoom_grants SET access_expires_at = '2000-01-01 00:00:00'")
        .await
        .unwrap();
    let before = refreshes(http, sim_url).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..WAITERS)
        .map(|i| {
            let s = instances[i % instances.len()].clone();
            let t = tenant.clone();
            tokio::spawn(async move { s.tokens().access_token(&t).await.is_ok() })
        })
        .collect();
    let ok = futures::future::join_all(tasks)
        .await
        .into_iter()
        .filter(|r| matches!(r, Ok(true)))
        .count();
    let took = started.elapsed();
    assert_eq!(ok, WAITERS, "every waiter got a token");
    (took, refreshes(http, sim_url).await - before)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = std::env::temp_dir().join(format!("marquee-bench-{}", uuid::Uuid::new_v4().simple()));
    let pg = std::env::var("MARQUEE_BENCH_PG_URL").ok();
    let (backend, database_url) = match &pg {
        Some(server) => {
            let name = format!("mq_bench_{}", uuid::Uuid::new_v4().simple());
            let admin = marquee::store::Store::connect(&marquee::config::DatabaseUrl::Postgres(
                server.clone(),
            ))
            .await
            .unwrap();
            admin
                .execute_raw(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            let mut url = url::Url::parse(server).unwrap();
            url.set_path(&format!("/{name}"));
            ("postgres", url.to_string())
        }
        None => ("sqlite", format!("sqlite://{}/bench.db", dir.display())),
    };
    let public_url = "http://127.0.0.1:9".to_owned();
    let mut sim_config = SimConfig::new("bench-client", "bench-secret", "bench-webhook");
    sim_config.redirect_uris = vec![format!("{public_url}/oauth/zoom/callback")];
    sim_config.rate_limits = RateLimits::off();
    let sim = simulator::start(sim_config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let created: serde_json::Value = http
        .post(format!("{}/_sim/users", sim.url()))
        .json(&serde_json::json!({"email": "bench@example.com", "first_name": "Bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(created["id"].is_string());
    let vars: HashMap<String, String> = [
        ("MARQUEE_DATABASE_URL", database_url.as_str()),
        ("MARQUEE_PUBLIC_URL", public_url.as_str()),
        ("MARQUEE_PLATFORM_KEY", "bench-platform-key-0123456789"),
        ("MARQUEE_ZOOM_CLIENT_ID", "bench-client"),
        ("MARQUEE_ZOOM_CLIENT_SECRET", "bench-secret"),
        ("MARQUEE_ZOOM_WEBHOOK_SECRET", "bench-webhook"),
        ("MARQUEE_ZOOM_OAUTH_URL", sim.url()),
        ("MARQUEE_ZOOM_API_URL", &sim.api_url()),
        ("MARQUEE_ENCRYPTION_KEYS", &KeyRing::generate_spec("bench")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let a = instance(&vars).await;
    let tenant = connect(&a, &http, sim.url(), "bench").await;

    // Warm path: valid token, one indexed read + one AES-GCM open per call.
    let mut samples = Vec::with_capacity(WARM_CALLS);
    for _ in 0..WARM_CALLS {
        let started = Instant::now();
        a.tokens().access_token(&tenant).await.unwrap();
        samples.push(started.elapsed());
    }
    samples.sort();
    let total: Duration = samples.iter().sum();
    println!("backend: {backend}");
    println!(
        "warm token: {WARM_CALLS} sequential calls, mean {:.1} µs, p50 {:.1} µs, p99 {:.1} µs",
        total.as_secs_f64() * 1e6 / WARM_CALLS as f64,
        percentile(&samples, 0.50).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6,
    );

    let one = [a.clone()];
    let (took, n) = fan_in(&one, &tenant, &http, sim.url()).await;
    println!(
        "fan-in, 1 instance: {WAITERS} waiters on an expired token served in {:.1} ms with {n} refresh(es)",
        took.as_secs_f64() * 1e3
    );

    let b = instance(&vars).await;
    let two = [a, b];
    let (took, n) = fan_in(&two, &tenant, &http, sim.url()).await;
    println!(
        "fan-in, 2 instances on one {backend} database: {WAITERS} waiters in {:.1} ms with {n} refresh(es)",
        took.as_secs_f64() * 1e3
    );

    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
    if let Some(server) = pg {
        let name = database_url
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        drop(two);
        let admin = marquee::store::Store::connect(&marquee::config::DatabaseUrl::Postgres(server))
            .await
            .unwrap();
        let _ = admin
            .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
    }
}

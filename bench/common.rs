//! What both benchmarks share: a Marquee on a fresh database, configured like the tests.
// Each benchmark uses part of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::TcpListener;

use marquee::app::App;
use marquee::config::Config;
use marquee::crypto::KeyRing;
use marquee::service::Services;
use tokio::sync::oneshot;

pub const CLIENT_ID: &str = "benchClientId";
pub const CLIENT_SECRET: &str = "bench_client_secret";
pub const WEBHOOK_SECRET: &str = "bench_webhook_secret";

/// `cargo bench` passes `--bench`; `cargo test --all-targets` runs bench targets too, without
/// it, and must not spend minutes on a debug-build benchmark.
pub fn run_as_benchmark() -> bool {
    let bench = std::env::args().any(|a| a == "--bench");
    if !bench {
        println!("skipped: run with `cargo bench --bench <name>`");
    }
    bench
}

/// A Marquee serving on loopback; stops when dropped.
pub struct Bench {
    pub url: String,
    pub services: Services,
    _stop: oneshot::Sender<()>,
    _dir: TempDir,
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Database: `MARQUEE_BENCH_DATABASE_URL` if set (e.g. a PostgreSQL database), else a fresh
/// SQLite file. `extra` overrides variables.
pub async fn start(listener: TcpListener, zoom_base: &str, extra: &[(&str, String)]) -> Bench {
    let url = format!("http://{}", listener.local_addr().unwrap());
    let dir = std::env::temp_dir().join(format!("marquee-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let database_url = std::env::var("MARQUEE_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.display()));
    let mut vars: HashMap<String, String> = [
        ("MARQUEE_DATABASE_URL", database_url),
        ("MARQUEE_PUBLIC_URL", url.clone()),
        (
            "MARQUEE_PLATFORM_KEY",
            "bench-platform-key-0123456789".to_owned(),
        ),
        ("MARQUEE_ZOOM_CLIENT_ID", CLIENT_ID.to_owned()),
        ("MARQUEE_ZOOM_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ("MARQUEE_ZOOM_WEBHOOK_SECRET", WEBHOOK_SECRET.to_owned()),
        ("MARQUEE_ZOOM_OAUTH_URL", zoom_base.to_owned()),
        ("MARQUEE_ZOOM_API_URL", format!("{zoom_base}/v2")),
        ("MARQUEE_ENCRYPTION_KEYS", KeyRing::generate_spec("bench1")),
        ("MARQUEE_MAX_BODY_BYTES", "1048576".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), v.clone());
    }
    let app = App::build(Config::from_vars(&vars).unwrap()).await.unwrap();
    let services = app.services.clone();
    let (tx, rx) = oneshot::channel::<()>();
    let (_, serving) = app
        .serve_on(listener, async {
            let _ = rx.await;
        })
        .unwrap();
    tokio::spawn(serving);
    Bench {
        url,
        services,
        _stop: tx,
        _dir: TempDir(dir),
    }
}

/// The `q`-quantile of sorted durations, in milliseconds.
pub fn quantile_ms(sorted: &[std::time::Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

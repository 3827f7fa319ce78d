//! A faithful local Zoom: OAuth (zoom.us), the REST API (api.zoom.us/v2), signed webhooks, rate
//! limits, a seeded world and a control API, all on one loopback port.
//!
//! `../shared/zoom/reference.md` is the source of truth; each behaviour cites its section (§7 is
//! the fidelity checklist). Tests start it in-process with [`start`] on `127.0.0.1:0`;
//! `marquee dev` and `marquee zoom-sim` start it the same way. What it covers and what it does not:
//! `docs/simulator.md`.
//!
//! Layout: [`state`] holds the in-memory world behind one mutex; [`http`] is the request pipeline
//! shared by every route (stats, faults, API auth, rate limits, `x-zm-trackingid`); [`oauth`],
//! [`api`] and [`control`] are the three route groups; [`webhooks`] delivers events from a
//! background task; [`seed`] builds deterministic demo worlds.

// Handlers return `Result<Response, Response>`: an error *is* a finished HTTP response here, and
// boxing every one would only add noise to a test double.
#![allow(clippy::result_large_err)]

mod api;
mod control;
mod faults;
mod http;
mod model;
mod oauth;
mod pages;
mod rate_limit;
mod recurrence;
mod seed;
mod state;
mod stats;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use rate_limit::{PlanRates, RateLimits};

/// The admin-managed "minimal set" of granular scopes (reference §1.9) granted by default.
pub const DEFAULT_SCOPES: &[&str] = &[
    "user:read:user:admin",
    "user:read:list_users:admin",
    "meeting:read:list_meetings:admin",
    "meeting:read:meeting:admin",
    "meeting:write:meeting:admin",
    "meeting:update:meeting:admin",
    "meeting:delete:meeting:admin",
    "meeting:write:registrant:admin",
    "meeting:read:list_registrants:admin",
    "meeting:read:registrant:admin",
    "meeting:read:list_registration_questions:admin",
    "cloud_recording:read:list_user_recordings:admin",
    "cloud_recording:read:list_recording_files:admin",
    "webinar:read:list_webinars:admin",
    "webinar:read:webinar:admin",
    "webinar:write:registrant:admin",
    "webinar:read:list_registrants:admin",
    "marketplace:write:app_deeplink:admin",
];

/// Everything the simulator needs to start. Build it with [`SimConfig::new`] and adjust fields.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub client_id: String,
    pub client_secret: String,
    pub webhook_secret: String,
    /// Exact redirect URIs Zoom would accept (the app's OAuth allow list, reference §1.1/§1.2).
    pub redirect_uris: Vec<String>,
    /// Where events are POSTed; None = don't send webhooks.
    pub webhook_url: Option<String>,
    /// GET /oauth/authorize redirects at once as the signed-in user, without the consent page.
    pub auto_consent: bool,
    /// Seconds an access token lives (reference §1.3: Zoom answers 3599).
    pub access_token_ttl_secs: i64,
    /// Divides Zoom's real delays (webhook retry schedule 5/20/60 min, 72 h revalidation) for tests.
    pub time_scale: f64,
    /// None = empty world (create users through the control API).
    pub seed: Option<SeedOptions>,
    /// Per-account per-category rates (reference §5); default = Zoom's plan table.
    pub rate_limits: RateLimits,
    /// Scopes granted to every token (the app's configured scopes, reference §1.9).
    pub scopes: Vec<String>,
    /// Redirect after consent without `state`, like a Marketplace-initiated install (§1.2, §6.1).
    pub marketplace_mode: bool,
    /// Shown on the consent page.
    pub app_name: String,
}

impl SimConfig {
    /// Defaults: no redirect URIs, no webhooks, consent page on, 3599 s tokens, real time,
    /// empty world, Zoom's plan rate limits, the admin minimal scope set.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        webhook_secret: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            webhook_secret: webhook_secret.into(),
            redirect_uris: Vec::new(),
            webhook_url: None,
            auto_consent: false,
            access_token_ttl_secs: 3599,
            time_scale: 1.0,
            seed: None,
            rate_limits: RateLimits::default(),
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
            marketplace_mode: false,
            app_name: "Marquee".into(),
        }
    }
}

/// What the seed generator builds. The same options (and the same UTC day) give the same world.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedOptions {
    pub seed: u64,
    pub hosts: usize,
    pub meetings_per_host: usize,
    pub recordings_per_host: usize,
    pub months_of_recordings: u32,
}

impl SeedOptions {
    /// One business account, two hosts, a dozen upcoming meetings (one recurring, one with
    /// registration, one topic with `<script>` and unicode) and a few recordings.
    pub fn demo() -> Self {
        Self {
            seed: 42,
            hosts: 2,
            meetings_per_host: 6,
            recordings_per_host: 3,
            months_of_recordings: 3,
        }
    }
}

impl Default for SeedOptions {
    /// A realistic large account: 4 hosts, 120 meetings and 60 recordings each over 18 months.
    fn default() -> Self {
        Self {
            seed: 1,
            hosts: 4,
            meetings_per_host: 120,
            recordings_per_host: 60,
            months_of_recordings: 18,
        }
    }
}

/// A simulator serving on a loopback port. Dropping it stops the server too.
pub struct RunningSimulator {
    url: String,
    shutdown_tx: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    sim: Arc<state::Sim>,
}

impl RunningSimulator {
    /// e.g. `http://127.0.0.1:41234`, no trailing slash. Serves `/oauth/*`, `/v2/*` and `/_sim/*`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `url() + "/v2"`: what Marquee uses as `ZOOM_API_URL`.
    pub fn api_url(&self) -> String {
        format!("{}/v2", self.url)
    }

    /// The Zoom user currently "signed in" on the simulated zoom.us (the one who consents).
    pub fn signed_in_user_id(&self) -> Option<String> {
        self.sim.world().session_user.clone()
    }

    /// Stops accepting connections, waits up to one second for in-flight requests, and stops
    /// webhook delivery.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(3), server).await;
        }
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(());
        }
        self.sim.webhooks.close();
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Binds `bind` (use `127.0.0.1:0` for tests), seeds the world and serves until shutdown.
pub async fn start(config: SimConfig, bind: SocketAddr) -> anyhow::Result<RunningSimulator> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let mut local = listener.local_addr()?;
    if local.ip().is_unspecified() {
        local.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("http://{local}");
    let sim = state::Sim::new(config, url.clone())?;
    webhooks::spawn_dispatcher(&sim);
    let app = http::router(&sim);
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let acceptor = http::KillableAcceptor::new(listener, sim.conns.clone());
    let server = tokio::spawn(async move {
        let signal = async {
            let _ = shutdown_rx.await;
        };
        let result = poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, signal, Some(Duration::from_secs(1)))
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "zoom simulator server stopped with an error");
        }
    });
    tracing::info!(%url, "zoom simulator listening");
    Ok(RunningSimulator {
        url,
        shutdown_tx: Some(shutdown_tx),
        server: Some(server),
        sim,
    })
}

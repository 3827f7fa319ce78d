//! The running simulator's shared handle, one `Arc<Sim>` for every request handler and the
//! webhook tasks: the app's configuration, the [`World`] behind its mutex, the clock (real time
//! plus whatever the control API added), call statistics, armed faults, the webhook outbox,
//! live connections, and the HTTP client webhooks go out with.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};

use crate::config::SimConfig;
use crate::conns::ConnRegistry;
use crate::events::Event;
use crate::faults::Faults;
use crate::outbox::Outbox;
use crate::stats::Stats;
use crate::world::World;

/// Everything shared by the request handlers and the webhook task.
pub(crate) struct Sim {
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
    pub webhook_secret: String,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub app_name: String,
    pub time_scale: f64,
    world: Mutex<World>,
    stats: Mutex<Stats>,
    faults: Mutex<Faults>,
    pub webhooks: Outbox,
    pub conns: ConnRegistry,
    clock_offset_ms: AtomicI64,
    pub http: reqwest::Client,
}

impl Sim {
    /// Wraps `world` (already seeded) with the app settings of `config`, serving at `url`.
    pub(crate) fn new(config: SimConfig, url: String, world: World) -> anyhow::Result<Arc<Sim>> {
        anyhow::ensure!(
            config.time_scale.is_finite() && config.time_scale > 0.0,
            "time_scale must be a positive number"
        );
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(3)) // Zoom's 3 s budget (docs/zoom.md §2.4)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Arc::new(Sim {
            url,
            client_id: config.client_id,
            client_secret: config.client_secret,
            webhook_secret: config.webhook_secret,
            redirect_uris: config.redirect_uris,
            scopes: config.scopes,
            app_name: config.app_name,
            time_scale: config.time_scale,
            world: Mutex::new(world),
            stats: Mutex::new(Stats::default()),
            faults: Mutex::new(Faults::default()),
            webhooks: Outbox::new(),
            conns: ConnRegistry::default(),
            clock_offset_ms: AtomicI64::new(0),
            http,
        }))
    }

    /// The simulator's clock: real time plus whatever `POST /_sim/clock/advance` added.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.clock_offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the simulator's clock forward by `secs`.
    pub(crate) fn advance_clock(&self, secs: i64) {
        self.clock_offset_ms
            .fetch_add(secs.saturating_mul(1000), Ordering::Relaxed);
    }

    /// Locks the world; never hold this across an `.await` or while locking stats/faults.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the call statistics.
    pub(crate) fn stats(&self) -> MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the armed faults.
    pub(crate) fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A Zoom real-time delay (in seconds) divided by the configured time scale.
    pub(crate) fn scaled(&self, real_secs: f64) -> std::time::Duration {
        std::time::Duration::from_secs_f64((real_secs / self.time_scale).max(0.001))
    }

    /// Queues an event; never blocks (a full queue counts as `not_sent`). Safe to call while
    /// holding the world lock (it only takes the stats lock, which never precedes the world's).
    pub(crate) fn emit(&self, event: Event) {
        let mut stats = self.stats();
        *stats.webhooks.events.entry(event.name.clone()).or_default() += 1;
        if !self.webhooks.try_send(event) {
            stats.webhooks.not_sent += 1;
        }
    }
}

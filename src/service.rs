//! Use cases: each public method is one thing a caller can do, combining storage, Zoom and
//! crypto. Services know nothing about HTTP; they return [`ServiceError`], which the HTTP layer
//! maps to status codes in one place (`http::error`).
//!
//! [`Services`] is the container (cloned into handlers, jobs and the CLI). Its use cases are
//! grouped by area, each behind a borrowed facade defined in the file of the same name, so a
//! call names where it lives: `s.public().site_with(..)` is in `service/public.rs`. A facade
//! holds references to just the container fields its area uses, and the facades of the areas
//! it builds on, so the dependencies between areas show in the types:
//!
//! | call                | file               | builds on                                  |
//! |---------------------|--------------------|--------------------------------------------|
//! | `s.destinations()`  | `destinations.rs`  |                                            |
//! | `s.access()`        | `access.rs`        | destinations                               |
//! | `s.tenants()`       | `tenants.rs`       | destinations                               |
//! | `s.tokens()`        | `tokens.rs`        | the public cache (a dead grant stales it)  |
//! | `s.idempotency()`   | `idempotency.rs`   |                                            |
//! | `s.meetings()`      | `meetings.rs`      | tokens                                     |
//! | `s.key_rotation()`  | `key_rotation.rs`  |                                            |
//! | `s.webhooks()`      | `webhooks.rs`      |                                            |
//! | `s.outbound()`      | `outbound.rs`      | (delivery: `outbound/delivery.rs`)         |
//! | `s.settings()`      | `settings.rs`      | tenants                                    |
//! | `s.snippets()`      | `snippets.rs`      | tenants, settings                          |
//! | `s.disconnect()`    | `disconnect.rs`    | tokens                                     |
//! | `s.zoom_calls()`    | `sync/calls.rs`    | tokens                                     |
//! | `s.public()`        | `public.rs`        | registrations (in the background)          |
//! | `s.registrations()` | `registration.rs`  | tokens, public                             |
//! | `s.sync()`          | `sync.rs`          | tokens, meetings, sync jobs (background)   |
//! | `s.sync_jobs()`     | `sync/jobs.rs`     | tokens, Zoom calls, sync                   |
//! | `s.connect()`       | `connect.rs`       | tokens, sync                               |
//! | `s.install()`       | `install.rs`       | tokens, sync                               |
//! | `s.upkeep()`        | `upkeep.rs`        | tokens, disconnect, idempotency            |
//! | `s.health()`        | `health.rs`        |                                            |
//! | `s.events()`        | `events.rs`        | Zoom calls, disconnect, registrations      |
//! | `s.workers()`       | `workers.rs`       | events, outbound, sync jobs, upkeep        |
//!
//! "In the background" is work a facade spawns through `Background`, on its own copy of the
//! container. Conversions from Zoom's payloads to stored records are in `zoom_records.rs`.

use std::future::Future;
use std::sync::Arc;

use chrono::TimeDelta;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::crypto::KeyRing;
use crate::store::Store;
use crate::zoom::ZoomClient;

pub mod access;
pub mod connect;
pub mod destinations;
pub mod disconnect;
pub mod error;
pub mod events;
pub mod health;
pub mod idempotency;
pub mod install;
pub mod key_rotation;
pub mod meetings;
pub mod outbound;
pub mod paging;
pub mod public;
pub mod registration;
pub mod settings;
pub mod snippets;
pub mod sync;
pub mod tenants;
pub mod tokens;
pub mod upkeep;
pub mod webhooks;
pub mod workers;
pub mod zoom_app;
pub mod zoom_budget;
pub mod zoom_records;

pub use error::ServiceError;

/// Lifetimes of the credentials Marquee hands out.
pub const ADMIN_LINK_TTL: TimeDelta = TimeDelta::minutes(15);
pub const ADMIN_SESSION_TTL: TimeDelta = TimeDelta::hours(12);
pub const OAUTH_STATE_TTL: TimeDelta = TimeDelta::minutes(10);

/// Everything a use case may need. Cheap to clone; shared by HTTP handlers, jobs and the CLI.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub zoom: ZoomClient,
    keys: KeyRing,
    config: Arc<Config>,
    refresh_locks: tokens::RefreshLocks,
    /// Per-Zoom-account request pacing shared by every job and webhook of this instance.
    budgets: zoom_budget::ZoomBudgets,
    /// This instance's name in job leases.
    instance_id: String,
    wakeups: workers::Wakeups,
    /// Webhook intake's group committer (one per instance, shared by clones).
    intake: webhooks::group_commit::IntakeQueue,
    /// The public face's per-instance caches (pages are read through `s.public()`).
    public: public::PublicCache,
    limits: registration::RegistrationLimits,
    /// The HTTP client of outbound events (no redirects, public addresses only).
    event_client: outbound::EventClient,
    /// The clock Zoom App contexts expire by (pinned in tests).
    app_clock: zoom_app::AppClock,
}

impl Services {
    pub fn new(config: Arc<Config>, store: Store) -> Self {
        let budgets = zoom_budget::ZoomBudgets::new(
            config.sync.light_per_second,
            config.sync.medium_per_second,
        );
        Self {
            zoom: ZoomClient::new(config.zoom.clone()),
            keys: config.keys.clone(),
            limits: registration::RegistrationLimits::new(&config.registration_limits),
            event_client: outbound::EventClient::new(&config.events),
            store,
            config,
            refresh_locks: tokens::RefreshLocks::default(),
            budgets,
            instance_id: format!("marquee-{}", uuid::Uuid::new_v4().simple()),
            wakeups: workers::Wakeups::default(),
            intake: Default::default(),
            public: public::PublicCache::default(),
            app_clock: zoom_app::AppClock::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn background(&self) -> Background<'_> {
        Background(self)
    }
}

/// Starts work that outlives the call starting it. A spawned task needs its own copy of the
/// container (cheap: handles and `Arc`s), from which it builds the one area it works in.
#[derive(Clone, Copy)]
pub(crate) struct Background<'a>(&'a Services);

impl<'a> Background<'a> {
    /// The services themselves, for work a caller waits for.
    pub(crate) fn services(self) -> &'a Services {
        self.0
    }

    pub(crate) fn spawn<F, Fut>(self, work: F) -> JoinHandle<Fut::Output>
    where
        F: FnOnce(Services) -> Fut,
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        tokio::spawn(work(self.0.clone()))
    }
}

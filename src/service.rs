//! Use cases: each public method is one thing a caller can do, combining storage, Zoom and
//! crypto. Services know nothing about HTTP; they return [`ServiceError`], which the HTTP layer
//! maps to status codes in one place (`http::error`).

use std::sync::Arc;

use chrono::TimeDelta;

use crate::config::Config;
use crate::crypto::KeyRing;
use crate::store::Store;
use crate::zoom::ZoomClient;

pub mod access;
pub mod connect;
pub mod disconnect;
pub mod error;
pub mod events;
pub mod install;
pub mod meetings;
pub mod public;
pub mod registration;
pub mod settings;
pub mod sync;
pub mod tenants;
pub mod tokens;
pub mod upkeep;
pub mod webhooks;
pub mod workers;
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
    pub(crate) keys: KeyRing,
    pub(crate) config: Arc<Config>,
    refresh_locks: tokens::RefreshLocks,
    /// Per-Zoom-account request pacing shared by every job and webhook of this instance.
    pub(crate) budgets: zoom_budget::ZoomBudgets,
    /// This instance's name in job leases.
    pub(crate) instance_id: String,
    wakeups: workers::Wakeups,
    /// The public face's per-instance caches.
    pub(crate) public: public::PublicCache,
    limits: registration::RegistrationLimits,
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
            store,
            config,
            refresh_locks: tokens::RefreshLocks::default(),
            budgets,
            instance_id: format!("marquee-{}", uuid::Uuid::new_v4().simple()),
            wakeups: workers::Wakeups::default(),
            public: public::PublicCache::default(),
            limits: registration::RegistrationLimits::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Visible data changed through this instance (sync, webhook, disconnect): its public
    /// caches show the change at once; other instances notice the new content version within
    /// `public::SITE_TTL`.
    pub(crate) fn content_changed(&self) {
        self.public.forget_all_sites();
    }
}

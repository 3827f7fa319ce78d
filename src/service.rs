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
pub mod meetings;
pub mod public;
pub mod registration;
pub mod settings;
pub mod sync;
pub mod tenants;
pub mod tokens;

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
    /// The public face's per-instance caches.
    pub(crate) public: public::PublicCache,
    limits: registration::RegistrationLimits,
}

impl Services {
    pub fn new(config: Arc<Config>, store: Store) -> Self {
        Self {
            zoom: ZoomClient::new(config.zoom.clone()),
            keys: config.keys.clone(),
            store,
            config,
            refresh_locks: tokens::RefreshLocks::default(),
            public: public::PublicCache::default(),
            limits: registration::RegistrationLimits::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}

//! The simulated Zoom world in memory, at the bottom of the crate: accounts, users,
//! meetings/webinars with registrants, recordings, OAuth codes and tokens, paging cursors and
//! limit counters, plus the settings the control API flips. It imports nothing else of the
//! crate: operations change it, the HTTP layer reads it, and one mutex in [`crate::sim::Sim`]
//! guards it all (it is a fake Zoom, not a database).

mod accounts;
mod grants;
mod meetings;
pub(crate) mod rate_limit;
mod recordings;
pub(crate) mod recurrence;
pub(crate) mod rng;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

pub(crate) use accounts::{Account, Plan, Role, User};
pub(crate) use grants::{AccessToken, AuthCode, PageCursor, RefreshToken};
pub(crate) use meetings::{Meeting, Occurrence, Registrant};
use rate_limit::{Limiter, RateLimits};
pub(crate) use recordings::{Recording, RecordingFile, RecordingStatus};
use rng::Rng;

/// Settings the control API can flip at run time (`PUT /_sim/config`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub auto_consent: bool,
    pub marketplace_mode: bool,
    pub webhook_url: Option<String>,
    /// Deliver every event twice.
    pub duplicate: bool,
    /// Deliver events pairwise swapped.
    pub out_of_order: bool,
    pub rate_limits: RateLimits,
    pub access_token_ttl_secs: i64,
}

/// Everything Zoom would store, in one place.
pub(crate) struct World {
    pub settings: Settings,
    pub accounts: BTreeMap<String, Account>,
    /// In creation order; the first is the default signed-in user.
    pub users: Vec<User>,
    pub meetings: BTreeMap<i64, Meeting>,
    pub recordings: Vec<Recording>,
    pub session_user: Option<String>,
    pub codes: HashMap<String, AuthCode>,
    pub access_tokens: HashMap<String, AccessToken>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub page_tokens: HashMap<String, PageCursor>,
    /// Deeplink `action`s waiting to show up as `act` in the user's next app context
    /// (docs/zoom.md §7.9).
    pub pending_actions: HashMap<String, String>,
    pub limiter: Limiter,
    pub rng: Rng,
}

impl World {
    /// An empty world with these settings and this RNG.
    pub(crate) fn new(settings: Settings, rng: Rng) -> Self {
        Self {
            settings,
            accounts: BTreeMap::new(),
            users: Vec::new(),
            meetings: BTreeMap::new(),
            recordings: Vec::new(),
            session_user: None,
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            page_tokens: HashMap::new(),
            pending_actions: HashMap::new(),
            limiter: Limiter::default(),
            rng,
        }
    }

    /// The user with this ID.
    pub(crate) fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// A `userId` path value: an ID, an e-mail (case-insensitive) or `me` (docs/zoom.md §1.8).
    pub(crate) fn resolve_user(&self, key: &str, me: &str) -> Option<&User> {
        let key = if key == "me" { me } else { key };
        self.users
            .iter()
            .find(|u| u.id == key || u.email.eq_ignore_ascii_case(key))
    }

    /// The account a user belongs to (every user has one).
    pub(crate) fn account_of(&self, user: &User) -> &Account {
        &self.accounts[&user.account_id]
    }

    /// The account of a meeting's host; empty when the host is gone.
    pub(crate) fn host_account_id(&self, host_id: &str) -> String {
        self.user(host_id)
            .map(|u| u.account_id.clone())
            .unwrap_or_default()
    }

    /// A fresh 11-digit meeting ID above 2^31 (docs/zoom.md §4.1).
    pub(crate) fn new_meeting_id(&mut self) -> i64 {
        loop {
            let id = 81_000_000_000 + (self.rng.next() % 18_000_000_000) as i64;
            if !self.meetings.contains_key(&id) {
                return id;
            }
        }
    }

    /// A per-instance UUID like `aDYlohsHRtCd4ii1uC2+hA==` (standard base64 of 16 bytes).
    pub(crate) fn new_uuid(&mut self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.rng.bytes::<16>())
    }

    /// A 22-character Zoom-style ID (user, account, registrant).
    pub(crate) fn new_id(&mut self) -> String {
        self.rng.token(22)
    }
}

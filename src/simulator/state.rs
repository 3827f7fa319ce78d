//! The simulated Zoom world in memory: accounts, users, meetings/webinars with registrants,
//! recordings, OAuth codes and tokens, paging cursors and limit counters, plus the mutable
//! settings the control API flips. One mutex guards it all (it is a fake Zoom, not a database).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::faults::Faults;
use super::http::ConnRegistry;
use super::rate_limit::{Limiter, RateLimits};
use super::seed::Rng;
use super::stats::Stats;
use super::webhooks::Outbox;
use super::{SimConfig, seed};

/// Zoom plan of an account; decides rate limits (reference §5.1) and the user `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Plan {
    Free,
    Pro,
    Business,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    /// Zoom's `role_id`/`role_name` pair (reference §4.2).
    pub(crate) fn zoom(self) -> (&'static str, &'static str) {
        match self {
            Role::Owner => ("0", "Owner"),
            Role::Admin => ("1", "Admin"),
            Role::Member => ("2", "Member"),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: String,
    pub number: i64,
    pub plan: Plan,
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub timezone: String,
    pub role: Role,
    pub pmi: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    /// Epoch milliseconds as a string (reference §7.6).
    pub occurrence_id: String,
    pub start_time: DateTime<Utc>,
    pub duration: i64,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Registrant {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// `approved`, `pending` or `denied` (reference §4.4).
    pub status: String,
    pub join_token: String,
    pub pin: i64,
    pub create_time: DateTime<Utc>,
    /// address, city, org, custom_questions, … exactly as posted.
    pub extra: Map<String, Value>,
}

/// A meeting or (with `webinar`) a webinar. Types: 1/2/3/8 meetings, 5/6/9 webinars (§4.3, §4.6).
#[derive(Debug, Clone)]
pub(crate) struct Meeting {
    pub id: i64,
    pub uuid: String,
    pub host_id: String,
    pub webinar: bool,
    pub kind: i64,
    pub topic: String,
    pub start_time: Option<DateTime<Utc>>,
    pub duration: i64,
    pub timezone: String,
    pub agenda: String,
    pub password: String,
    pub created_at: DateTime<Utc>,
    pub settings: Map<String, Value>,
    pub recurrence: Option<Value>,
    pub occurrences: Vec<Occurrence>,
    pub registrants: Vec<Registrant>,
    /// `{"questions":[…],"custom_questions":[…]}` (GET …/registrants/questions).
    pub questions: Value,
    pub tracking_fields: Value,
    pub zak: String,
}

impl Meeting {
    pub(crate) fn approval_type(&self) -> i64 {
        self.settings
            .get("approval_type")
            .and_then(Value::as_i64)
            .unwrap_or(2)
    }

    /// Occurrences not deleted.
    pub(crate) fn live_occurrences(&self) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter().filter(|o| !o.deleted)
    }

    /// Start of the next occurrence still running or to come, else the last one, else start_time.
    pub(crate) fn next_start(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.occurrences.is_empty() {
            return self.start_time;
        }
        let mut live = self.live_occurrences().peekable();
        live.peek()?;
        let all: Vec<&Occurrence> = live.collect();
        all.iter()
            .find(|o| o.start_time + Duration::minutes(o.duration) > now)
            .or(all.last())
            .map(|o| o.start_time)
    }

    /// When the last scheduled instance ends (None = no fixed time, never expires).
    pub(crate) fn end(&self) -> Option<DateTime<Utc>> {
        if !self.occurrences.is_empty() {
            return self
                .live_occurrences()
                .map(|o| o.start_time + Duration::minutes(o.duration))
                .max();
        }
        self.start_time
            .map(|s| s + Duration::minutes(self.duration))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordingStatus {
    Active,
    Trashed,
    Deleted,
}

#[derive(Debug, Clone)]
pub(crate) struct RecordingFile {
    pub id: String,
    pub file_type: &'static str,
    pub file_extension: &'static str,
    pub recording_type: &'static str,
    pub file_size: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// One recorded instance (reference §4.5).
#[derive(Debug, Clone)]
pub(crate) struct Recording {
    pub meeting_uuid: String,
    pub meeting_id: i64,
    pub host_id: String,
    pub account_id: String,
    pub topic: String,
    pub kind: i64,
    pub start_time: DateTime<Utc>,
    pub duration: i64,
    pub timezone: String,
    pub password: String,
    pub play_passcode: String,
    pub share_token: String,
    pub download_token: String,
    pub files: Vec<RecordingFile>,
    pub status: RecordingStatus,
    pub deleted_time: Option<DateTime<Utc>>,
}

impl Recording {
    pub(crate) fn total_size(&self) -> i64 {
        self.files.iter().map(|f| f.file_size).sum()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub user_id: String,
    pub redirect_uri: String,
    pub challenge: Option<String>,
    pub method: Option<String>,
    pub issued_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub user_id: String,
    pub account_id: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub user_id: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct PageCursor {
    pub scope: String,
    pub offset: usize,
    pub expires_at: DateTime<Utc>,
}

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
    /// Deeplink `action`s waiting to show up as `act` in the user's next app context (§7.9).
    pub pending_actions: HashMap<String, String>,
    pub limiter: Limiter,
    pub rng: Rng,
}

impl World {
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

    pub(crate) fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// A `userId` path value: an ID, an e-mail (case-insensitive) or `me` (reference §1.8).
    pub(crate) fn resolve_user(&self, key: &str, me: &str) -> Option<&User> {
        let key = if key == "me" { me } else { key };
        self.users
            .iter()
            .find(|u| u.id == key || u.email.eq_ignore_ascii_case(key))
    }

    pub(crate) fn account_of(&self, user: &User) -> &Account {
        &self.accounts[&user.account_id]
    }

    /// A fresh 11-digit meeting ID above 2^31 (reference §4.1).
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
    pub stats: Mutex<Stats>,
    pub faults: Mutex<Faults>,
    pub webhooks: Outbox,
    pub conns: ConnRegistry,
    clock_offset_ms: AtomicI64,
    pub http: reqwest::Client,
}

impl Sim {
    pub(crate) fn new(config: SimConfig, url: String) -> anyhow::Result<Arc<Sim>> {
        anyhow::ensure!(
            config.time_scale.is_finite() && config.time_scale > 0.0,
            "time_scale must be a positive number"
        );
        let settings = Settings {
            auto_consent: config.auto_consent,
            marketplace_mode: config.marketplace_mode,
            webhook_url: config.webhook_url.clone(),
            duplicate: false,
            out_of_order: false,
            rate_limits: config.rate_limits.clone(),
            access_token_ttl_secs: config.access_token_ttl_secs,
        };
        let rng = match &config.seed {
            Some(s) => Rng::new(s.seed),
            None => Rng::new(rand::random()),
        };
        let mut world = World::new(settings, rng);
        if let Some(opts) = &config.seed {
            seed::populate(&mut world, opts, &url, Utc::now());
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(3)) // Zoom's 3 s budget (reference §2.4)
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

    pub(crate) fn advance_clock(&self, secs: i64) {
        self.clock_offset_ms
            .fetch_add(secs.saturating_mul(1000), Ordering::Relaxed);
    }

    /// Locks the world; never hold this across an `.await` or while locking stats/faults.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn stats(&self) -> MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A Zoom real-time delay (in seconds) divided by the configured time scale.
    pub(crate) fn scaled(&self, real_secs: f64) -> std::time::Duration {
        std::time::Duration::from_secs_f64((real_secs / self.time_scale).max(0.001))
    }
}

//! What a simulator is started with: the app's credentials and redirect URIs, where webhooks go,
//! consent, token lifetime, time scale, rate limits, granted scopes, and the world to seed.

use crate::world::rate_limit::RateLimits;

/// The admin-managed "minimal set" of granular scopes (docs/zoom.md §1.9) granted by default.
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
    "meeting:update:registrant_status:admin",
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
    /// Exact redirect URIs Zoom would accept (the app's OAuth allow list, docs/zoom.md §1.1/§1.2).
    pub redirect_uris: Vec<String>,
    /// Where events are POSTed; None = don't send webhooks.
    pub webhook_url: Option<String>,
    /// GET /oauth/authorize redirects at once as the signed-in user, without the consent page.
    pub auto_consent: bool,
    /// Seconds an access token lives (docs/zoom.md §1.3: Zoom answers 3599).
    pub access_token_ttl_secs: i64,
    /// Divides Zoom's real delays (webhook retry schedule 5/20/60 min, 72 h revalidation) for tests.
    pub time_scale: f64,
    /// None = empty world (create users through the control API).
    pub seed: Option<SeedOptions>,
    /// Per-account per-category rates (docs/zoom.md §5); default = Zoom's plan table.
    pub rate_limits: RateLimits,
    /// Scopes granted to every token (the app's configured scopes, docs/zoom.md §1.9).
    pub scopes: Vec<String>,
    /// Redirect after consent without `state`, like a Marketplace-initiated install
    /// (docs/zoom.md §1.2, §6.1).
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

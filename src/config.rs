//! Configuration from `MARQUEE_*` environment variables (a `.env` file is read first if present).
//!
//! Loaded once by the CLI and passed by value into `App::build`; there is no global config.
//! Every problem is reported as one line naming the variable (docs/configuration.md lists them all).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::crypto::{KeyRing, KeyRingError};
use crate::domain::origin::Origin;

/// Where Marquee keeps its data. The scheme picks the backend; any other scheme is an error,
/// never a silently created empty SQLite file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        // `sqlite://relative/x.db` and `sqlite:///absolute/x.db` (the third slash starts the path).
        match raw.strip_prefix("sqlite://") {
            Some("") => Err("sqlite:// needs a file path, e.g. sqlite://data/marquee.db".into()),
            Some(path) => Ok(Self::Sqlite(PathBuf::from(path))),
            None => Err(format!(
                "unsupported scheme in {:?}: use sqlite://path/to/file.db or postgres://…",
                redact_url(raw)
            )),
        }
    }

    /// The URL with any password replaced, safe for logs.
    pub fn display_redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => redact_url(url),
        }
    }
}

fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.split('?').next().unwrap_or(raw).to_owned(),
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Zoom app credentials and addresses. Production points at zoom.us; dev and tests at the simulator.
#[derive(Clone)]
pub struct ZoomConfig {
    pub client_id: String,
    pub client_secret: String,
    pub webhook_secret: String,
    /// Base of the OAuth endpoints, e.g. `https://zoom.us` (no trailing slash).
    pub oauth_url: String,
    /// Base of the REST API, e.g. `https://api.zoom.us/v2` (no trailing slash).
    pub api_url: String,
}

impl std::fmt::Debug for ZoomConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoomConfig")
            .field("client_id", &self.client_id)
            .field("oauth_url", &self.oauth_url)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

/// Webhook intake and the worker that applies stored events.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookConfig {
    /// Largest accepted |now − x-zm-request-timestamp| (replays of old deliveries are refused).
    pub tolerance: std::time::Duration,
    /// Attempts before a failing event is parked as `failed` for the operator.
    pub max_attempts: u32,
    /// Wait before the first retry; doubled per attempt (capped at an hour).
    pub retry_base: std::time::Duration,
}

/// Outbound events to the platform's endpoints (docs/events.md).
#[derive(Clone, Debug, PartialEq)]
pub struct EventsConfig {
    /// Allow `http` and private, loopback or link-local endpoint addresses (dev and tests only).
    pub allow_private_urls: bool,
    /// How long one delivery attempt may take, connecting included.
    pub timeout: std::time::Duration,
    /// Wait before the first retry; doubled per attempt, at most an hour.
    pub retry_base: std::time::Duration,
    /// How long a delivery is retried before it is given up as `failed`.
    pub retry_for: std::time::Duration,
}

/// Background workers and the sync engine.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncConfig {
    /// Whether this process runs the background workers (webhook events, sync jobs, reconcile).
    pub workers: bool,
    /// How often idle workers look for new work in the database.
    pub poll_interval: std::time::Duration,
    /// Sync jobs one instance runs at once (at most one per Zoom account).
    pub job_slots: usize,
    /// Zoom requests one job has in flight at once (the account's pacer still rules).
    pub request_concurrency: usize,
    /// How often each site is reconciled with Zoom (jittered ±10%).
    pub reconcile_interval: std::time::Duration,
    /// How far back cloud recordings are walked, in months.
    pub recordings_horizon_months: u32,
    /// Requests per second Marquee allows itself per Zoom account, per rate category.
    pub light_per_second: f64,
    pub medium_per_second: f64,
}

/// Abuse limits of visitor registration, per instance (docs/decisions.md).
#[derive(Clone, Debug, PartialEq)]
pub struct RegistrationLimitConfig {
    /// Attempts per minute from one client address (the whole minute's worth may come at once).
    pub per_ip_per_minute: u32,
    /// Attempts per minute on one site (half of them may come at once).
    pub per_site_per_minute: u32,
}

/// The whole configuration. Secrets never appear in `Debug` output.
#[derive(Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub listen: SocketAddr,
    /// Public base URL (no trailing slash); Zoom redirects to `{public_url}/oauth/zoom/callback`.
    pub public_url: String,
    pub platform_key: String,
    /// The hosting platform's own origins (its control panel): admin links may lead back there.
    pub platform_origins: Vec<Origin>,
    pub zoom: ZoomConfig,
    pub keys: KeyRing,
    pub log_format: LogFormat,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How often the upkeep task runs (idle-grant refresh, credential purge).
    pub upkeep_interval: std::time::Duration,
    pub webhooks: WebhookConfig,
    pub sync: SyncConfig,
    pub events: EventsConfig,
    pub registration_limits: RegistrationLimitConfig,
    /// Directory with widget template overrides (`default/`, `{site}/`), if any.
    pub templates_dir: Option<std::path::PathBuf>,
    /// Recompile templates when files in `templates_dir` change (dev).
    pub templates_reload: bool,
    /// Peers whose `Forwarded` / `X-Forwarded-*` headers are believed (`http::client`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Bearer token `/metrics` demands; open when unset (docs/operations.md).
    pub metrics_token: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url.display_redacted())
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("platform_origins", &self.platform_origins)
            .field("zoom", &self.zoom)
            .field("encryption_key_ids", &self.keys.key_ids())
            .field("webhooks", &self.webhooks)
            .field("sync", &self.sync)
            .field("trusted_proxies", &self.trusted_proxies)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<set>"),
            )
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

/// A configuration problem: always names the variable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: String,
    pub problem: String,
}

impl ConfigError {
    fn new(variable: &str, problem: impl Into<String>) -> Self {
        Self {
            variable: variable.to_owned(),
            problem: problem.into(),
        }
    }
}

/// The variables without a default: all of them are named at once when some are missing.
pub const REQUIRED_VARIABLES: [&str; 5] = [
    "MARQUEE_PLATFORM_KEY",
    "MARQUEE_ZOOM_CLIENT_ID",
    "MARQUEE_ZOOM_CLIENT_SECRET",
    "MARQUEE_ZOOM_WEBHOOK_SECRET",
    "MARQUEE_ENCRYPTION_KEYS",
];

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/marquee.db";
/// Used for template overrides when it exists and `MARQUEE_TEMPLATES_DIR` is not set.
pub const DEFAULT_TEMPLATES_DIR: &str = "tenant-templates";

/// Reads variables from a map, so tests and `dev` can build configs without touching the process env.
struct Vars<'a>(&'a HashMap<String, String>);

impl Vars<'_> {
    fn optional(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    fn required(&self, name: &str) -> Result<&str, ConfigError> {
        self.optional(name)
            .ok_or_else(|| ConfigError::new(name, "is required but not set"))
    }

    fn base_url(&self, name: &str, default: &str) -> Result<String, ConfigError> {
        let raw = self.optional(name).unwrap_or(default);
        let parsed = url::Url::parse(raw)
            .map_err(|e| ConfigError::new(name, format!("is not a valid URL ({e})")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(ConfigError::new(name, "must be an http(s) URL with a host"));
        }
        Ok(raw.trim_end_matches('/').to_owned())
    }

    /// `name` (or `default` when unset) through `parse`, whose error text becomes the problem.
    fn parsed<T>(
        &self,
        name: &str,
        default: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        parse(self.optional(name).unwrap_or(default)).map_err(|p| ConfigError::new(name, p))
    }

    /// A number that `accept`s, or `default` when unset; `problem` words a refusal.
    fn checked_number<T: std::str::FromStr>(
        &self,
        name: &str,
        default: T,
        accept: impl FnOnce(&T) -> bool,
        problem: impl FnOnce(&str) -> String,
    ) -> Result<T, ConfigError> {
        let Some(raw) = self.optional(name) else {
            return Ok(default);
        };
        raw.parse::<T>()
            .ok()
            .filter(accept)
            .ok_or_else(|| ConfigError::new(name, problem(raw)))
    }

    /// A number in `range`, or `default` when unset.
    fn number<T>(
        &self,
        name: &str,
        default: T,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let (start, end) = (*range.start(), *range.end());
        self.checked_number(
            name,
            default,
            |n| range.contains(n),
            |raw| format!("{raw:?} is not a number from {start} to {end}"),
        )
    }

    /// A whole number of `unit`s, at least `min`, or `default` when unset.
    fn at_least<T>(&self, name: &str, default: T, min: T, unit: &str) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        self.checked_number(
            name,
            default,
            |n| *n >= min,
            |_| format!("must be a whole number of {unit}, at least {min}"),
        )
    }

    /// One of the named `choices`, or `default` when unset.
    fn one_of<T: Copy>(
        &self,
        name: &str,
        default: T,
        choices: &[(&str, T)],
    ) -> Result<T, ConfigError> {
        let Some(raw) = self.optional(name) else {
            return Ok(default);
        };
        match choices.iter().find(|(word, _)| *word == raw) {
            Some((_, value)) => Ok(*value),
            None => {
                let words: Vec<&str> = choices.iter().map(|(word, _)| *word).collect();
                let listed = match words.split_last() {
                    Some((last, [])) => (*last).to_owned(),
                    Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                    None => String::new(),
                };
                Err(ConfigError::new(name, format!("{raw:?} is not {listed}")))
            }
        }
    }

    fn flag(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.optional(name) {
            None => Ok(default),
            Some("true" | "on" | "1") => Ok(true),
            Some("false" | "off" | "0") => Ok(false),
            Some(other) => Err(ConfigError::new(
                name,
                format!("{other:?} is not true or false"),
            )),
        }
    }
}

/// Written by `marquee dev` (with its default `--data-dir`), so the other subcommands run in
/// the same folder reach the dev instance.
pub const DEV_ENV_FILE: &str = "data/dev/marquee.env";

/// Loads variables from a file into the process environment (variables already set win):
/// `MARQUEE_ENV_FILE` when set, else `.env`, else [`DEV_ENV_FILE`]; the first that exists.
/// Returns the file read, if any.
pub fn load_env_file() -> Option<PathBuf> {
    let candidates = match std::env::var_os("MARQUEE_ENV_FILE") {
        Some(explicit) => vec![PathBuf::from(explicit)],
        None => vec![PathBuf::from(".env"), PathBuf::from(DEV_ENV_FILE)],
    };
    let file = candidates.into_iter().find(|p| p.is_file())?;
    dotenvy::from_path(&file).ok()?;
    Some(file)
}

/// Every unset one of [`REQUIRED_VARIABLES`] in one error, so one try lists them all.
fn all_required_set(v: &Vars) -> Result<(), ConfigError> {
    let missing: Vec<&str> = REQUIRED_VARIABLES
        .into_iter()
        .filter(|name| v.optional(name).is_none())
        .collect();
    match missing.as_slice() {
        [] => Ok(()),
        [one] => Err(ConfigError::new(one, "is required but not set")),
        many => Err(ConfigError::new(
            &many.join(", "),
            "are required but not set",
        )),
    }
}

/// `MARQUEE_TRUSTED_PROXIES`: comma-separated addresses (`10.0.0.7`) or ranges (`10.0.0.0/8`).
fn trusted_proxies(v: &Vars) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    v.parsed("MARQUEE_TRUSTED_PROXIES", "", |raw| {
        raw.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("{p:?} is not an IP address or a range like 10.0.0.0/8"))
            })
            .collect()
    })
}

/// `MARQUEE_METRICS_TOKEN`: at least 16 characters when set.
fn metrics_token(v: &Vars) -> Result<Option<String>, ConfigError> {
    let Some(token) = v.optional("MARQUEE_METRICS_TOKEN") else {
        return Ok(None);
    };
    if token.len() < 16 {
        return Err(ConfigError::new(
            "MARQUEE_METRICS_TOKEN",
            "must be at least 16 characters",
        ));
    }
    Ok(Some(token.to_owned()))
}

fn secs(n: u64) -> std::time::Duration {
    std::time::Duration::from_secs(n)
}

fn listen_address(v: &Vars) -> Result<SocketAddr, ConfigError> {
    v.parsed("MARQUEE_LISTEN", DEFAULT_LISTEN, |raw| {
        raw.parse()
            .map_err(|_| format!("{raw:?} is not an address like 127.0.0.1:8080"))
    })
}

fn platform_key(v: &Vars) -> Result<String, ConfigError> {
    let key = v.required("MARQUEE_PLATFORM_KEY")?;
    if key.len() < 24 {
        return Err(ConfigError::new(
            "MARQUEE_PLATFORM_KEY",
            "must be at least 24 characters",
        ));
    }
    Ok(key.to_owned())
}

/// `MARQUEE_PLATFORM_ORIGINS`: comma-separated origins, none when unset.
fn platform_origins(v: &Vars) -> Result<Vec<Origin>, ConfigError> {
    v.parsed("MARQUEE_PLATFORM_ORIGINS", "", |raw| {
        raw.split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(Origin::parse)
            .collect()
    })
}

fn zoom_config(v: &Vars) -> Result<ZoomConfig, ConfigError> {
    Ok(ZoomConfig {
        client_id: v.required("MARQUEE_ZOOM_CLIENT_ID")?.to_owned(),
        client_secret: v.required("MARQUEE_ZOOM_CLIENT_SECRET")?.to_owned(),
        webhook_secret: v.required("MARQUEE_ZOOM_WEBHOOK_SECRET")?.to_owned(),
        oauth_url: v.base_url("MARQUEE_ZOOM_OAUTH_URL", "https://zoom.us")?,
        api_url: v.base_url("MARQUEE_ZOOM_API_URL", "https://api.zoom.us/v2")?,
    })
}

fn encryption_keys(v: &Vars) -> Result<KeyRing, ConfigError> {
    let name = "MARQUEE_ENCRYPTION_KEYS";
    KeyRing::parse(v.required(name)?)
        .map_err(|e: KeyRingError| ConfigError::new(name, e.to_string()))
}

/// `MARQUEE_TEMPLATES_DIR` must exist when set; `tenant-templates` is used only if it exists.
fn templates_dir(v: &Vars) -> Result<Option<PathBuf>, ConfigError> {
    let Some(dir) = v.optional("MARQUEE_TEMPLATES_DIR") else {
        return Ok(Some(PathBuf::from(DEFAULT_TEMPLATES_DIR)).filter(|d| d.is_dir()));
    };
    let dir = PathBuf::from(dir);
    if !dir.is_dir() {
        return Err(ConfigError::new(
            "MARQUEE_TEMPLATES_DIR",
            format!("{} is not a directory", dir.display()),
        ));
    }
    Ok(Some(dir))
}

fn webhook_config(v: &Vars) -> Result<WebhookConfig, ConfigError> {
    Ok(WebhookConfig {
        tolerance: secs(v.number("MARQUEE_WEBHOOK_TOLERANCE_SECS", 300, 1..=10 * 365 * 86_400)?),
        max_attempts: v.number("MARQUEE_WEBHOOK_MAX_ATTEMPTS", 8, 1..=100)?,
        retry_base: std::time::Duration::from_millis(v.number(
            "MARQUEE_WEBHOOK_RETRY_BASE_MS",
            5_000,
            1..=3_600_000,
        )?),
    })
}

fn events_config(v: &Vars) -> Result<EventsConfig, ConfigError> {
    Ok(EventsConfig {
        allow_private_urls: v.flag("MARQUEE_EVENTS_ALLOW_PRIVATE_URLS", false)?,
        timeout: secs(v.number("MARQUEE_EVENTS_TIMEOUT_SECS", 10, 1..=120)?),
        retry_base: std::time::Duration::from_millis(v.number(
            "MARQUEE_EVENTS_RETRY_BASE_MS",
            30_000,
            1..=3_600_000,
        )?),
        // Three days, like Stripe: a receiver down over a weekend still gets everything.
        retry_for: secs(v.number("MARQUEE_EVENTS_RETRY_FOR_SECS", 3 * 86_400, 1..=30 * 86_400)?),
    })
}

fn sync_config(v: &Vars) -> Result<SyncConfig, ConfigError> {
    Ok(SyncConfig {
        workers: v.flag("MARQUEE_WORKERS", true)?,
        poll_interval: std::time::Duration::from_millis(v.number(
            "MARQUEE_WORKER_POLL_MS",
            1_000,
            10..=60_000,
        )?),
        job_slots: v.number("MARQUEE_SYNC_JOB_SLOTS", 2, 1..=64)?,
        request_concurrency: v.number("MARQUEE_SYNC_CONCURRENCY", 4, 1..=64)?,
        reconcile_interval: secs(v.number(
            "MARQUEE_RECONCILE_INTERVAL_SECS",
            4 * 3600,
            1..=30 * 86_400,
        )?),
        recordings_horizon_months: v.number("MARQUEE_RECORDINGS_HORIZON_MONTHS", 12, 1..=120)?,
        // Zoom's Pro plan allows 30 Light / 20 Medium per second per account (docs/zoom.md
        // §5.1); staying at 80% leaves room for the customer's other apps.
        light_per_second: v.number("MARQUEE_ZOOM_RATE_LIGHT", 24.0, 0.1..=1000.0)?,
        medium_per_second: v.number("MARQUEE_ZOOM_RATE_MEDIUM", 16.0, 0.1..=1000.0)?,
    })
}

impl Config {
    /// Reads the environment file ([`load_env_file`]) and the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        load_env_file();
        Self::from_vars(&std::env::vars().collect())
    }

    /// Builds and validates a configuration from `MARQUEE_*` variables. Missing required
    /// variables are reported together; otherwise variables are checked in a fixed order and
    /// the first problem is reported.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let v = Vars(vars);
        all_required_set(&v)?;
        let database_url = v.parsed(
            "MARQUEE_DATABASE_URL",
            DEFAULT_DATABASE_URL,
            DatabaseUrl::parse,
        )?;
        let listen = listen_address(&v)?;
        Ok(Self {
            database_url,
            listen,
            public_url: v.base_url("MARQUEE_PUBLIC_URL", &format!("http://{listen}"))?,
            platform_key: platform_key(&v)?,
            platform_origins: platform_origins(&v)?,
            zoom: zoom_config(&v)?,
            keys: encryption_keys(&v)?,
            log_format: v.one_of(
                "MARQUEE_LOG_FORMAT",
                LogFormat::Text,
                &[("text", LogFormat::Text), ("json", LogFormat::Json)],
            )?,
            max_body_bytes: v.at_least("MARQUEE_MAX_BODY_BYTES", 64 * 1024, 1024, "bytes")?,
            upkeep_interval: secs(v.at_least(
                "MARQUEE_UPKEEP_INTERVAL_SECS",
                3600,
                1,
                "seconds",
            )?),
            templates_dir: templates_dir(&v)?,
            templates_reload: v.flag("MARQUEE_TEMPLATES_RELOAD", false)?,
            trusted_proxies: trusted_proxies(&v)?,
            metrics_token: metrics_token(&v)?,
            webhooks: webhook_config(&v)?,
            sync: sync_config(&v)?,
            events: events_config(&v)?,
            registration_limits: RegistrationLimitConfig {
                per_ip_per_minute: v.number(
                    "MARQUEE_REGISTRATIONS_PER_IP_PER_MINUTE",
                    10,
                    1..=100_000,
                )?,
                per_site_per_minute: v.number(
                    "MARQUEE_REGISTRATIONS_PER_SITE_PER_MINUTE",
                    120,
                    2..=1_000_000,
                )?,
            },
        })
    }

    /// Where Zoom sends the browser back after consent.
    pub fn oauth_redirect_uri(&self) -> String {
        format!("{}/oauth/zoom/callback", self.public_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> HashMap<String, String> {
        [
            ("MARQUEE_PLATFORM_KEY", "platform-key-platform-key-0001"),
            ("MARQUEE_ZOOM_CLIENT_ID", "cid"),
            ("MARQUEE_ZOOM_CLIENT_SECRET", "csecret"),
            ("MARQUEE_ZOOM_WEBHOOK_SECRET", "whsecret"),
            (
                "MARQUEE_ENCRYPTION_KEYS",
                "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn error_with(name: &str, value: Option<&str>) -> ConfigError {
        let mut vars = valid();
        match value {
            Some(v) => vars.insert(name.to_owned(), v.to_owned()),
            None => vars.remove(name),
        };
        Config::from_vars(&vars).expect_err("config should be refused")
    }

    #[test]
    fn defaults_apply() {
        let config = Config::from_vars(&valid()).unwrap();
        assert_eq!(
            config.database_url,
            DatabaseUrl::Sqlite("data/marquee.db".into())
        );
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert!(config.platform_origins.is_empty());
        assert_eq!(config.zoom.api_url, "https://api.zoom.us/v2");
        assert_eq!(
            config.webhooks.tolerance,
            std::time::Duration::from_secs(300)
        );
        assert!(config.sync.workers);
        assert_eq!(config.sync.recordings_horizon_months, 12);
        assert!(!config.events.allow_private_urls);
        assert_eq!(
            config.events.retry_for,
            std::time::Duration::from_secs(3 * 86_400)
        );
        assert_eq!(
            config.oauth_redirect_uri(),
            "http://127.0.0.1:8080/oauth/zoom/callback"
        );
    }

    #[test]
    fn missing_variables_are_named_together() {
        let err = Config::from_vars(&HashMap::new()).expect_err("nothing set");
        assert_eq!(err.variable, REQUIRED_VARIABLES.join(", "));
        assert_eq!(err.problem, "are required but not set");
    }

    #[test]
    fn trusted_proxies_take_addresses_and_ranges() {
        let mut vars = valid();
        vars.insert(
            "MARQUEE_TRUSTED_PROXIES".into(),
            "127.0.0.1, 10.0.0.0/8,::1".into(),
        );
        let config = Config::from_vars(&vars).unwrap();
        let shown: Vec<String> = config
            .trusted_proxies
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(shown, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
        assert!(
            Config::from_vars(&valid())
                .unwrap()
                .trusted_proxies
                .is_empty()
        );
    }

    #[test]
    fn every_error_names_its_variable() {
        for name in [
            "MARQUEE_PLATFORM_KEY",
            "MARQUEE_ZOOM_CLIENT_ID",
            "MARQUEE_ZOOM_CLIENT_SECRET",
            "MARQUEE_ZOOM_WEBHOOK_SECRET",
            "MARQUEE_ENCRYPTION_KEYS",
        ] {
            let err = error_with(name, None);
            assert_eq!(err.variable, name);
            assert!(err.to_string().starts_with(name), "{err}");
        }
        let cases = [
            ("MARQUEE_DATABASE_URL", "mysql://x/y"),
            ("MARQUEE_DATABASE_URL", "data/marquee.db"),
            ("MARQUEE_LISTEN", "localhost"),
            ("MARQUEE_PUBLIC_URL", "ftp://example.com"),
            ("MARQUEE_ZOOM_API_URL", "not a url"),
            ("MARQUEE_PLATFORM_ORIGINS", "https://panel.example/login"),
            ("MARQUEE_ENCRYPTION_KEYS", "k1:short"),
            ("MARQUEE_LOG_FORMAT", "xml"),
            ("MARQUEE_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("MARQUEE_METRICS_TOKEN", "short"),
            ("MARQUEE_PLATFORM_KEY", "short"),
            ("MARQUEE_UPKEEP_INTERVAL_SECS", "0"),
            ("MARQUEE_WEBHOOK_TOLERANCE_SECS", "0"),
            ("MARQUEE_WEBHOOK_TOLERANCE_SECS", "five minutes"),
            ("MARQUEE_WEBHOOK_MAX_ATTEMPTS", "0"),
            ("MARQUEE_WEBHOOK_RETRY_BASE_MS", "-1"),
            ("MARQUEE_WORKERS", "maybe"),
            ("MARQUEE_WORKER_POLL_MS", "1"),
            ("MARQUEE_SYNC_JOB_SLOTS", "0"),
            ("MARQUEE_SYNC_CONCURRENCY", "many"),
            ("MARQUEE_RECONCILE_INTERVAL_SECS", "0"),
            ("MARQUEE_RECORDINGS_HORIZON_MONTHS", "0"),
            ("MARQUEE_ZOOM_RATE_LIGHT", "0"),
            ("MARQUEE_ZOOM_RATE_MEDIUM", "fast"),
            ("MARQUEE_EVENTS_ALLOW_PRIVATE_URLS", "sometimes"),
            ("MARQUEE_EVENTS_TIMEOUT_SECS", "0"),
            ("MARQUEE_EVENTS_RETRY_BASE_MS", "0"),
            ("MARQUEE_EVENTS_RETRY_FOR_SECS", "forever"),
        ];
        for (name, value) in cases {
            assert_eq!(
                error_with(name, Some(value)).variable,
                name,
                "{name}={value}"
            );
        }
    }

    #[test]
    fn problems_are_worded_for_the_operator() {
        let cases = [
            (
                "MARQUEE_DATABASE_URL",
                "sqlite://",
                "sqlite:// needs a file path, e.g. sqlite://data/marquee.db",
            ),
            (
                "MARQUEE_LISTEN",
                "localhost",
                "\"localhost\" is not an address like 127.0.0.1:8080",
            ),
            (
                "MARQUEE_PUBLIC_URL",
                "ftp://example.com",
                "must be an http(s) URL with a host",
            ),
            (
                "MARQUEE_PLATFORM_KEY",
                "short",
                "must be at least 24 characters",
            ),
            ("MARQUEE_LOG_FORMAT", "xml", "\"xml\" is not text or json"),
            (
                "MARQUEE_MAX_BODY_BYTES",
                "512",
                "must be a whole number of bytes, at least 1024",
            ),
            (
                "MARQUEE_MAX_BODY_BYTES",
                "lots",
                "must be a whole number of bytes, at least 1024",
            ),
            (
                "MARQUEE_UPKEEP_INTERVAL_SECS",
                "0",
                "must be a whole number of seconds, at least 1",
            ),
            (
                "MARQUEE_TEMPLATES_DIR",
                "/nonexistent/templates",
                "/nonexistent/templates is not a directory",
            ),
            (
                "MARQUEE_TEMPLATES_RELOAD",
                "maybe",
                "\"maybe\" is not true or false",
            ),
            (
                "MARQUEE_WEBHOOK_MAX_ATTEMPTS",
                "0",
                "\"0\" is not a number from 1 to 100",
            ),
            ("MARQUEE_WORKERS", "maybe", "\"maybe\" is not true or false"),
        ];
        for (name, value, problem) in cases {
            let err = error_with(name, Some(value));
            assert_eq!(
                (err.variable.as_str(), err.problem.as_str()),
                (name, problem)
            );
        }
        let err = error_with("MARQUEE_ZOOM_CLIENT_ID", None);
        assert_eq!(err.problem, "is required but not set");
    }

    #[test]
    fn platform_origins_are_a_comma_separated_list() {
        let mut vars = valid();
        vars.insert(
            "MARQUEE_PLATFORM_ORIGINS".into(),
            "https://panel.example, https://HOST.example:8443,".into(),
        );
        let config = Config::from_vars(&vars).unwrap();
        let origins: Vec<&str> = config.platform_origins.iter().map(Origin::as_str).collect();
        assert_eq!(
            origins,
            ["https://panel.example", "https://host.example:8443"]
        );
    }

    #[test]
    fn database_urls_pick_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:///abs/m.db"),
            Ok(DatabaseUrl::Sqlite("/abs/m.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        let redacted = DatabaseUrl::parse("postgres://u:secret@h/db")
            .unwrap()
            .display_redacted();
        assert!(!redacted.contains("secret"), "{redacted}");
    }
}

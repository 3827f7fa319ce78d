//! Configuration from `MARQUEE_*` environment variables (a `.env` file is read first if present).
//!
//! Loaded once by the CLI and passed by value into `App::build`; there is no global config.
//! Every problem is reported as one line naming the variable (docs/configuration.md lists them all).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::crypto::{KeyRing, KeyRingError};

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

/// The whole configuration. Secrets never appear in `Debug` output.
#[derive(Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub listen: SocketAddr,
    /// Public base URL (no trailing slash); Zoom redirects to `{public_url}/oauth/zoom/callback`.
    pub public_url: String,
    pub platform_key: String,
    pub zoom: ZoomConfig,
    pub keys: KeyRing,
    pub log_format: LogFormat,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Directory with widget template overrides (`default/`, `{site}/`), if any.
    pub templates_dir: Option<std::path::PathBuf>,
    /// Recompile templates when files in `templates_dir` change (dev).
    pub templates_reload: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url.display_redacted())
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("zoom", &self.zoom)
            .field("encryption_key_ids", &self.keys.key_ids())
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
}

impl Config {
    /// Reads `.env` (if present) and the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(&std::env::vars().collect())
    }

    /// Builds and validates a configuration from `MARQUEE_*` variables.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let v = Vars(vars);
        let database_url = DatabaseUrl::parse(
            v.optional("MARQUEE_DATABASE_URL")
                .unwrap_or(DEFAULT_DATABASE_URL),
        )
        .map_err(|p| ConfigError::new("MARQUEE_DATABASE_URL", p))?;
        let listen_raw = v.optional("MARQUEE_LISTEN").unwrap_or(DEFAULT_LISTEN);
        let listen: SocketAddr = listen_raw.parse().map_err(|_| {
            ConfigError::new(
                "MARQUEE_LISTEN",
                format!("{listen_raw:?} is not an address like 127.0.0.1:8080"),
            )
        })?;
        let default_public = format!("http://{listen}");
        let public_url = v.base_url("MARQUEE_PUBLIC_URL", &default_public)?;
        let platform_key = v.required("MARQUEE_PLATFORM_KEY")?;
        if platform_key.len() < 24 {
            return Err(ConfigError::new(
                "MARQUEE_PLATFORM_KEY",
                "must be at least 24 characters",
            ));
        }
        let zoom = ZoomConfig {
            client_id: v.required("MARQUEE_ZOOM_CLIENT_ID")?.to_owned(),
            client_secret: v.required("MARQUEE_ZOOM_CLIENT_SECRET")?.to_owned(),
            webhook_secret: v.required("MARQUEE_ZOOM_WEBHOOK_SECRET")?.to_owned(),
            oauth_url: v.base_url("MARQUEE_ZOOM_OAUTH_URL", "https://zoom.us")?,
            api_url: v.base_url("MARQUEE_ZOOM_API_URL", "https://api.zoom.us/v2")?,
        };
        let keys =
            KeyRing::parse(v.required("MARQUEE_ENCRYPTION_KEYS")?).map_err(|e: KeyRingError| {
                ConfigError::new("MARQUEE_ENCRYPTION_KEYS", e.to_string())
            })?;
        let log_format = match v.optional("MARQUEE_LOG_FORMAT").unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError::new(
                    "MARQUEE_LOG_FORMAT",
                    format!("{other:?} is not text or json"),
                ));
            }
        };
        let max_body_bytes = match v.optional("MARQUEE_MAX_BODY_BYTES") {
            None => 64 * 1024,
            Some(raw) => raw.parse().ok().filter(|n| *n >= 1024).ok_or_else(|| {
                ConfigError::new(
                    "MARQUEE_MAX_BODY_BYTES",
                    "must be a whole number of bytes, at least 1024",
                )
            })?,
        };
        let templates_dir = match v.optional("MARQUEE_TEMPLATES_DIR") {
            Some(dir) => {
                let dir = std::path::PathBuf::from(dir);
                if !dir.is_dir() {
                    return Err(ConfigError::new(
                        "MARQUEE_TEMPLATES_DIR",
                        format!("{} is not a directory", dir.display()),
                    ));
                }
                Some(dir)
            }
            None => Some(std::path::PathBuf::from(DEFAULT_TEMPLATES_DIR)).filter(|d| d.is_dir()),
        };
        let templates_reload = match v.optional("MARQUEE_TEMPLATES_RELOAD").unwrap_or("false") {
            "true" | "1" => true,
            "false" | "0" => false,
            other => {
                return Err(ConfigError::new(
                    "MARQUEE_TEMPLATES_RELOAD",
                    format!("{other:?} is not true or false"),
                ));
            }
        };
        Ok(Self {
            database_url,
            listen,
            public_url,
            platform_key: platform_key.to_owned(),
            zoom,
            keys,
            log_format,
            max_body_bytes,
            templates_dir,
            templates_reload,
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
        assert_eq!(config.zoom.api_url, "https://api.zoom.us/v2");
        assert_eq!(
            config.oauth_redirect_uri(),
            "http://127.0.0.1:8080/oauth/zoom/callback"
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
            ("MARQUEE_ENCRYPTION_KEYS", "k1:short"),
            ("MARQUEE_LOG_FORMAT", "xml"),
            ("MARQUEE_PLATFORM_KEY", "short"),
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

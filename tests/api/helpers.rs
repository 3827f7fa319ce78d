//! `TestApp::spawn()`: a database of its own (SQLite file or PostgreSQL database), the Zoom
//! simulator on 127.0.0.1:0, and Marquee's real HTTP server on 127.0.0.1:0.
//!
//! The backend comes from `MARQUEE_TEST_DB` (`sqlite`, the default, or `postgres`); the
//! PostgreSQL leg needs `MARQUEE_TEST_PG_URL` (a server URL; each test creates its own database).

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use marquee::app::App;
use marquee::config::{Config, LogFormat};
use marquee::crypto::KeyRing;
use marquee::service::Services;
use marquee::store::Store;
use marquee_zoom_sim::{self as simulator, RunningSimulator, SimConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub const PLATFORM_KEY: &str = "test-platform-key-0123456789abcdef";
/// Where the platform API takes the platform key (never `Authorization`).
pub const PLATFORM_KEY_HEADER: &str = "x-platform-key";
pub const CLIENT_ID: &str = "zoomsimClientId01";
pub const CLIENT_SECRET: &str = "zoomsim_client_secret_0001";
pub const WEBHOOK_SECRET: &str = "zoomsim_webhook_secret_0001";

/// Sends the tests' platform key the way the platform API expects it.
pub trait WithPlatformKey {
    fn platform_key(self) -> Self;
}

impl WithPlatformKey for reqwest::RequestBuilder {
    fn platform_key(self) -> Self {
        self.header(PLATFORM_KEY_HEADER, PLATFORM_KEY)
    }
}

/// Every log line of this test binary, so tests can prove no secret is ever logged.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap()).into_owned()
}

fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = LogWriter(buffer.clone());
        let filter = tracing_subscriber::EnvFilter::new(
            "debug,hyper=info,h2=info,reqwest=debug,rustls=info",
        );
        marquee::telemetry::init_with_writer(LogFormat::Text, move || writer.clone(), filter);
        buffer
    })
}

#[derive(Clone)]
struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        if std::env::var_os("MARQUEE_TEST_LOG").is_some() {
            std::io::stderr().write_all(buf)?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A database for one test, removed when the test ends.
pub enum TestDb {
    Sqlite { dir: std::path::PathBuf },
    Postgres { server_url: String, name: String },
}

impl TestDb {
    pub async fn create() -> (Self, String) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        match std::env::var("MARQUEE_TEST_DB").as_deref() {
            Ok("postgres") => {
                let server_url = std::env::var("MARQUEE_TEST_PG_URL")
                    .expect("MARQUEE_TEST_DB=postgres needs MARQUEE_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)");
                let name = format!("mq_test_{id}");
                let admin =
                    Store::connect(&marquee::config::DatabaseUrl::Postgres(server_url.clone()))
                        .await
                        .unwrap();
                admin
                    .execute_raw(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("PostgreSQL reachable for the test leg");
                let url = replace_db_name(&server_url, &name);
                (Self::Postgres { server_url, name }, url)
            }
            Ok("sqlite") | Err(_) => {
                let dir = std::env::temp_dir().join(format!("marquee-test-{id}"));
                std::fs::create_dir_all(&dir).unwrap();
                let url = format!("sqlite://{}/marquee.db", dir.display());
                (Self::Sqlite { dir }, url)
            }
            Ok(other) => panic!("MARQUEE_TEST_DB={other}: use sqlite or postgres"),
        }
    }
}

fn replace_db_name(server_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(server_url).unwrap();
    url.set_path(&format!("/{name}"));
    url.to_string()
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { server_url, name } => {
                let (server_url, name) = (server_url.clone(), name.clone());
                // Drop runs outside async context guarantees: use a small runtime of its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        if let Ok(admin) =
                            Store::connect(&marquee::config::DatabaseUrl::Postgres(server_url))
                                .await
                        {
                            let _ = admin
                                .execute_raw(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

pub struct TestApp {
    /// Marquee's base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    pub http: reqwest::Client,
    pub sim: RunningSimulator,
    pub services: Services,
    pub keys: KeyRing,
    shutdown: Option<oneshot::Sender<()>>,
    _db: TestDb,
    /// The variables Marquee was configured with (for a second instance on the same database).
    pub vars: HashMap<String, String>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with a chance to adjust the simulator's configuration first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut SimConfig)) -> Self {
        Self::spawn_configured(adjust, |_| {}).await
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    // ---- platform API ----

    pub async fn platform(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.at(path)).platform_key();
        if let Some(body) = body {
            req = req.json(&body);
        }
        json_response(req.send().await.unwrap()).await
    }

    pub async fn create_tenant(&self, slug: &str) {
        let (status, body) = self
            .platform(
                reqwest::Method::POST,
                "/api/v1/platform/tenants",
                Some(json!({"slug": slug, "display_name": format!("Site {slug}")})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    pub async fn admin_link(&self, slug: &str) -> String {
        let (status, body) = self
            .platform(
                reqwest::Method::POST,
                &format!("/api/v1/platform/tenants/{slug}/admin-links"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["url"].as_str().unwrap().to_owned()
    }

    pub async fn api_key(&self, slug: &str, scopes: &[&str]) -> String {
        let (status, body) = self
            .platform(
                reqwest::Method::POST,
                &format!("/api/v1/platform/tenants/{slug}/api-keys"),
                Some(json!({"name": "test key", "scopes": scopes})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["key"].as_str().unwrap().to_owned()
    }

    // ---- the owner's browser ----

    /// Opens a fresh admin link and returns the session cookie (`marquee_session=…`).
    pub async fn sign_in(&self, slug: &str) -> String {
        let link = self.admin_link(slug).await;
        let resp = self.http.get(&link).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        session_cookie(&resp).expect("login sets the session cookie")
    }

    /// The admin page's HTML and the CSRF token embedded in it.
    pub async fn admin_page(&self, cookie: &str) -> (String, String) {
        let resp = self
            .http
            .get(self.at("/admin"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = resp.text().await.unwrap();
        let csrf = extract_between(&html, r#"name="csrf_token" value=""#, "\"")
            .expect("csrf token in admin page");
        (html, csrf)
    }

    /// Presses "Connect Zoom" and returns the Zoom authorize URL the browser is sent to.
    pub async fn press_connect(&self, cookie: &str) -> String {
        let (_, csrf) = self.admin_page(cookie).await;
        let resp = self
            .http
            .post(self.at("/admin/zoom/connect"))
            .header("cookie", cookie)
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        location(&resp)
    }

    /// Consents on the simulator's page (the "Allow" button) and returns the callback URL Zoom
    /// redirects the browser to.
    pub async fn consent(&self, authorize_url: &str) -> String {
        let url = url::Url::parse(authorize_url).unwrap();
        let mut form: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        form.push(("decision".into(), "allow".into()));
        let resp = self
            .http
            .post(format!("{}/oauth/authorize", self.sim.url()))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::FOUND,
            "{}",
            resp.text().await.unwrap_or_default()
        );
        location(&resp)
    }

    /// Follows Zoom's redirect back to Marquee, with the browser's cookie if any.
    pub async fn callback(&self, callback_url: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(callback_url);
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie);
        }
        req.send().await.unwrap()
    }

    /// The whole owner journey: sign in, connect, consent, come back. Returns the session cookie.
    pub async fn connect_site(&self, slug: &str) -> String {
        let cookie = self.sign_in(slug).await;
        let authorize = self.press_connect(&cookie).await;
        let callback = self.consent(&authorize).await;
        let resp = self.callback(&callback, Some(&cookie)).await;
        assert_eq!(
            resp.status(),
            StatusCode::SEE_OTHER,
            "{}",
            resp.text().await.unwrap_or_default()
        );
        assert_eq!(location(&resp), "/admin");
        cookie
    }

    // ---- the simulator's control API (acting as a host in Zoom) ----

    pub async fn sim_post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.sim.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, body) = json_response(resp).await;
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// Creates a Zoom user (a new account unless `account_id` is given) and signs them in on zoom.us.
    pub async fn sim_user(&self, email: &str) -> Value {
        let user = self.sim_post("/_sim/users", json!({"email": email, "first_name": "Ada", "last_name": "Host", "timezone": "Europe/Berlin", "plan": "pro"})).await;
        let resp = self
            .http
            .put(format!("{}/_sim/session", self.sim.url()))
            .json(&json!({"user_id": user["id"]}))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
        user
    }

    /// Meeting `meeting_id` as Zoom holds it, with all its `registrants` (control API).
    pub async fn sim_meeting_state(&self, meeting_id: i64) -> Value {
        let resp = self
            .http
            .get(format!("{}/_sim/meetings/{meeting_id}", self.sim.url()))
            .send()
            .await
            .unwrap();
        let (status, meeting) = json_response(resp).await;
        assert_eq!(status, StatusCode::OK, "{meeting}");
        meeting
    }

    /// Schedules a meeting for `user_id` as the host would in Zoom.
    pub async fn sim_meeting(&self, user_id: &str, body: Value) -> Value {
        self.sim_post(&format!("/_sim/users/{user_id}/meetings"), body)
            .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn json_response(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned()
}

pub fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("marquee_session="))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

/// Text as minijinja's HTML escaping writes it.
pub fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

pub fn extract_between(haystack: &str, start: &str, end: &str) -> Option<String> {
    let from = haystack.find(start)? + start.len();
    let len = haystack[from..].find(end)?;
    Some(haystack[from..from + len].to_owned())
}

/// An upcoming meeting body for the simulator, `days` from now.
pub fn meeting_body(topic: &str, days: i64, approval_type: i64) -> Value {
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(days))
        .format("%Y-%m-%dT%H:00:00Z")
        .to_string();
    json!({"topic": topic, "type": 2, "start_time": start, "duration": 45, "timezone": "Europe/Berlin",
           "agenda": format!("About {topic}"), "settings": {"approval_type": approval_type}})
}

// ---- webhooks, sync, several instances (webhooks-sync) ----

impl TestApp {
    /// Spawns with a chance to adjust the simulator's configuration and Marquee's variables
    /// first. Workers poll fast and Marquee's Zoom pacing is high unless `adjust_vars` says
    /// otherwise, so tests are quick.
    pub async fn spawn_configured(
        adjust: impl FnOnce(&mut SimConfig),
        adjust_vars: impl FnOnce(&mut HashMap<String, String>),
    ) -> Self {
        log_buffer();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut sim_config = SimConfig::new(CLIENT_ID, CLIENT_SECRET, WEBHOOK_SECRET);
        sim_config.redirect_uris = vec![format!("{url}/oauth/zoom/callback")];
        adjust(&mut sim_config);
        let sim = simulator::start(sim_config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let (db, database_url) = TestDb::create().await;
        let keys_spec = KeyRing::generate_spec("test1");
        let mut vars: HashMap<String, String> = [
            ("MARQUEE_DATABASE_URL", database_url.as_str()),
            ("MARQUEE_PUBLIC_URL", url.as_str()),
            ("MARQUEE_PLATFORM_KEY", PLATFORM_KEY),
            ("MARQUEE_ZOOM_CLIENT_ID", CLIENT_ID),
            ("MARQUEE_ZOOM_CLIENT_SECRET", CLIENT_SECRET),
            ("MARQUEE_ZOOM_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("MARQUEE_ZOOM_OAUTH_URL", sim.url()),
            ("MARQUEE_ZOOM_API_URL", &sim.api_url()),
            ("MARQUEE_ENCRYPTION_KEYS", keys_spec.as_str()),
            ("MARQUEE_WORKER_POLL_MS", "50"),
            ("MARQUEE_WEBHOOK_RETRY_BASE_MS", "100"),
            ("MARQUEE_EVENTS_ALLOW_PRIVATE_URLS", "true"),
            ("MARQUEE_EVENTS_RETRY_BASE_MS", "100"),
            ("MARQUEE_ZOOM_RATE_LIGHT", "1000"),
            ("MARQUEE_ZOOM_RATE_MEDIUM", "1000"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        adjust_vars(&mut vars);
        let config = Config::from_vars(&vars).unwrap();
        let keys = config.keys.clone();
        let app = App::build(config).await.unwrap();
        let services = app.services.clone();
        let (tx, rx) = oneshot::channel::<()>();
        let (_, serving) = app
            .serve_on(listener, async {
                let _ = rx.await;
            })
            .unwrap();
        tokio::spawn(serving);
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap();
        Self {
            url,
            http,
            sim,
            services,
            keys,
            shutdown: Some(tx),
            _db: db,
            vars,
        }
    }

    /// Another Marquee instance on the same database (same secrets), serving on its own port.
    pub async fn second_instance(&self) -> Instance {
        Instance::start(self.vars.clone()).await
    }

    /// POSTs a body to `/webhooks/zoom` signed like Zoom would sign it at `timestamp`.
    pub async fn post_webhook(&self, body: &str, timestamp: i64) -> (StatusCode, Value) {
        let ts = timestamp.to_string();
        let sig = marquee::zoom::signature::sign(WEBHOOK_SECRET, &ts, body.as_bytes());
        self.post_raw_webhook(body, Some(&ts), Some(&sig)).await
    }

    /// POSTs a body to `/webhooks/zoom` with the given headers.
    pub async fn post_raw_webhook(
        &self,
        body: &str,
        timestamp: Option<&str>,
        signature: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(self.at("/webhooks/zoom"))
            .header("content-type", "application/json; charset=utf-8")
            .body(body.to_owned());
        if let Some(ts) = timestamp {
            req = req.header("x-zm-request-timestamp", ts);
        }
        if let Some(sig) = signature {
            req = req.header("x-zm-signature", sig);
        }
        json_response(req.send().await.unwrap()).await
    }

    /// The public meetings JSON of a site.
    pub async fn public_meetings(&self, slug: &str) -> Vec<Value> {
        let (status, body) = json_response(
            self.http
                .get(self.at(&format!("/api/v1/sites/{slug}/meetings?limit=100")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["meetings"].as_array().cloned().unwrap_or_default()
    }

    /// The simulator's counters (`GET /_sim/stats`).
    pub async fn sim_stats(&self) -> Value {
        let resp = self
            .http
            .get(format!("{}/_sim/stats", self.sim.url()))
            .send()
            .await
            .unwrap();
        json_response(resp).await.1
    }

    /// Changes the simulator's settings (`PUT /_sim/config`).
    pub async fn sim_config(&self, body: Value) {
        let resp = self
            .http
            .put(format!("{}/_sim/config", self.sim.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            resp.status().is_success(),
            "{}",
            resp.text().await.unwrap_or_default()
        );
    }
}

/// A further Marquee instance sharing a test's database; stops when dropped.
pub struct Instance {
    pub url: String,
    pub services: Services,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Instance {
    pub async fn start(vars: HashMap<String, String>) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = App::build(Config::from_vars(&vars).unwrap()).await.unwrap();
        let services = app.services.clone();
        let (tx, rx) = oneshot::channel::<()>();
        let (_, serving) = app
            .serve_on(listener, async {
                let _ = rx.await;
            })
            .unwrap();
        tokio::spawn(serving);
        Self {
            url,
            services,
            shutdown: Some(tx),
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Polls `check` every 50 ms until it returns `Some`, for at most `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Helpers of the connection-lifecycle tests.
impl TestApp {
    /// A second instance on the same database and simulator, with `adjust` applied to its
    /// configuration first (e.g. other encryption keys).
    pub async fn sibling(&self, adjust: impl FnOnce(&mut HashMap<String, String>)) -> Instance {
        let mut vars = self.vars.clone();
        adjust(&mut vars);
        Instance::start(vars).await
    }

    /// Another instance on the same database whose key ring (`MARQUEE_ENCRYPTION_KEYS`) is
    /// `new_spec` followed by this instance's keys if `keep_old`, so it seals with the new key.
    pub async fn sibling_with_keys(&self, new_spec: &str, keep_old: bool) -> Instance {
        let spec = if keep_old {
            format!("{new_spec},{}", self.vars["MARQUEE_ENCRYPTION_KEYS"])
        } else {
            new_spec.to_owned()
        };
        self.sibling(|v| {
            v.insert("MARQUEE_ENCRYPTION_KEYS".into(), spec);
        })
        .await
    }

    /// How many `refresh_token` grants the simulator has served.
    pub async fn refreshes(&self) -> u64 {
        self.sim_stats().await["grants"]["refresh_token"]
            .as_u64()
            .unwrap_or(0)
    }

    /// Makes Marquee believe the site's access token has expired (as if an hour had passed).
    pub async fn age_access_tokens(&self) {
        let sql = "UPDATE zoom_grants SET access_expires_at = '2000-01-01 00:00:00'";
        self.services.store.execute_raw(sql).await.unwrap();
    }

    /// `GET /api/v1/admin/zoom/user` with a tenant key: a live Zoom call with the site's token.
    pub async fn live_user(&self, base: &str, key: &str) -> (StatusCode, Value) {
        let url = format!("{base}/api/v1/admin/zoom/user");
        json_response(self.http.get(url).bearer_auth(key).send().await.unwrap()).await
    }

    /// A signed-in Zoom user who has scheduled one upcoming meeting with `topic`.
    pub async fn sim_user_with_meeting(&self, email: &str, topic: &str) -> Value {
        let user = self.sim_user(email).await;
        let body = meeting_body(topic, 2, 2);
        self.sim_meeting(user["id"].as_str().unwrap(), body).await;
        user
    }
}

// ---- the public face (issue 6) ----

impl TestApp {
    /// A site connected to a fresh simulated Zoom user, with one meeting per body; returns the
    /// meetings as the simulator created them and a tenant API key with every scope but
    /// `recordings:read`.
    pub async fn public_site(&self, slug: &str, meetings: Vec<Value>) -> (Vec<Value>, String) {
        let user = self.sim_user(&format!("host-{slug}@example.com")).await;
        let mut created = Vec::new();
        for body in meetings {
            created.push(self.sim_meeting(user["id"].as_str().unwrap(), body).await);
        }
        self.create_tenant(slug).await;
        self.connect_site(slug).await;
        let key = self
            .api_key(
                slug,
                &[
                    "settings:read",
                    "settings:write",
                    "registrations:read",
                    "registrations:write",
                    "meetings:read",
                    "meetings:write",
                    "events:read",
                    "events:write",
                ],
            )
            .await;
        (created, key)
    }

    /// A tenant admin API call with an API key.
    pub async fn admin_call(
        &self,
        key: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.at(path)).bearer_auth(key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        json_response(req.send().await.unwrap()).await
    }

    /// What the owner hid, as the admin API lists it: (kind, id), most recently hidden first.
    pub async fn hidden_items(&self, key: &str) -> Vec<(String, String)> {
        let (status, body) = self
            .admin_call(
                key,
                reqwest::Method::GET,
                "/api/v1/admin/hidden-items",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["kind"].as_str().unwrap().into(),
                    i["id"].as_str().unwrap().into(),
                )
            })
            .collect()
    }

    /// Changes site settings through the admin API.
    pub async fn site_settings(&self, key: &str, patch: Value) -> Value {
        let (status, body) = self
            .admin_call(
                key,
                reqwest::Method::PATCH,
                "/api/v1/admin/site-settings",
                Some(patch),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// GET of a public path; status, headers and text.
    pub async fn get_public(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let resp = self.http.get(self.at(path)).send().await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, headers, resp.text().await.unwrap())
    }

    /// The tenant id of a site.
    pub async fn tenant_id(&self, slug: &str) -> marquee::domain::TenantId {
        self.services.tenants().get(slug).await.unwrap().id
    }

    /// Marks the site's data as changed, as sync and webhooks do after writing.
    pub async fn bump_content_version(&self, slug: &str) {
        let id = self.tenant_id(slug).await;
        self.services
            .store
            .write(move |mut db| {
                Box::pin(
                    async move { marquee::store::tenant::bump_content_version(&mut db, &id).await },
                )
            })
            .await
            .unwrap();
    }

    /// Stores a recording row directly: recordings are synced by the sync engine (another
    /// branch); these tests only need rows to show.
    pub async fn seed_recording(
        &self,
        slug: &str,
        uuid: &str,
        topic: &str,
        start: &str,
        passcode: &str,
    ) {
        let id = self.tenant_id(slug).await;
        let sql = format!(
            "INSERT INTO recordings (tenant_id, zoom_meeting_uuid, zoom_meeting_id, host_id, topic, start_time, \
             duration_minutes, timezone, share_url, play_passcode, total_size, files_json, status, hidden, synced_at) \
             VALUES ('{id}', '{uuid}', 81000000001, 'host', '{}', '{start}', 42, 'Europe/Berlin', \
             'https://zoom.example/rec/share/{uuid}', '{passcode}', 1000, '[]', 'available', FALSE, '{start}')",
            topic.replace('\'', "''")
        );
        self.services.store.execute_raw(&sql).await.unwrap();
        self.bump_content_version(slug).await;
    }

    /// Stores occurrences of a recurring meeting directly (occurrences are synced by the sync
    /// engine on another branch). `starts` are UTC `YYYY-MM-DD HH:MM:SS`.
    pub async fn seed_occurrences(&self, slug: &str, meeting_id: i64, starts: &[&str]) {
        let id = self.tenant_id(slug).await;
        for (i, start) in starts.iter().enumerate() {
            let sql = format!(
                "INSERT INTO meeting_occurrences (tenant_id, zoom_meeting_id, occurrence_id, start_time, duration_minutes, status) \
                 VALUES ('{id}', {meeting_id}, '{}', '{start}', 60, 'available')",
                1_700_000_000_000i64 + i as i64
            );
            self.services.store.execute_raw(&sql).await.unwrap();
        }
        self.bump_content_version(slug).await;
    }

    /// How often the simulator served `key` (e.g. `POST /v2/meetings/{meetingId}/registrants`).
    pub async fn sim_calls(&self, key: &str) -> i64 {
        let resp = self
            .http
            .get(format!("{}/_sim/stats", self.sim.url()))
            .send()
            .await
            .unwrap();
        let stats: Value = resp.json().await.unwrap();
        stats["endpoints"][key].as_i64().unwrap_or(0)
    }

    /// Registers through the public JSON API.
    pub async fn register(
        &self,
        slug: &str,
        meeting_id: i64,
        body: Value,
        idempotency_key: Option<&str>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .http
            .post(self.at(&format!(
                "/api/v1/sites/{slug}/meetings/{meeting_id}/registrations"
            )))
            .json(&body);
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        let resp = req.send().await.unwrap();
        let headers = resp.headers().clone();
        let (status, body) = json_response(resp).await;
        (status, headers, body)
    }
}

impl TestApp {
    /// Registers `email` for site `slug` through the public API and returns Marquee's id of
    /// the registration, read with `key` (scope `registrations:read`).
    pub async fn registration_id(
        &self,
        slug: &str,
        key: &str,
        meeting_id: i64,
        email: &str,
    ) -> String {
        let (status, _, body) = self.register(slug, meeting_id, visitor(email), None).await;
        assert!(status.is_success(), "{body}");
        let (status, list) = self
            .admin_call(
                key,
                reqwest::Method::GET,
                &format!("/api/v1/admin/registrations?meeting_id={meeting_id}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list["registrations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["email"] == email)
            .and_then(|r| r["id"].as_str())
            .expect("the registration is listed")
            .to_owned()
    }
}

/// Every scope a tenant key can hold.
pub const EVERY_SCOPE: [&str; 9] = [
    "meetings:read",
    "meetings:write",
    "recordings:read",
    "registrations:read",
    "registrations:write",
    "settings:read",
    "settings:write",
    "events:read",
    "events:write",
];

/// Asserts a 400 `invalid_request` naming `field`; `what` says which request it answers.
pub fn assert_invalid_request(status: StatusCode, body: &Value, field: &str, what: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
    assert_eq!(body["error"]["code"], "invalid_request", "{what}: {body}");
    assert_eq!(body["error"]["field"], field, "{what}: {body}");
}

impl TestApp {
    /// The OpenAPI document the server serves.
    pub async fn served_document(&self) -> Value {
        let resp = self
            .http
            .get(self.at("/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.json().await.unwrap()
    }
}

/// A visitor's registration body.
pub fn visitor(email: &str) -> Value {
    json!({"first_name": "Grace", "last_name": "Hopper", "email": email})
}

// ---- Idempotency-Key ----

/// Who sends a request.
#[derive(Clone, Debug)]
pub enum Caller {
    Anonymous,
    Platform,
    /// A tenant API key, or any bearer token.
    Bearer(String),
}

/// An answer exactly as it came: status, headers and the raw body text.
#[derive(Debug)]
pub struct RawAnswer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl RawAnswer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    /// A request with an optional `Idempotency-Key`, answered raw (to compare bytes).
    pub async fn keyed(
        &self,
        method: reqwest::Method,
        path: &str,
        caller: &Caller,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> RawAnswer {
        let mut req = self.http.request(method, self.at(path));
        req = match caller {
            Caller::Anonymous => req,
            Caller::Platform => req.platform_key(),
            Caller::Bearer(token) => req.bearer_auth(token),
        };
        if let Some(body) = body {
            req = req.json(body);
        }
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        let resp = req.send().await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        RawAnswer {
            status,
            headers,
            text: resp.text().await.unwrap(),
        }
    }

    /// How many rows `table` holds.
    pub async fn rows(&self, table: &str) -> usize {
        self.services.store.dump_table(table).await.unwrap().len()
    }
}

/// A real `marquee serve` process on a loopback port with `vars`, for the kill -9 tests:
/// [`ServeProcess::kill`] ends it with SIGKILL (no shutdown, no draining).
pub struct ServeProcess {
    pub url: String,
    child: std::process::Child,
}

impl ServeProcess {
    /// Starts it and waits (bounded) until it answers `/healthz`.
    pub async fn start(http: &reqwest::Client, mut vars: HashMap<String, String>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        vars.insert("MARQUEE_LISTEN".into(), format!("127.0.0.1:{port}"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_marquee"))
            .arg("serve")
            .env_clear()
            .envs(&vars)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        eventually(15, "the child process to listen", || async {
            let r = http.get(format!("{url}/healthz")).send().await.ok()?;
            r.status().is_success().then_some(())
        })
        .await;
        Self { url, child }
    }

    /// SIGKILL, then reaps the process.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

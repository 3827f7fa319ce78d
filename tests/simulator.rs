//! The Zoom simulator, exercised over real HTTP on loopback: one test per behaviour of issue 3,
//! pinned to the reference's vectors (W1/V2 §2, Z2 §3.4, PKCE §1.2) where they apply.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use marquee::simulator::{self, RateLimits, RunningSimulator, SeedOptions, SimConfig};
use marquee::zoom::{app_context, pkce, signature};
use reqwest::StatusCode;
use serde_json::{Value, json};

const CLIENT_ID: &str = "zoomsimClientId01";
const CLIENT_SECRET: &str = "zoomsim_client_secret_0001";
const WEBHOOK_SECRET: &str = "zoomsim_webhook_secret_0001";
const REDIRECT: &str = "http://127.0.0.1:9/zoom/callback";
/// RFC 7636 appendix B (reference §1.2).
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

// ---------------------------------------------------------------------------------------------
// Harness

struct Sim {
    sim: RunningSimulator,
    http: reqwest::Client,
}

fn config() -> SimConfig {
    let mut c = SimConfig::new(CLIENT_ID, CLIENT_SECRET, WEBHOOK_SECRET);
    c.redirect_uris = vec![REDIRECT.into(), "http://127.0.0.1:9/other?site=a".into()];
    c.rate_limits = RateLimits::off();
    c
}

async fn start(config: SimConfig) -> Sim {
    let sim = simulator::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    Sim { sim, http }
}

impl Sim {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.url())
    }

    async fn control(&self, method: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let r = self
            .http
            .request(m, self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn user(&self, email: &str, extra: Value) -> Value {
        let mut body = json!({"email": email, "first_name": "Ada", "last_name": "Host", "timezone": "Europe/Berlin"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().cloned().unwrap_or_default());
        let (status, user) = self.control("POST", "/_sim/users", body).await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        user
    }

    /// Consent via `POST /oauth/authorize` (what the Allow button does); returns the Location.
    async fn allow(&self, params: &[(&str, &str)]) -> String {
        let mut form: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
        ];
        form.extend_from_slice(params);
        form.push(("decision", "allow"));
        let r = self
            .http
            .post(self.url("/oauth/authorize"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        r.headers()["location"].to_str().unwrap().to_string()
    }

    async fn token(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url("/oauth/token"))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Full connect with PKCE S256: returns the token response JSON.
    async fn connect(&self) -> Value {
        let location = self
            .allow(&[
                ("state", "s1"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
            ])
            .await;
        let code = query_param(&location, "code").unwrap();
        let r = self
            .token(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ])
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn api(
        &self,
        method: &str,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(m, format!("{}{path}", self.sim.api_url()))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    async fn api_json(
        &self,
        method: &str,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let r = self.api(method, token, path, body).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn stats(&self) -> Value {
        self.control("GET", "/_sim/stats", Value::Null).await.1
    }
}

fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn access(t: &Value) -> String {
    t["access_token"].as_str().unwrap().to_string()
}

/// A webhook endpoint on loopback that records deliveries, answers URL validation like Marquee
/// will, and can fail its first N event deliveries.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Delivery>>>,
    fail_first: Arc<AtomicUsize>,
}

#[derive(Clone, Debug)]
struct Delivery {
    ts: String,
    sig: String,
    raw: Vec<u8>,
    json: Value,
    headers: reqwest::header::HeaderMap,
    answered: u16,
}

impl Receiver {
    async fn start(fail_first: usize) -> (String, Receiver) {
        let rx = Receiver::default();
        rx.fail_first.store(fail_first, Ordering::SeqCst);
        let state = rx.clone();
        let ep = poem::endpoint::make(move |mut req: poem::Request| {
            let state = state.clone();
            async move {
                let raw = req.take_body().into_vec().await.unwrap_or_default();
                let header = |n: &str| {
                    req.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string()
                };
                let (ts, sig) = (header("x-zm-request-timestamp"), header("x-zm-signature"));
                let json: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
                let mut headers = reqwest::header::HeaderMap::new();
                for (k, v) in req.headers() {
                    headers.insert(
                        reqwest::header::HeaderName::from_bytes(k.as_str().as_bytes()).unwrap(),
                        reqwest::header::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
                    );
                }
                let mut answered = 200;
                let mut response = poem::Response::builder()
                    .status(poem::http::StatusCode::OK)
                    .finish();
                if json["event"] == "endpoint.url_validation" {
                    let plain = json["payload"]["plainToken"].as_str().unwrap_or("");
                    let body = json!({"plainToken": plain, "encryptedToken": signature::url_validation_token(WEBHOOK_SECRET, plain)});
                    response = poem::Response::builder()
                        .content_type("application/json")
                        .body(body.to_string());
                } else if state.fail_first.load(Ordering::SeqCst) > 0 {
                    state.fail_first.fetch_sub(1, Ordering::SeqCst);
                    answered = 500;
                    response = poem::Response::builder()
                        .status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
                        .finish();
                }
                state.got.lock().unwrap().push(Delivery {
                    ts,
                    sig,
                    raw,
                    json,
                    headers,
                    answered,
                });
                response
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
        tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(ep));
        (format!("http://{addr}/zoom/webhook"), rx)
    }

    /// Deliveries of real events (not URL validation), in arrival order.
    fn events(&self) -> Vec<Delivery> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|d| d.json["event"] != "endpoint.url_validation")
            .cloned()
            .collect()
    }

    async fn wait_for(&self, n: usize, within: Duration) -> Vec<Delivery> {
        let deadline = Instant::now() + within;
        loop {
            let ev = self.events();
            if ev.len() >= n || Instant::now() > deadline {
                return ev;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn with_webhooks(mut cfg: SimConfig, fail_first: usize) -> (Sim, Receiver) {
    let (url, rx) = Receiver::start(fail_first).await;
    cfg.webhook_url = Some(url);
    (start(cfg).await, rx)
}

/// Every delivery must verify like Marquee's intake will (reference §2.1, §2.2).
fn assert_signed(d: &Delivery) {
    assert!(
        signature::verify(WEBHOOK_SECRET, &d.ts, &d.raw, &d.sig),
        "bad signature on {}",
        d.json
    );
    let ts: i64 = d.ts.parse().unwrap();
    assert!(
        (ts - chrono::Utc::now().timestamp()).abs() < 60,
        "timestamp is in seconds"
    );
    let event_ts = d.json["event_ts"].as_i64().unwrap();
    assert!(
        (event_ts / 1000 - ts).abs() < 60,
        "event_ts is in milliseconds"
    );
    assert_eq!(
        serde_json::to_vec(&d.json).unwrap().len(),
        d.raw.len(),
        "compact JSON"
    );
    assert_eq!(d.headers["user-agent"], "Zoom Marketplace/1.0a");
    assert_eq!(d.headers["clientid"], CLIENT_ID);
    assert!(
        d.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

// ---------------------------------------------------------------------------------------------
// OAuth (reference §1, checklist §7.1–7.3)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorize_rejects_bad_client_and_unlisted_redirects_without_redirecting() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    for (client, redirect) in [
        ("wrong", REDIRECT),
        (CLIENT_ID, "http://127.0.0.1:9/zoom/callback/"), // trailing slash matters
        (CLIENT_ID, "http://evil.example/zoom/callback"),
        (CLIENT_ID, "http://127.0.0.1:9/other"), // query string is part of the match
    ] {
        let r = s
            .http
            .get(s.url("/oauth/authorize"))
            .query(&[
                ("response_type", "code"),
                ("client_id", client),
                ("redirect_uri", redirect),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{client} {redirect}");
        assert!(r.headers().get("location").is_none());
        assert!(r.headers().get("x-zm-trackingid").is_some());
        assert!(r.text().await.unwrap().contains("Something went wrong"));
    }
    // a `scope` parameter is rejected (reference §1.2)
    let r = s
        .http
        .get(s.url("/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("scope", "meeting:read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_page_allow_and_deny() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({"first_name": "Olga"}))
        .await;
    let params = [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("state", "xyz"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let r = s
        .http
        .get(s.url("/oauth/authorize"))
        .query(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Marquee wants to access your Zoom account"));
    assert!(page.contains("owner@example.com"));
    assert!(page.contains("action=\"/oauth/authorize\""));
    assert_eq!(page.matches("<button").count(), 1, "one button");
    assert!(
        page.contains(
            "name=\"code_challenge\" value=\"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\""
        )
    );

    let location = s.allow(&[("state", "xyz")]).await;
    assert!(location.starts_with(REDIRECT));
    let code = query_param(&location, "code").unwrap();
    assert!(
        (32..=64).contains(&code.len()),
        "code length {}",
        code.len()
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("xyz"));

    let mut form = params.to_vec();
    form.push(("decision", "deny"));
    let r = s
        .http
        .post(s.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = r.headers()["location"].to_str().unwrap();
    assert_eq!(query_param(loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(loc, "state").as_deref(), Some("xyz"));
    assert_eq!(query_param(loc, "code"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_consent_marketplace_mode_and_redirect_with_query() {
    let mut cfg = config();
    cfg.auto_consent = true;
    let s = start(cfg).await;
    s.user("owner@example.com", json!({})).await;
    let get = |state: &'static str, redirect: &'static str| {
        s.http
            .get(s.url("/oauth/authorize"))
            .query(&[
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", redirect),
                ("state", state),
            ])
            .send()
    };
    let r = get("abc", "http://127.0.0.1:9/other?site=a").await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(query_param(&loc, "site").as_deref(), Some("a"));
    assert_eq!(query_param(&loc, "state").as_deref(), Some("abc"));

    let (status, _) = s
        .control("PUT", "/_sim/config", json!({"marketplace_mode": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let loc = get("abc", REDIRECT).await.unwrap().headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(query_param(&loc, "code").is_some());
    assert_eq!(
        query_param(&loc, "state"),
        None,
        "Marketplace installs carry no state"
    );

    // the Marketplace "Add" button starts without any request of ours
    let r = s.http.get(s.url("/_sim/install")).send().await.unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with(REDIRECT) && query_param(&loc, "state").is_none());
    let code = query_param(&loc, "code").unwrap();
    let r = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_exchange_checks_client_code_redirect_and_pkce() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    assert_eq!(pkce::s256_challenge(VERIFIER), CHALLENGE);

    // wrong client secret
    let r = s
        .http
        .post(s.url("/oauth/token"))
        .basic_auth(CLIENT_ID, Some("nope"))
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");

    // S256: wrong verifier, wrong redirect, then success, then reuse
    let code = query_param(
        &s.allow(&[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .await,
        "code",
    )
    .unwrap();
    let bad = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", "x".repeat(43).as_str()),
        ])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let bad = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/other?site=a"),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let ok = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let t: Value = ok.json().await.unwrap();
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 3599);
    assert_eq!(t["api_url"], s.sim.url());
    assert!(
        t["scope"]
            .as_str()
            .unwrap()
            .split(' ')
            .any(|sc| sc == "meeting:read:list_meetings:admin")
    );
    assert!(access(&t).len() > 200 && t["refresh_token"].as_str().unwrap().len() > 200);
    let reuse = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(reuse.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        reuse.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );

    // plain PKCE, parameters in the query string (legacy style, reference §1.3)
    let code = query_param(
        &s.allow(&[
            (
                "code_challenge",
                "plain-verifier-0123456789-0123456789-abcdef",
            ),
            ("code_challenge_method", "plain"),
        ])
        .await,
        "code",
    )
    .unwrap();
    let r = s
        .http
        .post(s.url("/oauth/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .query(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            (
                "code_verifier",
                "plain-verifier-0123456789-0123456789-abcdef",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(s.stats().await["grants"]["authorization_code"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_expire_after_five_minutes() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    let code = query_param(&s.allow(&[]).await, "code").unwrap();
    s.control("POST", "/_sim/clock/advance", json!({"seconds": 301}))
        .await;
    let r = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_and_the_old_refresh_token_dies_immediately() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    let first = s.connect().await;
    let old_refresh = first["refresh_token"].as_str().unwrap();
    let r = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let second: Value = r.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    let reuse = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh),
        ])
        .await;
    assert_eq!(reuse.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        reuse.text().await.unwrap(),
        r#"{"reason":"Invalid Token!","error":"invalid_grant"}"#
    );
    let (status, _) = s.api_json("GET", &access(&second), "/users/me", None).await;
    assert_eq!(status, StatusCode::OK);
    let stats = s.stats().await;
    assert_eq!(stats["grants"]["refresh_token"], 1);
    assert_eq!(stats["grant_errors"]["invalid_grant"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reauthorizing_invalidates_the_earlier_pair() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    let first = s.connect().await;
    let second = s.connect().await;
    let (status, body) = s.api_json("GET", &access(&first), "/users/me", None).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({"code": 124, "message": "Invalid access token."})
        )
    );
    let r = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        s.api("GET", &access(&second), "/users/me", None)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_kills_both_tokens_and_emits_app_deauthorized() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let user = s.user("owner@example.com", json!({})).await;
    let t = s.connect().await;
    let r = s
        .http
        .post(s.url("/oauth/revoke"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("token", access(&t))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status": "success"})
    );
    assert_eq!(
        s.api("GET", &access(&t), "/users/me", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let ev = rx.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(ev.len(), 1);
    assert_signed(&ev[0]);
    assert_eq!(ev[0].json["event"], "app_deauthorized");
    assert_eq!(ev[0].json["payload"]["account_id"], user["account_id"]);
    assert_eq!(ev[0].json["payload"]["user_id"], user["id"]);
    assert_eq!(ev[0].json["payload"]["client_id"], CLIENT_ID);
}

// ---------------------------------------------------------------------------------------------
// API authentication (reference §1.7, §1.9, checklist §7.4)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_rejects_missing_query_string_expired_and_underscoped_tokens() {
    let mut cfg = config();
    cfg.scopes = vec!["user:read:user".into()];
    let s = start(cfg).await;
    s.user("owner@example.com", json!({})).await;
    let t = s.connect().await;

    let r = s
        .http
        .get(format!("{}/users/me", s.sim.api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["x-zm-trackingid"]
            .to_str()
            .unwrap()
            .starts_with("v=2.0;")
    );
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"code": 124, "message": "Invalid access token."})
    );

    let r = s
        .http
        .get(format!(
            "{}/users/me?access_token={}",
            s.sim.api_url(),
            access(&t)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json::<Value>().await.unwrap()["message"],
        "Invalid access token, this access token is not supported as query parameter string."
    );

    let (status, body) = s
        .api_json("GET", &access(&t), "/users/me/meetings", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], 4711);
    assert_eq!(
        body["message"],
        "Invalid access token, does not contain scopes:[meeting:read:list_meetings, meeting:read:list_meetings:admin]."
    );

    let ok = s.api("GET", &access(&t), "/users/me", None).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.headers().contains_key("x-zm-trackingid"));

    let (_, n) = s.control("POST", "/_sim/tokens/expire", json!({})).await;
    assert_eq!(n["expired"], 1);
    let (status, body) = s.api_json("GET", &access(&t), "/users/me", None).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({"code": 124, "message": "Access token is expired."})
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Users (reference §4.2, §1.8)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_me_by_email_list_paging_and_foreign_users() {
    let s = start(config()).await;
    let owner = s
        .user("owner@example.com", json!({"plan": "business"}))
        .await;
    for i in 0..4 {
        s.user(
            &format!("member{i}@example.com"),
            json!({"account_id": owner["account_id"]}),
        )
        .await;
    }
    let stranger = s.user("stranger@elsewhere.test", json!({})).await;
    assert_ne!(stranger["account_id"], owner["account_id"]);
    let t = access(&s.connect().await);

    let (status, me) = s.api_json("GET", &t, "/users/me", None).await;
    assert_eq!(status, StatusCode::OK);
    for field in [
        "id",
        "account_id",
        "email",
        "first_name",
        "last_name",
        "display_name",
        "timezone",
        "type",
        "role_name",
        "pmi",
        "account_number",
    ] {
        assert!(me.get(field).is_some(), "missing {field}");
    }
    assert_eq!(me["id"], owner["id"]);
    assert_eq!(me["role_name"], "Owner");
    assert_eq!(me["type"], 2);
    assert_eq!(me["timezone"], "Europe/Berlin");
    let (_, by_email) = s
        .api_json("GET", &t, "/users/MEMBER2@example.com", None)
        .await;
    assert_eq!(by_email["email"], "member2@example.com");
    assert_eq!(by_email["role_name"], "Member");

    let (status, body) = s
        .api_json(
            "GET",
            &t,
            &format!("/users/{}", stranger["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], 1001);

    let (_, p1) = s.api_json("GET", &t, "/users?page_size=2", None).await;
    assert_eq!(p1["total_records"], 5);
    assert_eq!(p1["users"].as_array().unwrap().len(), 2);
    let next = p1["next_page_token"].as_str().unwrap();
    assert!(!next.is_empty());
    let (_, p2) = s
        .api_json(
            "GET",
            &t,
            &format!("/users?page_size=2&next_page_token={next}"),
            None,
        )
        .await;
    assert_eq!(p2["users"].as_array().unwrap().len(), 2);
    assert_ne!(p2["users"][0]["id"], p1["users"][0]["id"]);
    let (status, bad) = s
        .api_json("GET", &t, "/users?next_page_token=nonsense", None)
        .await;
    assert_eq!(
        (status, bad["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(300))
    );
}

// ---------------------------------------------------------------------------------------------
// Meetings (reference §4.3) and their webhooks (§2.6)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_create_get_patch_delete_with_signed_webhooks() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let owner = s
        .user("owner@example.com", json!({"timezone": "America/New_York"}))
        .await;
    let t = access(&s.connect().await);
    let body = json!({"topic": "Launch <b>party</b> 🎉", "type": 2, "start_time": "2031-05-01T10:00:00", "timezone": "America/New_York", "duration": 45, "agenda": "a".repeat(600)});
    let (status, created) = s
        .api_json("POST", &t, "/users/me/meetings", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["start_time"], "2031-05-01T14:00:00Z",
        "local time in the meeting's zone"
    );
    assert!(created["start_url"].as_str().unwrap().contains("/s/"));
    assert!(
        created["join_url"]
            .as_str()
            .unwrap()
            .contains(&created["id"].to_string())
    );
    let id = created["id"].as_i64().unwrap();
    assert!(id > i64::from(i32::MAX));
    assert_eq!(created["uuid"].as_str().unwrap().len(), 24);

    let (_, got) = s
        .api_json("GET", &t, &format!("/meetings/{id}"), None)
        .await;
    assert_eq!(got["topic"], "Launch <b>party</b> 🎉");
    assert_eq!(got["agenda"].as_str().unwrap().len(), 600);
    let (_, list) = s
        .api_json("GET", &t, "/users/me/meetings?type=upcoming", None)
        .await;
    assert_eq!(
        list["meetings"][0]["agenda"].as_str().unwrap().len(),
        250,
        "lists truncate the agenda"
    );

    let r = s
        .api(
            "PATCH",
            &t,
            &format!("/meetings/{id}"),
            Some(json!({"topic": "Renamed", "settings": {"approval_type": 0}})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.text().await.unwrap(), "");
    let r = s.api("DELETE", &t, &format!("/meetings/{id}"), None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, gone) = s
        .api_json("GET", &t, &format!("/meetings/{id}"), None)
        .await;
    assert_eq!(
        (status, gone["code"].clone()),
        (StatusCode::NOT_FOUND, json!(3001))
    );

    let ev = rx.wait_for(3, Duration::from_secs(5)).await;
    let names: Vec<&str> = ev
        .iter()
        .map(|d| d.json["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["meeting.created", "meeting.updated", "meeting.deleted"]
    );
    ev.iter().for_each(assert_signed);
    let created_ev = &ev[0].json["payload"];
    assert_eq!(created_ev["account_id"], owner["account_id"]);
    assert_eq!(created_ev["operator"], "owner@example.com");
    assert_eq!(
        created_ev["object"]["id"], id,
        "meeting id is a JSON number"
    );
    let raw = std::str::from_utf8(&ev[0].raw).unwrap();
    assert!(
        raw.starts_with(r#"{"event":"meeting.created","payload":{"account_id":"#),
        "field order: {raw}"
    );
    let upd = &ev[1].json["payload"];
    assert_eq!(upd["object"]["topic"], "Renamed");
    assert_eq!(upd["old_object"]["topic"], "Launch <b>party</b> 🎉");
    assert_eq!(upd["object"]["settings"], json!({"approval_type": 0}));
    assert_eq!(upd["old_object"]["settings"], json!({"approval_type": 2}));
    assert_eq!(upd["object"]["id"], id);
    assert_eq!(ev[2].json["payload"]["object"]["uuid"], created["uuid"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recurring_meetings_have_occurrences_and_lists_page_by_type() {
    let s = start(config()).await;
    let owner = s
        .user("owner@example.com", json!({"timezone": "UTC"}))
        .await;
    let uid = owner["id"].as_str().unwrap();
    let t = access(&s.connect().await);
    let rec = json!({"topic": "Weekly", "type": 8, "start_time": "2031-01-07T09:00:00Z", "duration": 30, "recurrence": {"type": 2, "weekly_days": "3,5", "end_times": 6}});
    let (status, m) = s
        .api_json("POST", &t, &format!("/users/{uid}/meetings"), Some(rec))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    let occ = m["occurrences"].as_array().unwrap();
    assert_eq!(occ.len(), 6);
    assert_eq!(occ[0]["start_time"], "2031-01-07T09:00:00Z");
    assert_eq!(occ[1]["start_time"], "2031-01-09T09:00:00Z");
    assert_eq!(occ[0]["occurrence_id"], "1925542800000");
    // delete one occurrence
    let r = s
        .api(
            "DELETE",
            &t,
            &format!("/meetings/{}?occurrence_id=1925542800000", m["id"]),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, got) = s
        .api_json("GET", &t, &format!("/meetings/{}", m["id"]), None)
        .await;
    assert_eq!(got["occurrences"].as_array().unwrap().len(), 5);
    assert_eq!(got["start_time"], "2031-01-09T09:00:00Z");

    // 305 meetings through the control API (the host's own UI: no API quota) and paging
    for i in 0..305 {
        let day = 1 + i % 28;
        let (status, _) = s.control("POST", &format!("/_sim/users/{uid}/meetings"), json!({"topic": format!("m{i}"), "start_time": format!("2032-02-{day:02}T10:00:00Z")})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, past) = s
        .control(
            "POST",
            &format!("/_sim/users/{uid}/meetings"),
            json!({"topic": "old", "start_time": "2020-01-01T10:00:00Z"}),
        )
        .await;
    let (_, p1) = s
        .api_json("GET", &t, "/users/me/meetings?page_size=500", None)
        .await;
    assert_eq!(p1["page_size"], 300);
    assert_eq!(
        p1["total_records"], 306,
        "expired meetings are not scheduled"
    );
    assert_eq!(p1["meetings"].as_array().unwrap().len(), 300);
    let next = p1["next_page_token"].as_str().unwrap();
    let (_, p2) = s
        .api_json(
            "GET",
            &t,
            &format!("/users/me/meetings?page_size=500&next_page_token={next}"),
            None,
        )
        .await;
    assert_eq!(p2["meetings"].as_array().unwrap().len(), 6);
    assert_eq!(p2["next_page_token"], "");
    let (_, prev) = s
        .api_json("GET", &t, "/users/me/meetings?type=previous_meetings", None)
        .await;
    assert_eq!(prev["total_records"], 1);
    assert_eq!(prev["meetings"][0]["id"], past["id"]);
    let (status, _) = s
        .api_json("GET", &t, "/users/me/meetings?type=bogus", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------------------------------------
// Registrants (reference §4.4)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registrants_follow_the_approval_type() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let uid = owner["id"].as_str().unwrap();
    let t = access(&s.connect().await);
    let mk = |approval: i64| json!({"topic": format!("a{approval}"), "start_time": "2031-03-01T10:00:00Z", "settings": {"approval_type": approval}});
    let (_, none) = s
        .control("POST", &format!("/_sim/users/{uid}/meetings"), mk(2))
        .await;
    let (_, auto) = s
        .control("POST", &format!("/_sim/users/{uid}/meetings"), mk(0))
        .await;
    let (_, manual) = s
        .control("POST", &format!("/_sim/users/{uid}/meetings"), mk(1))
        .await;
    let visitor = json!({"email": "visitor@example.org", "first_name": "Vi", "last_name": "Sitor"});

    let (status, body) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", none["id"]),
            Some(visitor.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"code": 404, "message": format!("Registration has not been enabled for this meeting: {}", none["id"])})
    );

    let (status, a) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", auto["id"]),
            Some(visitor.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(a["id"], auto["id"]);
    assert!(
        a["join_url"].as_str().unwrap().contains("tk="),
        "personal join_url"
    );
    let (_, again) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", auto["id"]),
            Some(json!({"email": "VISITOR@example.org", "first_name": "Vi"})),
        )
        .await;
    assert_eq!(
        again["registrant_id"], a["registrant_id"],
        "same e-mail, same registrant"
    );
    assert_eq!(again["join_url"], a["join_url"]);

    let (status, p) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", manual["id"]),
            Some(visitor.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        p.get("join_url").is_none(),
        "pending registrants get no join_url"
    );
    let (_, pending) = s
        .api_json(
            "GET",
            &t,
            &format!("/meetings/{}/registrants?status=pending", manual["id"]),
            None,
        )
        .await;
    assert_eq!(pending["total_records"], 1);
    assert_eq!(pending["registrants"][0]["status"], "pending");
    let (_, approved) = s
        .api_json(
            "GET",
            &t,
            &format!("/meetings/{}/registrants", manual["id"]),
            None,
        )
        .await;
    assert_eq!(approved["total_records"], 0);

    let (status, _) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", auto["id"]),
            Some(json!({"email": "x@example.org"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "first_name is required");

    // questions incl. custom ones
    s.control("PUT", &format!("/_sim/meetings/{}/questions", auto["id"]), json!({
        "questions": [{"field_name": "org", "required": true}],
        "custom_questions": [{"title": "Favourite colour?", "type": "short", "required": true, "answers": []}]})).await;
    let (_, q) = s
        .api_json(
            "GET",
            &t,
            &format!("/meetings/{}/registrants/questions", auto["id"]),
            None,
        )
        .await;
    assert_eq!(q["custom_questions"][0]["title"], "Favourite colour?");
    let (status, _) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", auto["id"]),
            Some(json!({"email": "b@example.org", "first_name": "B", "org": "Acme"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "required custom question missing"
    );
    let (status, ok) = s.api_json("POST", &t, &format!("/meetings/{}/registrants", auto["id"]), Some(json!({"email": "b@example.org", "first_name": "B", "org": "Acme", "custom_questions": [{"title": "Favourite colour?", "value": "teal"}]}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, one) = s
        .api_json(
            "GET",
            &t,
            &format!(
                "/meetings/{}/registrants/{}",
                auto["id"],
                ok["registrant_id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(one["custom_questions"][0]["value"], "teal");

    let ev = rx.wait_for(6, Duration::from_secs(5)).await;
    let regs: Vec<&Delivery> = ev
        .iter()
        .filter(|d| d.json["event"] == "meeting.registration_created")
        .collect();
    assert_eq!(regs.len(), 3, "one per new registrant, none for the repeat");
    assert_eq!(
        regs[0].json["payload"]["object"]["registrant"]["email"],
        "visitor@example.org"
    );
    assert_eq!(
        regs[1].json["payload"]["object"]["registrant"]["status"],
        "pending"
    );
}

// ---------------------------------------------------------------------------------------------
// Limits (reference §5)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_account_qps_limit_answers_429_with_headers() {
    let mut cfg = config();
    cfg.rate_limits = RateLimits::uniform(2, 1, 1);
    let s = start(cfg).await;
    s.user("owner@example.com", json!({})).await;
    let t = access(&s.connect().await);
    let first = s.api("GET", &t, "/users/me", None).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["x-ratelimit-category"], "Light");
    assert_eq!(
        s.api("GET", &t, "/users/me", None).await.status(),
        StatusCode::OK
    );
    let limited = s.api("GET", &t, "/users/me", None).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "1");
    assert_eq!(limited.headers()["x-ratelimit-type"], "QPS");
    assert_eq!(limited.headers()["x-ratelimit-limit"], "2");
    assert_eq!(limited.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(limited.json::<Value>().await.unwrap()["code"], 429);
    // Medium has its own bucket
    let m = s.api("GET", &t, "/users/me/meetings", None).await;
    assert_eq!(
        (
            m.status(),
            m.headers()["x-ratelimit-category"].to_str().unwrap()
        ),
        (StatusCode::OK, "Medium")
    );
    assert_eq!(s.stats().await["rate_limited"], 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        s.api("GET", &t, "/users/me", None).await.status(),
        StatusCode::OK,
        "the bucket refills"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_meeting_write_and_registrant_limits() {
    let mut cfg = config();
    cfg.rate_limits = RateLimits {
        meeting_writes_per_host_per_day: 3,
        ..RateLimits::uniform(1000, 1000, 1000)
    };
    let s = start(cfg).await;
    s.user("owner@example.com", json!({})).await;
    let t = access(&s.connect().await);
    let body = json!({"topic": "x", "start_time": "2031-01-01T10:00:00Z", "settings": {"approval_type": 0}});
    let (_, m) = s
        .api_json("POST", &t, "/users/me/meetings", Some(body.clone()))
        .await;
    assert_eq!(
        s.api(
            "PATCH",
            &t,
            &format!("/meetings/{}", m["id"]),
            Some(json!({"topic": "y"}))
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.api("POST", &t, "/users/me/meetings", Some(body.clone()))
            .await
            .status(),
        StatusCode::CREATED
    );
    let r = s
        .api("POST", &t, "/users/me/meetings", Some(body.clone()))
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .ends_with("T00:00:00Z")
    );
    assert!(
        r.json::<Value>().await.unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("daily rate limit (3) of Meeting Create/Update")
    );
    // the host's own UI is not an API request
    assert_eq!(
        s.control(
            "PATCH",
            &format!("/_sim/meetings/{}", m["id"]),
            json!({"topic": "z"})
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );

    // three adds per registrant per day (reference §5.2)
    let reg = json!({"email": "same@example.org", "first_name": "S"});
    for _ in 0..3 {
        assert_eq!(
            s.api(
                "POST",
                &t,
                &format!("/meetings/{}/registrants", m["id"]),
                Some(reg.clone())
            )
            .await
            .status(),
            StatusCode::CREATED
        );
    }
    let (status, body) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", m["id"]),
            Some(reg),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("for the registrant \"same@example.org\"")
    );

    // after 00:00 UTC the counters reset
    s.control("POST", "/_sim/clock/advance", json!({"seconds": 86_400}))
        .await;
    let t = access(&s.connect().await);
    assert_eq!(
        s.api(
            "POST",
            &t,
            "/users/me/meetings",
            Some(json!({"topic": "next day"}))
        )
        .await
        .status(),
        StatusCode::CREATED
    );
}

// ---------------------------------------------------------------------------------------------
// Recordings (reference §4.5) and recording webhooks

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_lifecycle_window_rule_files_and_downloads() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let uid = owner["id"].as_str().unwrap();
    let t = access(&s.connect().await);
    let (_, m) = s
        .control(
            "POST",
            &format!("/_sim/users/{uid}/meetings"),
            json!({"topic": "Recorded talk", "start_time": "2024-03-10T10:00:00Z"}),
        )
        .await;
    let (status, rec) = s
        .control(
            "POST",
            &format!("/_sim/meetings/{}/recordings", m["id"]),
            json!({"start_time": "2024-03-10T10:00:00Z", "duration": 50}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    let uuid = rec["uuid"].as_str().unwrap().to_string();

    let (status, list) = s
        .api_json(
            "GET",
            &t,
            "/users/me/recordings?from=2024-03-01&to=2024-03-31",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (list["from"].clone(), list["to"].clone()),
        (json!("2024-03-01"), json!("2024-03-31"))
    );
    assert_eq!(list["total_records"], 1);
    let item = &list["meetings"][0];
    assert_eq!(item["uuid"], uuid.as_str());
    assert!(item["share_url"].as_str().unwrap().contains("/rec/share/"));
    assert!(!item["recording_play_passcode"].as_str().unwrap().is_empty());
    let files = item["recording_files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    for f in files {
        assert!(f["play_url"].as_str().unwrap().contains("/rec/play/"));
        assert!(
            f["download_url"]
                .as_str()
                .unwrap()
                .contains("/rec/download/")
        );
        assert_eq!(f["status"], "completed");
    }
    let (status, body) = s
        .api_json(
            "GET",
            &t,
            "/users/me/recordings?from=2024-01-01&to=2024-03-01",
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(300)),
        "one month at most"
    );
    let (_, empty) = s
        .api_json(
            "GET",
            &t,
            "/users/me/recordings?from=2024-04-01&to=2024-04-30",
            None,
        )
        .await;
    assert_eq!(empty["total_records"], 0);

    // per meeting: numeric id and double-encoded UUID (reference §4.1)
    let (status, by_id) = s
        .api_json(
            "GET",
            &t,
            &format!("/meetings/{}/recordings", m["id"]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!by_id["password"].as_str().unwrap().is_empty());
    let once = url::form_urlencoded::byte_serialize(uuid.as_bytes()).collect::<String>();
    let twice = url::form_urlencoded::byte_serialize(once.as_bytes()).collect::<String>();
    let (status, by_uuid) = s
        .api_json("GET", &t, &format!("/meetings/{twice}/recordings"), None)
        .await;
    assert_eq!(
        (status, by_uuid["uuid"].clone()),
        (StatusCode::OK, json!(uuid))
    );

    // downloads: Bearer only, then a redirect to the file host
    let dl = files[0]["download_url"].as_str().unwrap();
    let r = s.http.get(dl).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let file = s
        .http
        .get(r.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.text().await.unwrap().contains("Recorded talk"));
    assert_eq!(
        s.http
            .get(format!("{dl}?access_token={t}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let play = files[0]["play_url"].as_str().unwrap();
    let pass = item["recording_play_passcode"].as_str().unwrap();
    assert_eq!(
        s.http
            .get(format!("{play}?pwd={pass}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        s.http
            .get(format!("{play}?pwd=wrong"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );

    // trash → recover → delete
    assert_eq!(
        s.control(
            "POST",
            "/_sim/recordings/trash",
            json!({"meeting_uuid": uuid})
        )
        .await
        .0,
        StatusCode::OK
    );
    let (_, l) = s
        .api_json(
            "GET",
            &t,
            "/users/me/recordings?from=2024-03-01&to=2024-03-31",
            None,
        )
        .await;
    assert_eq!(l["total_records"], 0);
    let (_, trash) = s
        .api_json("GET", &t, "/users/me/recordings?trash=true", None)
        .await;
    assert_eq!(trash["total_records"], 1);
    assert_eq!(
        s.control(
            "POST",
            "/_sim/recordings/recover",
            json!({"meeting_uuid": uuid})
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        s.api(
            "GET",
            &t,
            &format!("/meetings/{}/recordings", m["id"]),
            None
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        s.control(
            "POST",
            "/_sim/recordings/delete",
            json!({"meeting_id": m["id"]})
        )
        .await
        .0,
        StatusCode::OK
    );
    let (status, body) = s
        .api_json(
            "GET",
            &t,
            &format!("/meetings/{}/recordings", m["id"]),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(3301))
    );

    let ev = rx.wait_for(5, Duration::from_secs(5)).await;
    let names: Vec<&str> = ev
        .iter()
        .map(|d| d.json["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "meeting.created",
            "recording.completed",
            "recording.trashed",
            "recording.recovered",
            "recording.deleted"
        ]
    );
    ev.iter().for_each(assert_signed);
    let completed = &ev[1].json;
    assert_eq!(completed["download_token"], rec["download_token"]);
    assert_eq!(
        completed["payload"]["object"]["recording_files"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        completed["payload"]["object"]["host_email"],
        "owner@example.com"
    );
}

// ---------------------------------------------------------------------------------------------
// Webinars, deeplink and the Zoom App context (reference §3, §4.6)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webinars_list_get_and_registrants() {
    let s = start(config()).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let uid = owner["id"].as_str().unwrap();
    let t = access(&s.connect().await);
    let (status, w) = s.control("POST", &format!("/_sim/users/{uid}/webinars"), json!({"topic": "Big webinar", "start_time": "2031-06-01T16:00:00Z", "settings": {"approval_type": 0}})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(w["type"], 5);
    let (_, list) = s.api_json("GET", &t, "/users/me/webinars", None).await;
    assert_eq!(list["total_records"], 1);
    assert_eq!(list["webinars"][0]["id"], w["id"]);
    let (_, meetings) = s.api_json("GET", &t, "/users/me/meetings", None).await;
    assert_eq!(meetings["total_records"], 0, "webinars are not meetings");
    let (status, got) = s
        .api_json("GET", &t, &format!("/webinars/{}", w["id"]), None)
        .await;
    assert_eq!(
        (status, got["topic"].clone()),
        (StatusCode::OK, json!("Big webinar"))
    );
    let (status, r) = s
        .api_json(
            "POST",
            &t,
            &format!("/webinars/{}/registrants", w["id"]),
            Some(json!({"email": "a@example.org", "first_name": "A"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(r["join_url"].is_string());
    let (_, regs) = s
        .api_json(
            "GET",
            &t,
            &format!("/webinars/{}/registrants", w["id"]),
            None,
        )
        .await;
    assert_eq!(regs["total_records"], 1);
    assert_eq!(
        s.api("GET", &t, &format!("/meetings/{}", w["id"]), None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeplink_and_app_context_round_trip_through_marquees_decoder() {
    let mut cfg = config();
    cfg.client_secret = CLIENT_SECRET.into(); // the Z2 vector's secret
    let s = start(cfg).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let t = access(&s.connect().await);
    let action = r#"{"url":"/","role_name":"Owner","verified":1,"role_id":0}"#;
    let (status, dl) = s
        .api_json(
            "POST",
            &t,
            "/zoomapp/deeplink",
            Some(json!({"action": action})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        dl["deeplink"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/launch/chatapp/{CLIENT_ID}/", s.sim.url()))
    );
    let (status, too_long) = s
        .api_json(
            "POST",
            &t,
            "/zoomapp/deeplink",
            Some(json!({"action": "x".repeat(257)})),
        )
        .await;
    assert_eq!(
        (status, too_long["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(300))
    );

    let (status, out) = s
        .control("POST", "/_sim/zoomapp/context", json!({"typ": "meeting"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let header = out["header"].as_str().unwrap();
    assert!(
        !header.contains('=') && !header.contains('+') && !header.contains('/'),
        "base64url without padding"
    );
    let blob = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    assert_eq!(blob[0], 12, "12-byte IV");
    assert_eq!(&blob[13..15], &[0, 0], "empty AAD");
    let ctx = app_context::decode(CLIENT_SECRET, header).unwrap();
    assert_eq!(
        ctx.validate(CLIENT_ID, chrono::Utc::now().timestamp_millis()),
        Ok(())
    );
    assert_eq!(ctx.exp - ctx.ts, 120_000);
    assert_eq!(ctx.uid.as_deref(), owner["id"].as_str());
    assert_eq!(
        ctx.act.as_deref(),
        Some(action),
        "deeplink action comes back as act"
    );
    assert!(ctx.mid.is_some());
    assert_eq!(
        app_context::decode("other secret", header).unwrap_err(),
        app_context::AppContextError::Tag
    );
    // the action is consumed by one context
    let (_, next) = s.control("POST", "/_sim/zoomapp/context", json!({})).await;
    assert_eq!(next["context"].get("act"), None);
    assert_eq!(next["context"]["typ"], "panel");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_client_checks_owasp_headers_on_the_home_url() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    let seen = Arc::new(Mutex::new(None::<String>));
    let seen2 = seen.clone();
    let ep = poem::endpoint::make(move |req: poem::Request| {
        let seen = seen2.clone();
        async move {
            *seen.lock().unwrap() = req
                .headers()
                .get("x-zoom-app-context")
                .map(|v| v.to_str().unwrap().to_string());
            let r = poem::Response::builder()
                .content_type("text/html")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin");
            if req.uri().path() == "/good" {
                r.header("Strict-Transport-Security", "max-age=31536000")
                    .header("Content-Security-Policy", "default-src 'self'")
                    .body("<p>hi</p>")
            } else {
                r.body("<p>hi</p>")
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        poem::Server::new_with_acceptor(poem::listener::TcpAcceptor::from_tokio(listener).unwrap())
            .run(ep),
    );
    let (_, good) = s
        .control(
            "POST",
            "/_sim/zoomapp/open",
            json!({"home_url": format!("http://{addr}/good")}),
        )
        .await;
    assert_eq!(good["would_render"], true, "{good}");
    let header = seen.lock().unwrap().clone().unwrap();
    assert_eq!(
        app_context::decode(CLIENT_SECRET, &header).unwrap().aud,
        CLIENT_ID
    );
    let (_, bad) = s
        .control(
            "POST",
            "/_sim/zoomapp/open",
            json!({"home_url": format!("http://{addr}/bad")}),
        )
        .await;
    assert_eq!(bad["would_render"], false);
    assert_eq!(
        bad["missing_owasp_headers"],
        json!(["strict-transport-security", "content-security-policy"])
    );
}

// ---------------------------------------------------------------------------------------------
// Faults and statistics

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_status_drop_timeout_slow_and_drop_after_commit() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    let t = s.connect().await;
    let refresh = t["refresh_token"].as_str().unwrap().to_string();

    let (status, _) = s.control("POST", "/_sim/faults", json!({"method": "POST", "path": "/oauth/token", "kind": "status", "status": 503, "count": 2})).await;
    assert_eq!(status, StatusCode::CREATED);
    for _ in 0..2 {
        assert_eq!(
            s.token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
                .await
                .status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
    // the 503s did not consume the refresh token; now the response gets lost after the rotation
    s.control(
        "POST",
        "/_sim/faults",
        json!({"path": "/oauth/token", "kind": "drop_after_commit"}),
    )
    .await;
    let lost = s
        .http
        .post(s.url("/oauth/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await;
    assert!(lost.is_err(), "the client never sees the answer");
    let again = s
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
        .await;
    assert_eq!(
        again.status(),
        StatusCode::BAD_REQUEST,
        "the old refresh token died with the lost rotation"
    );
    let stats = s.stats().await;
    assert_eq!(
        stats["grants"]["refresh_token"], 1,
        "exactly one refresh happened"
    );
    assert_eq!(stats["endpoints"]["POST /oauth/token"], 5);
    assert_eq!(stats["faults_served"], 3);

    // drop before doing anything, on an API route template
    let t = access(&s.connect().await);
    s.control(
        "POST",
        "/_sim/faults",
        json!({"path": "/v2/users/{userId}/meetings", "kind": "drop"}),
    )
    .await;
    assert!(
        s.http
            .get(format!("{}/users/me/meetings", s.sim.api_url()))
            .bearer_auth(&t)
            .send()
            .await
            .is_err()
    );
    assert_eq!(
        s.api("GET", &t, "/users/me/meetings", None).await.status(),
        StatusCode::OK,
        "only the next call"
    );

    // timeout: the client gives up first
    s.control(
        "POST",
        "/_sim/faults",
        json!({"path": "/v2/users/me", "kind": "timeout", "delay_ms": 1500}),
    )
    .await;
    let started = Instant::now();
    let r = s
        .http
        .get(format!("{}/users/me", s.sim.api_url()))
        .bearer_auth(&t)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
    assert!(started.elapsed() < Duration::from_millis(1000));

    // slow: answered after the delay
    s.control(
        "POST",
        "/_sim/faults",
        json!({"path": "/v2/users/me", "kind": "slow", "delay_ms": 300}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(
        s.api("GET", &t, "/users/me", None).await.status(),
        StatusCode::OK
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    let (_, armed) = s.control("GET", "/_sim/faults", Value::Null).await;
    assert_eq!(armed["armed"], json!([]));
    let (status, _) = s
        .control(
            "POST",
            "/_sim/faults",
            json!({"path": "no-slash", "kind": "drop"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_by_route_template_and_reset() {
    let s = start(config()).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let t = access(&s.connect().await);
    s.api("GET", &t, "/users/me/meetings", None).await;
    s.api(
        "GET",
        &t,
        &format!("/users/{}/meetings", owner["id"].as_str().unwrap()),
        None,
    )
    .await;
    s.api("GET", &t, "/users/me", None).await;
    let stats = s.stats().await;
    assert_eq!(stats["endpoints"]["GET /v2/users/{userId}/meetings"], 2);
    assert_eq!(stats["endpoints"]["GET /v2/users/me"], 1);
    assert_eq!(stats["endpoints"]["POST /oauth/token"], 1);
    assert_eq!(
        stats["grants"],
        json!({"authorization_code": 1, "refresh_token": 0})
    );
    assert_eq!(
        s.control("POST", "/_sim/stats/reset", json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    let stats = s.stats().await;
    assert_eq!(stats["endpoints"], json!({"GET /_sim/stats": 1}));
    assert_eq!(stats["grants"]["authorization_code"], 0);
}

// ---------------------------------------------------------------------------------------------
// Webhook delivery (reference §2.3, §2.4)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_retried_on_the_scaled_schedule() {
    let mut cfg = config();
    cfg.time_scale = 6000.0; // +5 min → 50 ms, +20 min → 200 ms, +60 min → 600 ms
    let (s, rx) = with_webhooks(cfg, 2).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let started = Instant::now();
    s.control(
        "POST",
        &format!("/_sim/users/{}/meetings", owner["id"].as_str().unwrap()),
        json!({"topic": "retry me"}),
    )
    .await;
    let ev = rx.wait_for(3, Duration::from_secs(5)).await;
    assert_eq!(ev.len(), 3);
    assert_eq!(
        ev.iter().map(|d| d.answered).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    assert!(
        ev.iter().all(|d| d.raw == ev[0].raw),
        "identical body on every attempt"
    );
    ev.iter().for_each(assert_signed);
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "waited 50 + 200 ms"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let w = &s.stats().await["webhooks"];
    assert_eq!(
        (
            w["attempted"].clone(),
            w["succeeded"].clone(),
            w["failed"].clone()
        ),
        (json!(3), json!(1), json!(2))
    );
    let (_, log) = s
        .control("GET", "/_sim/webhooks/deliveries", Value::Null)
        .await;
    assert_eq!(
        log["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["attempt"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_dropped_after_three_failed_retries() {
    let mut cfg = config();
    cfg.time_scale = 36_000.0; // 8.3 ms, 33 ms, 100 ms
    let (s, rx) = with_webhooks(cfg, 10).await;
    let owner = s.user("owner@example.com", json!({})).await;
    s.control(
        "POST",
        &format!("/_sim/users/{}/meetings", owner["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.stats().await["webhooks"]["dropped"] != 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(s.stats().await["webhooks"]["dropped"], 1);
    assert_eq!(rx.events().len(), 4, "first attempt plus three retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_and_out_of_order_delivery_modes() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let path = format!("/_sim/users/{}/meetings", owner["id"].as_str().unwrap());
    s.control("PUT", "/_sim/config", json!({"duplicate": true}))
        .await;
    s.control("POST", &path, json!({"topic": "twice"})).await;
    let ev = rx.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].raw, ev[1].raw);

    s.control(
        "PUT",
        "/_sim/config",
        json!({"duplicate": false, "out_of_order": true}),
    )
    .await;
    s.control("POST", &path, json!({"topic": "first"})).await;
    s.control("POST", &path, json!({"topic": "second"})).await;
    let ev = rx.wait_for(4, Duration::from_secs(5)).await;
    let topics: Vec<&str> = ev[2..]
        .iter()
        .map(|d| d.json["payload"]["object"]["topic"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["second", "first"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_validation_challenge_on_demand() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let (status, report) = s
        .control("POST", "/_sim/webhooks/validate", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["ok"], true, "{report}");
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let d = &got[0];
    assert_eq!(d.json["event"], "endpoint.url_validation");
    assert!(
        signature::verify(WEBHOOK_SECRET, &d.ts, &d.raw, &d.sig),
        "validation requests are signed"
    );
    let raw = std::str::from_utf8(&d.raw).unwrap();
    assert!(
        raw.starts_with(r#"{"payload":{"plainToken":""#)
            && raw.ends_with(r#","event":"endpoint.url_validation"}"#),
        "{raw}"
    );
    // a wrong answer is reported as such
    s.control(
        "PUT",
        "/_sim/config",
        json!({"webhook_url": format!("{}/nowhere", s.sim.url())}),
    )
    .await;
    let (_, report) = s
        .control("POST", "/_sim/webhooks/validate", json!({}))
        .await;
    assert_eq!(report["ok"], false);
}

// ---------------------------------------------------------------------------------------------
// Seed data and lifecycle

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seed_is_deterministic_and_has_the_promised_fixtures() {
    let mut cfg = config();
    cfg.seed = Some(SeedOptions::demo());
    let a = start(cfg.clone()).await;
    let b = start(cfg).await;
    let ta = access(&a.connect().await);
    let tb = access(&b.connect().await);
    let (_, la) = a
        .api_json("GET", &ta, "/users/me/meetings?type=upcoming", None)
        .await;
    let (_, lb) = b
        .api_json("GET", &tb, "/users/me/meetings?type=upcoming", None)
        .await;
    let strip = |v: &Value, url: &str| v.to_string().replace(url, "");
    assert_eq!(
        strip(&la, a.sim.url()),
        strip(&lb, b.sim.url()),
        "same seed, same world"
    );
    let meetings = la["meetings"].as_array().unwrap();
    assert!(meetings.len() >= 6);
    assert!(meetings.iter().any(|m| m["type"] == 8));
    assert!(
        meetings
            .iter()
            .any(|m| m["topic"].as_str().unwrap().contains("<script>")
                && m["topic"].as_str().unwrap().contains("日本語"))
    );
    let (_, users) = a.api_json("GET", &ta, "/users", None).await;
    assert_eq!(users["total_records"], 2);
    let second_host = users["users"][1]["id"].as_str().unwrap();
    assert_ne!(users["users"][0]["timezone"], users["users"][1]["timezone"]);
    let (_, other) = a
        .api_json(
            "GET",
            &ta,
            &format!("/users/{second_host}/meetings?type=upcoming"),
            None,
        )
        .await;
    assert!(other["total_records"].as_u64().unwrap() >= 6);
    let mut with_registration = 0;
    for m in meetings {
        let (_, d) = a
            .api_json("GET", &ta, &format!("/meetings/{}", m["id"]), None)
            .await;
        if d["settings"]["approval_type"] != 2 {
            with_registration += 1;
            assert!(d["registration_url"].is_string());
        }
    }
    assert!(with_registration >= 1);
    let today = chrono::Utc::now().date_naive();
    let mut total = 0;
    for back in 0..3u32 {
        let to = today - chrono::Months::new(back);
        let from = to - chrono::Months::new(1);
        let (_, r) = a
            .api_json(
                "GET",
                &ta,
                &format!("/users/me/recordings?from={from}&to={to}"),
                None,
            )
            .await;
        total += r["total_records"].as_u64().unwrap();
    }
    assert!(total >= 1, "recordings in the last months");
    let (_, webinars) = a.api_json("GET", &ta, "/users/me/webinars", None).await;
    assert_eq!(webinars["total_records"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_serving() {
    let s = start(config()).await;
    let url = s.url("/_sim");
    assert_eq!(
        s.http.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    s.sim.shutdown().await;
    assert!(reqwest::Client::new().get(&url).send().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_api_validates_users_and_session() {
    let s = start(config()).await;
    let first = s.user("first@example.com", json!({})).await;
    let (status, _) = s
        .control("POST", "/_sim/users", json!({"email": "first@example.com"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "duplicate e-mail");
    let (status, _) = s
        .control(
            "POST",
            "/_sim/users",
            json!({"email": "x@example.com", "account_id": "nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let second = s
        .user(
            "second@example.com",
            json!({"account_id": first["account_id"], "role": "admin"}),
        )
        .await;
    assert_eq!(second["role_name"], "Admin");
    assert_eq!(s.sim.signed_in_user_id().as_deref(), first["id"].as_str());
    let (status, _) = s
        .control("PUT", "/_sim/session", json!({"user_id": second["id"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let t = access(&s.connect().await);
    let (_, me) = s.api_json("GET", &t, "/users/me", None).await;
    assert_eq!(me["id"], second["id"]);
    // a member cannot authorize an app with admin scopes (reference §1.1)
    let member = s
        .user(
            "member@example.com",
            json!({"account_id": first["account_id"]}),
        )
        .await;
    s.control("PUT", "/_sim/session", json!({"user_id": member["id"]}))
        .await;
    let r = s
        .http
        .post(s.url("/oauth/authorize"))
        .form(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

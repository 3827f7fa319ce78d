//! The harness of the simulator tests: a simulator on loopback with a client, the OAuth
//! dance, API and control calls, and a webhook receiver that verifies signatures like Marquee.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use marquee_zoom_protocol::signature;
use marquee_zoom_sim::{self as simulator, RateLimits, RunningSimulator, SimConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) const CLIENT_ID: &str = "zoomsimClientId01";
pub(crate) const CLIENT_SECRET: &str = "zoomsim_client_secret_0001";
pub(crate) const WEBHOOK_SECRET: &str = "zoomsim_webhook_secret_0001";
pub(crate) const REDIRECT: &str = "http://127.0.0.1:9/zoom/callback";
/// RFC 7636 appendix B (docs/zoom.md §1.2).
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub(crate) const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub(crate) struct Sim {
    pub(crate) sim: RunningSimulator,
    pub(crate) http: reqwest::Client,
}

pub(crate) fn config() -> SimConfig {
    let mut c = SimConfig::new(CLIENT_ID, CLIENT_SECRET, WEBHOOK_SECRET);
    c.redirect_uris = vec![REDIRECT.into(), "http://127.0.0.1:9/other?site=a".into()];
    c.rate_limits = RateLimits::off();
    c
}

pub(crate) async fn start(config: SimConfig) -> Sim {
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
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.url())
    }

    pub(crate) async fn control(
        &self,
        method: &str,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
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

    pub(crate) async fn user(&self, email: &str, extra: Value) -> Value {
        let mut body = json!({"email": email, "first_name": "Ada", "last_name": "Host", "timezone": "Europe/Berlin"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().cloned().unwrap_or_default());
        let (status, user) = self.control("POST", "/_sim/users", body).await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        user
    }

    /// Consent via `POST /oauth/authorize` (what the Allow button does); returns the Location.
    pub(crate) async fn allow(&self, params: &[(&str, &str)]) -> String {
        self.decide(params, "allow").await
    }

    /// The consent page's answer (`allow` or `deny`) with `params` besides the client's own
    /// fields; Zoom redirects either way, so this returns the Location.
    pub(crate) async fn decide(&self, params: &[(&str, &str)], decision: &str) -> String {
        let mut form: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
        ];
        form.extend_from_slice(params);
        form.push(("decision", decision));
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

    pub(crate) async fn token(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url("/oauth/token"))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Full connect with PKCE S256: returns the token response JSON.
    pub(crate) async fn connect(&self) -> Value {
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

    pub(crate) async fn api(
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

    pub(crate) async fn api_json(
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

    pub(crate) async fn stats(&self) -> Value {
        self.control("GET", "/_sim/stats", Value::Null).await.1
    }
}

pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

pub(crate) fn access(t: &Value) -> String {
    t["access_token"].as_str().unwrap().to_string()
}

/// A webhook endpoint on loopback that records deliveries, answers URL validation like Marquee
/// will, and can fail its first N event deliveries.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    pub(crate) got: Arc<Mutex<Vec<Delivery>>>,
    pub(crate) fail_first: Arc<AtomicUsize>,
}

#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    pub(crate) ts: String,
    pub(crate) sig: String,
    pub(crate) raw: Vec<u8>,
    pub(crate) json: Value,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) answered: u16,
}

impl Receiver {
    pub(crate) async fn start(fail_first: usize) -> (String, Receiver) {
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
    pub(crate) fn events(&self) -> Vec<Delivery> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|d| d.json["event"] != "endpoint.url_validation")
            .cloned()
            .collect()
    }

    pub(crate) async fn wait_for(&self, n: usize, within: Duration) -> Vec<Delivery> {
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

pub(crate) async fn with_webhooks(mut cfg: SimConfig, fail_first: usize) -> (Sim, Receiver) {
    let (url, rx) = Receiver::start(fail_first).await;
    cfg.webhook_url = Some(url);
    (start(cfg).await, rx)
}

/// Every delivery must verify like Marquee's intake will (docs/zoom.md §2.1, §2.2).
pub(crate) fn assert_signed(d: &Delivery) {
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

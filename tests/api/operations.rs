//! Operating Marquee: the operator's health view across sites, what visitors see when a
//! site's Zoom connection dies, and `/metrics` read by a real Prometheus text parser.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_response, meeting_body, visitor};

const HEALTH: &str = "/api/v1/platform/sites/health";

/// The health list's rows (one page of up to 200), by slug.
async fn health(app: &TestApp, query: &str) -> HashMap<String, Value> {
    let (status, body) = app
        .platform(Method::GET, &format!("{HEALTH}?limit=200{query}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["slug"].as_str().unwrap().to_owned(), s.clone()))
        .collect()
}

async fn page(app: &TestApp, path: &str) -> String {
    let (status, _, html) = app.get_public(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {html}");
    html
}

/// Makes the site's refresh token useless at Zoom: Zoom rotates it, then the answer is lost
/// (tests/api/connection.rs), so the next refresh is refused for good.
async fn kill_connection(app: &TestApp, key: &str) {
    let fault =
        json!({"method": "POST", "path": "/oauth/token", "kind": "drop_after_commit", "count": 1});
    app.sim_post("/_sim/faults", fault).await;
    app.age_access_tokens().await;
    let (status, body) = app.live_user(&app.url, key).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_killed_at_zoom_shows_in_the_panel_the_widget_and_the_health_list() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site("lost-link", vec![meeting_body("Open class", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    app.create_tenant("fresh-site").await;
    // A webhook from the site's Zoom account, for `last_webhook_at`.
    let zoom = app
        .http
        .get(app.at("/api/v1/admin/zoom"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    let account = json_response(zoom).await.1["zoom_account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = chrono::Utc::now();
    let event = json!({"event": "meeting.deleted", "event_ts": now.timestamp_millis(),
        "payload": {"account_id": account, "object": {"id": 1, "uuid": "gone"}}});
    let (status, _) = app.post_webhook(&event.to_string(), now.timestamp()).await;
    assert_eq!(status, StatusCode::OK);
    let meeting_page = format!("/embed/lost-link/meetings/{id}");
    assert!(page(&app, &meeting_page).await.contains("<form"));
    let before = health(&app, "").await;
    assert_eq!(before["lost-link"]["state"], "connected", "{before:?}");
    assert!(
        before["lost-link"]["sync_lag_seconds"].is_i64(),
        "{before:?}"
    );
    assert!(before["lost-link"]["last_sync_at"].is_string());
    assert_eq!(before["lost-link"]["missing_scopes"], json!([]));
    assert!(
        before["lost-link"]["last_webhook_at"].is_string(),
        "{before:?}"
    );
    assert!(before["fresh-site"].get("last_webhook_at").is_none());
    assert_eq!(before["fresh-site"]["state"], "never_connected");

    kill_connection(&app, &key).await;
    // The next visitor is the one whose registration meets Zoom's refusal.
    let (status, _, err) = app
        .register("lost-link", id, visitor("ada@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["code"], "registration_unavailable", "{err}");
    let words = err["error"]["message"].as_str().unwrap();
    assert!(words.contains("temporarily unavailable"), "{words}");
    assert!(
        !words.contains("reconnect") && !words.contains("Zoom"),
        "{words}"
    );

    // Right after it, in one cycle: the owner, the visitors and the operator all see it.
    let cookie = app.sign_in("lost-link").await;
    let (panel, _) = app.admin_page(&cookie).await;
    assert!(
        panel.contains("Zoom stopped accepting this connection"),
        "{panel}"
    );

    let widget = page(&app, &meeting_page).await;
    assert!(
        widget.contains("Registration is temporarily unavailable."),
        "{widget}"
    );
    assert!(!widget.contains("<form"), "no registration form: {widget}");
    assert!(!widget.contains("reconnect"), "{widget}");
    let german = page(&app, &format!("{meeting_page}?lang=de")).await;
    assert!(
        german.contains("Die Anmeldung ist vorübergehend nicht möglich."),
        "{german}"
    );
    let list = page(&app, "/embed/lost-link/meetings").await;
    assert!(list.contains("Open class"), "the meetings stay listed");
    assert!(!list.contains("Registration open"), "{list}");

    let (_, _, detail) = app
        .get_public(&format!("/api/v1/sites/lost-link/meetings/{id}"))
        .await;
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["registration_open"], false, "{detail}");
    assert_eq!(detail["registration_unavailable"], true, "{detail}");
    assert!(detail.get("registration").is_none(), "{detail}");
    let listed = app.public_meetings("lost-link").await;
    assert_eq!(listed[0]["registration_open"], false, "{listed:?}");

    let form = app
        .http
        .post(app.at(&format!("{meeting_page}/register")))
        .form(&[
            ("first_name", "Ada"),
            ("last_name", "L"),
            ("email", "ada@example.com"),
        ])
        .send()
        .await
        .unwrap();
    let form_page = form.text().await.unwrap();
    assert!(
        form_page.contains("Registration is temporarily unavailable."),
        "{form_page}"
    );

    let lost = health(&app, "&state=needs_reconnect").await;
    let row = &lost["lost-link"];
    assert_eq!(row["state"], "needs_reconnect", "{row}");
    let reason = row["last_failure"]["reason"].as_str().unwrap();
    assert!(reason.contains("refresh token"), "{row}");
    assert!(row["last_failure"]["at"].is_string(), "{row}");
    assert!(
        !lost.contains_key("fresh-site"),
        "the filter applies: {lost:?}"
    );
    let never = health(&app, "&state=never_connected").await;
    assert!(never.contains_key("fresh-site") && !never.contains_key("lost-link"));

    // Reconnecting opens registration again at once.
    app.connect_site("lost-link").await;
    assert!(page(&app, &meeting_page).await.contains("<form"));
    assert_eq!(health(&app, "").await["lost-link"]["state"], "connected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnected_sites_are_told_apart_and_the_list_pages() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("gone-site", vec![]).await;
    app.create_tenant("never-site").await;
    let resp = app
        .http
        .delete(app.at("/api/v1/admin/zoom"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let rows = health(&app, "").await;
    assert_eq!(rows["gone-site"]["state"], "disconnected", "{rows:?}");
    assert_eq!(rows["never-site"]["state"], "never_connected");
    let only = health(&app, "&state=disconnected").await;
    assert_eq!(only.keys().collect::<Vec<_>>(), ["gone-site"]);

    // Cursor pages: one site per page, each once, in slug order.
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let (status, body) = app
            .platform(Method::GET, &format!("{HEALTH}?limit=1{after}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        seen.push(body["sites"][0]["slug"].as_str().unwrap().to_owned());
        match body["next_after"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, ["gone-site", "never-site"]);

    let (status, body) = app
        .platform(Method::GET, &format!("{HEALTH}?state=broken"), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "state", "{body}");
    let resp = app.http.get(app.at(HEALTH)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // Across sites is the platform's view only: a site's own key does not open it.
    let site_key = app.api_key("never-site", &["settings:read"]).await;
    let resp = app
        .http
        .get(app.at(HEALTH))
        .bearer_auth(&site_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

// ---- /metrics ----

/// `/metrics` parsed by `prometheus-parse`: each sample's value by name and sorted labels.
pub(crate) struct Scrape(HashMap<String, f64>);

impl Scrape {
    pub(crate) async fn take(app: &TestApp) -> (Self, String) {
        let resp = app.http.get(app.at("/metrics")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        let text = resp.text().await.unwrap();
        let lines = text.lines().map(|l| Ok(l.to_owned()));
        let scrape = prometheus_parse::Scrape::parse(lines).expect("valid exposition format");
        let mut values = HashMap::new();
        for sample in scrape.samples {
            let value = match sample.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                prometheus_parse::Value::Histogram(buckets) => {
                    buckets.last().map_or(0.0, |b| b.count)
                }
                prometheus_parse::Value::Summary(_) => continue,
            };
            let mut labels: Vec<String> = sample
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            labels.sort();
            values.insert(format!("{}{{{}}}", sample.metric, labels.join(",")), value);
        }
        (Self(values), text)
    }

    /// The value of `metric` with exactly `labels` (`k=v`, any order); 0 when absent.
    pub(crate) fn get(&self, metric: &str, labels: &[&str]) -> f64 {
        let mut labels: Vec<&str> = labels.to_vec();
        labels.sort_unstable();
        self.0
            .get(&format!("{metric}{{{}}}", labels.join(",")))
            .copied()
            .unwrap_or(0.0)
    }

    /// The sum over every sample of `metric` whose labels include `labels`.
    fn sum(&self, metric: &str, labels: &[&str]) -> f64 {
        self.0
            .iter()
            .filter(|(key, _)| {
                key.starts_with(&format!("{metric}{{"))
                    && labels.iter().all(|l| {
                        key[metric.len() + 1..key.len() - 1]
                            .split(',')
                            .any(|have| have == *l)
                    })
            })
            .map(|(_, v)| v)
            .sum()
    }
}

/// Whether `after` grew by at least `by` over `before` for `metric` with `labels`.
fn grew(before: &Scrape, after: &Scrape, metric: &str, labels: &[&str], by: f64) -> bool {
    after.sum(metric, labels) - before.sum(metric, labels) >= by
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_move_with_requests_webhooks_syncs_and_refreshes() {
    let app = TestApp::spawn().await;
    let (before, _) = Scrape::take(&app).await;

    // A sync (the first one of a connect) and a request of a widget.
    let (created, key) = app
        .public_site("metrics-site", vec![meeting_body("Counted class", 3, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    page(&app, &format!("/embed/metrics-site/meetings/{id}")).await;
    page(&app, &format!("/embed/metrics-site/meetings/{id}")).await;
    // A registration.
    let (status, _, body) = app
        .register("metrics-site", id, visitor("counted@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A webhook: stored at intake, then applied by the worker.
    let now = chrono::Utc::now();
    let event = json!({"event": "meeting.deleted", "event_ts": now.timestamp_millis(),
        "payload": {"account_id": "acct-nobody", "object": {"id": 1, "uuid": "x"}}});
    let (status, _) = app.post_webhook(&event.to_string(), now.timestamp()).await;
    assert_eq!(status, StatusCode::OK);
    // A token refresh.
    app.age_access_tokens().await;
    assert_eq!(app.live_user(&app.url, &key).await.0, StatusCode::OK);

    let after = crate::helpers::eventually(10, "the webhook to be worked on", || async {
        let (scrape, text) = Scrape::take(&app).await;
        grew(&before, &scrape, "marquee_webhooks_applied_total", &[], 1.0).then_some((scrape, text))
    })
    .await;
    let (after, text) = after;
    let route = "route=/embed/:site/meetings/:id";
    assert!(grew(
        &before,
        &after,
        "marquee_http_requests_total",
        &[route, "method=GET", "status=200"],
        2.0
    ));
    assert!(grew(
        &before,
        &after,
        "marquee_http_request_duration_seconds",
        &[route],
        2.0
    ));
    assert!(grew(
        &before,
        &after,
        "marquee_sync_jobs_total",
        &["kind=backfill", "result=ok"],
        1.0
    ));
    assert!(grew(
        &before,
        &after,
        "marquee_sync_job_duration_seconds",
        &["kind=backfill"],
        1.0
    ));
    assert!(grew(
        &before,
        &after,
        "marquee_registrations_total",
        &["result=created"],
        1.0
    ));
    assert!(grew(
        &before,
        &after,
        "marquee_webhooks_received_total",
        &["result=stored"],
        1.0
    ));
    assert!(grew(
        &before,
        &after,
        "marquee_token_refreshes_total",
        &["outcome=ok"],
        1.0
    ));
    assert!(grew(
        &before,
        &after,
        "marquee_zoom_calls_total",
        &["category=registrants", "status=201"],
        1.0
    ));
    assert!(grew(
        &before,
        &after,
        "marquee_zoom_calls_total",
        &["category=meetings"],
        1.0
    ));
    assert!(grew(
        &before,
        &after,
        "marquee_cache_total",
        &["cache=public_pages", "outcome=hit"],
        1.0
    ));
    assert!(after.get("marquee_sites", &["state=connected"]) >= 1.0);
    // Labels are templates and outcomes: no slug, id or e-mail of any site.
    for private in ["metrics-site", &id.to_string(), "counted@example.com"] {
        assert!(!text.contains(private), "{private} leaked into /metrics");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_metrics_token_is_required() {
    let token = "metrics-token-0123456789";
    let app = TestApp::spawn_configured(
        |_| {},
        |vars| {
            vars.insert("MARQUEE_METRICS_TOKEN".into(), token.into());
        },
    )
    .await;
    let without = app.http.get(app.at("/metrics")).send().await.unwrap();
    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        without.headers()["www-authenticate"],
        "Bearer realm=\"metrics\""
    );
    let wrong = app
        .http
        .get(app.at("/metrics"))
        .bearer_auth("metrics-token-wrong-value")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = app
        .http
        .get(app.at("/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    assert!(
        right
            .text()
            .await
            .unwrap()
            .contains("marquee_http_requests_total")
    );
    let (status, _) = json_response(app.http.get(app.at("/healthz")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "other routes need no token");
}

// ---- `marquee sync` and the Sync page see progress while a job runs ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_sync_publishes_its_progress_while_it_runs() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site("slow-sync", vec![meeting_body("First", 3, 0)])
        .await;
    let host = created[0]["host_id"].as_str().unwrap().to_owned();
    for topic in ["Second", "Third", "Fourth"] {
        app.sim_meeting(&host, meeting_body(topic, 4, 0)).await;
    }
    // The new meetings' details take Zoom 2.5 s each: the job runs for seconds.
    app.sim_post(
        "/_sim/faults",
        json!({"method": "GET", "path": "/v2/meetings/{meetingId}", "kind": "slow",
               "delay_ms": 2500, "count": 3}),
    )
    .await;
    let (status, body) = app
        .admin_call(&key, Method::POST, "/api/v1/admin/sync", None)
        .await;
    assert!(status.is_success(), "{body}");
    let running = crate::helpers::eventually(10, "progress of the running job", || async {
        let (_, sync) = app
            .admin_call(&key, Method::GET, "/api/v1/admin/sync", None)
            .await;
        let job = sync["current_job"].clone();
        (job["status"] == "running" && job["total"].as_i64().unwrap_or(0) > 0).then_some(job)
    })
    .await;
    assert!(running["done"].as_i64().unwrap() >= 1, "{running}");
    assert!(!running["note"].as_str().unwrap().is_empty(), "{running}");
}

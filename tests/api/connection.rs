//! Zoom connections that stay alive: single-flight refresh (also across instances), lost refresh
//! responses, disconnect, shared Zoom accounts, deauthorization and key rotation.

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_response};
use marquee_zoom_sim::RateLimits;

const SCOPES: [&str; 2] = ["settings:read", "settings:write"];

/// A connected site with one upcoming meeting; returns its API key.
async fn connected_site(app: &TestApp, slug: &str) -> String {
    app.create_tenant(slug).await;
    app.connect_site(slug).await;
    app.api_key(slug, &SCOPES).await
}

async fn status(app: &TestApp, key: &str) -> Value {
    let resp = app
        .http
        .get(app.at("/api/v1/admin/zoom"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    json_response(resp).await.1
}

async fn fire(app: &TestApp, base: &str, key: &str, n: usize) -> Vec<StatusCode> {
    join_all((0..n).map(|_| app.live_user(base, key)))
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_concurrent_calls_with_an_expired_token_cause_exactly_one_refresh() {
    // 500 calls in a burst exceed Zoom's per-second budget; this test is about refreshing.
    let app = TestApp::spawn_with(|sim| sim.rate_limits = RateLimits::off()).await;
    app.sim_user("busy@example.com").await;
    let key = connected_site(&app, "busy").await;
    assert_eq!(app.refreshes().await, 0);

    // Expiry noticed by Marquee itself (proactive refresh).
    app.age_access_tokens().await;
    let statuses = fire(&app, &app.url, &key, 500).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(
        app.refreshes().await,
        1,
        "exactly one refresh for 500 callers"
    );

    // Expiry noticed only by Zoom (401 code 124 → refresh once, retry).
    let resp = app
        .http
        .post(format!("{}/_sim/tokens/expire", app.sim.url()))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let statuses = fire(&app, &app.url, &key, 500).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(
        app.refreshes().await,
        2,
        "one more refresh after Zoom rejected the token"
    );
    assert_eq!(
        app.sim_stats().await["grant_errors"]["invalid_grant"]
            .as_u64()
            .unwrap_or(0),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_refresh_once() {
    let app = TestApp::spawn_with(|sim| sim.rate_limits = RateLimits::off()).await;
    app.sim_user("shared-db@example.com").await;
    let key = connected_site(&app, "twin").await;
    let sibling = app.sibling(|_| {}).await;

    app.age_access_tokens().await;
    let (a, b) = tokio::join!(
        fire(&app, &app.url, &key, 250),
        fire(&app, &sibling.url, &key, 250)
    );
    assert!(
        a.iter().chain(&b).all(|s| *s == StatusCode::OK),
        "{a:?} {b:?}"
    );
    assert_eq!(
        app.refreshes().await,
        1,
        "one refresh across both instances"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_refresh_response_ends_in_needs_reconnect_and_reconnecting_restores() {
    let app = TestApp::spawn().await;
    app.sim_user_with_meeting("unlucky@example.com", "Kept class")
        .await;
    let key = connected_site(&app, "unlucky").await;

    // Zoom rotates the refresh token, then the connection drops before we see the answer.
    let fault =
        json!({"method": "POST", "path": "/oauth/token", "kind": "drop_after_commit", "count": 1});
    app.sim_post("/_sim/faults", fault).await;
    app.age_access_tokens().await;
    let (first, body) = app.live_user(&app.url, &key).await;
    assert_eq!(
        first,
        StatusCode::SERVICE_UNAVAILABLE,
        "a network failure is not a dead grant: {body}"
    );
    assert_eq!(status(&app, &key).await["connected"], Value::Bool(true));

    // The next attempt uses the refresh token we still have, which Zoom has rotated away.
    let (second, body) = app.live_user(&app.url, &key).await;
    assert_eq!(second, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "zoom_not_connected");
    let st = status(&app, &key).await;
    assert_eq!(st["needs_reconnect"], Value::Bool(true), "{st}");
    assert!(
        st["last_error"].as_str().unwrap().contains("refresh token"),
        "{st}"
    );

    // The site keeps showing the last synced data, and the owner sees what happened.
    let meetings = app.public_meetings("unlucky").await;
    assert_eq!(meetings[0]["topic"], "Kept class");
    let cookie = app.sign_in("unlucky").await;
    assert!(
        app.admin_page(&cookie)
            .await
            .0
            .contains("Zoom stopped accepting this connection")
    );

    // Reconnecting restores it.
    app.connect_site("unlucky").await;
    let (status_after, _) = app.live_user(&app.url, &key).await;
    assert_eq!(status_after, StatusCode::OK);
    assert_eq!(status(&app, &key).await["connected"], Value::Bool(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_revokes_deletes_tokens_and_data_and_leaves_other_sites_alone() {
    let app = TestApp::spawn().await;
    let first = app
        .sim_user_with_meeting("first@example.com", "First's class")
        .await;
    let key_a = connected_site(&app, "site-a").await;
    app.sim_user_with_meeting("second@example.com", "Second's class")
        .await;
    let key_b = connected_site(&app, "site-b").await;
    assert_eq!(
        app.services
            .store
            .dump_table("zoom_grants")
            .await
            .unwrap()
            .len(),
        2
    );

    let resp = app
        .http
        .delete(app.at("/api/v1/admin/zoom"))
        .bearer_auth(&key_a)
        .send()
        .await
        .unwrap();
    let (code, body) = json_response(resp).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["revoked_at_zoom"], Value::Bool(true));
    assert_eq!(body["meetings_removed"], 1);
    assert_eq!(app.sim_stats().await["endpoints"]["POST /oauth/revoke"], 1);

    let grants = app.services.store.dump_table("zoom_grants").await.unwrap();
    assert_eq!(grants.len(), 1, "site A's tokens are deleted");
    assert!(grants[0].contains("second@example.com"));
    let a_meetings = app.public_meetings("site-a").await;
    assert!(a_meetings.is_empty(), "site A's Zoom data is purged");
    let b_meetings = app.public_meetings("site-b").await;
    assert_eq!(b_meetings[0]["topic"], "Second's class");
    assert_eq!(
        app.live_user(&app.url, &key_b).await.0,
        StatusCode::OK,
        "site B untouched"
    );

    // Disconnecting twice is a clear 404; reconnecting works.
    let resp = app
        .http
        .delete(app.at("/api/v1/admin/zoom"))
        .bearer_auth(&key_a)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = app
        .http
        .put(format!("{}/_sim/session", app.sim.url()))
        .json(&json!({"user_id": first["id"]}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    app.connect_site("site-a").await;
    assert_eq!(app.live_user(&app.url, &key_a).await.0, StatusCode::OK);
    let a_meetings = app.public_meetings("site-a").await;
    assert_eq!(a_meetings[0]["topic"], "First's class");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sites_on_one_zoom_account_both_keep_working() {
    let app = TestApp::spawn().await;
    app.sim_user("club-admin@example.com").await;
    let key_a = connected_site(&app, "club-main").await;
    // The same Zoom user authorizes again for a second site: Zoom revokes the first pair.
    let key_b = connected_site(&app, "club-youth").await;
    assert_eq!(
        app.services
            .store
            .dump_table("zoom_grants")
            .await
            .unwrap()
            .len(),
        1,
        "one shared grant"
    );
    assert_eq!(
        app.live_user(&app.url, &key_a).await.0,
        StatusCode::OK,
        "the first site was not broken"
    );
    assert_eq!(app.live_user(&app.url, &key_b).await.0, StatusCode::OK);

    // One site leaving does not revoke the authorization the other still uses.
    let resp = app
        .http
        .delete(app.at("/api/v1/admin/zoom"))
        .bearer_auth(&key_a)
        .send()
        .await
        .unwrap();
    let (_, body) = json_response(resp).await;
    assert_eq!(body["revoked_at_zoom"], Value::Bool(false), "{body}");
    assert!(app.sim_stats().await["endpoints"]["POST /oauth/revoke"].is_null());
    assert_eq!(app.live_user(&app.url, &key_b).await.0, StatusCode::OK);
    assert_eq!(status(&app, &key_a).await["connected"], Value::Bool(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deauthorization_removes_tokens_and_data_of_every_site_of_the_zoom_user() {
    let app = TestApp::spawn().await;
    let user = app
        .sim_user_with_meeting("leaver@example.com", "Soon gone")
        .await;
    let key_a = connected_site(&app, "leaver-a").await;
    connected_site(&app, "leaver-b").await;
    app.sim_user_with_meeting("stayer@example.com", "Still here")
        .await;
    connected_site(&app, "stayer").await;

    let account = user["account_id"].as_str().unwrap();
    let done = app
        .services
        .disconnect()
        .deauthorize(account, user["id"].as_str(), chrono::Utc::now().naive_utc())
        .await
        .unwrap();
    assert_eq!(done.grants_removed, 1);
    assert_eq!(done.sites_disconnected.len(), 2);

    assert_eq!(status(&app, &key_a).await["connected"], Value::Bool(false));
    let audit = app.services.store.dump_table("audit_events").await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|row| row.contains("deauthorized"))
            .count(),
        2,
        "{audit:?}"
    );
    let gone = app.public_meetings("leaver-b").await;
    assert!(gone.is_empty());
    let kept = app.public_meetings("stayer").await;
    assert_eq!(kept[0]["topic"], "Still here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_moves_every_secret_to_the_new_key() {
    let app = TestApp::spawn().await;
    app.sim_user("rotator@example.com").await;
    let key = connected_site(&app, "rotating").await;
    let new_spec = marquee::crypto::KeyRing::generate_spec("test2");

    // New key first, old key still listed: old values still open; rotation moves them.
    let both = app.sibling_with_keys(&new_spec, true).await;
    assert_eq!(
        app.live_user(&both.url, &key).await.0,
        StatusCode::OK,
        "old ciphertexts readable"
    );
    assert_eq!(
        both.services.key_rotation().rotate().await.unwrap(),
        2,
        "access and refresh token"
    );
    let tenant = app.services.tenants().get("rotating").await.unwrap().id;
    let grant = app
        .services
        .store
        .read(move |mut db| {
            Box::pin(async move { marquee::store::grant::find_for_tenant(&mut db, &tenant).await })
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        grant.key_id, "test2",
        "both tokens now sealed under the new key"
    );
    assert_eq!(
        both.services.key_rotation().rotate().await.unwrap(),
        0,
        "nothing left to move"
    );

    // The old key can now be removed.
    let new_only = app.sibling_with_keys(&new_spec, false).await;
    app.age_access_tokens().await;
    assert_eq!(
        app.live_user(&new_only.url, &key).await.0,
        StatusCode::OK,
        "refresh works with the new key alone"
    );
    assert_eq!(app.refreshes().await, 1);

    // An instance missing the key names the key id it lacks.
    let err = app
        .services
        .tokens()
        .access_token(&app.services.tenants().get("rotating").await.unwrap().id)
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("test2"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_status_reports_token_health_and_scopes() {
    let app = TestApp::spawn().await;
    app.sim_user("health@example.com").await;
    let key = connected_site(&app, "healthy").await;
    let st = status(&app, &key).await;
    assert_eq!(st["connected"], Value::Bool(true));
    assert_eq!(st["missing_scopes"], json!([]), "{st}");
    assert!(st["token_expires_at"].is_string());
    assert!(st["last_refreshed_at"].is_null());
    app.age_access_tokens().await;
    assert_eq!(app.live_user(&app.url, &key).await.0, StatusCode::OK);
    assert!(status(&app, &key).await["last_refreshed_at"].is_string());
    let _ = Method::GET;
}

/// Cookies of one browser, joined for a `Cookie` header.
fn cookies(list: &[&str]) -> String {
    list.join("; ")
}

fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_marketplace_install_is_parked_until_its_owner_claims_it() {
    let app = TestApp::spawn().await;
    app.sim_user_with_meeting("market@example.com", "Installed class")
        .await;
    app.create_tenant("market").await;
    app.create_tenant("bystander").await;

    // The user adds the app on the Marketplace: Zoom redirects with a code and no state.
    let resp = app
        .http
        .get(format!("{}/_sim/install", app.sim.url()))
        .send()
        .await
        .unwrap();
    let callback = crate::helpers::location(&resp);
    assert!(!callback.contains("state="), "{callback}");
    let resp = app.callback(&callback, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let claim = set_cookie(&resp, "marquee_claim").expect("claim cookie");
    assert!(resp.text().await.unwrap().contains("market@example.com"));
    assert_eq!(
        app.services
            .store
            .dump_table("zoom_grants")
            .await
            .unwrap()
            .len(),
        1,
        "parked"
    );
    assert!(
        app.services
            .store
            .dump_table("zoom_connections")
            .await
            .unwrap()
            .is_empty(),
        "attached to no site"
    );

    // Another owner's browser (no claim cookie) is offered nothing.
    let other = app.sign_in("bystander").await;
    assert!(
        !app.admin_page(&other)
            .await
            .0
            .contains("Zoom install waiting")
    );

    // The owner signs in in the same browser and claims it.
    let session = app.sign_in("market").await;
    let browser = cookies(&[&session, &claim]);
    let (html, csrf) = app.admin_page(&browser).await;
    assert!(
        html.contains("Zoom install waiting") && html.contains("market@example.com"),
        "{html}"
    );
    let resp = app
        .http
        .post(app.at("/admin/zoom/claim"))
        .header("cookie", &browser)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (html, _) = app.admin_page(&session).await;
    assert!(html.contains("Connected as"), "{html}");
    let meetings = app.public_meetings("market").await;
    assert_eq!(meetings[0]["topic"], "Installed class");

    // A claim works once.
    let (html, _) = app.admin_page(&cookies(&[&other, &claim])).await;
    assert!(!html.contains("Zoom install waiting"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upkeep_refreshes_idle_grants_and_clears_what_can_no_longer_be_used() {
    let app = TestApp::spawn().await;
    app.sim_user("idle@example.com").await;
    let key = connected_site(&app, "idle").await;
    app.admin_link("idle").await;
    let store = &app.services.store;

    // Nothing due yet.
    let report = app.services.upkeep().run().await.unwrap();
    assert_eq!(report.grants_refreshed, 0);
    assert_eq!(app.refreshes().await, 0);

    // A week without use: upkeep refreshes once, through the usual lease.
    store
        .execute_raw("UPDATE zoom_grants SET created_at = '2000-01-01 00:00:00'")
        .await
        .unwrap();
    store
        .execute_raw("UPDATE admin_links SET expires_at = '2000-01-01 00:00:00'")
        .await
        .unwrap();
    let report = app.services.upkeep().run().await.unwrap();
    assert_eq!(report.grants_refreshed, 1, "{report:?}");
    assert!(
        report.credentials_purged >= 2,
        "expired links purged: {report:?}"
    );
    assert_eq!(app.refreshes().await, 1);
    assert!(store.dump_table("admin_links").await.unwrap().is_empty());
    assert_eq!(
        app.services.upkeep().run().await.unwrap().grants_refreshed,
        0,
        "fresh again"
    );
    assert_eq!(app.live_user(&app.url, &key).await.0, StatusCode::OK);

    // A Marketplace install nobody claimed for a day is revoked and removed.
    app.sim_user("never-claimed@example.com").await;
    let resp = app
        .http
        .get(format!("{}/_sim/install", app.sim.url()))
        .send()
        .await
        .unwrap();
    let resp = app.callback(&crate::helpers::location(&resp), None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(store.dump_table("zoom_grants").await.unwrap().len(), 2);
    store
        .execute_raw("UPDATE zoom_grants SET created_at = '2000-01-01 00:00:00' WHERE claim_token_hash IS NOT NULL")
        .await
        .unwrap();
    let report = app.services.upkeep().run().await.unwrap();
    assert_eq!(report.abandoned_installs_removed, 1, "{report:?}");
    assert_eq!(store.dump_table("zoom_grants").await.unwrap().len(), 1);
    assert_eq!(app.sim_stats().await["endpoints"]["POST /oauth/revoke"], 1);
}

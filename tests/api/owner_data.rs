//! The owner's data outlives Zoom's: hidden items, settings and templates survive a disconnect
//! and reconnect, and Zoom's late `app_deauthorized` for the revoked grant does not undo a
//! quick reconnect (only a notice newer than the current authorization disconnects).

use marquee::domain::status::WebhookEventStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, eventually, json_response, meeting_body};
use crate::sync::wait_for_sync;
use crate::webhooks::stored_events;

const SITE: &str = "studio";

/// A site whose own template override for the meetings widget marks every page it renders.
async fn app_with_site_template() -> (TestApp, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("mq-owner-tpl-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join(SITE)).unwrap();
    std::fs::write(
        dir.join(SITE).join("meetings.html.j2"),
        "<p>Studio's own list</p>{% for m in meetings %}<p>{{ m.topic }}</p>{% endfor %}",
    )
    .unwrap();
    let templates = dir.display().to_string();
    let app = TestApp::spawn_configured(
        |_| {},
        |vars| {
            vars.insert("MARQUEE_TEMPLATES_DIR".into(), templates);
        },
    )
    .await;
    (app, dir)
}

fn topics(meetings: &[Value]) -> Vec<&str> {
    meetings
        .iter()
        .map(|m| m["topic"].as_str().unwrap())
        .collect()
}

async fn set_visibility(app: &TestApp, key: &str, path: &str, hidden: bool) {
    let (status, body) = app
        .admin_call(key, Method::PUT, path, Some(json!({"hidden": hidden})))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

async fn disconnect(app: &TestApp, key: &str) {
    let (status, body) = app
        .admin_call(key, Method::DELETE, "/api/v1/admin/zoom", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The site's Zoom host, as the simulator knows them (with `account_id`).
async fn host(app: &TestApp) -> Value {
    let resp = app
        .http
        .get(format!("{}/_sim/users", app.sim.url()))
        .send()
        .await;
    let (_, users) = json_response(resp.unwrap()).await;
    let email = format!("host-{SITE}@example.com");
    users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == json!(email))
        .cloned()
        .expect("the site's host")
}

/// Runs `then`, and waits for the whole-site sync it leads to.
async fn synced_after<F: std::future::Future<Output = ()>>(app: &TestApp, then: F) {
    let tenant = app.tenant_id(SITE).await;
    let before = app.services.sync().status_of(&tenant).await.unwrap();
    then.await;
    wait_for_sync(app, &tenant, before.last_finished_at).await;
}

/// The Zoom user signs in on zoom.us again and the owner connects the site once more; waits
/// for the backfill that follows.
async fn reconnect(app: &TestApp, user: &Value) {
    synced_after(app, async {
        app.http
            .put(format!("{}/_sim/session", app.sim.url()))
            .json(&json!({"user_id": user["id"]}))
            .send()
            .await
            .unwrap();
        app.connect_site(SITE).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_items_settings_and_templates_survive_a_disconnect_and_reconnect() {
    let (app, templates) = app_with_site_template().await;
    let (created, key) = app
        .public_site(
            SITE,
            vec![
                meeting_body("Open class", 2, 2),
                meeting_body("Private rehearsal", 3, 2),
            ],
        )
        .await;
    let hidden_id = created[1]["id"].as_i64().unwrap().to_string();
    let recording = app
        .sim_post(
            &format!("/_sim/meetings/{}/recordings", created[0]["id"]),
            json!({}),
        )
        .await;
    let recording_id = recording["uuid"].as_str().unwrap().to_owned();
    let user = host(&app).await;
    synced_after(&app, async {
        let (status, body) = app
            .admin_call(&key, Method::POST, "/api/v1/admin/sync", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    })
    .await;
    set_visibility(
        &app,
        &key,
        &format!("/api/v1/admin/meetings/{hidden_id}/visibility"),
        true,
    )
    .await;
    let encoded = urlencoding(&recording_id);
    set_visibility(
        &app,
        &key,
        &format!("/api/v1/admin/recordings/{encoded}/visibility"),
        true,
    )
    .await;
    let settings = app
        .site_settings(
            &key,
            json!({"theme": "dark", "allowed_origins": ["https://studio.example"]}),
        )
        .await;
    assert_eq!(topics(&app.public_meetings(SITE).await), ["Open class"]);

    disconnect(&app, &key).await;
    assert!(
        app.public_meetings(SITE).await.is_empty(),
        "Zoom's data is purged"
    );
    let chosen = vec![
        ("recording".to_owned(), recording_id.clone()),
        ("meeting".to_owned(), hidden_id.clone()),
    ];
    let mut listed = app.hidden_items(&key).await;
    listed.sort();
    let mut expected = chosen.clone();
    expected.sort();
    assert_eq!(
        listed, expected,
        "the owner's choices stay while disconnected"
    );

    reconnect(&app, &user).await;
    assert_eq!(
        topics(&app.public_meetings(SITE).await),
        ["Open class"],
        "the hidden meeting is synced again, and hidden again"
    );
    let (status, _, _) = app
        .get_public(&format!("/api/v1/sites/{SITE}/meetings/{hidden_id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, recordings) = app
        .get_public(&format!("/api/v1/sites/{SITE}/recordings"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!recordings.contains(&recording_id), "{recordings}");
    let (status, _, widget) = app.get_public(&format!("/embed/{SITE}/meetings")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        widget.contains("Studio's own list"),
        "the site's template: {widget}"
    );
    assert!(
        widget.contains("Open class") && !widget.contains("Private rehearsal"),
        "{widget}"
    );
    let mut listed = app.hidden_items(&key).await;
    listed.sort();
    assert_eq!(listed, expected, "still listed as hidden");
    let (_, now) = app
        .admin_call(&key, Method::GET, "/api/v1/admin/site-settings", None)
        .await;
    assert_eq!(now, settings, "settings are the owner's too");

    // Shown again, it is public again; the recording can be shown while it is stored.
    set_visibility(
        &app,
        &key,
        &format!("/api/v1/admin/meetings/{hidden_id}/visibility"),
        false,
    )
    .await;
    let mut shown = topics(&app.public_meetings(SITE).await)
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    shown.sort();
    assert_eq!(shown, ["Open class", "Private rehearsal"]);
    assert_eq!(app.hidden_items(&key).await, vec![chosen[0].clone()]);
    let _ = std::fs::remove_dir_all(templates);
}

/// The item id of a recording in a path (Zoom's uuids may hold `/`, `+` and `=`).
fn urlencoding(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

/// `app_deauthorized` as Zoom sends it (docs/zoom.md §2.8) for a removal at `at`.
fn deauthorization(user: &Value, at: chrono::DateTime<chrono::Utc>) -> String {
    json!({
        "event": "app_deauthorized",
        "event_ts": at.timestamp_millis(),
        "payload": {
            "account_id": user["account_id"],
            "user_id": user["id"],
            "client_id": crate::helpers::CLIENT_ID,
            "deauthorization_time": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "signature": "not checked by Marquee",
            "user_data_retention": "false",
        },
    })
    .to_string()
}

/// Delivers a signed event and waits until the worker has applied it; returns its outcome.
async fn deliver(app: &TestApp, body: &str) -> String {
    let (status, reply) = app.post_webhook(body, chrono::Utc::now().timestamp()).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    eventually(20, "the event to be applied", || async {
        stored_events(&app.services)
            .await
            .into_iter()
            .find(|e| e.body == body && e.status == WebhookEventStatus::Applied)
            .and_then(|e| e.outcome)
    })
    .await
}

async fn connected(app: &TestApp, key: &str) -> bool {
    let (_, body) = app
        .admin_call(key, Method::GET, "/api/v1/admin/zoom", None)
        .await;
    body["connected"] == json!(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_deauthorization_does_not_undo_a_quick_reconnect() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site(SITE, vec![meeting_body("Monday flow", 2, 2)])
        .await;
    let host = host(&app).await;
    assert_eq!(host["id"], created[0]["host_id"]);

    disconnect(&app, &key).await;
    // Marquee revoked the grant; Zoom's notice of it is on its way, dated now.
    let revoked_at = chrono::Utc::now();
    reconnect(&app, &host).await;
    assert!(connected(&app, &key).await);

    let outcome = deliver(&app, &deauthorization(&host, revoked_at)).await;
    assert!(outcome.contains("1 newer grant(s) kept"), "{outcome}");
    assert!(connected(&app, &key).await, "the new authorization stands");
    assert_eq!(topics(&app.public_meetings(SITE).await), ["Monday flow"]);
    assert_eq!(app.live_user(&app.url, &key).await.0, StatusCode::OK);
    let audit = app.services.store.dump_table("audit_events").await.unwrap();
    assert!(
        audit
            .iter()
            .any(|row| row.contains("deauthorization_ignored")),
        "{audit:?}"
    );

    // The owner removes the app in Zoom afterwards: that notice is newer than the grant.
    let outcome = deliver(&app, &deauthorization(&host, chrono::Utc::now())).await;
    assert!(
        outcome.starts_with("1 grant(s) removed, 1 site(s) disconnected"),
        "{outcome}"
    );
    assert!(!connected(&app, &key).await);
    assert!(
        app.public_meetings(SITE).await.is_empty(),
        "Zoom's data is purged"
    );
}

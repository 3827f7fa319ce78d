//! The owner's admin panel in a real browser (`tests/browser/panel.test.mjs`, headless Chromium
//! with axe-core): an owner opens an admin link, changes what the site shows, sees the preview
//! follow the theme, hides a meeting and finds it again; then copies the script snippet onto
//! their own page (another loopback origin, served by the test) where the widget renders and
//! resizes, presses Sync now and follows it, disconnects after confirming and reconnects, and
//! the hidden meeting is still hidden. Every panel page has no serious or critical axe
//! violation, and each is photographed. Skipped when the browser tools are missing
//! (see `browser`). A second test approves a registrant on the Registrations page.

use reqwest::Method;

use crate::browser;
use crate::helpers::{TestApp, meeting_body, visitor};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_uses_the_panel_in_chromium_and_every_page_passes_axe() {
    if !browser::available() {
        return;
    }
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site(
            "studio",
            vec![
                meeting_body("Morning flow", 2, 2),
                meeting_body("Evening calm", 4, 1),
                meeting_body("Weekend workshop", 6, 0),
                meeting_body("Last month's retreat", -20, 2),
            ],
        )
        .await;
    app.seed_recording(
        "studio",
        "rec-1",
        "Last week's class",
        "2026-01-10 09:00:00",
        "pw",
    )
    .await;
    app.seed_recording(
        "studio",
        "rec-2",
        "New year meditation",
        "2026-01-02 18:00:00",
        "",
    )
    .await;
    let weekly: Vec<String> = [3, 10, 17, 24]
        .iter()
        .map(|days| {
            (chrono::Utc::now() + chrono::TimeDelta::days(*days))
                .format("%Y-%m-%d 17:30:00")
                .to_string()
        })
        .collect();
    let weekly: Vec<&str> = weekly.iter().map(String::as_str).collect();
    app.seed_occurrences("studio", created[1]["id"].as_i64().unwrap(), &weekly)
        .await;
    let workshop = created[2]["id"].as_i64().unwrap();
    app.register("studio", workshop, visitor("grace@example.com"), None)
        .await;
    let link = app.admin_link("studio").await;
    let second_link = app.admin_link("studio").await;

    let env = vec![
        ("MQ_ADMIN_LINK", link),
        ("MQ_ADMIN_LINK_2", second_link),
        ("MQ_SITE", "studio".to_owned()),
        ("MQ_HIDE_TOPIC", "Morning flow".to_owned()),
    ];
    browser::run_node_test("panel.test.mjs", env, 2).await;

    // What the owner did in the browser is what the site does now.
    let (_, settings) = app
        .admin_call(&key, Method::GET, "/api/v1/admin/site-settings", None)
        .await;
    assert_eq!(settings["theme"], "dark", "{settings}");
    assert_eq!(settings["recordings_public"], false, "{settings}");
    // The address typed on "What the site shows", and the owner's own (loopback) page.
    let origins = settings["allowed_origins"].as_array().unwrap();
    assert_eq!(origins.len(), 2, "{settings}");
    assert!(
        origins.iter().any(|o| o == "https://studio.example"),
        "{settings}"
    );
    let topics: Vec<String> = app
        .public_meetings("studio")
        .await
        .iter()
        .map(|m| m["topic"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(!topics.iter().any(|t| t == "Morning flow"), "{topics:?}");
    assert!(topics.iter().any(|t| t == "Evening calm"), "{topics:?}");
    // After the disconnect and reconnect, the owner's choice still holds.
    assert_eq!(app.hidden_items(&key).await.len(), 1);
    let (_, connection) = app
        .admin_call(&key, Method::GET, "/api/v1/admin/zoom", None)
        .await;
    assert_eq!(connection["connected"], true, "{connection}");
}

/// The Registrations page (`tests/browser/registrations.test.mjs`): the owner finds a pending
/// registrant from the meeting's row, approves it in the browser, and Zoom has it approved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_approves_a_registrant_in_chromium() {
    if !browser::available() {
        return;
    }
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site("bookings", vec![meeting_body("Piano for kids", 3, 1)])
        .await;
    let meeting_id = created[0]["id"].as_i64().unwrap();
    let (status, _, pending) = app
        .register("bookings", meeting_id, visitor("parent@example.com"), None)
        .await;
    assert!(status.is_success(), "{pending}");
    assert_eq!(pending["status"], "pending");
    let env = vec![
        ("MQ_ADMIN_LINK", app.admin_link("bookings").await),
        ("MQ_PENDING", "parent@example.com".to_owned()),
    ];
    browser::run_node_test("registrations.test.mjs", env, 1).await;

    let at_zoom = app.sim_meeting_state(meeting_id).await;
    let statuses: Vec<&str> = at_zoom["registrants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["approved"], "{at_zoom}");
}

/// The New- and Edit-meeting forms in Chromium (`tests/browser/meeting_form.test.mjs`): the
/// owner makes a weekly meeting with registration and a custom question, first with an error
/// (axe on every state), then changes its topic; the widget and Zoom have both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_creates_a_recurring_meeting_in_chromium_and_the_widget_shows_it() {
    if !browser::available() {
        return;
    }
    let app = TestApp::spawn().await;
    app.public_site("potter", vec![]).await;
    let date = (chrono::Utc::now() + chrono::TimeDelta::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let env = vec![
        ("MQ_ADMIN_LINK", app.admin_link("potter").await),
        ("MQ_SITE", "potter".to_owned()),
        ("MQ_DATE", date),
    ];
    browser::run_node_test("meeting_form.test.mjs", env, 1).await;

    let made: Vec<_> = app
        .public_meetings("potter")
        .await
        .into_iter()
        .filter(|m| m["topic"] == "Browser ceramics")
        .collect();
    assert!(!made.is_empty(), "{made:?}");
    assert_eq!(made[0]["timezone"], "Europe/Berlin", "{made:?}");
    assert_eq!(
        app.sim_calls("POST /v2/users/{userId}/meetings").await,
        1,
        "one meeting at Zoom"
    );
    let at_zoom = app.sim_meeting_state(made[0]["id"].as_i64().unwrap()).await;
    assert_eq!(at_zoom["topic"], "Browser ceramics", "{at_zoom}");
}

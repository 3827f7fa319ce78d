//! Every widget and state as a visitor meets it, in real Chromium (`tests/browser/widgets.test.mjs`):
//! axe-core over each widget and notice in light and dark, English and German; registering with
//! the keyboard alone; errors announced and tied to their fields; a series' date choice,
//! questions on the first view, a repeat registration, Zoom unreachable while registering; the
//! embedding page does not shift when `embed.js` resizes; a low-contrast accent refused by the
//! API and the panel. Screenshots go to `MQ_ARTIFACTS` (copies in docs/screenshots/widget-*.png).
//! Also, without a browser: the budget of a widget of 20 meetings.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser::{self, third_party_site};
use crate::helpers::{TestApp, meeting_body};
use crate::widgets::zoom_questions;

/// What the first paint of a widget costs at most: its HTML (with its inline CSS and JS) and
/// the loader, uncompressed.
const BUDGET_BYTES: usize = 40 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_widget_of_twenty_meetings_stays_under_forty_kilobytes() {
    let app = TestApp::spawn().await;
    let meetings = (1..=20)
        .map(|d| {
            let mut body = meeting_body(&format!("Community class number {d}"), d, 0);
            // Long agendas: the list shows their first 280 characters.
            body["agenda"] = json!("A calm, guided session for every level. ".repeat(20));
            body
        })
        .collect();
    app.public_site("budget", meetings).await;
    let mut sizes = Vec::new();
    for (path, cards) in [
        ("/embed/budget/meetings", 20),
        ("/embed/budget/meetings?layout=compact", 20),
    ] {
        let (status, _, html) = app.get_public(path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(html.matches("<li class=\"mq-item").count(), cards, "{path}");
        sizes.push((path, html.len()));
    }
    let (_, _, loader) = app.get_public("/embed.js").await;
    for (path, html) in sizes {
        let total = html + loader.len();
        println!(
            "{path}: HTML+CSS+JS {html} B + embed.js {} B = {total} B",
            loader.len()
        );
        assert!(
            total < BUDGET_BYTES,
            "{path}: {total} B of {BUDGET_BYTES} B"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_widget_and_state_in_chromium() {
    if !browser::available() {
        return;
    }
    let app = TestApp::spawn_with(|c| {
        c.scopes
            .push("webinar:read:list_registration_questions:admin".into())
    })
    .await;
    let (created, key) = app
        .public_site(
            "studio",
            vec![
                meeting_body("Morning flow", 2, 0),
                meeting_body("Weekly yoga", 3, 0),
                meeting_body("Teacher training", 5, 0),
            ],
        )
        .await;
    let id = |i: usize| created[i]["id"].as_i64().unwrap();
    let (single, series, asked) = (id(0), id(1), id(2));
    let weekly: Vec<String> = [3, 10, 17]
        .iter()
        .map(|days| {
            (chrono::Utc::now() + chrono::TimeDelta::days(*days))
                .format("%Y-%m-%d 17:30:00")
                .to_string()
        })
        .collect();
    let weekly: Vec<&str> = weekly.iter().map(String::as_str).collect();
    app.seed_occurrences("studio", series, &weekly).await;
    zoom_questions(&app, asked).await;
    app.seed_recording(
        "studio",
        "rec-1",
        "Last week's class",
        "2026-01-10 09:00:00",
        "",
    )
    .await;
    app.seed_recording(
        "studio",
        "rec-2",
        "Private class",
        "2026-01-09 09:00:00",
        "s3cret",
    )
    .await;
    app.site_settings(&key, json!({"webinars_public": true}))
        .await;
    let (_, quiet_key) = app.public_site("quiet", vec![]).await;
    app.site_settings(&quiet_key, json!({"recordings_public": false}))
        .await;

    let base = &app.url;
    let host_page = |reserve: &str, hint: &str| {
        format!(
            r##"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Studio</title></head>
<body style="font-family:sans-serif;max-width:760px;margin:2rem auto">
<h1>Our yoga studio</h1>
<a href="{base}/embed/studio/meetings" data-marquee-fallback{reserve}>Upcoming meetings</a><script src="{base}/embed.js" data-site="studio" data-widget="meetings" data-layout="compact"{hint} async></script>
<p id="below" style="height:600px;background:#eef">Content below the widget.</p>
</body></html>"##
        )
    };
    // As a snippet reserves the height (the fallback link's style, the loader's data-height),
    // here the compact list's: about one line per item.
    let hinted = third_party_site(host_page(
        " style=\"display:block;min-height:360px\"",
        " data-height=\"360\"",
    ))
    .await;
    let unhinted = third_party_site(host_page("", "")).await;
    let origins = [&hinted, &unhinted].map(|u| u.trim_end_matches('/').to_owned());
    app.site_settings(&key, json!({"allowed_origins": origins}))
        .await;

    let env = vec![
        ("MQ_BASE", base.clone()),
        ("MQ_SIM", app.sim.url().to_owned()),
        ("MQ_SINGLE", single.to_string()),
        ("MQ_SERIES", series.to_string()),
        ("MQ_ASKED", asked.to_string()),
        ("MQ_HINTED_PAGE", hinted),
        ("MQ_UNHINTED_PAGE", unhinted),
        ("MQ_API_KEY", key.clone()),
        ("MQ_ADMIN_LINK", app.admin_link("studio").await),
    ];
    browser::run_node_test("widgets.test.mjs", env, 7).await;

    // What the browser registered is real: Zoom has the visitors, the series' one on its date.
    let (status, regs) = app
        .admin_call(
            &key,
            Method::GET,
            &format!("/api/v1/admin/registrations?meeting_id={series}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{regs}");
    let items = regs["registrations"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{regs}");
    assert_eq!(
        items[0]["occurrence_id"], "1700000000001",
        "the second date: {regs}"
    );
}

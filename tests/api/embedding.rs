//! Embedding in a real browser: Marquee (with the simulator) plus two "third-party" sites on
//! other loopback origins, one allowed by the site owner and one not, driven by headless
//! Chromium through `tests/browser/embed.test.mjs` (node's test runner + playwright-core).
//! Skipped when the browser tools are missing (see `browser`).

use serde_json::json;

use crate::browser::{self, third_party_site};
use crate::helpers::{TestApp, meeting_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widgets_embed_resize_register_and_refuse_foreign_framing_in_chromium() {
    if !browser::available() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_, key) = app
        .public_site(
            "studio",
            vec![
                meeting_body("Morning flow", 2, 0),
                meeting_body("Evening <b>calm</b>", 4, 0),
            ],
        )
        .await;
    app.seed_recording(
        "studio",
        "rec-1",
        "Last week's class",
        "2026-01-10 09:00:00",
        "",
    )
    .await;

    let base = &app.url;
    let allowed = third_party_site(format!(
        r##"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Studio</title></head>
<body style="font-family:sans-serif;max-width:760px;margin:2rem auto">
<h1>Our yoga studio</h1><p>Classes and recordings, straight from our Zoom account.</p>
<a href="{base}/embed/studio/meetings" data-marquee-fallback>Upcoming meetings</a><script src="{base}/embed.js" data-site="studio" data-widget="meetings" async></script>
<h2>Watch again</h2>
<a href="{base}/embed/studio/recordings" data-marquee-fallback>Recordings</a><script src="{base}/embed.js" data-site="studio" data-widget="recordings" data-lang="de" data-theme="dark" data-accent="#ff8800" async></script>
</body></html>"##
    ))
    .await;
    let denied = third_party_site(format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Elsewhere</title></head>
<body><h2>Not allowed</h2><iframe id="direct" src="{base}/embed/studio/meetings" title="widget"></iframe></body></html>"#
    ))
    .await;
    let allowed_origin = allowed.trim_end_matches('/').to_owned();
    app.site_settings(&key, json!({"allowed_origins": [allowed_origin]}))
        .await;

    let env = vec![("MQ_ALLOWED_PAGE", allowed), ("MQ_DENIED_PAGE", denied)];
    browser::run_node_test("embed.test.mjs", env, 2).await;

    // The visitor's registration reached Zoom and Marquee.
    let (_, regs) = app
        .admin_call(
            &key,
            reqwest::Method::GET,
            "/api/v1/admin/registrations",
            None,
        )
        .await;
    assert_eq!(
        regs["registrations"][0]["email"], "grace.browser@example.com",
        "{regs}"
    );
}

//! Embedding in a real browser: Marquee (with the simulator) plus two "third-party" sites on
//! other loopback origins, one allowed by the site owner and one not, driven by headless
//! Chromium through `tests/browser/embed.test.mjs` (node's test runner + playwright-core).
//!
//! Skipped, with the reason printed, when node, chromium or `tests/browser/node_modules` are
//! missing — unless `MARQUEE_REQUIRE_BROWSER=1` (set by `.ci/run`), which turns a skip into a
//! failure so CI really runs it.

use std::path::Path;
use std::process::Command;

use poem::web::Html;
use poem::{Route, get, handler};
use serde_json::json;

use crate::helpers::{TestApp, meeting_body};

const CHROMIUM: &str = "/usr/bin/chromium";

fn missing_tools() -> Option<String> {
    let chromium = std::env::var("MQ_CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "{chromium} not found (apt-get install -y chromium)"
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node not found".into());
    }
    if !Path::new("tests/browser/node_modules/playwright-core").exists() {
        return Some(
            "tests/browser/node_modules missing (cd tests/browser && npm install --no-audit --no-fund)"
                .into(),
        );
    }
    None
}

/// Serves one HTML page on a fresh loopback port; returns its URL.
async fn third_party_site(page: String) -> String {
    #[handler]
    fn index(page: poem::web::Data<&String>) -> Html<String> {
        Html(page.0.clone())
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let acceptor = poem::listener::TcpAcceptor::from_std(listener).unwrap();
    let app = poem::EndpointExt::data(Route::new().at("/", get(index)), page);
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widgets_embed_resize_register_and_refuse_foreign_framing_in_chromium() {
    if let Some(reason) = missing_tools() {
        assert!(
            std::env::var("MARQUEE_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "browser test required but cannot run: {reason}"
        );
        eprintln!("SKIPPED browser test: {reason}");
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

    let artifacts = std::env::var("MQ_ARTIFACTS").unwrap_or_else(|_| "tests/artifacts".into());
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args([
                "--test",
                "--test-timeout=90000",
                "tests/browser/embed.test.mjs",
            ])
            .env("MQ_ALLOWED_PAGE", &allowed)
            .env("MQ_DENIED_PAGE", &denied)
            .env("MQ_ARTIFACTS", &artifacts)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("# pass 2"), "{stdout}");

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

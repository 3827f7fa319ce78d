//! The widgets' list options (`per_page`, `host`, `months`, `layout`): what each shows, that a
//! bad value is a friendly localised notice naming the option, that a host filter never reaches
//! another site's items, and that the snippets list the options.

use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, meeting_body};

/// How many cards (`<li class="mq-item…">`) a list page shows.
fn cards(html: &str) -> usize {
    html.matches("<li class=\"mq-item").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_page_and_layout_shape_the_list_and_stay_on_its_links() {
    let app = TestApp::spawn().await;
    let meetings = (1..=3)
        .map(|d| meeting_body(&format!("Class {d}"), d, 0))
        .collect();
    app.public_site("opts", meetings).await;

    let (status, _, html) = app.get_public("/embed/opts/meetings").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cards(&html), 3, "{html}");
    assert!(
        html.contains("class=\"mq-agenda\""),
        "detailed by default: {html}"
    );

    let (_, _, html) = app.get_public("/embed/opts/meetings?per_page=2").await;
    assert_eq!(cards(&html), 2, "{html}");
    assert!(
        html.contains("per_page=2&amp;page=2"),
        "the next page keeps the option: {html}"
    );
    let (_, _, html) = app
        .get_public("/embed/opts/meetings?per_page=2&page=2")
        .await;
    assert_eq!(cards(&html), 1, "{html}");
    assert!(html.contains("Class 3"), "{html}");

    let (_, _, html) = app.get_public("/embed/opts/meetings?layout=compact").await;
    assert_eq!(html.matches("mq-item mq-compact").count(), 3, "{html}");
    assert!(!html.contains("class=\"mq-agenda\""), "compact: {html}");
    assert!(
        html.contains("layout=compact"),
        "a card's link keeps the layout: {html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_filter_takes_an_email_or_a_user_id_and_never_another_sites_items() {
    let app = TestApp::spawn().await;
    let (ours, _) = app
        .public_site("host-a", vec![meeting_body("Ours", 2, 0)])
        .await;
    let (theirs, _) = app
        .public_site("host-b", vec![meeting_body("Theirs", 2, 0)])
        .await;
    let our_host = ours[0]["host_id"].as_str().unwrap().to_owned();
    let their_host = theirs[0]["host_id"].as_str().unwrap().to_owned();
    assert_ne!(our_host, their_host);

    for host in [
        "host-host-a@example.com",
        "HOST-host-a@Example.com",
        &our_host,
    ] {
        let path = format!("/embed/host-a/meetings?host={}", urlencode(host));
        let (status, _, html) = app.get_public(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains("Ours"), "{path}: {html}");
    }
    for host in [
        "someone@example.com",
        "host-host-b@example.com",
        &their_host,
    ] {
        let path = format!("/embed/host-a/meetings?host={}", urlencode(host));
        let (status, _, html) = app.get_public(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            !html.contains("Ours") && !html.contains("Theirs"),
            "{path}: {html}"
        );
        assert!(
            html.contains("No upcoming meetings right now."),
            "{path}: {html}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn months_limits_recordings_to_the_recent_ones() {
    let app = TestApp::spawn().await;
    app.public_site("rec-months", vec![]).await;
    let recent = (chrono::Utc::now() - chrono::TimeDelta::days(3))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let old = (chrono::Utc::now() - chrono::TimeDelta::days(200))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    app.seed_recording("rec-months", "rec-new", "Fresh class", &recent, "")
        .await;
    app.seed_recording("rec-months", "rec-old", "Old class", &old, "")
        .await;

    let (_, _, html) = app.get_public("/embed/rec-months/recordings").await;
    assert!(
        html.contains("Fresh class") && html.contains("Old class"),
        "{html}"
    );
    let (_, _, html) = app
        .get_public("/embed/rec-months/recordings?months=6")
        .await;
    assert!(
        html.contains("Fresh class") && !html.contains("Old class"),
        "{html}"
    );
    let (_, _, html) = app
        .get_public("/embed/rec-months/recordings?months=12&host=host&layout=compact")
        .await;
    assert_eq!(html.matches("mq-item mq-compact").count(), 2, "{html}");
    let (_, _, html) = app
        .get_public("/embed/rec-months/recordings?host=somebody-else")
        .await;
    assert!(html.contains("No recordings yet."), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_option_is_a_friendly_localised_notice_naming_it() {
    let app = TestApp::spawn().await;
    app.public_site("bad-opts", vec![meeting_body("Class", 2, 0)])
        .await;
    for (query, words) in [
        (
            "per_page=0",
            "per_page (data-per-page) must be a whole number from 1 to 50",
        ),
        (
            "per_page=lots",
            "per_page (data-per-page) must be a whole number from 1 to 50",
        ),
        (
            "months=25",
            "months (data-months) must be a whole number from 1 to 24",
        ),
        ("host=not%20an%20address", "host (data-host) must be a host"),
        (
            "layout=grid",
            "layout (data-layout) must be &quot;compact&quot; or &quot;detailed&quot;",
        ),
        (
            "layout=grid&lang=de",
            "Die Option layout (data-layout) muss",
        ),
    ] {
        for widget in ["meetings", "recordings", "webinars"] {
            let path = format!("/embed/bad-opts/{widget}?{query}");
            let (status, _, html) = app.get_public(&path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {html}");
            assert!(html.contains("class=\"mq-notice\""), "{path}: {html}");
            assert!(html.contains(words), "{path}: {html}");
        }
    }
    let (status, _, html) = app.get_public("/embed/bad-opts/meetings?per_page=").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an empty option is no option: {html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_snippets_list_every_option_and_reserve_the_widgets_height() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("snip-opts", vec![]).await;
    let (status, body) = app
        .admin_call(&key, Method::GET, "/api/v1/admin/snippets", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let options = body["options"].as_array().unwrap();
    let attribute = |name: &str| {
        options
            .iter()
            .find(|o| o["attribute"].as_str().unwrap().starts_with(name))
            .unwrap_or_else(|| panic!("{name} listed: {body}"))
    };
    for name in [
        "data-per-page=",
        "data-host=",
        "data-months=",
        "data-layout=",
    ] {
        assert!(attribute(name)["query"].as_str().unwrap().starts_with('?'));
    }
    assert_eq!(
        attribute("data-months=")["widgets"],
        serde_json::json!(["recordings"])
    );
    assert!(attribute("data-height=").get("query").is_none());
    let meetings = &body["snippets"][0];
    assert!(
        meetings["script"]
            .as_str()
            .unwrap()
            .contains("data-height=\"640\""),
        "{meetings}"
    );
    assert!(
        meetings["iframe"]
            .as_str()
            .unwrap()
            .contains("height=\"640\"")
    );
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

//! The panel's New-meeting form and Start-meeting button over HTTP, on both backends: a
//! refused form names the problem next to its field, keeps what was typed and creates nothing
//! at Zoom; a good one creates the meeting at the simulator, public at once, once even when
//! submitted twice; Start redirects to a fresh `start_url` that no page shows; another site's
//! session can start none of them.

use reqwest::StatusCode;

use crate::helpers::{TestApp, extract_between, location};
use crate::panel::{csrf_of, page, submit};

const CREATE_AT_ZOOM: &str = "POST /v2/users/{userId}/meetings";
const FORM: &str = "/admin/meetings/new";

/// The form's CSRF token and idempotency key.
async fn open_form(app: &TestApp, cookie: &str) -> (String, String) {
    let (status, html) = page(app, cookie, FORM).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let key = extract_between(&html, r#"name="idempotency_key" value=""#, "\"").expect("a key");
    (csrf_of(&html), key)
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A weekly meeting on Tuesdays and Thursdays, four times, with registration.
fn weekly<'a>(csrf: &'a str, key: &'a str, date: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("idempotency_key", key),
        ("topic", "Panel pottery"),
        ("agenda", "Clay and wheels"),
        ("date", date),
        ("time", "18:30"),
        ("timezone", "Europe/Berlin"),
        ("duration", "90"),
        ("repeat", "weekly"),
        ("interval", "1"),
        ("day_3", "on"),
        ("day_5", "on"),
        ("end_times", "4"),
        ("registration", "automatic"),
        ("waiting_room", "on"),
    ]
}

fn with<'a>(
    mut form: Vec<(&'a str, &'a str)>,
    name: &str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    for field in &mut form {
        if field.0 == name {
            field.1 = value;
        }
    }
    form
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_form_names_the_field_keeps_the_input_and_creates_nothing() {
    let app = TestApp::spawn().await;
    app.public_site("form-checks", vec![]).await;
    let cookie = app.sign_in("form-checks").await;
    let (csrf, key) = open_form(&app, &cookie).await;
    let date = in_days(3);
    let yesterday = in_days(-1);
    let cases = [
        (
            "timezone",
            "timezone",
            "Mars/Olympus",
            "Choose a time zone from the list.",
        ),
        (
            "date",
            "date",
            yesterday.as_str(),
            "Choose a date and start time in the future.",
        ),
        (
            "duration",
            "duration",
            "0",
            "Enter a duration from 1 to 1440 minutes.",
        ),
        (
            "duration",
            "duration",
            "soon",
            "Enter a duration from 1 to 1440 minutes.",
        ),
        ("end_times", "end", "61", "Give either a number of meetings"),
    ];
    for (input, field, value, message) in cases {
        let form = with(weekly(&csrf, &key, &date), input, value);
        let resp = submit(&app, &cookie, FORM, &form).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{input}={value}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains(&format!(r#"<p class="error" id="{field}-error">{message}"#)),
            "{input}={value}: {html}"
        );
        assert!(
            html.contains(&format!(r#"aria-describedby="{field}-error""#))
                || html.contains(&format!(r#"aria-describedby="{field}-help {field}-error""#)),
            "{input}: described by its error"
        );
        assert!(html.contains(r#"aria-invalid="true""#), "{input}");
        assert!(
            html.contains(r#"value="Panel pottery""#),
            "the topic is kept"
        );
        assert!(
            html.contains(r#"id="day_3" name="day_3" value="on" checked"#),
            "days kept"
        );
    }
    // German: the same problem in the owner's language.
    let resp = app
        .http
        .post(app.at(FORM))
        .header("cookie", &cookie)
        .header("accept-language", "de")
        .form(&with(weekly(&csrf, &key, &date), "duration", "0"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Geben Sie eine Dauer von 1 bis 1440 Minuten ein."),
        "{html}"
    );
    assert_eq!(
        app.sim_calls(CREATE_AT_ZOOM).await,
        0,
        "Zoom was not called"
    );
    assert_eq!(app.rows("meetings").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_creates_one_meeting_at_zoom_public_at_once_even_when_sent_twice() {
    let app = TestApp::spawn().await;
    app.public_site("form-maker", vec![]).await;
    let cookie = app.sign_in("form-maker").await;
    let (status, list) = page(&app, &cookie, "/admin/meetings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains(r#"href="&#x2f;admin&#x2f;meetings&#x2f;new""#)
            || list.contains(r#"href="/admin/meetings/new""#),
        "{list}"
    );
    let (csrf, key) = open_form(&app, &cookie).await;
    let (_, fresh) = page(&app, &cookie, FORM).await;
    assert!(
        fresh.contains("<option selected>UTC</option>"),
        "UTC by default"
    );
    let date = in_days(2);
    let form = weekly(&csrf, &key, &date);
    for _ in 0..2 {
        let resp = submit(&app, &cookie, FORM, &form).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&resp), "/admin/meetings?created=1");
    }
    assert_eq!(
        app.sim_calls(CREATE_AT_ZOOM).await,
        1,
        "one meeting for one form"
    );
    let (_, listed) = page(&app, &cookie, "/admin/meetings?created=1").await;
    assert!(listed.contains(r#"<p class="notice" role="status">Meeting created.</p>"#));
    assert!(listed.contains("Panel pottery"));

    let public = app.public_meetings("form-maker").await;
    let ours: Vec<_> = public
        .iter()
        .filter(|m| m["topic"] == "Panel pottery")
        .collect();
    assert!(!ours.is_empty(), "{public:?}");
    assert_eq!(ours[0]["timezone"], "Europe/Berlin");
    assert_eq!(ours[0]["duration_minutes"], 90);
    let (status, _, widget) = app.get_public("/embed/form-maker/meetings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(widget.contains("Panel pottery"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_redirects_to_a_fresh_start_url_and_only_for_the_sites_own_meetings() {
    let app = TestApp::spawn().await;
    app.public_site("start-a", vec![]).await;
    app.public_site("start-b", vec![]).await;
    let cookie_a = app.sign_in("start-a").await;
    let cookie_b = app.sign_in("start-b").await;
    let (csrf, key) = open_form(&app, &cookie_a).await;
    let date = in_days(2);
    let resp = submit(&app, &cookie_a, FORM, &weekly(&csrf, &key, &date)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, list) = page(&app, &cookie_a, "/admin/meetings").await;
    let start = extract_between(&list, r#"<form method="post" action=""#, "\"")
        .expect("a Start button")
        .replace("&#x2f;", "/");
    assert!(start.ends_with("/start"), "{start}");
    assert!(!list.contains("zak="), "no start link in the page");

    let resp = submit(&app, &cookie_a, &start, &[("csrf_token", "forged")]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = submit(&app, &cookie_a, &start, &[("csrf_token", &csrf)]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert!(location(&resp).contains("zak="), "{}", location(&resp));

    // B's session: A's meeting is unknown.
    let (_, b_page) = page(&app, &cookie_b, "/admin").await;
    let resp = submit(
        &app,
        &cookie_b,
        &start,
        &[("csrf_token", &csrf_of(&b_page))],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let html = resp.text().await.unwrap();
    assert!(!html.contains("zak="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_asks_first_then_removes_the_meeting_at_zoom_and_only_the_sites_own() {
    let app = TestApp::spawn().await;
    app.public_site("delete-a", vec![]).await;
    app.public_site("delete-b", vec![]).await;
    let cookie_a = app.sign_in("delete-a").await;
    let cookie_b = app.sign_in("delete-b").await;
    let (csrf, key) = open_form(&app, &cookie_a).await;
    let date = in_days(2);
    let resp = submit(&app, &cookie_a, FORM, &weekly(&csrf, &key, &date)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let id = app.public_meetings("delete-a").await[0]["id"]
        .as_i64()
        .unwrap();
    let confirm = format!("/admin/meetings/{id}/delete");

    let (status, html) = page(&app, &cookie_a, &confirm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Delete this meeting?") && html.contains("Panel pottery"));
    // Without the confirmation: only asked.
    let resp = submit(&app, &cookie_a, &confirm, &[("csrf_token", &csrf)]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), confirm);

    // B's session: A's meeting is unknown, and stays.
    let (_, b_page) = page(&app, &cookie_b, "/admin").await;
    let csrf_b = csrf_of(&b_page);
    assert_eq!(
        page(&app, &cookie_b, &confirm).await.0,
        StatusCode::NOT_FOUND
    );
    let refused = [("csrf_token", csrf_b.as_str()), ("confirm", "yes")];
    let resp = submit(&app, &cookie_b, &confirm, &refused).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(!app.public_meetings("delete-a").await.is_empty());

    let confirmed = [("csrf_token", csrf.as_str()), ("confirm", "yes")];
    let resp = submit(&app, &cookie_a, &confirm, &confirmed).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/admin/meetings?deleted=1");
    assert_eq!(app.sim_calls("DELETE /v2/meetings/{meetingId}").await, 1);
    assert!(app.public_meetings("delete-a").await.is_empty());
    let (_, listed) = page(&app, &cookie_a, "/admin/meetings?deleted=1").await;
    assert!(listed.contains("Meeting deleted."));
    assert!(!listed.contains("Panel pottery"));
}

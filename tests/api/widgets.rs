//! The public widget: escaping of hostile Zoom data, security headers, questions on the first
//! view, repeat registrations, notices for what cannot be shown.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, escaped, extract_between, meeting_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_topics_are_escaped_and_pages_carry_the_owasp_headers() {
    let app = TestApp::spawn().await;
    let user = app.sim_user("host@example.com").await;
    let mut body = meeting_body("<script>alert('x')</script> Ünïcødé 🎉", 2, 2);
    body["agenda"] = serde_json::json!("<img src=x onerror=alert(1)>");
    app.sim_meeting(user["id"].as_str().unwrap(), body).await;
    app.create_tenant("safe-site").await;
    let cookie = app.connect_site("safe-site").await;

    let resp = app
        .http
        .get(app.at("/embed/safe-site/meetings"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_owasp_headers(&resp);
    let html = resp.text().await.unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(html.contains("&lt;script&gt;alert("), "{html}");
    assert!(html.contains("Ünïcødé 🎉"));
    // minijinja's HTML escaping writes '/' as '&#x2f;' (displayed as '/').
    assert!(
        html.contains("(Europe&#x2f;Berlin)"),
        "time shown in the meeting's zone: {html}"
    );

    let admin = app
        .http
        .get(app.at("/admin"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_owasp_headers(&admin);
    let csp = admin.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");

    let unknown = app
        .http
        .get(app.at("/embed/no-such-site/meetings"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

fn assert_owasp_headers(resp: &reqwest::Response) {
    for name in [
        "strict-transport-security",
        "x-content-type-options",
        "content-security-policy",
        "referrer-policy",
    ] {
        assert!(resp.headers().contains_key(name), "missing {name}");
    }
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
}

/// Sets a meeting's registration questions in the simulated Zoom.
pub(crate) async fn zoom_questions(app: &TestApp, meeting_id: i64) {
    let resp = app
        .http
        .put(format!(
            "{}/_sim/meetings/{meeting_id}/questions",
            app.sim.url()
        ))
        .json(
            &json!({"questions": [{"field_name": "org", "required": true}],
               "custom_questions": [{"title": "Your level", "type": "single", "required": true,
                                     "answers": ["Beginner", "Pro"]}]}),
        )
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

const QUESTIONS: &str = "GET /v2/meetings/{meetingId}/registrants/questions";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_questions_are_on_the_first_view_and_zoom_away_is_a_friendly_503() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site(
            "asks",
            vec![meeting_body("Asked", 3, 0), meeting_body("Zoom away", 4, 0)],
        )
        .await;
    let (asked, away) = (id_of(&created[0]), id_of(&created[1]));
    zoom_questions(&app, asked).await;
    zoom_questions(&app, away).await;

    let (status, _, html) = app
        .get_public(&format!("/embed/asks/meetings/{asked}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Your level") && html.contains("name=\"question_0\""),
        "{html}"
    );
    assert!(html.contains("name=\"field_org\""), "{html}");
    assert_eq!(app.sim_calls(QUESTIONS).await, 1);
    let (_, _, again) = app
        .get_public(&format!("/embed/asks/meetings/{asked}"))
        .await;
    assert!(again.contains("Your level"));
    assert_eq!(
        app.sim_calls(QUESTIONS).await,
        1,
        "asked of Zoom once, then stored"
    );

    let fault = json!({"method": "GET", "path": "/v2/meetings/{meetingId}/registrants/questions",
                       "kind": "status", "status": 503, "count": 20});
    app.sim_post("/_sim/faults", fault).await;
    let (status, headers, html) = app
        .get_public(&format!("/embed/asks/meetings/{away}?lang=de"))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{html}");
    assert!(headers.contains_key("retry-after"));
    assert!(
        !html.contains("<form"),
        "never a form missing its questions: {html}"
    );
    assert!(html.contains("Vorübergehend nicht verfügbar"), "{html}");
    assert!(
        html.contains("class=\"mq-notice\""),
        "in the widget's style: {html}"
    );

    app.http
        .delete(format!("{}/_sim/faults", app.sim.url()))
        .send()
        .await
        .unwrap();
    let (status, _, html) = app
        .get_public(&format!("/embed/asks/meetings/{away}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Your level"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_again_says_so_without_an_empty_link_sentence() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site("again", vec![meeting_body("Twice", 3, 0)])
        .await;
    let id = id_of(&created[0]);
    let page = app
        .get_public(&format!("/embed/again/meetings/{id}"))
        .await
        .2;
    let key = extract_between(&page, "name=\"idempotency_key\" value=\"", "\"").unwrap();
    let send = |form_key: String, lang: &'static str| {
        let app = &app;
        async move {
            let resp = app
                .http
                .post(app.at(&format!("/embed/again/meetings/{id}/register?lang={lang}")))
                .form(&[
                    ("first_name", "Ada"),
                    ("last_name", "Lovelace"),
                    ("email", "ada.twice@example.com"),
                    ("idempotency_key", form_key.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (resp.status(), resp.text().await.unwrap())
        }
    };
    let (status, first) = send(key, "en").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(
        first.contains("Use your personal link to join:") && first.contains("Join the meeting")
    );

    for (lang, title, text) in [
        (
            "en",
            "You are already registered",
            "Zoom sent the personal join link to it.",
        ),
        (
            "de",
            "Sie sind bereits angemeldet",
            "Zoom hat den persönlichen Link an sie geschickt.",
        ),
    ] {
        let (status, html) = send(format!("second-{lang}"), lang).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains(title) && html.contains(text), "{html}");
        assert!(!html.contains("personal link to join"), "{html}");
        assert!(
            !html.contains("zoom.us/w/"),
            "the link is not shown again: {html}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_and_error_states_are_friendly_localised_notices() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("quiet", vec![]).await;

    let (status, _, html) = app.get_public("/embed/quiet/meetings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No upcoming meetings right now."), "{html}");

    app.site_settings(&key, json!({"recordings_public": false}))
        .await;
    for (path, status, words) in [
        (
            "/embed/quiet/recordings",
            StatusCode::NOT_FOUND,
            "Not shown on this site",
        ),
        (
            "/embed/quiet/recordings?lang=de",
            StatusCode::NOT_FOUND,
            "Auf dieser Seite nicht sichtbar",
        ),
        (
            "/embed/nobody-here/meetings",
            StatusCode::NOT_FOUND,
            "This calendar is not available",
        ),
        (
            "/embed/nobody-here/meetings?lang=de",
            StatusCode::NOT_FOUND,
            "Dieser Kalender ist nicht verfügbar",
        ),
        (
            "/embed/quiet/meetings/424242",
            StatusCode::NOT_FOUND,
            "This entry is not available",
        ),
        (
            "/embed/quiet/meetings/424242/calendar.ics",
            StatusCode::NOT_FOUND,
            "This entry is not available",
        ),
    ] {
        let (got, headers, html) = app.get_public(path).await;
        assert_eq!(got, status, "{path}: {html}");
        assert!(html.contains(words), "{path}: {html}");
        assert!(html.contains("class=\"mq-notice\""), "{path}: {html}");
        assert!(!html.contains("Not found."), "{path}: {html}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("style-src 'sha256-"),
            "{path}: styled under the widget CSP: {csp}"
        );
    }
}

fn id_of(meeting: &serde_json::Value) -> i64 {
    meeting["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weekly_series_is_one_card_and_registering_picks_an_occurrence() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site(
            "weekly",
            vec![
                meeting_body("Weekly yoga", 2, 0),
                meeting_body("One-off talk", 3, 2),
                meeting_body("Spring meetup", 1700, 2),
                meeting_body("Evening flow", 4, 2),
            ],
        )
        .await;
    let series = id_of(&created[0]);
    // Thirty Tuesdays at 14:30 in Berlin from June 2030: more than a page of occurrences.
    let starts: Vec<String> = (0..30)
        .map(|week| {
            let day = chrono::NaiveDate::from_ymd_opt(2030, 6, 4).unwrap()
                + chrono::TimeDelta::weeks(week);
            format!("{day} 12:30:00")
        })
        .collect();
    let starts: Vec<&str> = starts.iter().map(String::as_str).collect();
    app.seed_occurrences("weekly", series, &starts).await;
    // A second series after all of the first: a list of occurrences would not reach it.
    app.seed_occurrences("weekly", id_of(&created[3]), &["2031-01-07 18:00:00"])
        .await;

    let (status, _, html) = app.get_public("/embed/weekly/meetings").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.matches("class=\"mq-item\"").count(),
        4,
        "one card per series: {html}"
    );
    assert!(html.contains("Every Tuesday, 14:30–15:30 CEST"), "{html}");
    assert!(
        html.contains("Tuesday, 11 June 2030, 14:30–15:30 CEST"),
        "next dates: {html}"
    );
    assert!(
        html.contains("25 June 2030") && !html.contains("2 July 2030"),
        "only the next four dates: {html}"
    );
    assert!(
        html.contains("Spring meetup") && !html.contains("Next page"),
        "{html}"
    );
    // "Details and registration" only where visitors can register (the others have none).
    assert_eq!(
        html.matches(">Details and registration<").count(),
        1,
        "{html}"
    );
    assert_eq!(html.matches(">Details<").count(), 3, "{html}");

    let page = app
        .get_public(&format!("/embed/weekly/meetings/{series}"))
        .await
        .2;
    assert!(page.contains("name=\"occurrence_id\" required"), "{page}");
    assert!(
        page.contains("<option value=\"1700000000003\">Tuesday, 25 June 2030"),
        "{page}"
    );
    let form_key = extract_between(&page, "name=\"idempotency_key\" value=\"", "\"").unwrap();
    let resp = app
        .http
        .post(app.at(&format!("/embed/weekly/meetings/{series}/register")))
        .form(&[
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("email", "ada.weekly@example.com"),
            ("occurrence_id", "1700000000003"),
            ("idempotency_key", form_key.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (_, regs) = app
        .admin_call(
            &key,
            reqwest::Method::GET,
            "/api/v1/admin/registrations",
            None,
        )
        .await;
    assert_eq!(
        regs["registrations"][0]["occurrence_id"], "1700000000003",
        "{regs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_behind_an_unshared_passcode_says_so_instead_of_linking() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("rec-pass", vec![]).await;
    let start = "2026-01-10 09:00:00";
    app.seed_recording("rec-pass", "rec-locked", "Locked class", start, "s3cret")
        .await;
    app.seed_recording("rec-pass", "rec-open", "Open class", start, "")
        .await;

    let (status, _, html) = app.get_public("/embed/rec-pass/recordings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("protected by a passcode that this site does not share"),
        "{html}"
    );
    assert!(
        !html.contains("rec&#x2f;share&#x2f;rec-locked"),
        "no dead-end link: {html}"
    );
    assert!(html.contains("rec&#x2f;share&#x2f;rec-open"), "{html}");
    assert!(!html.contains("s3cret"));

    app.site_settings(&key, json!({"show_recording_passcode": true}))
        .await;
    let (_, _, html) = app.get_public("/embed/rec-pass/recordings?lang=de").await;
    assert!(
        html.contains("rec&#x2f;share&#x2f;rec-locked") && html.contains("s3cret"),
        "{html}"
    );
    assert!(!html.contains("Kenncode geschützt"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_contrast_accent_is_refused_by_the_settings_api_and_ignored_in_a_query() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("faint", vec![]).await;
    for (patch, ratio) in [
        (
            json!({"theme": "light", "accent_color": "#ffee00"}),
            "light",
        ),
        (json!({"theme": "dark", "accent_color": "#1a1a40"}), "dark"),
    ] {
        let (status, body) = app
            .admin_call(
                &key,
                reqwest::Method::PATCH,
                "/api/v1/admin/site-settings",
                Some(patch.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{patch} → {body}");
        assert_eq!(body["error"]["field"], "accent_color", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("4.5:1") && message.contains(ratio),
            "{message}"
        );
    }
    let (_, settings) = app
        .admin_call(
            &key,
            reqwest::Method::GET,
            "/api/v1/admin/site-settings",
            None,
        )
        .await;
    assert!(
        settings.get("accent_color").is_none(),
        "nothing stored: {settings}"
    );
    app.site_settings(&key, json!({"theme": "dark", "accent_color": "#ffcc00"}))
        .await;

    // A query's accent that would not read on its theme falls back to the default accent.
    let (_, _, html) = app
        .get_public("/embed/faint/meetings?theme=light&accent=%23ffee00")
        .await;
    assert!(!html.contains("--mq-accent: #ffee00"), "{html}");
    assert!(
        !html.contains("--mq-accent: #ffcc00"),
        "the site's dark accent is not for light: {html}"
    );
    let (_, _, html) = app.get_public("/embed/faint/meetings").await;
    assert!(html.contains("--mq-accent: #ffcc00"), "{html}");
}

/// The webinar widget lists the site's webinars (made through the admin API, so with the
/// Webinar add-on's scopes) on the meetings list's template, and only when the owner shows
/// webinars; a webinar's own page is the meeting page, with its registration form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webinar_widget_lists_webinars_apart_from_meetings() {
    let app = TestApp::spawn_with(|c| {
        let add_on = [
            "webinar:write:webinar:admin",
            "webinar:read:list_registration_questions:admin",
        ];
        c.scopes.extend(add_on.map(String::from))
    })
    .await;
    let (_, key) = app
        .public_site("stage", vec![meeting_body("Weekly class", 2, 0)])
        .await;
    app.site_settings(&key, json!({"webinars_public": true}))
        .await;
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(5)).format("%Y-%m-%dT18:00:00");
    let body = json!({"topic": "Product launch", "start_time": start.to_string(),
        "timezone": "Europe/Berlin", "duration": 60, "registration": "automatic"});
    let (status, webinar) = app
        .admin_call(&key, Method::POST, "/api/v1/admin/webinars", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{webinar}");
    let id = id_of(&webinar);

    let (status, _, html) = app.get_public("/embed/stage/webinars").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1>Upcoming webinars</h1>"), "{html}");
    assert!(html.contains("Product launch"), "{html}");
    assert!(
        !html.contains("Weekly class"),
        "no meetings among webinars: {html}"
    );
    assert!(
        html.contains(&escaped(&format!("/embed/stage/meetings/{id}"))),
        "{html}"
    );
    let (_, _, meetings) = app.get_public("/embed/stage/meetings").await;
    assert!(meetings.contains("Weekly class"), "{meetings}");
    assert!(!meetings.contains("Product launch"), "{meetings}");
    let (_, _, german) = app.get_public("/embed/stage/webinars?lang=de").await;
    assert!(german.contains("<h1>Kommende Webinare</h1>"), "{german}");

    let (status, _, page) = app.get_public(&format!("/embed/stage/meetings/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<form"), "a webinar's page registers: {page}");

    app.site_settings(&key, json!({"webinars_public": false}))
        .await;
    let (status, _, off) = app.get_public("/embed/stage/webinars").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{off}");
    assert!(off.contains("Not shown on this site"), "{off}");
    assert!(!off.contains("Product launch"), "{off}");
}

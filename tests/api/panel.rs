//! The owner's admin panel over HTTP, as a browser without JavaScript uses it: every page needs
//! the session, every form the CSRF token; the settings form names each problem next to its
//! field, keeps what was typed and stores nothing then; the lists find hidden items again; and
//! one site's session reaches nothing of another site through any panel route.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, escaped, extract_between, location, meeting_body, visitor};

/// Every page of the panel.
const PAGES: [&str; 11] = [
    "/admin",
    "/admin/site",
    "/admin/meetings",
    "/admin/meetings/new",
    "/admin/meetings?when=past",
    "/admin/recordings",
    "/admin/registrations",
    "/admin/registrations.csv",
    "/admin/sync",
    "/admin/embed",
    "/admin/zoom/disconnect",
];

/// Every form of the panel.
const FORMS: [&str; 14] = [
    "/admin/site",
    "/admin/registrations/status",
    "/admin/meetings/new",
    "/admin/meetings/1/edit",
    "/admin/meetings/1/start",
    "/admin/webinars/1/start",
    "/admin/meetings/1/delete",
    "/admin/sync",
    "/admin/meetings/visibility",
    "/admin/recordings/visibility",
    "/admin/zoom/connect",
    "/admin/zoom/disconnect",
    "/admin/zoom/claim",
    "/admin/logout",
];

/// A panel page with the session `cookie`: status and HTML.
pub async fn page(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    page_in(app, cookie, path, "en").await
}

async fn page_in(app: &TestApp, cookie: &str, path: &str, lang: &str) -> (StatusCode, String) {
    let resp = app
        .http
        .get(app.at(path))
        .header("cookie", cookie)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// Posts a panel form with the session `cookie`.
pub async fn submit(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    app.http
        .post(app.at(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

pub fn csrf_of(html: &str) -> String {
    extract_between(html, r#"name="csrf_token" value=""#, "\"").expect("a CSRF token")
}

async fn settings(app: &TestApp, key: &str) -> Value {
    let (status, body) = app
        .admin_call(key, Method::GET, "/api/v1/admin/site-settings", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_form_needs_the_session_and_every_form_its_csrf_token() {
    let app = TestApp::spawn().await;
    app.create_tenant("guarded-panel").await;
    // With a meeting's number: pages for one of the site's meetings.
    let one_meeting = ["/admin/meetings/1/edit", "/admin/meetings/1/delete"];
    for path in PAGES.into_iter().chain(one_meeting) {
        let (status, html) = page(&app, "", path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(html.contains("Please sign in again"), "{path}: {html}");
    }
    let cookie = app.sign_in("guarded-panel").await;
    let (_, overview) = page(&app, &cookie, "/admin").await;
    let csrf = csrf_of(&overview);
    for path in FORMS {
        let anonymous = submit(&app, "", path, &[("csrf_token", &csrf)]).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path}");
        for token in ["", "forged"] {
            let resp = submit(&app, &cookie, path, &[("csrf_token", token)]).await;
            assert_eq!(
                resp.status(),
                StatusCode::FORBIDDEN,
                "{path} with {token:?}"
            );
            let html = resp.text().await.unwrap();
            assert!(html.contains("Nothing was changed"), "{path}: {html}");
        }
    }
    // Still signed in: the refused logout did nothing.
    assert_eq!(page(&app, &cookie, "/admin").await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_form_names_each_problem_keeps_the_input_and_saves_only_valid_changes() {
    let app = TestApp::spawn().await;
    let (_, key) = app
        .public_site("form-site", vec![meeting_body("Form class", 2, 0)])
        .await;
    let before = settings(&app, &key).await;
    let cookie = app.sign_in("form-site").await;
    let (status, html) = page(&app, &cookie, "/admin/site").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&html);
    assert!(
        html.contains(r#"<iframe id="preview" src="&#x2f;embed&#x2f;form-site&#x2f;meetings""#),
        "{html}"
    );

    // No token: refused, nothing stored.
    let change = |token: &'static str, origins: &'static str, accent: &'static str| {
        vec![
            ("csrf_token", token),
            ("meetings_public", "on"),
            ("webinars_public", "on"),
            ("registration_open", "on"),
            ("recording_passcode", "show"),
            ("theme", "dark"),
            ("accent_color", accent),
            ("font", "serif"),
            ("language", "de"),
            ("allowed_origins", origins),
        ]
    };
    let csrf: &'static str = Box::leak(csrf.into_boxed_str());
    let good_origins = "https://www.example.org\r\n\r\n  http://127.0.0.1:9  \r\n";
    let resp = submit(
        &app,
        &cookie,
        "/admin/site",
        &change("", good_origins, "#ff8800"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(settings(&app, &key).await, before);

    // Invalid values: 400, each problem beside its field, the typed values kept, nothing stored.
    let bad_origins = "https://ok.example\r\nhttps://bad.example/path\r\nnot an address";
    let resp = submit(
        &app,
        &cookie,
        "/admin/site",
        &change(csrf, bad_origins, "red"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    let origins_error = extract_between(
        &html,
        r#"<p class="error" id="allowed_origins-error">"#,
        "</p>",
    )
    .expect("the origins' problem beside the field");
    assert!(
        origins_error.contains(&escaped("“https://bad.example/path”")),
        "{origins_error}"
    );
    assert!(
        origins_error.contains("“not an address”"),
        "{origins_error}"
    );
    assert!(!origins_error.contains("ok.example"), "{origins_error}");
    assert!(
        html.contains(
            r#"aria-describedby="allowed_origins-help allowed_origins-error" aria-invalid="true""#
        ),
        "{html}"
    );
    let accent_error = extract_between(
        &html,
        r#"<p class="error" id="accent_color-error">"#,
        "</p>",
    )
    .expect("the accent's problem beside the field");
    assert!(accent_error.contains("“red”"), "{accent_error}");
    assert!(
        html.contains(r#"name="accent_color" value="red""#),
        "the typed accent is kept"
    );
    assert!(
        html.contains(&escaped(bad_origins)),
        "the typed origins are kept: {html}"
    );
    assert!(
        !html.contains(r#"id="recordings_public" name="recordings_public" value="on" checked"#),
        "the box the owner cleared stays cleared"
    );
    assert!(html.contains(r#"<option value="dark" selected>"#));
    assert!(
        html.contains("meetings?theme=dark&amp;font=serif&amp;lang=de&amp;accent=red\""),
        "the preview shows the typed choices: {html}"
    );
    assert!(html.contains("Nothing was saved"));
    assert_eq!(
        settings(&app, &key).await,
        before,
        "a refused form stores nothing"
    );

    // Valid: stored, then the form again with a notice (POST-redirect-GET).
    let resp = submit(
        &app,
        &cookie,
        "/admin/site",
        &change(csrf, good_origins, " #FF8800"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/admin/site?saved=1");
    let (_, html) = page(&app, &cookie, "/admin/site?saved=1").await;
    assert!(
        html.contains(r#"<p class="notice" role="status">Saved."#),
        "{html}"
    );
    assert!(
        html.contains(r##"name="accent_color" value="#ff8800""##),
        "{html}"
    );
    let after = settings(&app, &key).await;
    assert_eq!(
        after,
        json!({"meetings_public": true, "recordings_public": false, "webinars_public": true,
               "registration_open": true, "show_recording_passcode": true,
               "allowed_origins": ["http://127.0.0.1:9", "https://www.example.org"],
               "language": "de", "theme": "dark", "accent_color": "#ff8800", "font": "serif"})
    );
    // Visitors see it at once.
    let (status, _, _) = app.get_public("/embed/form-site/recordings").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "recordings are switched off");
    let (_, headers, widget) = app.get_public("/embed/form-site/meetings").await;
    assert!(
        widget.contains("Kommende Meetings"),
        "the widget speaks German now"
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'self' http://127.0.0.1:9 https://www.example.org"),
        "{csp}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_speaks_the_owners_language() {
    let app = TestApp::spawn().await;
    app.create_tenant("sprache").await;
    let cookie = app.sign_in("sprache").await;
    let (_, html) = page_in(&app, &cookie, "/admin/site", "de-DE,de;q=0.9,en;q=0.5").await;
    assert!(
        html.starts_with("<!doctype html>\n<html lang=\"de\">"),
        "{html}"
    );
    assert!(html.contains("Was die Website zeigt") && html.contains("Zum Inhalt springen"));
    let (_, html) = page_in(&app, &cookie, "/admin", "fr-FR").await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("Not connected"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_shows_the_connection_its_permissions_the_sync_and_the_counts() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site(
            "overview",
            vec![
                meeting_body("Counted one", 2, 0),
                meeting_body("Counted two", 3, 0),
                meeting_body("Long gone", -30, 2),
            ],
        )
        .await;
    app.seed_recording(
        "overview",
        "rec-o",
        "Counted recording",
        "2026-01-10 09:00:00",
        "",
    )
    .await;
    let (status, _, body) = app
        .register(
            "overview",
            created[0]["id"].as_i64().unwrap(),
            visitor("o@example.com"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cookie = app.sign_in("overview").await;
    let (_, html) = page(&app, &cookie, "/admin").await;
    assert!(
        html.contains("Connected as <strong>Ada Host</strong> (host-overview@example.com)"),
        "{html}"
    );
    assert!(
        html.contains("<code>meeting:read:meeting</code>: <span class=\"ok\">granted</span>"),
        "{html}"
    );
    assert!(
        html.contains("Last sync</dt>") && html.contains("<span class=\"ok\">completed</span>")
    );
    assert!(html.contains("Next check with Zoom</dt>"));
    let count = |label: &str| {
        extract_between(&html, &format!("{label}</a></dt><dd>"), "</dd>")
            .or_else(|| extract_between(&html, &format!("{label}</dt><dd>"), "</dd>"))
            .unwrap_or_default()
    };
    assert_eq!(count("Upcoming meetings"), "2", "{html}");
    assert_eq!(count("Recordings"), "1");
    assert_eq!(count("Registrations in the last 7 days"), "1");
    assert!(
        !html.contains("role=\"alert\""),
        "no banner while connected"
    );

    // Zoom stops accepting the grant: a banner with the reason, the time and one button.
    let fault =
        json!({"method": "POST", "path": "/oauth/token", "kind": "drop_after_commit", "count": 1});
    app.sim_post("/_sim/faults", fault).await;
    app.age_access_tokens().await;
    app.live_user(&app.url, &key).await;
    let (status, _) = app.live_user(&app.url, &key).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, html) = page(&app, &cookie, "/admin").await;
    let banner = extract_between(
        &html,
        r#"<section class="banner" role="alert""#,
        "</section>",
    )
    .expect("a reconnect banner");
    assert!(
        banner.contains("Zoom stopped accepting this connection"),
        "{banner}"
    );
    assert!(
        banner.contains("Since</dt><dd><time datetime=\""),
        "{banner}"
    );
    assert!(banner.contains("refresh token"), "the reason: {banner}");
    assert!(banner.contains(r#"<form method="post" action="/admin/zoom/connect">"#));
    assert_eq!(banner.matches("<button").count(), 1, "one button to fix it");
}

/// The values of the hidden `field` of every row's form.
fn form_values(html: &str, field: &str) -> Vec<String> {
    html.split(&format!("name=\"{field}\" value=\""))
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

/// Where the pager's "Next page" link goes.
fn next_link(html: &str) -> Option<String> {
    let before = &html[..html.find("\" rel=\"next\"")?];
    let href = &before[before.rfind("href=\"")? + 6..];
    Some(href.replace("&#x2f;", "/").replace("&amp;", "&"))
}

/// The `id`s of the rows of a meetings list page.
fn row_ids(html: &str) -> Vec<String> {
    html.split("<tr id=\"m-")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

/// The row of meeting `id` on a list page.
fn row(html: &str, id: i64) -> String {
    extract_between(html, &format!("<tr id=\"m-{id}\""), "</tr>").unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_are_listed_once_found_by_topic_hidden_and_shown_again() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site(
            "listing",
            vec![
                meeting_body("Alpha class", 2, 2),
                meeting_body("Beta workshop", 3, 0),
                meeting_body("Weekly circle", 1, 2),
                meeting_body("Old talk", -5, 2),
            ],
        )
        .await;
    let id = |i: usize| created[i]["id"].as_i64().unwrap();
    let soon = |hours: i64| {
        (chrono::Utc::now() + chrono::TimeDelta::hours(hours))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let starts = [soon(-30), soon(26), soon(194), soon(362), soon(530)];
    let starts: Vec<&str> = starts.iter().map(String::as_str).collect();
    app.seed_occurrences("listing", id(2), &starts).await;
    let (status, _, body) = app
        .register("listing", id(1), visitor("b@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cookie = app.sign_in("listing").await;
    let public = app.public_meetings("listing").await.len();

    let (_, html) = page(&app, &cookie, "/admin/meetings").await;
    assert_eq!(
        row_ids(&html),
        [id(2), id(0), id(1)].map(|i| i.to_string()),
        "upcoming, soonest first, the recurring meeting once: {html}"
    );
    let weekly = row(&html, id(2));
    assert_eq!(
        weekly.matches("<li><time").count(),
        3,
        "its next three dates: {weekly}"
    );
    assert!(row(&html, id(1)).contains("Registrants: 1"), "{html}");
    assert!(row(&html, id(0)).contains("No registration"));
    let (_, past) = page(&app, &cookie, "/admin/meetings?when=past").await;
    assert_eq!(row_ids(&past), [id(3).to_string()], "{past}");

    // Hide Alpha: gone from the site, still listed here (marked), found by its topic.
    let csrf = csrf_of(&html);
    let (app_ref, cookie_ref) = (&app, &cookie);
    let hide = |value: &'static str, token: String| {
        let alpha = id(0).to_string();
        async move {
            let form = [
                ("csrf_token", token.as_str()),
                ("meeting_id", alpha.as_str()),
                ("hidden", value),
                ("when", "upcoming"),
                ("q", "ALPHA"),
                ("after", ""),
            ];
            submit(app_ref, cookie_ref, "/admin/meetings/visibility", &form).await
        }
    };
    let refused = hide("true", String::new()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.public_meetings("listing").await.len(), public);
    let resp = hide("true", csrf.clone()).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&resp),
        format!("/admin/meetings?when=upcoming&q=ALPHA#m-{}", id(0))
    );
    let topics: Vec<_> = app
        .public_meetings("listing")
        .await
        .iter()
        .map(|m| m["topic"].as_str().unwrap().to_owned())
        .collect();
    assert!(!topics.contains(&"Alpha class".to_owned()), "{topics:?}");
    // The switch records the owner's choice (it outlives a disconnect).
    let key = app.api_key("listing", &["settings:read"]).await;
    let hidden_alpha = ("meeting".to_owned(), id(0).to_string());
    assert_eq!(app.hidden_items(&key).await, [hidden_alpha]);
    let (_, found) = page(&app, &cookie, "/admin/meetings?when=upcoming&q=ALPHA").await;
    assert_eq!(
        row_ids(&found),
        [id(0).to_string()],
        "search ignores case: {found}"
    );
    let alpha = row(&found, id(0));
    assert!(found.contains(&format!("<tr id=\"m-{}\" class=\"is-hidden\"", id(0))));
    assert!(
        alpha.contains(r#"<span class="tag hidden">Hidden</span>"#),
        "{alpha}"
    );
    assert!(
        alpha.contains(r#"name="hidden" value="false""#),
        "its switch shows it again"
    );
    let (_, none) = page(&app, &cookie, "/admin/meetings?q=50%25_off").await;
    assert!(row_ids(&none).is_empty() && none.contains("Nothing found."));

    let resp = hide("false", csrf).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(app.hidden_items(&key).await.is_empty());
    assert_eq!(
        app.public_meetings("listing").await.len(),
        public,
        "shown again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lists_page_by_cursor_and_show_each_item_once() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site(
            "pages",
            (1..=5)
                .map(|day| meeting_body(&format!("Talk {day}"), day, 2))
                .collect(),
        )
        .await;
    for (i, start) in [
        "2026-01-05 10:00:00",
        "2026-01-05 10:00:00",
        "2026-02-01 09:00:00",
    ]
    .iter()
    .enumerate()
    {
        app.seed_recording("pages", &format!("uuid/{i}=="), "Talk", start, "")
            .await;
    }
    let cookie = app.sign_in("pages").await;
    let walk = |first: &'static str| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            let mut seen = Vec::new();
            let mut next = Some(first.to_owned());
            while let Some(path) = next.take() {
                let (status, html) = page(app, &cookie, &path).await;
                assert_eq!(status, StatusCode::OK, "{path}: {html}");
                for field in ["meeting_id", "recording_id"] {
                    seen.extend(form_values(&html, field));
                }
                next = next_link(&html);
                assert!(seen.len() <= 10, "the walk ends");
            }
            seen
        }
    };
    let meetings = walk("/admin/meetings?limit=2").await;
    let expected: Vec<String> = created.iter().map(|m| m["id"].to_string()).collect();
    assert_eq!(meetings, expected, "soonest first, each once");
    let recordings = walk("/admin/recordings?limit=1").await;
    assert_eq!(
        recordings,
        ["uuid&#x2f;2==", "uuid&#x2f;0==", "uuid&#x2f;1=="]
    );
    let (status, _) = page(&app, &cookie, "/admin/meetings?after=bogus").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_are_listed_with_hidden_ones_and_hidden_by_their_switch() {
    let app = TestApp::spawn().await;
    let (_, _) = app.public_site("recs", vec![]).await;
    app.seed_recording(
        "recs",
        "rec/a==",
        "Spring concert",
        "2026-03-01 18:00:00",
        "pw1",
    )
    .await;
    app.seed_recording("recs", "rec-b", "Autumn talk", "2026-02-01 18:00:00", "")
        .await;
    let cookie = app.sign_in("recs").await;
    let (_, html) = page(&app, &cookie, "/admin/recordings").await;
    assert!(html.contains("Spring concert") && html.contains("Autumn talk"));
    assert!(html.contains("Protected by a passcode"));
    assert!(!html.contains("pw1"), "the panel does not print passcodes");
    let form = [
        ("csrf_token", csrf_of(&html)),
        ("recording_id", "rec/a==".to_owned()),
        ("hidden", "true".to_owned()),
        ("q", "concert".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let resp = submit(&app, &cookie, "/admin/recordings/visibility", &form).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/admin/recordings?q=concert");
    let (_, _, public) = app.get_public("/api/v1/sites/recs/recordings").await;
    assert!(
        !public.contains("Spring concert") && public.contains("Autumn talk"),
        "{public}"
    );
    let key = app.api_key("recs", &["settings:read"]).await;
    let hidden_spring = ("recording".to_owned(), "rec/a==".to_owned());
    assert_eq!(app.hidden_items(&key).await, [hidden_spring]);
    let (_, found) = page(&app, &cookie, "/admin/recordings?q=concert").await;
    assert!(found.contains("Spring concert") && !found.contains("Autumn talk"));
    assert!(
        found.contains(r#"<span class="tag hidden">Hidden</span>"#),
        "{found}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sites_session_reaches_nothing_of_another_site_through_the_panel() {
    let app = TestApp::spawn().await;
    let (a_meetings, _) = app
        .public_site("panel-a", vec![meeting_body("A's own class", 2, 0)])
        .await;
    let (b_meetings, b_key) = app
        .public_site("panel-b", vec![meeting_body("B's private class", 2, 0)])
        .await;
    app.seed_recording(
        "panel-b",
        "b-rec",
        "B's recording",
        "2026-01-10 09:00:00",
        "",
    )
    .await;
    let b_before = settings(&app, &b_key).await;
    let b_id = b_meetings[0]["id"].as_i64().unwrap().to_string();
    let cookie_a = app.sign_in("panel-a").await;
    let cookie_b = app.sign_in("panel-b").await;
    let (_, a_page) = page(&app, &cookie_a, "/admin").await;
    let (_, b_page) = page(&app, &cookie_b, "/admin").await;
    let (csrf_a, csrf_b) = (csrf_of(&a_page), csrf_of(&b_page));

    for path in PAGES
        .iter()
        .copied()
        .chain(["/admin/meetings?q=private", "/admin/recordings?q=B"])
    {
        let (status, html) = page(&app, &cookie_a, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        for b_thing in ["panel-b", "host-panel-b@example.com", "B&#x27;s", &b_id] {
            assert!(!html.contains(b_thing), "{path} shows {b_thing}: {html}");
        }
    }
    assert!(
        page(&app, &cookie_a, "/admin/meetings")
            .await
            .1
            .contains("A&#x27;s own class")
    );

    // B's ids with A's session: not found, unchanged.
    for (path, field, value) in [
        ("/admin/meetings/visibility", "meeting_id", b_id.as_str()),
        ("/admin/recordings/visibility", "recording_id", "b-rec"),
    ] {
        let form = [
            ("csrf_token", csrf_a.as_str()),
            (field, value),
            ("hidden", "true"),
        ];
        let resp = submit(&app, &cookie_a, path, &form).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.public_meetings("panel-b").await.len(), 1);
    let (_, _, b_recordings) = app.get_public("/api/v1/sites/panel-b/recordings").await;
    assert!(b_recordings.contains("B's recording"), "{b_recordings}");

    // B's CSRF token does not sign A's forms, and A's settings form changes A only.
    let resp = submit(
        &app,
        &cookie_a,
        "/admin/site",
        &[("csrf_token", &csrf_b), ("theme", "dark")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let form = [
        ("csrf_token", csrf_a.as_str()),
        ("theme", "dark"),
        ("font", "mono"),
        ("language", "de"),
        ("accent_color", ""),
        ("allowed_origins", "https://a.example"),
    ];
    let resp = submit(&app, &cookie_a, "/admin/site", &form).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(settings(&app, &b_key).await, b_before, "B is untouched");
    assert!(a_meetings[0]["id"].is_i64());
}

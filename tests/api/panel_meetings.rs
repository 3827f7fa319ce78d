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

const CHANGE_AT_ZOOM: &str = "PATCH /v2/meetings/{meetingId}";

/// Creates the weekly meeting from the form; its number.
async fn create_weekly(app: &TestApp, cookie: &str, slug: &str) -> i64 {
    let (csrf, key) = open_form(app, cookie).await;
    let date = in_days(2);
    let resp = submit(app, cookie, FORM, &weekly(&csrf, &key, &date)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    app.public_meetings(slug).await[0]["id"].as_i64().unwrap()
}

/// The Edit form's inputs as the page has them (hidden ones included), and its CSRF token.
async fn edit_form(app: &TestApp, cookie: &str, path: &str) -> (Vec<(String, String)>, String) {
    let (status, html) = page(app, cookie, path).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    (form_inputs(&html), html)
}

/// Every named input, checked box, selected option and textarea of the page's meeting form, as
/// a browser without JS would send it.
fn form_inputs(html: &str) -> Vec<(String, String)> {
    let form = extract_between(html, r#"id="meeting-form""#, "</form>").expect("the form");
    let attr = |tag: &str, name: &str| {
        extract_between(tag, &format!(r#" {name}=""#), "\"").map(|v| v.replace("&#x2f;", "/"))
    };
    let mut inputs = Vec::new();
    for tag in form.split('<').skip(1) {
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        if tag.starts_with("input") {
            let checkbox = tag.contains(r#"type="checkbox""#);
            if !checkbox || tag.contains(" checked") {
                inputs.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("textarea") {
            let text = tag.split_once('>').map_or("", |(_, t)| t);
            inputs.push((name, text.replace("&#x2f;", "/")));
        } else if tag.starts_with("select") {
            let select = extract_between(&form, &format!(r#"name="{name}""#), "</select>").unwrap();
            let chosen = select
                .split("<option")
                .find(|o| o.contains(" selected"))
                .map(|o| {
                    attr(o, "value").unwrap_or_else(|| {
                        let text = o.split_once('>').map_or("", |(_, t)| t);
                        let text = text.split('<').next().unwrap_or_default();
                        text.trim().replace("&#x2f;", "/")
                    })
                })
                .unwrap_or_default();
            inputs.push((name, chosen));
        }
    }
    inputs
}

fn set(inputs: &mut Vec<(String, String)>, name: &str, value: &str) {
    inputs.retain(|(n, _)| n != name);
    inputs.push((name.to_owned(), value.to_owned()));
}

fn value_of<'a>(inputs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    inputs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edit_form_opens_as_zoom_has_it_and_changes_the_meeting_and_one_date_at_once() {
    let app = TestApp::spawn().await;
    app.public_site("form-editor", vec![]).await;
    let cookie = app.sign_in("form-editor").await;
    let id = create_weekly(&app, &cookie, "form-editor").await;
    let edit = format!("/admin/meetings/{id}/edit");
    let (_, list) = page(&app, &cookie, "/admin/meetings").await;
    assert!(
        list.contains(&format!(
            r#"href="&#x2f;admin&#x2f;meetings&#x2f;{id}&#x2f;edit""#
        )) || list.contains(&format!(r#"href="{edit}""#)),
        "an Edit link on the row: {list}"
    );

    let (inputs, html) = edit_form(&app, &cookie, &edit).await;
    for (name, expected) in [
        ("topic", "Panel pottery"),
        ("agenda", "Clay and wheels"),
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
        ("was_recurring", "on"),
    ] {
        assert_eq!(
            value_of(&inputs, name),
            Some(expected),
            "{name}: {inputs:?}"
        );
    }
    assert_eq!(value_of(&inputs, "day_2"), None, "Monday not ticked");
    assert_eq!(
        value_of(&inputs, "idempotency_key"),
        None,
        "an edit needs none"
    );
    assert!(html.contains("Save changes"));

    // One date of the series: an hour later, the others stay.
    let public = app.public_meetings("form-editor").await;
    let second = public[1]["occurrence_id"].as_str().unwrap().to_owned();
    let second_start = public[1]["start_time"].as_str().unwrap().to_owned();
    let link = format!("{edit}?occurrence={second}");
    assert!(
        html.contains(&link.replace('/', "&#x2f;")) || html.contains(&link),
        "the dates link to their own form: {html}"
    );
    let (mut one, one_html) = edit_form(&app, &cookie, &link).await;
    assert!(one_html.contains("Change one date"), "{one_html}");
    assert!(
        !one_html.contains(r#"name="topic""#),
        "only day, time and duration"
    );
    assert_eq!(value_of(&one, "occurrence_id"), Some(second.as_str()));
    set(&mut one, "time", "19:30");
    let resp = submit(&app, &cookie, &edit, &pairs(&one)).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        resp.text().await
    );
    assert_eq!(location(&resp), "/admin/meetings?updated=1");
    let public = app.public_meetings("form-editor").await;
    let moved = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    assert_eq!(
        moved(public[1]["start_time"].as_str().unwrap()) - moved(&second_start),
        chrono::TimeDelta::hours(1),
        "{public:?}"
    );
    assert_eq!(public.len(), 4, "still four dates");

    // The whole meeting: new topic, one-time, approved by the owner, shorter, no waiting room.
    let mut whole = inputs.clone();
    set(&mut whole, "topic", "Panel ceramics");
    set(&mut whole, "duration", "45");
    set(&mut whole, "repeat", "none");
    set(&mut whole, "registration", "manual");
    whole.retain(|(n, _)| n != "waiting_room");
    let resp = submit(&app, &cookie, &edit, &pairs(&whole)).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        resp.text().await
    );
    let at_zoom = app.sim_meeting_state(id).await;
    assert_eq!(at_zoom["topic"], "Panel ceramics", "{at_zoom}");
    assert_eq!(at_zoom["type"], 2, "one-time now: {at_zoom}");
    assert_eq!(at_zoom["duration"], 45);
    assert_eq!(at_zoom["settings"]["approval_type"], 1);
    assert_eq!(at_zoom["settings"]["waiting_room"], false);
    let public = app.public_meetings("form-editor").await;
    assert_eq!(public.len(), 1, "one entry, no dates: {public:?}");
    assert_eq!(public[0]["topic"], "Panel ceramics");
    assert_eq!(public[0]["duration_minutes"], 45);
    let (_, _, widget) = app.get_public("/embed/form-editor/meetings").await;
    assert!(widget.contains("Panel ceramics") && !widget.contains("Panel pottery"));
    let (_, listed) = page(&app, &cookie, "/admin/meetings?updated=1").await;
    assert!(listed.contains("Meeting updated."));

    // And recurring again, from the one-time meeting.
    let (mut again, _) = edit_form(&app, &cookie, &edit).await;
    assert_eq!(value_of(&again, "repeat"), Some("none"));
    set(&mut again, "repeat", "daily");
    set(&mut again, "end_times", "3");
    let resp = submit(&app, &cookie, &edit, &pairs(&again)).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        resp.text().await
    );
    assert_eq!(app.public_meetings("form-editor").await.len(), 3);
}

fn pairs(inputs: &[(String, String)]) -> Vec<(&str, &str)> {
    inputs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_edit_names_the_field_and_changes_nothing_and_only_the_sites_own_is_editable() {
    let app = TestApp::spawn().await;
    app.public_site("edit-a", vec![]).await;
    app.public_site("edit-b", vec![]).await;
    let cookie_a = app.sign_in("edit-a").await;
    let cookie_b = app.sign_in("edit-b").await;
    let id = create_weekly(&app, &cookie_a, "edit-a").await;
    let edit = format!("/admin/meetings/{id}/edit");
    let (inputs, _) = edit_form(&app, &cookie_a, &edit).await;

    for (input, value, field, message) in [
        (
            "duration",
            "0",
            "duration",
            "Enter a duration from 1 to 1440 minutes.",
        ),
        (
            "timezone",
            "Mars/Olympus",
            "timezone",
            "Choose a time zone from the list.",
        ),
        ("q0_title", "", "q0_answers", "For “one of these answers”"),
    ] {
        let mut refused = inputs.clone();
        set(&mut refused, "topic", "Never saved");
        set(&mut refused, input, value);
        if input == "q0_title" {
            set(&mut refused, "q0_title", "Level");
            set(&mut refused, "q0_type", "single");
            set(&mut refused, "q0_answers", "");
        }
        let resp = submit(&app, &cookie_a, &edit, &pairs(&refused)).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{input}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains(&format!(r#"<p class="error" id="{field}-error">{message}"#)),
            "{input}: {html}"
        );
        assert!(html.contains(r#"value="Never saved""#), "kept as typed");
        assert!(html.contains("Save changes"), "still the Edit form");
    }
    assert_eq!(
        app.sim_calls(CHANGE_AT_ZOOM).await,
        0,
        "Zoom was not called"
    );
    assert_eq!(
        app.public_meetings("edit-a").await[0]["topic"],
        "Panel pottery"
    );

    // B's session: A's meeting is unknown, and stays as it is.
    assert_eq!(page(&app, &cookie_b, &edit).await.0, StatusCode::NOT_FOUND);
    let (_, b_page) = page(&app, &cookie_b, "/admin").await;
    let mut forged = inputs.clone();
    set(&mut forged, "csrf_token", &csrf_of(&b_page));
    set(&mut forged, "topic", "Taken over");
    let resp = submit(&app, &cookie_b, &edit, &pairs(&forged)).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.sim_calls(CHANGE_AT_ZOOM).await, 0);
    assert_eq!(
        app.public_meetings("edit-a").await[0]["topic"],
        "Panel pottery"
    );
    let unknown_date = format!("{edit}?occurrence=1");
    assert_eq!(
        page(&app, &cookie_a, &unknown_date).await.0,
        StatusCode::NOT_FOUND
    );
}

/// A Zoom user as the simulator lists them.
async fn sim_user_by_email(app: &TestApp, email: &str) -> serde_json::Value {
    let resp = app
        .http
        .get(format!("{}/_sim/users", app.sim.url()))
        .send()
        .await
        .unwrap();
    let users: serde_json::Value = resp.json().await.unwrap();
    users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .cloned()
        .unwrap_or_else(|| panic!("{email} at the simulator"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_select_lists_the_accounts_users_and_the_meeting_is_for_the_chosen_one() {
    let app = TestApp::spawn().await;
    app.public_site("hosted-panel", vec![]).await;
    let owner = sim_user_by_email(&app, "host-hosted-panel@example.com").await;
    let colleague = app
        .sim_post(
            "/_sim/users",
            serde_json::json!({"email": "colleague@example.com", "first_name": "Grace",
                "last_name": "Teacher", "account_id": owner["account_id"]}),
        )
        .await;
    app.sim_user("outsider@example.com").await;
    let cookie = app.sign_in("hosted-panel").await;
    let (_, html) = page(&app, &cookie, FORM).await;
    let select = extract_between(&html, r#"<select id="host" name="host""#, "</select>")
        .expect("a host select");
    let colleague_id = colleague["id"].as_str().unwrap();
    assert!(
        select.contains(&format!(r#"value="{colleague_id}""#))
            && select.contains("Grace Teacher (colleague@example.com)"),
        "{select}"
    );
    assert!(select.contains("host-hosted-panel@example.com"), "{select}");
    assert!(!select.contains("outsider"), "only the account's users");

    let (csrf, key) = open_form(&app, &cookie).await;
    let date = in_days(2);
    let mut form = weekly(&csrf, &key, &date);
    form.push(("host", colleague_id));
    let resp = submit(&app, &cookie, FORM, &form).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        resp.text().await
    );
    let id = app.public_meetings("hosted-panel").await[0]["id"]
        .as_i64()
        .unwrap();
    let at_zoom = app.sim_meeting_state(id).await;
    assert_eq!(at_zoom["host_id"], colleague_id, "{at_zoom}");

    // A host of another account is refused next to the select, nothing made.
    let outsider = sim_user_by_email(&app, "outsider@example.com").await;
    let (csrf, key) = open_form(&app, &cookie).await;
    let mut form = weekly(&csrf, &key, &date);
    form.push(("host", outsider["id"].as_str().unwrap()));
    let resp = submit(&app, &cookie, FORM, &form).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains(r#"<p class="error" id="host-error">Choose a host from the list."#),
        "{html}"
    );
    assert_eq!(app.sim_calls(CREATE_AT_ZOOM).await, 1);

    // Zoom cannot list the users now: the form still works, for the connected user.
    app.sim_post(
        "/_sim/faults",
        serde_json::json!({"method": "GET", "path": "/v2/users", "kind": "status",
            "status": 500, "count": 10}),
    )
    .await;
    let (status, html) = page(&app, &cookie, FORM).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains(r#"name="host""#), "{html}");
    assert!(html.contains("cannot be loaded right now"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_typed_in_the_panel_reach_zoom_and_show_on_the_widgets_form() {
    let app = TestApp::spawn().await;
    app.public_site("asking-panel", vec![]).await;
    let cookie = app.sign_in("asking-panel").await;
    let (_, fresh) = page(&app, &cookie, FORM).await;
    for row in 0..3 {
        assert!(
            fresh.contains(&format!(r#"name="q{row}_title""#)),
            "three empty rows"
        );
    }
    assert!(!fresh.contains(r#"name="q3_title""#));
    let (csrf, key) = open_form(&app, &cookie).await;
    let date = in_days(2);
    let mut form = weekly(&csrf, &key, &date);
    form.extend([
        ("std_org", "required"),
        ("std_city", "optional"),
        // Row 0 left empty: skipped.
        ("q1_title", "Level"),
        ("q1_type", "single"),
        ("q1_answers", "Beginner\r\nPro\r\n"),
        ("q1_required", "on"),
        ("q2_title", "Anything else?"),
        ("q2_type", "short"),
    ]);
    let resp = submit(&app, &cookie, FORM, &form).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        resp.text().await
    );
    assert_eq!(
        app.sim_calls("PATCH /v2/meetings/{meetingId}/registrants/questions")
            .await,
        1
    );
    let id = app.public_meetings("asking-panel").await[0]["id"]
        .as_i64()
        .unwrap();
    let (status, _, widget) = app
        .get_public(&format!("/embed/asking-panel/meetings/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    for asked in [
        "Level",
        "Beginner",
        "Anything else?",
        "name=\"field_org\"",
        "name=\"field_city\"",
    ] {
        assert!(widget.contains(asked), "{asked} missing from the form");
    }
    // Zoom has them: it takes the answers.
    let occurrence = app.public_meetings("asking-panel").await[0]["occurrence_id"].clone();
    let answered = serde_json::json!({"first_name": "Ada", "last_name": "L",
        "email": "ada@example.com", "occurrence_id": occurrence,
        "fields": {"org": "ACME"}, "custom_questions": [{"title": "Level", "value": "Pro"}]});
    let (status, _, body) = app.register("asking-panel", id, answered, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let at_zoom = app.sim_meeting_state(id).await;
    assert_eq!(
        at_zoom["registrants"][0]["custom_questions"][0]["value"],
        "Pro"
    );

    // The Edit form shows them, and an edit can remove one.
    let edit = format!("/admin/meetings/{id}/edit");
    let (mut inputs, _) = edit_form(&app, &cookie, &edit).await;
    assert_eq!(value_of(&inputs, "std_org"), Some("required"));
    assert_eq!(value_of(&inputs, "q0_title"), Some("Level"), "{inputs:?}");
    assert_eq!(value_of(&inputs, "q0_answers"), Some("Beginner\nPro"));
    assert_eq!(value_of(&inputs, "q0_required"), Some("on"));
    assert_eq!(value_of(&inputs, "q1_title"), Some("Anything else?"));
    assert_eq!(
        value_of(&inputs, "q4_title"),
        Some(""),
        "three empty rows after"
    );
    set(&mut inputs, "q1_title", "");
    let resp = submit(&app, &cookie, &edit, &pairs(&inputs)).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        resp.text().await
    );
    let (_, _, widget) = app
        .get_public(&format!("/embed/asking-panel/meetings/{id}"))
        .await;
    assert!(widget.contains("Level") && !widget.contains("Anything else?"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webinar_is_started_from_its_row_with_a_fresh_start_url() {
    let webinar_scopes = ["webinar:read:admin", "webinar:write:admin"];
    let app = TestApp::spawn_with(|c| c.scopes.extend(webinar_scopes.map(String::from))).await;
    let (_, key) = app.public_site("panel-stage", vec![]).await;
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(3))
        .format("%Y-%m-%dT18:00:00")
        .to_string();
    let (_, webinar) = app
        .admin_call(
            &key,
            reqwest::Method::POST,
            "/api/v1/admin/webinars",
            Some(
                serde_json::json!({"topic": "Stage talk", "start_time": start,
                "timezone": "UTC", "duration": 60}),
            ),
        )
        .await;
    let id = webinar["id"].as_i64().expect("a webinar");
    let cookie = app.sign_in("panel-stage").await;
    let (_, list) = page(&app, &cookie, "/admin/meetings").await;
    let start = format!("/admin/webinars/{id}/start");
    assert!(
        list.contains(&start.replace('/', "&#x2f;")) || list.contains(&start),
        "{list}"
    );
    assert!(list.contains("Start webinar"));
    assert!(
        !list.contains(&format!("/admin/meetings/{id}/edit")),
        "no meeting form"
    );
    let resp = submit(&app, &cookie, &start, &[("csrf_token", &csrf_of(&list))]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert!(
        location(&resp).contains(&format!("/s/{id}?zak=")),
        "{}",
        location(&resp)
    );
    // A webinar is not started as a meeting.
    let as_meeting = format!("/admin/meetings/{id}/start");
    let resp = submit(
        &app,
        &cookie,
        &as_meeting,
        &[("csrf_token", &csrf_of(&list))],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

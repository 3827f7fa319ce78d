//! Registrants on someone's behalf (`/api/v1/admin/meetings/{id}/registrants…`) and the owner's
//! list of registrations, against the simulator on both backends: a tenant key registers a
//! person (the same person again is the same registrant, no second Zoom call), approves a
//! pending one and cancels one, and the simulator's registrants agree; an action that does not
//! apply is 409; Zoom down is 503 with nothing stored or changed; another site's key can
//! neither see nor change them. The panel's Registrations page: listed, approved through its
//! CSRF-guarded form, exported as CSV with formula cells defused; another owner sees none.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, meeting_body, visitor};
use crate::panel::{csrf_of, page, submit};

const ADD_AT_ZOOM: &str = "POST /v2/meetings/{meetingId}/registrants";
const STATUS_AT_ZOOM: &str = "PUT /v2/meetings/{meetingId}/registrants/status";

/// Zoom approval types of the simulator's meetings.
const AUTOMATIC: i64 = 0;
const MANUAL: i64 = 1;

async fn add(app: &TestApp, key: &str, meeting_id: i64, person: Value) -> (StatusCode, Value) {
    app.admin_call(
        key,
        Method::POST,
        &format!("/api/v1/admin/meetings/{meeting_id}/registrants"),
        Some(person),
    )
    .await
}

async fn act(app: &TestApp, key: &str, registration: &Value, action: &str) -> (StatusCode, Value) {
    let path = format!(
        "/api/v1/admin/meetings/{}/registrants/{}/status",
        registration["meeting_id"],
        registration["id"].as_str().unwrap()
    );
    app.admin_call(key, Method::PUT, &path, Some(json!({"action": action})))
        .await
}

async fn listed(app: &TestApp, key: &str, query: &str) -> Vec<Value> {
    let (status, list) = app
        .admin_call(
            key,
            Method::GET,
            &format!("/api/v1/admin/registrations{query}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {list}");
    list["registrations"].as_array().unwrap().clone()
}

/// The simulator's registrant `id` of meeting `meeting_id`, read over its control API.
async fn at_zoom(app: &TestApp, meeting_id: i64, id: &str) -> Value {
    let meeting = app.sim_meeting_state(meeting_id).await;
    meeting["registrants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("registrant {id} at Zoom: {meeting}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_registers_approves_and_cancels_and_zoom_agrees() {
    let app = TestApp::spawn().await;
    let (meetings, key) = app
        .public_site(
            "booking",
            vec![
                meeting_body("Manual class", 3, MANUAL),
                meeting_body("Open class", 4, AUTOMATIC),
            ],
        )
        .await;
    let (manual, open) = (
        meetings[0]["id"].as_i64().unwrap(),
        meetings[1]["id"].as_i64().unwrap(),
    );

    // A pending registrant, and the same person again: the same one, Zoom asked once.
    let (status, pending) = add(&app, &key, manual, visitor("parent@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    assert_eq!(pending["status"], "pending");
    assert!(pending.get("join_url").is_none(), "{pending}");
    let (status, again) = add(&app, &key, manual, visitor("Parent@Example.com")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], pending["id"]);
    assert_eq!(app.sim_calls(ADD_AT_ZOOM).await, 1);
    let rid = pending["zoom_registrant_id"].as_str().unwrap();
    assert_eq!(at_zoom(&app, manual, rid).await["status"], "pending");

    // Approved at Zoom, then stored with the personal link.
    let (status, approved) = act(&app, &key, &pending, "approve").await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "approved");
    let join_url = approved["join_url"]
        .as_str()
        .expect("a join link")
        .to_owned();
    assert_eq!(at_zoom(&app, manual, rid).await["status"], "approved");
    assert_eq!(app.sim_calls(STATUS_AT_ZOOM).await, 1);
    // Asking again changes nothing and does not call Zoom.
    let (status, same) = act(&app, &key, &pending, "approve").await;
    assert_eq!(status, StatusCode::OK, "{same}");
    assert_eq!(same["status"], "approved");
    assert_eq!(app.sim_calls(STATUS_AT_ZOOM).await, 1);

    // An open meeting approves at once; cancelling takes the link away, at Zoom too.
    let (status, booked) = add(&app, &key, open, visitor("kid@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    assert_eq!(booked["status"], "approved");
    assert!(booked["join_url"].is_string(), "{booked}");
    let (status, cancelled) = act(&app, &key, &booked, "cancel").await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled.get("join_url").is_none(), "{cancelled}");
    let booked_rid = booked["zoom_registrant_id"].as_str().unwrap();
    // Zoom knows approved, pending and denied only: a cancelled registrant is denied there.
    assert_eq!(at_zoom(&app, open, booked_rid).await["status"], "denied");

    // A cancelled registration is over: approving it is refused, at Marquee, not at Zoom.
    let (status, body) = act(&app, &key, &booked, "approve").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "status_change_refused");
    assert_eq!(app.sim_calls(STATUS_AT_ZOOM).await, 2);

    // The owner's list: newest first, per meeting and by status.
    let all = listed(&app, &key, "").await;
    let ids: Vec<&Value> = all.iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, [&booked["id"], &pending["id"]]);
    let of_manual = listed(&app, &key, &format!("?meeting_id={manual}")).await;
    assert_eq!(of_manual.len(), 1);
    assert_eq!(of_manual[0]["join_url"], join_url.as_str());
    let cancelled_ones = listed(&app, &key, "?status=cancelled").await;
    assert_eq!(cancelled_ones.len(), 1);
    assert_eq!(cancelled_ones[0]["id"], booked["id"]);
    assert!(listed(&app, &key, "?status=pending").await.is_empty());
    let (status, body) = app
        .admin_call(
            &key,
            Method::GET,
            "/api/v1/admin/registrations?status=maybe",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // The personal link never reaches a public answer.
    for path in [
        "/api/v1/sites/booking/meetings".to_owned(),
        format!("/api/v1/sites/booking/meetings/{manual}"),
        format!("/embed/booking/meetings/{manual}"),
    ] {
        let (_, _, page) = app.get_public(&path).await;
        assert!(!page.contains(&join_url), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_meetings_take_registrants_on_behalf_but_not_from_visitors() {
    let app = TestApp::spawn().await;
    let (meetings, key) = app
        .public_site("quiet", vec![meeting_body("Private class", 3, AUTOMATIC)])
        .await;
    let id = meetings[0]["id"].as_i64().unwrap();
    let (status, _) = app
        .admin_call(
            &key,
            Method::PUT,
            &format!("/api/v1/admin/meetings/{id}/visibility"),
            Some(json!({"hidden": true})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, body) = app
        .register("quiet", id, visitor("walk-in@example.com"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, booked) = add(&app, &key, id, visitor("invited@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    assert_eq!(booked["status"], "approved");

    // Zoom's own switch still holds: a meeting without registration takes nobody.
    let (meetings, key) = app
        .public_site("noreg", vec![meeting_body("Drop-in", 3, 2)])
        .await;
    let id = meetings[0]["id"].as_i64().unwrap();
    let (status, body) = add(&app, &key, id, visitor("invited@example.com")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "registration_closed");
    let (status, body) = add(&app, &key, id + 1_000, visitor("invited@example.com")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_down_is_503_and_nothing_is_stored_or_changed() {
    let app = TestApp::spawn().await;
    let (meetings, key) = app
        .public_site("outage", vec![meeting_body("Manual class", 3, MANUAL)])
        .await;
    let id = meetings[0]["id"].as_i64().unwrap();
    app.sim_post(
        "/_sim/faults",
        json!({"method": "POST", "path": "/v2/meetings/{meetingId}/registrants",
               "kind": "status", "status": 503}),
    )
    .await;
    let (status, body) = add(&app, &key, id, visitor("parent@example.com")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "zoom_unavailable");
    assert_eq!(app.rows("registrations").await, 0);

    let (status, pending) = add(&app, &key, id, visitor("parent@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    app.sim_post(
        "/_sim/faults",
        json!({"method": "PUT", "path": "/v2/meetings/{meetingId}/registrants/status",
               "kind": "drop"}),
    )
    .await;
    let (status, body) = act(&app, &key, &pending, "approve").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let stored = listed(&app, &key, "").await;
    assert_eq!(stored[0]["status"], "pending", "nothing changed");
    let rid = pending["zoom_registrant_id"].as_str().unwrap();
    assert_eq!(at_zoom(&app, id, rid).await["status"], "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_sites_key_can_neither_see_nor_change_the_registrants() {
    let app = TestApp::spawn().await;
    let (meetings, key_a) = app
        .public_site("site-a", vec![meeting_body("Mine", 3, MANUAL)])
        .await;
    let (_, key_b) = app.public_site("site-b", vec![]).await;
    let id = meetings[0]["id"].as_i64().unwrap();
    let (status, pending) = add(&app, &key_a, id, visitor("parent@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");

    assert!(listed(&app, &key_b, "").await.is_empty());
    assert!(
        listed(&app, &key_b, &format!("?meeting_id={id}"))
            .await
            .is_empty()
    );
    let (status, body) = add(&app, &key_b, id, visitor("intruder@example.com")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    for action in ["approve", "deny", "cancel"] {
        let (status, body) = act(&app, &key_b, &pending, action).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}: {body}");
    }
    assert_eq!(app.sim_calls(STATUS_AT_ZOOM).await, 0);
    assert_eq!(listed(&app, &key_a, "").await[0]["status"], "pending");
}

// ---- the panel's Registrations page ----

/// The owner's session, a registrant of a manual-approval meeting, and the page listing it.
async fn panel_with_a_pending_registrant(
    app: &TestApp,
    slug: &str,
    person: Value,
) -> (String, Value, String) {
    let (meetings, key) = app
        .public_site(slug, vec![meeting_body("Manual class", 3, MANUAL)])
        .await;
    let id = meetings[0]["id"].as_i64().unwrap();
    let (status, pending) = add(app, &key, id, person).await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    let cookie = app.sign_in(slug).await;
    let (status, html) = page(app, &cookie, &format!("/admin/registrations?meeting={id}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    (cookie, pending, html)
}

/// The form fields of `action` on the row of `registration`, pressed on the meeting's list.
fn action_form<'a>(
    csrf: &'a str,
    registration: &'a Value,
    meeting_id: &'a str,
    action: &'a str,
) -> [(&'a str, &'a str); 5] {
    [
        ("csrf_token", csrf),
        ("meeting_id", meeting_id),
        ("registration_id", registration["id"].as_str().unwrap()),
        ("action", action),
        ("meeting", meeting_id),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_sees_approves_and_exports_registrations_in_the_panel() {
    let app = TestApp::spawn().await;
    let person = json!({"first_name": "=HYPERLINK(\"https://evil.example\")",
                        "last_name": "+Lovelace", "email": "ada@example.com"});
    let (cookie, pending, html) = panel_with_a_pending_registrant(&app, "panel-reg", person).await;
    let meeting_id = pending["meeting_id"].to_string();
    assert!(html.contains("ada@example.com"), "{html}");
    assert!(html.contains("Waiting for approval"), "{html}");
    assert!(html.contains(r#"value="approve""#), "{html}");
    // The Meetings list links each meeting to its registrations.
    let (_, meetings) = page(&app, &cookie, "/admin/meetings").await;
    assert!(
        meetings.contains(&format!(
            r#"href="/admin/registrations?meeting={meeting_id}""#
        )),
        "{meetings}"
    );

    // The CSV: one header, one row, formula cells defused.
    let resp = app
        .http
        .get(app.at(&format!("/admin/registrations.csv?meeting={meeting_id}")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "registered_at,meeting_id,occurrence_id,first_name,last_name,email,status"
    );
    assert_eq!(lines.len(), 2, "{csv}");
    let expected = format!(
        r#",{meeting_id},,"'=HYPERLINK(""https://evil.example"")",'+Lovelace,ada@example.com,pending"#
    );
    assert!(
        lines[1].ends_with(&expected),
        "{:?} vs {expected:?}",
        lines[1]
    );

    // Without the CSRF token nothing happens; with it, approved at Zoom, then shown.
    let form = action_form("forged", &pending, &meeting_id, "approve");
    let resp = submit(&app, &cookie, "/admin/registrations/status", &form).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.sim_calls(STATUS_AT_ZOOM).await, 0);
    let csrf = csrf_of(&html);
    let form = action_form(&csrf, &pending, &meeting_id, "approve");
    let resp = submit(&app, &cookie, "/admin/registrations/status", &form).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let back = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with("/admin/registrations?meeting="), "{back}");
    let (_, html) = page(&app, &cookie, &back).await;
    assert!(html.contains("Approved"), "{html}");
    let rid = pending["zoom_registrant_id"].as_str().unwrap();
    let at_zoom = at_zoom(&app, pending["meeting_id"].as_i64().unwrap(), rid).await;
    assert_eq!(at_zoom["status"], "approved");

    // Filtered by status: the approved one is not pending any more.
    let (_, html) = page(&app, &cookie, "/admin/registrations?status=pending").await;
    assert!(!html.contains("ada@example.com"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sites_owner_can_neither_see_nor_change_anothers_registrations() {
    let app = TestApp::spawn().await;
    let (_, b_pending, _) =
        panel_with_a_pending_registrant(&app, "panel-b", visitor("b-parent@example.com")).await;
    app.create_tenant("panel-a").await;
    let cookie_a = app.sign_in("panel-a").await;
    let (_, html) = page(&app, &cookie_a, "/admin/registrations").await;
    assert!(!html.contains("b-parent@example.com"), "{html}");
    let b_meeting = b_pending["meeting_id"].to_string();
    let (_, csv) = page(
        &app,
        &cookie_a,
        &format!("/admin/registrations.csv?meeting={b_meeting}"),
    )
    .await;
    assert!(!csv.contains("b-parent"), "{csv}");
    let csrf = csrf_of(&html);
    for action in ["approve", "deny", "cancel"] {
        let form = action_form(&csrf, &b_pending, &b_meeting, action);
        let resp = submit(&app, &cookie_a, "/admin/registrations/status", &form).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(app.sim_calls(STATUS_AT_ZOOM).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webinars_registrants_are_added_approved_and_cancelled_at_zooms_webinar_registrants() {
    // The Webinar add-on's classic scopes: reading and writing webinars and their registrants.
    let webinar_scopes = ["webinar:read:admin", "webinar:write:admin"];
    let app = TestApp::spawn_with(|c| c.scopes.extend(webinar_scopes.map(String::from))).await;
    let (_, key) = app.public_site("webinar-booking", vec![]).await;
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(3))
        .format("%Y-%m-%dT18:00:00")
        .to_string();
    let (status, webinar) = app
        .admin_call(
            &key,
            Method::POST,
            "/api/v1/admin/webinars",
            Some(
                json!({"topic": "Launch", "start_time": start, "timezone": "Europe/Berlin",
                        "duration": 60, "registration": "manual"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{webinar}");
    let id = webinar["id"].as_i64().unwrap();

    let (status, pending) = add(&app, &key, id, visitor("guest@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    assert_eq!(pending["status"], "pending");
    assert_eq!(
        app.sim_calls("POST /v2/webinars/{webinarId}/registrants")
            .await,
        1
    );
    let rid = pending["zoom_registrant_id"].as_str().unwrap();
    assert_eq!(at_zoom(&app, id, rid).await["status"], "pending");

    // Approved through Zoom's webinar registrants, the personal link fetched from there.
    let (status, approved) = act(&app, &key, &pending, "approve").await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "approved");
    assert!(approved["join_url"].is_string(), "{approved}");
    assert_eq!(at_zoom(&app, id, rid).await["status"], "approved");
    let webinar_status = "PUT /v2/webinars/{webinarId}/registrants/status";
    assert_eq!(app.sim_calls(webinar_status).await, 1);
    assert_eq!(
        app.sim_calls("GET /v2/webinars/{webinarId}/registrants/{registrantId}")
            .await,
        1
    );
    assert_eq!(app.sim_calls(STATUS_AT_ZOOM).await, 0, "no meeting path");

    let (status, cancelled) = act(&app, &key, &pending, "cancel").await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(at_zoom(&app, id, rid).await["status"], "denied");
    assert_eq!(app.sim_calls(webinar_status).await, 2);
}

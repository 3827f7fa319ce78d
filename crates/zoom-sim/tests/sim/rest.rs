//! The REST API under `/v2` (docs/zoom.md §1.7–1.9, §3, §4): authentication and scopes, users,
//! meetings and webinars with their webhooks, registrants, recordings, deeplinks and the Zoom App
//! context.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use marquee_zoom_protocol::app_context;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    CLIENT_ID, CLIENT_SECRET, Delivery, access, assert_signed, config, start, with_webhooks,
};

// ---------------------------------------------------------------------------------------------
// API authentication (docs/zoom.md §1.7, §1.9, checklist §7.4)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_rejects_missing_query_string_expired_and_underscoped_tokens() {
    let mut cfg = config();
    cfg.scopes = vec!["user:read:user".into()];
    let s = start(cfg).await;
    s.user("owner@example.com", json!({})).await;
    let t = s.connect().await;

    let r = s
        .http
        .get(format!("{}/users/me", s.sim.api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["x-zm-trackingid"]
            .to_str()
            .unwrap()
            .starts_with("v=2.0;")
    );
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"code": 124, "message": "Invalid access token."})
    );

    let r = s
        .http
        .get(format!(
            "{}/users/me?access_token={}",
            s.sim.api_url(),
            access(&t)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json::<Value>().await.unwrap()["message"],
        "Invalid access token, this access token is not supported as query parameter string."
    );

    let (status, body) = s
        .api_json("GET", &access(&t), "/users/me/meetings", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], 4711);
    assert_eq!(
        body["message"],
        "Invalid access token, does not contain scopes:[meeting:read:list_meetings, meeting:read:list_meetings:admin]."
    );

    let ok = s.api("GET", &access(&t), "/users/me", None).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.headers().contains_key("x-zm-trackingid"));

    let (_, n) = s.control("POST", "/_sim/tokens/expire", json!({})).await;
    assert_eq!(n["expired"], 1);
    let (status, body) = s.api_json("GET", &access(&t), "/users/me", None).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({"code": 124, "message": "Access token is expired."})
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Users (docs/zoom.md §4.2, §1.8)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_me_by_email_list_paging_and_foreign_users() {
    let s = start(config()).await;
    let owner = s
        .user("owner@example.com", json!({"plan": "business"}))
        .await;
    for i in 0..4 {
        s.user(
            &format!("member{i}@example.com"),
            json!({"account_id": owner["account_id"]}),
        )
        .await;
    }
    let stranger = s.user("stranger@elsewhere.test", json!({})).await;
    assert_ne!(stranger["account_id"], owner["account_id"]);
    let t = access(&s.connect().await);

    let (status, me) = s.api_json("GET", &t, "/users/me", None).await;
    assert_eq!(status, StatusCode::OK);
    for field in [
        "id",
        "account_id",
        "email",
        "first_name",
        "last_name",
        "display_name",
        "timezone",
        "type",
        "role_name",
        "pmi",
        "account_number",
    ] {
        assert!(me.get(field).is_some(), "missing {field}");
    }
    assert_eq!(me["id"], owner["id"]);
    assert_eq!(me["role_name"], "Owner");
    assert_eq!(me["type"], 2);
    assert_eq!(me["timezone"], "Europe/Berlin");
    let (_, by_email) = s
        .api_json("GET", &t, "/users/MEMBER2@example.com", None)
        .await;
    assert_eq!(by_email["email"], "member2@example.com");
    assert_eq!(by_email["role_name"], "Member");

    let (status, body) = s
        .api_json(
            "GET",
            &t,
            &format!("/users/{}", stranger["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], 1001);

    let (_, p1) = s.api_json("GET", &t, "/users?page_size=2", None).await;
    assert_eq!(p1["total_records"], 5);
    assert_eq!(p1["users"].as_array().unwrap().len(), 2);
    let next = p1["next_page_token"].as_str().unwrap();
    assert!(!next.is_empty());
    let (_, p2) = s
        .api_json(
            "GET",
            &t,
            &format!("/users?page_size=2&next_page_token={next}"),
            None,
        )
        .await;
    assert_eq!(p2["users"].as_array().unwrap().len(), 2);
    assert_ne!(p2["users"][0]["id"], p1["users"][0]["id"]);
    let (status, bad) = s
        .api_json("GET", &t, "/users?next_page_token=nonsense", None)
        .await;
    assert_eq!(
        (status, bad["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(300))
    );
}

// ---------------------------------------------------------------------------------------------
// Meetings (docs/zoom.md §4.3) and their webhooks (§2.6)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_create_get_patch_delete_with_signed_webhooks() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let owner = s
        .user("owner@example.com", json!({"timezone": "America/New_York"}))
        .await;
    let t = access(&s.connect().await);
    let body = json!({"topic": "Launch <b>party</b> 🎉", "type": 2, "start_time": "2031-05-01T10:00:00", "timezone": "America/New_York", "duration": 45, "agenda": "a".repeat(600)});
    let (status, created) = s
        .api_json("POST", &t, "/users/me/meetings", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["start_time"], "2031-05-01T14:00:00Z",
        "local time in the meeting's zone"
    );
    assert!(created["start_url"].as_str().unwrap().contains("/s/"));
    assert!(
        created["join_url"]
            .as_str()
            .unwrap()
            .contains(&created["id"].to_string())
    );
    let id = created["id"].as_i64().unwrap();
    assert!(id > i64::from(i32::MAX));
    assert_eq!(created["uuid"].as_str().unwrap().len(), 24);

    let (_, got) = s
        .api_json("GET", &t, &format!("/meetings/{id}"), None)
        .await;
    assert_eq!(got["topic"], "Launch <b>party</b> 🎉");
    assert_eq!(got["agenda"].as_str().unwrap().len(), 600);
    let (_, list) = s
        .api_json("GET", &t, "/users/me/meetings?type=upcoming", None)
        .await;
    assert_eq!(
        list["meetings"][0]["agenda"].as_str().unwrap().len(),
        250,
        "lists truncate the agenda"
    );

    let r = s
        .api(
            "PATCH",
            &t,
            &format!("/meetings/{id}"),
            Some(json!({"topic": "Renamed", "settings": {"approval_type": 0}})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.text().await.unwrap(), "");
    let r = s.api("DELETE", &t, &format!("/meetings/{id}"), None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, gone) = s
        .api_json("GET", &t, &format!("/meetings/{id}"), None)
        .await;
    assert_eq!(
        (status, gone["code"].clone()),
        (StatusCode::NOT_FOUND, json!(3001))
    );

    let ev = rx.wait_for(3, Duration::from_secs(5)).await;
    let names: Vec<&str> = ev
        .iter()
        .map(|d| d.json["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["meeting.created", "meeting.updated", "meeting.deleted"]
    );
    ev.iter().for_each(assert_signed);
    let created_ev = &ev[0].json["payload"];
    assert_eq!(created_ev["account_id"], owner["account_id"]);
    assert_eq!(created_ev["operator"], "owner@example.com");
    assert_eq!(
        created_ev["object"]["id"], id,
        "meeting id is a JSON number"
    );
    let raw = std::str::from_utf8(&ev[0].raw).unwrap();
    assert!(
        raw.starts_with(r#"{"event":"meeting.created","payload":{"account_id":"#),
        "field order: {raw}"
    );
    let upd = &ev[1].json["payload"];
    assert_eq!(upd["object"]["topic"], "Renamed");
    assert_eq!(upd["old_object"]["topic"], "Launch <b>party</b> 🎉");
    assert_eq!(upd["object"]["settings"], json!({"approval_type": 0}));
    assert_eq!(upd["old_object"]["settings"], json!({"approval_type": 2}));
    assert_eq!(upd["object"]["id"], id);
    assert_eq!(ev[2].json["payload"]["object"]["uuid"], created["uuid"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recurring_meetings_have_occurrences_and_lists_page_by_type() {
    let s = start(config()).await;
    let owner = s
        .user("owner@example.com", json!({"timezone": "UTC"}))
        .await;
    let uid = owner["id"].as_str().unwrap();
    let t = access(&s.connect().await);
    let rec = json!({"topic": "Weekly", "type": 8, "start_time": "2031-01-07T09:00:00Z", "duration": 30, "recurrence": {"type": 2, "weekly_days": "3,5", "end_times": 6}});
    let (status, m) = s
        .api_json("POST", &t, &format!("/users/{uid}/meetings"), Some(rec))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    let occ = m["occurrences"].as_array().unwrap();
    assert_eq!(occ.len(), 6);
    assert_eq!(occ[0]["start_time"], "2031-01-07T09:00:00Z");
    assert_eq!(occ[1]["start_time"], "2031-01-09T09:00:00Z");
    assert_eq!(occ[0]["occurrence_id"], "1925542800000");
    // delete one occurrence
    let r = s
        .api(
            "DELETE",
            &t,
            &format!("/meetings/{}?occurrence_id=1925542800000", m["id"]),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, got) = s
        .api_json("GET", &t, &format!("/meetings/{}", m["id"]), None)
        .await;
    assert_eq!(got["occurrences"].as_array().unwrap().len(), 5);
    assert_eq!(got["start_time"], "2031-01-09T09:00:00Z");

    // 305 meetings through the control API (the host's own UI: no API quota) and paging
    for i in 0..305 {
        let day = 1 + i % 28;
        let (status, _) = s.control("POST", &format!("/_sim/users/{uid}/meetings"), json!({"topic": format!("m{i}"), "start_time": format!("2032-02-{day:02}T10:00:00Z")})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, past) = s
        .control(
            "POST",
            &format!("/_sim/users/{uid}/meetings"),
            json!({"topic": "old", "start_time": "2020-01-01T10:00:00Z"}),
        )
        .await;
    let (_, p1) = s
        .api_json("GET", &t, "/users/me/meetings?page_size=500", None)
        .await;
    assert_eq!(p1["page_size"], 300);
    assert_eq!(
        p1["total_records"], 306,
        "expired meetings are not scheduled"
    );
    assert_eq!(p1["meetings"].as_array().unwrap().len(), 300);
    let next = p1["next_page_token"].as_str().unwrap();
    let (_, p2) = s
        .api_json(
            "GET",
            &t,
            &format!("/users/me/meetings?page_size=500&next_page_token={next}"),
            None,
        )
        .await;
    assert_eq!(p2["meetings"].as_array().unwrap().len(), 6);
    assert_eq!(p2["next_page_token"], "");
    let (_, prev) = s
        .api_json("GET", &t, "/users/me/meetings?type=previous_meetings", None)
        .await;
    assert_eq!(prev["total_records"], 1);
    assert_eq!(prev["meetings"][0]["id"], past["id"]);
    let (status, _) = s
        .api_json("GET", &t, "/users/me/meetings?type=bogus", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------------------------------------
// Registrants (docs/zoom.md §4.4)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registrants_follow_the_approval_type() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let uid = owner["id"].as_str().unwrap();
    let t = access(&s.connect().await);
    let mk = |approval: i64| json!({"topic": format!("a{approval}"), "start_time": "2031-03-01T10:00:00Z", "settings": {"approval_type": approval}});
    let (_, none) = s
        .control("POST", &format!("/_sim/users/{uid}/meetings"), mk(2))
        .await;
    let (_, auto) = s
        .control("POST", &format!("/_sim/users/{uid}/meetings"), mk(0))
        .await;
    let (_, manual) = s
        .control("POST", &format!("/_sim/users/{uid}/meetings"), mk(1))
        .await;
    let visitor = json!({"email": "visitor@example.org", "first_name": "Vi", "last_name": "Sitor"});

    let (status, body) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", none["id"]),
            Some(visitor.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"code": 404, "message": format!("Registration has not been enabled for this meeting: {}", none["id"])})
    );

    let (status, a) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", auto["id"]),
            Some(visitor.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(a["id"], auto["id"]);
    assert!(
        a["join_url"].as_str().unwrap().contains("tk="),
        "personal join_url"
    );
    let (_, again) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", auto["id"]),
            Some(json!({"email": "VISITOR@example.org", "first_name": "Vi"})),
        )
        .await;
    assert_eq!(
        again["registrant_id"], a["registrant_id"],
        "same e-mail, same registrant"
    );
    assert_eq!(again["join_url"], a["join_url"]);

    let (status, p) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", manual["id"]),
            Some(visitor.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        p.get("join_url").is_none(),
        "pending registrants get no join_url"
    );
    let (_, pending) = s
        .api_json(
            "GET",
            &t,
            &format!("/meetings/{}/registrants?status=pending", manual["id"]),
            None,
        )
        .await;
    assert_eq!(pending["total_records"], 1);
    assert_eq!(pending["registrants"][0]["status"], "pending");
    let (_, approved) = s
        .api_json(
            "GET",
            &t,
            &format!("/meetings/{}/registrants", manual["id"]),
            None,
        )
        .await;
    assert_eq!(approved["total_records"], 0);

    let (status, _) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", auto["id"]),
            Some(json!({"email": "x@example.org"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "first_name is required");

    // questions incl. custom ones
    s.control("PUT", &format!("/_sim/meetings/{}/questions", auto["id"]), json!({
        "questions": [{"field_name": "org", "required": true}],
        "custom_questions": [{"title": "Favourite colour?", "type": "short", "required": true, "answers": []}]})).await;
    let (_, q) = s
        .api_json(
            "GET",
            &t,
            &format!("/meetings/{}/registrants/questions", auto["id"]),
            None,
        )
        .await;
    assert_eq!(q["custom_questions"][0]["title"], "Favourite colour?");
    let (status, _) = s
        .api_json(
            "POST",
            &t,
            &format!("/meetings/{}/registrants", auto["id"]),
            Some(json!({"email": "b@example.org", "first_name": "B", "org": "Acme"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "required custom question missing"
    );
    let (status, ok) = s.api_json("POST", &t, &format!("/meetings/{}/registrants", auto["id"]), Some(json!({"email": "b@example.org", "first_name": "B", "org": "Acme", "custom_questions": [{"title": "Favourite colour?", "value": "teal"}]}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, one) = s
        .api_json(
            "GET",
            &t,
            &format!(
                "/meetings/{}/registrants/{}",
                auto["id"],
                ok["registrant_id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(one["custom_questions"][0]["value"], "teal");

    let ev = rx.wait_for(6, Duration::from_secs(5)).await;
    let regs: Vec<&Delivery> = ev
        .iter()
        .filter(|d| d.json["event"] == "meeting.registration_created")
        .collect();
    assert_eq!(regs.len(), 3, "one per new registrant, none for the repeat");
    assert_eq!(
        regs[0].json["payload"]["object"]["registrant"]["email"],
        "visitor@example.org"
    );
    assert_eq!(
        regs[1].json["payload"]["object"]["registrant"]["status"],
        "pending"
    );
}

// ---------------------------------------------------------------------------------------------
// Recordings (docs/zoom.md §4.5) and recording webhooks

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_lifecycle_window_rule_files_and_downloads() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let uid = owner["id"].as_str().unwrap();
    let t = access(&s.connect().await);
    let (_, m) = s
        .control(
            "POST",
            &format!("/_sim/users/{uid}/meetings"),
            json!({"topic": "Recorded talk", "start_time": "2024-03-10T10:00:00Z"}),
        )
        .await;
    let (status, rec) = s
        .control(
            "POST",
            &format!("/_sim/meetings/{}/recordings", m["id"]),
            json!({"start_time": "2024-03-10T10:00:00Z", "duration": 50}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    let uuid = rec["uuid"].as_str().unwrap().to_string();

    let (status, list) = s
        .api_json(
            "GET",
            &t,
            "/users/me/recordings?from=2024-03-01&to=2024-03-31",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (list["from"].clone(), list["to"].clone()),
        (json!("2024-03-01"), json!("2024-03-31"))
    );
    assert_eq!(list["total_records"], 1);
    let item = &list["meetings"][0];
    assert_eq!(item["uuid"], uuid.as_str());
    assert!(item["share_url"].as_str().unwrap().contains("/rec/share/"));
    assert!(!item["recording_play_passcode"].as_str().unwrap().is_empty());
    let files = item["recording_files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    for f in files {
        assert!(f["play_url"].as_str().unwrap().contains("/rec/play/"));
        assert!(
            f["download_url"]
                .as_str()
                .unwrap()
                .contains("/rec/download/")
        );
        assert_eq!(f["status"], "completed");
    }
    let (status, body) = s
        .api_json(
            "GET",
            &t,
            "/users/me/recordings?from=2024-01-01&to=2024-03-01",
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(300)),
        "one month at most"
    );
    let (_, empty) = s
        .api_json(
            "GET",
            &t,
            "/users/me/recordings?from=2024-04-01&to=2024-04-30",
            None,
        )
        .await;
    assert_eq!(empty["total_records"], 0);

    // per meeting: numeric id and double-encoded UUID (docs/zoom.md §4.1)
    let (status, by_id) = s
        .api_json(
            "GET",
            &t,
            &format!("/meetings/{}/recordings", m["id"]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!by_id["password"].as_str().unwrap().is_empty());
    let once = url::form_urlencoded::byte_serialize(uuid.as_bytes()).collect::<String>();
    let twice = url::form_urlencoded::byte_serialize(once.as_bytes()).collect::<String>();
    let (status, by_uuid) = s
        .api_json("GET", &t, &format!("/meetings/{twice}/recordings"), None)
        .await;
    assert_eq!(
        (status, by_uuid["uuid"].clone()),
        (StatusCode::OK, json!(uuid))
    );

    // downloads: Bearer only, then a redirect to the file host
    let dl = files[0]["download_url"].as_str().unwrap();
    let r = s.http.get(dl).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let file = s
        .http
        .get(r.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.text().await.unwrap().contains("Recorded talk"));
    assert_eq!(
        s.http
            .get(format!("{dl}?access_token={t}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let play = files[0]["play_url"].as_str().unwrap();
    let pass = item["recording_play_passcode"].as_str().unwrap();
    assert_eq!(
        s.http
            .get(format!("{play}?pwd={pass}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        s.http
            .get(format!("{play}?pwd=wrong"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );

    // trash → recover → delete
    assert_eq!(
        s.control(
            "POST",
            "/_sim/recordings/trash",
            json!({"meeting_uuid": uuid})
        )
        .await
        .0,
        StatusCode::OK
    );
    let (_, l) = s
        .api_json(
            "GET",
            &t,
            "/users/me/recordings?from=2024-03-01&to=2024-03-31",
            None,
        )
        .await;
    assert_eq!(l["total_records"], 0);
    let (_, trash) = s
        .api_json("GET", &t, "/users/me/recordings?trash=true", None)
        .await;
    assert_eq!(trash["total_records"], 1);
    assert_eq!(
        s.control(
            "POST",
            "/_sim/recordings/recover",
            json!({"meeting_uuid": uuid})
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        s.api(
            "GET",
            &t,
            &format!("/meetings/{}/recordings", m["id"]),
            None
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        s.control(
            "POST",
            "/_sim/recordings/delete",
            json!({"meeting_id": m["id"]})
        )
        .await
        .0,
        StatusCode::OK
    );
    let (status, body) = s
        .api_json(
            "GET",
            &t,
            &format!("/meetings/{}/recordings", m["id"]),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(3301))
    );

    let ev = rx.wait_for(5, Duration::from_secs(5)).await;
    let names: Vec<&str> = ev
        .iter()
        .map(|d| d.json["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "meeting.created",
            "recording.completed",
            "recording.trashed",
            "recording.recovered",
            "recording.deleted"
        ]
    );
    ev.iter().for_each(assert_signed);
    let completed = &ev[1].json;
    assert_eq!(completed["download_token"], rec["download_token"]);
    assert_eq!(
        completed["payload"]["object"]["recording_files"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        completed["payload"]["object"]["host_email"],
        "owner@example.com"
    );
}

// ---------------------------------------------------------------------------------------------
// Webinars, deeplink and the Zoom App context (docs/zoom.md §3, §4.6)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webinars_list_get_and_registrants() {
    let s = start(config()).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let uid = owner["id"].as_str().unwrap();
    let t = access(&s.connect().await);
    let (status, w) = s.control("POST", &format!("/_sim/users/{uid}/webinars"), json!({"topic": "Big webinar", "start_time": "2031-06-01T16:00:00Z", "settings": {"approval_type": 0}})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(w["type"], 5);
    let (_, list) = s.api_json("GET", &t, "/users/me/webinars", None).await;
    assert_eq!(list["total_records"], 1);
    assert_eq!(list["webinars"][0]["id"], w["id"]);
    let (_, meetings) = s.api_json("GET", &t, "/users/me/meetings", None).await;
    assert_eq!(meetings["total_records"], 0, "webinars are not meetings");
    let (status, got) = s
        .api_json("GET", &t, &format!("/webinars/{}", w["id"]), None)
        .await;
    assert_eq!(
        (status, got["topic"].clone()),
        (StatusCode::OK, json!("Big webinar"))
    );
    let (status, r) = s
        .api_json(
            "POST",
            &t,
            &format!("/webinars/{}/registrants", w["id"]),
            Some(json!({"email": "a@example.org", "first_name": "A"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(r["join_url"].is_string());
    let (_, regs) = s
        .api_json(
            "GET",
            &t,
            &format!("/webinars/{}/registrants", w["id"]),
            None,
        )
        .await;
    assert_eq!(regs["total_records"], 1);
    assert_eq!(
        s.api("GET", &t, &format!("/meetings/{}", w["id"]), None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeplink_and_app_context_round_trip_through_marquees_decoder() {
    let mut cfg = config();
    cfg.client_secret = CLIENT_SECRET.into(); // the Z2 vector's secret
    let s = start(cfg).await;
    let owner = s.user("owner@example.com", json!({})).await;
    let t = access(&s.connect().await);
    let action = r#"{"url":"/","role_name":"Owner","verified":1,"role_id":0}"#;
    let (status, dl) = s
        .api_json(
            "POST",
            &t,
            "/zoomapp/deeplink",
            Some(json!({"action": action})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        dl["deeplink"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/launch/chatapp/{CLIENT_ID}/", s.sim.url()))
    );
    let (status, too_long) = s
        .api_json(
            "POST",
            &t,
            "/zoomapp/deeplink",
            Some(json!({"action": "x".repeat(257)})),
        )
        .await;
    assert_eq!(
        (status, too_long["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(300))
    );

    let (status, out) = s
        .control("POST", "/_sim/zoomapp/context", json!({"typ": "meeting"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let header = out["header"].as_str().unwrap();
    assert!(
        !header.contains('=') && !header.contains('+') && !header.contains('/'),
        "base64url without padding"
    );
    let blob = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    assert_eq!(blob[0], 12, "12-byte IV");
    assert_eq!(&blob[13..15], &[0, 0], "empty AAD");
    let ctx = app_context::decode(CLIENT_SECRET, header).unwrap();
    assert_eq!(
        ctx.validate(CLIENT_ID, chrono::Utc::now().timestamp_millis()),
        Ok(())
    );
    assert_eq!(ctx.exp - ctx.ts, 120_000);
    assert_eq!(ctx.uid.as_deref(), owner["id"].as_str());
    assert_eq!(
        ctx.act.as_deref(),
        Some(action),
        "deeplink action comes back as act"
    );
    assert!(ctx.mid.is_some());
    assert_eq!(
        app_context::decode("other secret", header).unwrap_err(),
        app_context::AppContextError::Tag
    );
    // the action is consumed by one context
    let (_, next) = s.control("POST", "/_sim/zoomapp/context", json!({})).await;
    assert_eq!(next["context"].get("act"), None);
    assert_eq!(next["context"]["typ"], "panel");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_client_checks_owasp_headers_on_the_home_url() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    let seen = Arc::new(Mutex::new(None::<String>));
    let seen2 = seen.clone();
    let ep = poem::endpoint::make(move |req: poem::Request| {
        let seen = seen2.clone();
        async move {
            *seen.lock().unwrap() = req
                .headers()
                .get("x-zoom-app-context")
                .map(|v| v.to_str().unwrap().to_string());
            let r = poem::Response::builder()
                .content_type("text/html")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin");
            if req.uri().path() == "/good" {
                r.header("Strict-Transport-Security", "max-age=31536000")
                    .header("Content-Security-Policy", "default-src 'self'")
                    .body("<p>hi</p>")
            } else {
                r.body("<p>hi</p>")
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        poem::Server::new_with_acceptor(poem::listener::TcpAcceptor::from_tokio(listener).unwrap())
            .run(ep),
    );
    let (_, good) = s
        .control(
            "POST",
            "/_sim/zoomapp/open",
            json!({"home_url": format!("http://{addr}/good")}),
        )
        .await;
    assert_eq!(good["would_render"], true, "{good}");
    let header = seen.lock().unwrap().clone().unwrap();
    assert_eq!(
        app_context::decode(CLIENT_SECRET, &header).unwrap().aud,
        CLIENT_ID
    );
    let (_, bad) = s
        .control(
            "POST",
            "/_sim/zoomapp/open",
            json!({"home_url": format!("http://{addr}/bad")}),
        )
        .await;
    assert_eq!(bad["would_render"], false);
    assert_eq!(
        bad["missing_owasp_headers"],
        json!(["strict-transport-security", "content-security-policy"])
    );
}

//! "Add to calendar" read by a real iCalendar parser: `ical.js` (npm) in
//! `tests/browser/ics.test.mjs` imports the files Marquee serves for a single and a recurring
//! meeting and checks every field (description, URL, organizer, stable UIDs per occurrence,
//! a SEQUENCE that grows on change, the VTIMEZONE of the meeting's zone).

use reqwest::StatusCode;
use serde_json::json;

use crate::browser;
use crate::helpers::{TestApp, meeting_body};

/// The calendar file at `path`, written to a file for the node test.
async fn download(app: &TestApp, path: &str, file: &str) -> String {
    let resp = app.http.get(app.at(path)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    let kind = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/calendar"), "{kind}");
    let dir = std::env::temp_dir().join(format!("marquee-ics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join(file);
    std::fs::write(&target, resp.bytes().await.unwrap()).unwrap();
    target.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_files_carry_every_field_for_a_real_parser() {
    if !browser::available() {
        return;
    }
    let app = TestApp::spawn().await;
    let mut single = meeting_body("Morning flow", 2, 0);
    single["agenda"] = json!("Breathe, stretch; relax.\nBring a mat.");
    let (created, _) = app
        .public_site("cal-club", vec![single, meeting_body("Weekly yoga", 3, 0)])
        .await;
    let (one, series) = (
        created[0]["id"].as_i64().unwrap(),
        created[1]["id"].as_i64().unwrap(),
    );
    let tenant = app.tenant_id("cal-club").await;
    app.seed_occurrences(
        "cal-club",
        series,
        &[
            "2030-06-04 12:30:00",
            "2030-06-11 12:30:00",
            "2030-11-05 13:30:00",
        ],
    )
    .await;
    let set_version = |id: i64, version: i64| {
        format!(
            "UPDATE meetings SET zoom_version = {version} WHERE tenant_id = '{tenant}' AND zoom_meeting_id = {id}"
        )
    };
    for (id, version) in [(one, 1_780_000_000_000i64), (series, 1_780_000_000_000)] {
        app.services
            .store
            .execute_raw(&set_version(id, version))
            .await
            .unwrap();
    }

    let base = "/embed/cal-club/meetings";
    let single_v1 = download(&app, &format!("{base}/{one}/calendar.ics"), "single-1.ics").await;
    let recurring = download(
        &app,
        &format!("{base}/{series}/calendar.ics"),
        "recurring.ics",
    )
    .await;
    let chosen = download(
        &app,
        &format!("{base}/{series}/calendar.ics?occurrence=1700000000001"),
        "occurrence.ics",
    )
    .await;
    // The meeting changes (a newer stored version): the same UID with a higher SEQUENCE.
    app.services
        .store
        .execute_raw(&set_version(one, 1_780_000_090_000))
        .await
        .unwrap();
    let single_v2 = download(&app, &format!("{base}/{one}/calendar.ics"), "single-2.ics").await;

    let expect = json!({
        "public_url": app.url,
        "slug": "cal-club",
        "single_id": one,
        "series_id": series,
        "agenda": "Breathe, stretch; relax.\nBring a mat.",
        "organizer": "Site cal-club",
        "single_start": created[0]["start_time"],
    });
    let env = vec![
        ("MQ_ICS_SINGLE", single_v1),
        ("MQ_ICS_SINGLE_CHANGED", single_v2),
        ("MQ_ICS_RECURRING", recurring),
        ("MQ_ICS_OCCURRENCE", chosen),
        ("MQ_ICS_EXPECT", expect.to_string()),
    ];
    browser::run_node_test("ics.test.mjs", env, 2).await;
}

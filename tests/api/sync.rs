//! The sync engine end to end against the simulator: a generated multi-host account backfilled
//! under Zoom's rate limits, reconcile catching what webhooks missed, two instances sharing the
//! job queue, and webhook events surviving a `kill -9` between the 200 and their application.

use std::collections::BTreeSet;

use marquee::domain::TenantId;
use marquee::domain::status::{JobStatus, SyncKind, WebhookEventStatus};
use marquee::store;
use marquee_zoom_sim::{RateLimits, SeedOptions};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Instance, ServeProcess, TestApp, eventually, meeting_body};
use crate::webhooks::{recordings_of, stored_events};

async fn tenant_id(app: &TestApp, slug: &str) -> TenantId {
    app.services.tenants().get(slug).await.unwrap().id
}

fn endpoint_calls(stats: &Value, key: &str) -> u64 {
    stats["endpoints"][key].as_u64().unwrap_or(0)
}

/// Zoom's own answer, read with the site's token (rate limits off by then).
async fn zoom_get(app: &TestApp, token: &str, path: &str, query: &[(&str, &str)]) -> Value {
    let resp = app
        .http
        .get(format!("{}{path}", app.sim.api_url()))
        .bearer_auth(token)
        .query(query)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.json().await.unwrap()
}

/// Every item of every page of a Zoom list.
async fn zoom_all(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    query: &[(&str, &str)],
) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next = String::new();
    loop {
        let mut q = query.to_vec();
        q.push(("page_size", "300"));
        if !next.is_empty() {
            q.push(("next_page_token", &next));
        }
        let page = zoom_get(app, token, path, &q).await;
        items.extend(page[key].as_array().cloned().unwrap_or_default());
        next = page["next_page_token"].as_str().unwrap_or("").to_owned();
        if next.is_empty() {
            return items;
        }
    }
}

async fn stored_meeting_ids(app: &TestApp, tenant: &TenantId) -> BTreeSet<i64> {
    let tid = tenant.clone();
    app.services
        .store
        .read(move |mut db| Box::pin(async move { store::meeting::all_by_id(&mut db, &tid).await }))
        .await
        .unwrap()
        .into_keys()
        .collect()
}

pub async fn wait_for_sync(app: &TestApp, tenant: &TenantId, after: Option<chrono::NaiveDateTime>) {
    let status = eventually(30, "the sync to finish", || async {
        let s = app.services.sync().status_of(tenant).await.unwrap();
        (s.last_finished_at.is_some() && s.last_finished_at > after).then_some(s)
    })
    .await;
    assert_eq!(
        status.last_result.as_deref(),
        Some("ok"),
        "{:?}",
        status.last_error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_of_a_generated_account_is_complete_and_stays_under_the_rate_limits() {
    let app = TestApp::spawn_configured(
        |sim| {
            sim.seed = Some(SeedOptions {
                seed: 7,
                hosts: 3,
                meetings_per_host: 60,
                recordings_per_host: 20,
                months_of_recordings: 14,
            });
            // Per account and second: Light 80, Medium 40.
            sim.rate_limits = RateLimits::uniform(80, 40, 10);
        },
        |vars| {
            // Marquee paces itself below the account's limits.
            vars.insert("MARQUEE_ZOOM_RATE_LIGHT".into(), "60".into());
            vars.insert("MARQUEE_ZOOM_RATE_MEDIUM".into(), "30".into());
            vars.insert("MARQUEE_RECORDINGS_HORIZON_MONTHS".into(), "15".into());
        },
    )
    .await;
    app.create_tenant("academy").await;
    app.connect_site("academy").await;
    let tenant = tenant_id(&app, "academy").await;
    wait_for_sync(&app, &tenant, None).await;
    let stats = app.sim_stats().await;
    assert_eq!(
        stats["rate_limited"], 0,
        "paced below Zoom's limits: {stats}"
    );
    let status = app.services.sync().status_of(&tenant).await.unwrap();
    assert!(status.next_reconcile_at.is_some());

    // Zoom's truth, read afterwards with limits off.
    app.sim_config(json!({"rate_limits": serde_json::to_value(RateLimits::off()).unwrap()}))
        .await;
    let token = app
        .services
        .tokens()
        .access_token(&tenant)
        .await
        .unwrap()
        .value;
    let users = zoom_all(&app, &token, "/users", "users", &[]).await;
    assert_eq!(users.len(), 3);
    let mut zoom_meetings = BTreeSet::new();
    let mut zoom_webinars = BTreeSet::new();
    for u in &users {
        let id = u["id"].as_str().unwrap();
        for m in zoom_all(
            &app,
            &token,
            &format!("/users/{id}/meetings"),
            "meetings",
            &[("type", "scheduled")],
        )
        .await
        {
            zoom_meetings.insert(m["id"].as_i64().unwrap());
        }
        for w in zoom_all(
            &app,
            &token,
            &format!("/users/{id}/webinars"),
            "webinars",
            &[],
        )
        .await
        {
            zoom_webinars.insert(w["id"].as_i64().unwrap());
        }
    }
    let mut zoom_recordings = BTreeSet::new();
    let today = chrono::Utc::now().date_naive();
    let mut to = today + chrono::TimeDelta::days(1);
    for _ in 0..16 {
        let from = to.checked_sub_months(chrono::Months::new(1)).unwrap();
        for u in &users {
            let id = u["id"].as_str().unwrap();
            let (f, t) = (from.to_string(), to.to_string());
            for r in zoom_all(
                &app,
                &token,
                &format!("/users/{id}/recordings"),
                "meetings",
                &[("from", &f), ("to", &t)],
            )
            .await
            {
                zoom_recordings.insert(r["uuid"].as_str().unwrap().to_owned());
            }
        }
        to = from;
    }
    assert!(
        zoom_meetings.len() > 100,
        "a sizeable account: {}",
        zoom_meetings.len()
    );
    assert!(zoom_recordings.len() >= 50, "{}", zoom_recordings.len());

    let stored = stored_meeting_ids(&app, &tenant).await;
    let expected: BTreeSet<i64> = zoom_meetings.union(&zoom_webinars).copied().collect();
    assert_eq!(stored, expected, "exactly Zoom's meetings and webinars");
    let recordings = recordings_of(&app, &tenant).await;
    let stored_recordings: BTreeSet<String> = recordings
        .iter()
        .map(|r| r.zoom_meeting_uuid.clone())
        .collect();
    assert_eq!(
        stored_recordings, zoom_recordings,
        "exactly Zoom's recordings"
    );
    assert!(
        recordings
            .iter()
            .all(|r| !r.play_passcode.is_empty() && !r.share_url.is_empty())
    );
    assert_eq!(status.meetings as usize, zoom_meetings.len());
    assert_eq!(status.recordings as usize, zoom_recordings.len());

    // Details where the list is not enough: registration and the full agenda of upcoming ones.
    let public = app.public_meetings("academy").await;
    assert!(
        public.iter().any(|m| m["registration_open"] == true),
        "registration settings read"
    );
    assert!(
        public
            .iter()
            .any(|m| m["agenda"].as_str().unwrap().chars().count() > 250),
        "full agendas, not the list's 250 characters"
    );
    let detail_calls = endpoint_calls(&stats, "GET /v2/meetings/{meetingId}");
    assert!(
        (detail_calls as usize) < zoom_meetings.len(),
        "details only where needed: {detail_calls} for {} meetings",
        zoom_meetings.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_catches_what_webhooks_never_delivered() {
    // No webhook URL: Zoom's events are all lost.
    let app = TestApp::spawn().await;
    let user = app.sim_user("host@example.com").await;
    let host = user["id"].as_str().unwrap().to_owned();
    let gone = app
        .sim_meeting(&host, meeting_body("Old class", 2, 2))
        .await;
    app.create_tenant("studio").await;
    app.connect_site("studio").await;
    let tenant = tenant_id(&app, "studio").await;
    assert_eq!(app.public_meetings("studio").await.len(), 1);

    app.sim_meeting(&host, meeting_body("New class", 3, 0))
        .await;
    let resp = app
        .http
        .delete(format!("{}/_sim/meetings/{}", app.sim.url(), gone["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let before = app
        .services
        .sync()
        .status_of(&tenant)
        .await
        .unwrap()
        .last_finished_at;
    app.services
        .sync()
        .enqueue(&tenant, SyncKind::Reconcile, "")
        .await
        .unwrap();
    wait_for_sync(&app, &tenant, before).await;
    let meetings = app.public_meetings("studio").await;
    assert_eq!(meetings.len(), 1);
    assert_eq!(meetings[0]["topic"], "New class");
    assert_eq!(meetings[0]["registration_open"], true);
    let status = app.services.sync().status_of(&tenant).await.unwrap();
    assert_eq!(status.last_kind.as_deref(), Some("reconcile"));
    assert_eq!(status.removed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_database_run_each_job_once() {
    let app = TestApp::spawn().await;
    let second = app.second_instance().await;
    let sites = ["one", "two", "three", "four"];
    let mut tenants = Vec::new();
    for (i, slug) in sites.iter().enumerate() {
        let user = app.sim_user(&format!("host{i}@example.com")).await;
        app.sim_meeting(
            user["id"].as_str().unwrap(),
            meeting_body(&format!("Class {i}"), 2, 2),
        )
        .await;
        app.create_tenant(slug).await;
        app.connect_site(slug).await;
        tenants.push(tenant_id(&app, slug).await);
    }
    let before = endpoint_calls(&app.sim_stats().await, "GET /v2/users/{userId}/meetings");
    let mut ids = Vec::new();
    for (i, tenant) in tenants.iter().enumerate() {
        // Half queued through each instance: both instances' workers compete for all of them.
        let services = if i % 2 == 0 {
            &app.services
        } else {
            &second.services
        };
        ids.push(
            services
                .sync()
                .enqueue(tenant, SyncKind::Backfill, "")
                .await
                .unwrap(),
        );
    }
    let jobs = eventually(20, "every job done", || async {
        let mut done = Vec::new();
        for id in &ids {
            let job = app.services.sync().job(id).await.unwrap();
            if job.status != JobStatus::Done {
                return None;
            }
            done.push(job);
        }
        Some(done)
    })
    .await;
    for job in &jobs {
        assert_eq!(job.attempts, 1, "claimed once: {job:?}");
    }
    let after = endpoint_calls(&app.sim_stats().await, "GET /v2/users/{userId}/meetings");
    assert_eq!(
        after - before,
        sites.len() as u64,
        "each backfill listed its host's meetings once"
    );
    for slug in sites {
        assert_eq!(app.public_meetings(slug).await.len(), 1);
        // The second instance serves the same data.
        let resp = app
            .http
            .get(format!("{}/api/v1/sites/{slug}/meetings", second.url))
            .send()
            .await
            .unwrap();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["meetings"].as_array().unwrap().len(), 1);
    }
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_acknowledged_before_a_kill_9_are_applied_after_restart_exactly_once() {
    let app = TestApp::spawn_configured(
        |_| {},
        |vars| {
            vars.insert("MARQUEE_WORKERS".into(), "false".into());
        },
    )
    .await;
    let user = app.sim_user("host@example.com").await;
    let host = user["id"].as_str().unwrap().to_owned();
    app.create_tenant("studio").await;
    app.connect_site("studio").await;
    assert!(app.public_meetings("studio").await.is_empty());

    // Marquee as a real process, without workers: it stores and acknowledges, applies nothing.
    let child = ServeProcess::start(&app.http, app.vars.clone()).await;
    let child_url = child.url.clone();
    app.sim_config(json!({"webhook_url": format!("{child_url}/webhooks/zoom")}))
        .await;
    for i in 0..5 {
        app.sim_meeting(&host, meeting_body(&format!("Class {i}"), i + 1, 2))
            .await;
    }
    eventually(10, "five deliveries acknowledged", || async {
        let stats = app.sim_stats().await;
        (stats["webhooks"]["succeeded"] == 5).then_some(())
    })
    .await;
    child.kill();
    let events = stored_events(&app.services).await;
    assert_eq!(events.len(), 5, "stored before each 200");
    assert!(
        events
            .iter()
            .all(|e| e.status == WebhookEventStatus::Pending && e.attempts == 0)
    );
    assert!(app.public_meetings("studio").await.is_empty());

    // Restart (with workers): everything acknowledged gets applied.
    let mut vars = app.vars.clone();
    vars.insert("MARQUEE_WORKERS".into(), "true".into());
    let restarted = Instance::start(vars).await;
    let meetings = eventually(10, "the five meetings visible", || async {
        let m = app.public_meetings("studio").await;
        (m.len() == 5).then_some(m)
    })
    .await;
    assert_eq!(meetings[0]["topic"], "Class 0");
    let events = stored_events(&app.services).await;
    for e in &events {
        assert_eq!((e.status.as_str(), e.attempts), ("applied", 1), "{}", e.id);
    }
    drop(restarted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pace_above_zoom_s_limit_meets_429s_that_are_honoured_and_learnt_from() {
    // Marquee's configured pace (1000/s in tests) is far above this account's 3 Medium/s.
    let app = TestApp::spawn_configured(
        |sim| sim.rate_limits = RateLimits::uniform(50, 3, 3),
        |vars| {
            vars.insert("MARQUEE_RECORDINGS_HORIZON_MONTHS".into(), "9".into());
        },
    )
    .await;
    let user = app.sim_user("host@example.com").await;
    for i in 0..3 {
        app.sim_meeting(
            user["id"].as_str().unwrap(),
            meeting_body(&format!("Class {i}"), i + 1, 2),
        )
        .await;
    }
    app.create_tenant("studio").await;
    app.connect_site("studio").await;
    let tenant = tenant_id(&app, "studio").await;
    wait_for_sync(&app, &tenant, None).await;
    assert_eq!(app.public_meetings("studio").await.len(), 3);
    let stats = app.sim_stats().await;
    let limited = stats["rate_limited"].as_u64().unwrap();
    // users + meetings + webinars + 9 recording windows = 12 Medium calls at 3/s. Meetings and
    // recordings are listed at once, 4 requests each (MARQUEE_SYNC_CONCURRENCY): at most 8 are
    // in flight when the first 429 comes; after it Marquee paces below the limit Zoom stated.
    assert!(limited >= 1, "the limit was met: {stats}");
    assert!(
        limited <= 8,
        "429s do not repeat once the limit is known: {limited}"
    );
}

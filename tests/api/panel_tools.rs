//! The panel's Sync, Embed and Disconnect pages over HTTP, as a browser without JavaScript uses
//! them: Sync now queues one job and a second press only says one is waiting; the Embed page
//! shows the admin API's snippets, the script first, and says when no web address is allowed
//! yet; Disconnect asks first, and a form without the confirmation removes nothing; and one
//! site's session neither sees nor triggers anything of another site through these routes.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, escaped, location, meeting_body};
use crate::panel::{csrf_of, page, submit};

/// How many sync jobs the site has (queued, running or finished).
async fn jobs_of(app: &TestApp, slug: &str) -> usize {
    let tenant = app.tenant_id(slug).await.to_string();
    let rows = app.services.store.dump_table("sync_jobs").await.unwrap();
    rows.iter().filter(|row| row.contains(&tenant)).count()
}

/// A Marquee whose workers are off: a queued job stays queued (the first sync of a connect
/// still runs, in the callback).
async fn without_workers() -> TestApp {
    TestApp::spawn_configured(
        |_| {},
        |vars: &mut HashMap<String, String>| {
            vars.insert("MARQUEE_WORKERS".into(), "false".into());
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_now_queues_one_job_and_a_second_press_says_one_is_waiting() {
    let app = without_workers().await;
    app.public_site("sync-site", vec![meeting_body("Synced class", 2, 0)])
        .await;
    let cookie = app.sign_in("sync-site").await;
    let (status, html) = page(&app, &cookie, "/admin/sync").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jobs_of(&app, "sync-site").await, 1, "the first sync");
    // The first sync's result, its real progress and its counts.
    assert!(html.contains("Finished</span>"), "{html}");
    let progress = crate::helpers::extract_between(&html, "<span id=\"job-progress\">", " steps")
        .expect("the job's progress");
    let (done, total) = progress.split_once(" of ").expect("done of total");
    assert_eq!(done, total, "{progress}");
    assert!(total.parse::<i64>().unwrap() > 0, "{progress}");
    assert!(html.contains("<dt>Meetings</dt><dd>1</dd>"), "{html}");
    let csrf = csrf_of(&html);

    // Without the CSRF token: refused, nothing queued.
    let refused = submit(&app, &cookie, "/admin/sync", &[("csrf_token", "")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(jobs_of(&app, "sync-site").await, 1);

    let first = submit(&app, &cookie, "/admin/sync", &[("csrf_token", &csrf)]).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&first), "/admin/sync?queued=new");
    let second = submit(&app, &cookie, "/admin/sync", &[("csrf_token", &csrf)]).await;
    assert_eq!(location(&second), "/admin/sync?queued=already");
    assert_eq!(jobs_of(&app, "sync-site").await, 2, "one new job, not two");

    let (_, html) = page(&app, &cookie, "/admin/sync?queued=already").await;
    assert!(
        html.contains("A sync is already waiting or running, so no second one was started."),
        "{html}"
    );
    assert!(html.contains("Waiting to start"), "{html}");
    assert!(html.contains(r#"data-running="true""#), "{html}");
    let (_, html) = page(&app, &cookie, "/admin/sync?queued=new").await;
    assert!(html.contains("Sync started."), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embed_page_shows_the_api_snippets_script_first_and_asks_for_the_web_address() {
    let app = TestApp::spawn().await;
    let (_, key) = app
        .public_site("embed-site", vec![meeting_body("Embedded class", 2, 0)])
        .await;
    let cookie = app.sign_in("embed-site").await;
    let (status, html) = page(&app, &cookie, "/admin/embed").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("The snippets won&#x27;t show on your site until you add its web address"),
        "{html}"
    );
    assert!(
        html.contains(r#"href="/admin/site#allowed_origins""#),
        "{html}"
    );

    // The same snippets as the admin API, each widget's script before its frame.
    let (_, api) = app
        .admin_call(&key, Method::GET, "/api/v1/admin/snippets", None)
        .await;
    let snippets = api["snippets"].as_array().unwrap();
    assert_eq!(snippets.len(), 4, "{api}");
    for snippet in snippets {
        let script = html
            .find(&escaped(snippet["script"].as_str().unwrap()))
            .unwrap_or_else(|| panic!("{snippet} in {html}"));
        let iframe = html
            .find(&escaped(snippet["iframe"].as_str().unwrap()))
            .unwrap_or_else(|| panic!("{snippet} in {html}"));
        assert!(script < iframe, "the script comes first: {snippet}");
    }
    // The options the widgets really take (the admin API's list), and a preview of the
    // site's widget.
    let options = api["options"].as_array().unwrap();
    assert_eq!(options.len(), 11, "{api}");
    for option in options {
        let attribute = option["attribute"].as_str().unwrap();
        assert!(html.contains(&escaped(attribute)), "{attribute} in {html}");
    }
    for option in ["data-per-page", "data-host", "data-months", "data-layout"] {
        assert!(html.contains(option), "{option}");
    }
    assert!(!html.contains("data-limit") && !html.contains("data-sort"));
    assert!(html.contains(r#"id="embed-preview" src="&#x2f;embed&#x2f;embed-site&#x2f;meetings""#));

    app.site_settings(&key, json!({"allowed_origins": ["https://embed.example"]}))
        .await;
    let (_, html) = page(&app, &cookie, "/admin/embed").await;
    assert!(!html.contains("won&#x27;t show"), "{html}");
    assert!(
        html.contains("<code>https:&#x2f;&#x2f;embed.example</code>"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_asks_first_and_a_form_without_the_confirmation_removes_nothing() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site(
            "leaving",
            vec![
                meeting_body("Kept class", 2, 0),
                meeting_body("Hidden class", 3, 0),
            ],
        )
        .await;
    let hidden = created[1]["id"].as_i64().unwrap().to_string();
    let (status, body) = app
        .admin_call(
            &key,
            Method::PUT,
            &format!("/api/v1/admin/meetings/{hidden}/visibility"),
            Some(json!({"hidden": true})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let cookie = app.sign_in("leaving").await;
    let (_, overview) = page(&app, &cookie, "/admin").await;
    assert!(
        overview.contains(r#"<a class="button danger" href="/admin/zoom/disconnect">"#),
        "{overview}"
    );
    let (status, html) = page(&app, &cookie, "/admin/zoom/disconnect").await;
    assert_eq!(status, StatusCode::OK);
    for said in [
        "Disconnect Zoom?",
        "Marquee&#x27;s copies of your Zoom meetings and webinars",
        "Marquee&#x27;s copies of your cloud recordings",
        "Marquee&#x27;s access to your Zoom account",
        "The meetings and recordings you hid",
        "Nothing is deleted in your Zoom account.",
        r#"name="confirm" value="yes""#,
        r#"<a class="button secondary" href="/admin">Cancel</a>"#,
    ] {
        assert!(html.contains(said), "{said}: {html}");
    }
    let csrf = csrf_of(&html);

    // A Disconnect form without the confirmation (an old page): back to the question.
    let stale = submit(
        &app,
        &cookie,
        "/admin/zoom/disconnect",
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(stale.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&stale), "/admin/zoom/disconnect");
    let unconfirmed = [("csrf_token", csrf.as_str()), ("confirm", "no")];
    submit(&app, &cookie, "/admin/zoom/disconnect", &unconfirmed).await;
    assert_eq!(
        app.public_meetings("leaving").await.len(),
        1,
        "still connected"
    );
    assert!(
        page(&app, &cookie, "/admin")
            .await
            .1
            .contains("Connected as")
    );

    // Confirmed: Zoom's data goes, the owner's choice stays.
    let confirmed = [("csrf_token", csrf.as_str()), ("confirm", "yes")];
    let resp = submit(&app, &cookie, "/admin/zoom/disconnect", &confirmed).await;
    assert_eq!(location(&resp), "/admin");
    assert!(app.public_meetings("leaving").await.is_empty());
    assert!(
        page(&app, &cookie, "/admin")
            .await
            .1
            .contains("Not connected")
    );
    assert_eq!(
        app.hidden_items(&key).await,
        vec![("meeting".to_owned(), hidden)]
    );
    let (_, html) = page(&app, &cookie, "/admin/zoom/disconnect").await;
    assert!(
        html.contains("Your site is not connected to Zoom."),
        "{html}"
    );
    assert!(!html.contains(r#"name="confirm""#), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sites_owner_cannot_sync_embed_or_disconnect_another_site() {
    let app = without_workers().await;
    app.public_site("tools-a", vec![meeting_body("A's class", 2, 0)])
        .await;
    app.public_site("tools-b", vec![meeting_body("B's class", 2, 0)])
        .await;
    let cookie_a = app.sign_in("tools-a").await;
    let (_, html) = page(&app, &cookie_a, "/admin/sync").await;
    let csrf_a = csrf_of(&html);
    let b_jobs = jobs_of(&app, "tools-b").await;

    let resp = submit(&app, &cookie_a, "/admin/sync", &[("csrf_token", &csrf_a)]).await;
    assert_eq!(location(&resp), "/admin/sync?queued=new");
    assert_eq!(jobs_of(&app, "tools-a").await, 2);
    assert_eq!(
        jobs_of(&app, "tools-b").await,
        b_jobs,
        "B's queue untouched"
    );

    let (_, embed) = page(&app, &cookie_a, "/admin/embed").await;
    assert!(
        embed.contains("tools-a") && !embed.contains("tools-b"),
        "{embed}"
    );

    let confirmed = [("csrf_token", csrf_a.as_str()), ("confirm", "yes")];
    submit(&app, &cookie_a, "/admin/zoom/disconnect", &confirmed).await;
    assert!(app.public_meetings("tools-a").await.is_empty());
    assert_eq!(
        app.public_meetings("tools-b").await.len(),
        1,
        "B still connected"
    );
    let cookie_b = app.sign_in("tools-b").await;
    let (_, b_sync) = page(&app, &cookie_b, "/admin/sync").await;
    assert!(b_sync.contains("Sync now</button>"), "{b_sync}");
}

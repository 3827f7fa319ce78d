//! The public JSON API and widgets: visibility rules (hidden and unknown are the same 404),
//! paging and filters, recurring occurrences across daylight saving, recordings and passcodes,
//! caching (ETag, 304, invalidation through the content version), CORS, widget headers,
//! languages, themes and "Add to calendar".

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, meeting_body};

async fn json_get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let (status, _, text) = app.get_public(path).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn ids(list: &Value) -> Vec<i64> {
    list["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_are_paged_filtered_and_hidden_ones_are_not_found() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site(
            "paged",
            vec![
                meeting_body("First", 1, 0),
                meeting_body("Second", 2, 2),
                meeting_body("Third", 3, 1),
            ],
        )
        .await;
    let id = |i: usize| created[i]["id"].as_i64().unwrap();

    let (status, all) = json_get(&app, "/api/v1/sites/paged/meetings").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(ids(&all), vec![id(0), id(1), id(2)], "soonest first");
    assert_eq!(all["meetings"][0]["registration_open"], true);
    assert_eq!(all["meetings"][1]["registration_open"], false);
    assert!(all["meetings"][0].get("start_url").is_none());
    assert!(all["meetings"][0].get("join_url").is_none());

    let (_, first) = json_get(&app, "/api/v1/sites/paged/meetings?limit=2").await;
    assert_eq!(ids(&first), vec![id(0), id(1)]);
    let next = first["next_after"].as_str().expect("more follow");
    let (_, second) = json_get(
        &app,
        &format!("/api/v1/sites/paged/meetings?limit=2&after={next}"),
    )
    .await;
    assert_eq!(ids(&second), vec![id(2)]);
    assert!(second.get("next_after").is_none(), "the last page");

    let from = (chrono::Utc::now() + chrono::TimeDelta::days(2) - chrono::TimeDelta::hours(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let (_, later) = json_get(&app, &format!("/api/v1/sites/paged/meetings?from={from}")).await;
    assert_eq!(ids(&later), vec![id(1), id(2)]);
    let host = all["meetings"][0]["host_id"].as_str().unwrap().to_owned();
    let (_, by_host) = json_get(&app, &format!("/api/v1/sites/paged/meetings?host={host}")).await;
    assert_eq!(ids(&by_host).len(), 3);
    let (_, nobody) = json_get(&app, "/api/v1/sites/paged/meetings?host=nobody").await;
    assert_eq!(ids(&nobody).len(), 0);

    // Hide the second meeting: gone from the list, and its page is the unknown meeting's 404.
    let (status, body) = app
        .admin_call(
            &key,
            reqwest::Method::PUT,
            &format!("/api/v1/admin/meetings/{}/visibility", id(1)),
            Some(json!({"hidden": true})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, after) = json_get(&app, "/api/v1/sites/paged/meetings").await;
    assert_eq!(
        ids(&after),
        vec![id(0), id(2)],
        "the owner's change shows at once"
    );
    let (hidden_status, mut hidden) =
        json_get(&app, &format!("/api/v1/sites/paged/meetings/{}", id(1))).await;
    let (unknown_status, mut unknown) = json_get(&app, "/api/v1/sites/paged/meetings/12345").await;
    forget_request_id(&mut hidden);
    forget_request_id(&mut unknown);
    assert_eq!(hidden_status, StatusCode::NOT_FOUND);
    assert_eq!(
        (hidden_status, &hidden),
        (unknown_status, &unknown),
        "same answer"
    );
    for path in [
        format!("/embed/paged/meetings/{}", id(1)),
        format!("/embed/paged/meetings/{}/calendar.ics", id(1)),
    ] {
        let (status, _, _) = app.get_public(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }

    // Turning the meetings feature off answers like an unknown site.
    app.site_settings(&key, json!({"meetings_public": false}))
        .await;
    let (off_status, mut off) = json_get(&app, "/api/v1/sites/paged/meetings").await;
    let (none_status, mut none) = json_get(&app, "/api/v1/sites/no-such-site/meetings").await;
    forget_request_id(&mut off);
    forget_request_id(&mut none);
    assert_eq!(off_status, StatusCode::NOT_FOUND);
    assert_eq!((off_status, &off), (none_status, &none));
    let (status, _, _) = app.get_public("/embed/paged/meetings").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_etags_answer_304_and_change_with_the_content_version() {
    let app = TestApp::spawn().await;
    let (created, _) = app
        .public_site(
            "cached",
            vec![meeting_body("Before", 2, 0), meeting_body("Later on", 3, 0)],
        )
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let path = "/api/v1/sites/cached/meetings";

    let (status, headers, body) = app.get_public(path).await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let cache_control = headers["cache-control"].to_str().unwrap();
    assert!(cache_control.contains("max-age=") && cache_control.contains("stale-while-revalidate"));
    assert!(body.contains("Before"));
    let resp = app
        .http
        .get(app.at(path))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(resp.headers()["etag"].to_str().unwrap(), etag);

    // Zoom data changes under the cache (as a webhook handler would write it). Without a new
    // content version the cached answer stays; with one, every instance rebuilds.
    let tenant = app.tenant_id("cached").await;
    app.services
        .store
        .execute_raw(&format!(
            "UPDATE meetings SET topic = 'After' WHERE tenant_id = '{tenant}' AND zoom_meeting_id = {id}"
        ))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (_, headers, body) = app.get_public(path).await;
    assert!(body.contains("Before"), "served from the cache: {body}");
    assert_eq!(headers["etag"].to_str().unwrap(), etag);

    app.bump_content_version("cached").await;
    let mut fresh = String::new();
    for _ in 0..30 {
        let (_, headers, body) = app.get_public(path).await;
        if body.contains("After") {
            assert_ne!(headers["etag"].to_str().unwrap(), etag);
            fresh = body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(fresh.contains("After"), "the bump invalidated the cache");
    let (_, widget_headers, widget) = app.get_public("/embed/cached/meetings").await;
    assert!(widget.contains("After"));
    let (_, again_headers, again) = app.get_public("/embed/cached/meetings").await;
    assert_eq!(again, widget, "a cached widget is constant bytes");
    assert_eq!(again_headers["etag"], widget_headers["etag"]);
    assert_eq!(
        again_headers["content-security-policy"],
        widget_headers["content-security-policy"]
    );
    // Revalidation costs nothing; the policy comes with the 304 too.
    let url = app.at("/embed/cached/meetings");
    let tag = widget_headers["etag"].clone();
    let unchanged = app
        .http
        .get(&url)
        .header("if-none-match", tag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert!(unchanged.headers().contains_key("content-security-policy"));
    // The gzip variant is the same page, with its own tag (which revalidates as well).
    for url in [url.clone(), app.at("/api/v1/sites/cached/meetings")] {
        let plain = app.http.get(&url).send().await.unwrap();
        let plain_tag = plain.headers()["etag"].clone();
        let plain = plain.bytes().await.unwrap();
        let zipped = app
            .http
            .get(&url)
            .header("accept-encoding", "gzip, deflate")
            .send()
            .await
            .unwrap();
        let coding = zipped.headers().get("content-encoding");
        assert_eq!(coding.map(|v| v.to_str().unwrap()), Some("gzip"), "{url}");
        assert!(
            zipped.headers()["vary"]
                .to_str()
                .unwrap()
                .contains("Accept-Encoding")
                || zipped
                    .headers()
                    .get_all("vary")
                    .iter()
                    .any(|v| v == "Accept-Encoding"),
            "{url}"
        );
        let zipped_tag = zipped.headers()["etag"].clone();
        assert_ne!(zipped_tag, plain_tag, "{url}: one tag per coding");
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&zipped.bytes().await.unwrap()[..]),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, plain, "{url}");
        let revalidated = app
            .http
            .get(&url)
            .header("accept-encoding", "gzip")
            .header("if-none-match", zipped_tag)
            .send()
            .await
            .unwrap();
        assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED, "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recurring_occurrences_are_listed_in_local_time_across_daylight_saving() {
    let app = TestApp::spawn().await;
    let mut body = meeting_body("Weekly yoga", 2, 0);
    body["timezone"] = json!("Europe/Berlin");
    let (created, _) = app.public_site("dst", vec![body]).await;
    let id = created[0]["id"].as_i64().unwrap();
    // Berlin moves from CET (UTC+1) to CEST (UTC+2) on 2030-03-31: 18:00 local each time.
    app.seed_occurrences("dst", id, &["2030-03-24 17:00:00", "2030-03-31 16:00:00"])
        .await;

    let (_, list) = json_get(&app, "/api/v1/sites/dst/meetings").await;
    let items = list["meetings"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    let start = |i: usize| {
        chrono::DateTime::parse_from_rfc3339(items[i]["start_time"].as_str().unwrap())
            .unwrap()
            .to_utc()
            .to_string()
    };
    assert_eq!(start(0), "2030-03-24 17:00:00 UTC");
    assert_eq!(start(1), "2030-03-31 16:00:00 UTC");
    assert_eq!(items[0]["occurrence_id"], "1700000000000");

    let (_, _, html) = app.get_public("/embed/dst/meetings").await;
    assert!(
        html.contains("Sunday, 24 March 2030, 18:00–19:00 CET"),
        "{html}"
    );
    assert!(
        html.contains("Sunday, 31 March 2030, 18:00–19:00 CEST"),
        "{html}"
    );

    let (_, detail) = json_get(&app, &format!("/api/v1/sites/dst/meetings/{id}")).await;
    assert_eq!(detail["occurrences"].as_array().unwrap().len(), 2);
    let (status, headers, ics) = app
        .get_public(&format!(
            "/embed/dst/meetings/{id}/calendar.ics?occurrence=1700000000001"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    // In the meeting's zone (18:00 CEST, 16:00 UTC), with the zone's VTIMEZONE.
    assert!(
        ics.contains("DTSTART;TZID=Europe/Berlin:20300331T180000\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"),
        "{ics}"
    );
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
    assert!(ics.contains("SUMMARY:Weekly yoga"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_are_newest_first_with_passcodes_only_when_allowed() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("recs", vec![]).await;
    app.seed_recording(
        "recs",
        "uuid-old",
        "Old talk",
        "2026-01-05 10:00:00",
        "pw-old",
    )
    .await;
    app.seed_recording(
        "recs",
        "uuid-new",
        "<b>New</b> talk",
        "2026-02-05 10:00:00",
        "pw-new",
    )
    .await;

    let (status, list) = json_get(&app, "/api/v1/sites/recs/recordings").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let recs = list["recordings"].as_array().unwrap();
    assert_eq!(recs[0]["id"], "uuid-new");
    assert_eq!(recs[1]["id"], "uuid-old");
    assert!(recs[0].get("passcode").is_none(), "hidden by default");
    assert!(
        recs[0]["share_url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    app.site_settings(&key, json!({"show_recording_passcode": true}))
        .await;
    let (_, list) = json_get(&app, "/api/v1/sites/recs/recordings").await;
    assert_eq!(list["recordings"][0]["passcode"], "pw-new");
    let (_, _, html) = app.get_public("/embed/recs/recordings?lang=de").await;
    assert!(html.contains("Aufzeichnungen") && html.contains("pw-new"));
    assert!(html.contains("&lt;b&gt;New&lt;&#x2f;b&gt; talk"), "{html}");

    let (status, _) = app
        .admin_call(
            &key,
            reqwest::Method::PUT,
            "/api/v1/admin/recordings/uuid-new/visibility",
            Some(json!({"hidden": true})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = json_get(&app, "/api/v1/sites/recs/recordings").await;
    assert_eq!(list["recordings"].as_array().unwrap().len(), 1);
    let (status, _) = app
        .admin_call(
            &key,
            reqwest::Method::PUT,
            "/api/v1/admin/recordings/uuid-nope/visibility",
            Some(json!({"hidden": true})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.site_settings(&key, json!({"recordings_public": false}))
        .await;
    let (status, _) = json_get(&app, "/api/v1/sites/recs/recordings").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_and_frame_ancestors_follow_the_allowed_origins() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site("origins", vec![meeting_body("Framed", 2, 0)])
        .await;
    let id = created[0]["id"].as_i64().unwrap();
    let (status, bad) = app
        .admin_call(
            &key,
            reqwest::Method::PATCH,
            "/api/v1/admin/site-settings",
            Some(json!({"allowed_origins": ["https://a.example/path"]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let settings = app
        .site_settings(
            &key,
            json!({"allowed_origins": ["https://a.example", "http://127.0.0.1:9"]}),
        )
        .await;
    assert_eq!(
        settings["allowed_origins"],
        json!(["http://127.0.0.1:9", "https://a.example"])
    );

    let get = |origin: &'static str| {
        app.http
            .get(app.at("/api/v1/sites/origins/meetings"))
            .header("origin", origin)
            .send()
    };
    let allowed = get("https://a.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://a.example"
    );
    assert!(
        allowed.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Origin")
    );
    let other = get("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let preflight = app
        .http
        .request(
            reqwest::Method::OPTIONS,
            app.at(&format!(
                "/api/v1/sites/origins/meetings/{id}/registrations"
            )),
        )
        .header("origin", "https://a.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("idempotency-key")
    );

    let (_, headers, html) = app.get_public("/embed/origins/meetings").await;
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'self' http://127.0.0.1:9 https://a.example"),
        "{csp}"
    );
    // The page's one inline script is allowed by its hash, and nothing else is.
    let script = crate::helpers::extract_between(&html, "<script>", "</script>").unwrap();
    let digest = <sha2::Sha256 as sha2::Digest>::digest(script.as_bytes());
    let hash = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, digest);
    assert!(
        csp.contains(&format!("script-src 'sha256-{hash}';")),
        "{csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("nonce-"),
        "{csp}"
    );
    let (_, again, _) = app.get_public("/embed/origins/meetings").await;
    assert_eq!(
        again["content-security-policy"], headers["content-security-policy"],
        "the policy is the page's, computed once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widgets_speak_german_take_a_theme_and_escape_hostile_topics() {
    let app = TestApp::spawn().await;
    let mut hostile = meeting_body("<script>alert('x')</script> {{ 7*7 }} Ünïcødé", 2, 0);
    hostile["agenda"] = json!("<img src=x onerror=alert(1)>\nline two");
    let (created, key) = app.public_site("themed", vec![hostile]).await;
    let id = created[0]["id"].as_i64().unwrap();

    let (status, headers, html) = app
        .get_public(&format!(
            "/embed/themed/meetings/{id}?lang=de&theme=dark&accent=%23ff6600&font=serif"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    for name in [
        "strict-transport-security",
        "x-content-type-options",
        "referrer-policy",
        "content-security-policy",
    ] {
        assert!(headers.contains_key(name), "missing {name}");
    }
    assert!(
        html.contains("<html lang=\"de\" data-theme=\"dark\""),
        "{html}"
    );
    assert!(html.contains("Für dieses Meeting anmelden"));
    assert!(html.contains("--mq-accent: #ff6600; --mq-accent-text: #000000"));
    assert!(html.contains("Georgia"));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("&lt;script&gt;alert("));
    assert!(
        html.contains("{{ 7*7 }}"),
        "template syntax in data stays text"
    );
    assert!(
        html.contains("<label for=\"mq-email\">"),
        "labelled form fields"
    );
    assert!(html.contains("name=\"website\""), "honeypot present");

    // Invalid theme values fall back instead of reaching the CSS.
    let (_, _, html) = app
        .get_public("/embed/themed/meetings?accent=red;}body{display:none&theme=x")
        .await;
    assert!(!html.contains("display:none"));
    assert!(html.contains("data-theme=\"light\""));

    // The site's own defaults apply without parameters.
    app.site_settings(&key, json!({"language": "de", "theme": "auto"}))
        .await;
    let (_, _, html) = app.get_public("/embed/themed/meetings").await;
    assert!(html.contains("Kommende Meetings"), "{html}");
    assert!(html.contains("prefers-color-scheme: dark"));

    let (status, snippets) = app
        .admin_call(&key, reqwest::Method::GET, "/api/v1/admin/snippets", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let script = snippets["snippets"][0]["script"].as_str().unwrap();
    assert!(script.contains("data-site=\"themed\"") && script.contains("/embed.js"));
    assert!(script.contains("<a href=") && script.contains("data-marquee-fallback"));
    assert!(
        snippets["snippets"][0]["iframe"]
            .as_str()
            .unwrap()
            .starts_with("<iframe src=")
    );
    let (status, headers, js) = app.get_public("/embed.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert!(js.contains("marquee:resize"));
}

/// Drops an error body's request id: each answer has its own, and "the same answer" means
/// everything else.
fn forget_request_id(body: &mut Value) {
    if let Some(error) = body["error"].as_object_mut() {
        error.remove("request_id");
    }
}

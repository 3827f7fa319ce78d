//! The site's web addresses: the platform gives them (`origins`, the default allowed origins
//! for embedding and CORS), the owner adds more, and admin links lead only there — back to the
//! site (`return_url`) or to a fresh link (`refresh_url`) — never to anyone else's page.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, escaped, extract_between, location, session_cookie};
use crate::panel::page;

const PANEL: &str = "https://panel.example";
const SITE: &str = "club";
const TENANTS: &str = "/api/v1/platform/tenants";

/// Marquee with the platform's own control panel at [`PANEL`].
async fn platform_app() -> TestApp {
    TestApp::spawn_configured(
        |_| {},
        |vars| {
            vars.insert(
                "MARQUEE_PLATFORM_ORIGINS".into(),
                format!("{PANEL}, https://other-panel.example"),
            );
        },
    )
    .await
}

async fn create_site(app: &TestApp, origins: Value) -> (StatusCode, Value) {
    let body = json!({"slug": SITE, "display_name": "Chess club", "origins": origins});
    app.platform(Method::POST, TENANTS, Some(body)).await
}

async fn update_site(app: &TestApp, change: Value) -> (StatusCode, Value) {
    app.platform(Method::PATCH, &format!("{TENANTS}/{SITE}"), Some(change))
        .await
}

/// The `Access-Control-Allow-Origin` a public read answers a page on `origin` with.
async fn cors_for(app: &TestApp, origin: &str) -> Option<String> {
    let resp = app
        .http
        .get(app.at(&format!("/api/v1/sites/{SITE}/meetings")))
        .header("origin", origin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let allowed = resp.headers().get("access-control-allow-origin");
    allowed.map(|v| v.to_str().unwrap().to_owned())
}

/// The widget's `frame-ancestors`.
async fn frame_ancestors(app: &TestApp) -> String {
    let (status, headers, _) = app.get_public(&format!("/embed/{SITE}/meetings")).await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers["content-security-policy"].to_str().unwrap();
    csp.split(';')
        .map(str::trim)
        .find(|d| d.starts_with("frame-ancestors"))
        .unwrap()
        .to_owned()
}

fn assert_invalid(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_request", "{body}");
    assert_eq!(body["error"]["field"], field, "{body}");
    assert!(body["error"]["request_id"].is_string(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_origins_are_allowed_by_default_and_the_owner_adds_more() {
    let app = TestApp::spawn().await;
    let too_many: Vec<String> = (0..11).map(|i| format!("https://s{i}.example")).collect();
    for bad in [
        json!(["https://club.example/members"]),
        json!(["javascript:alert(1)"]),
        json!(["club.example"]),
        json!(too_many),
    ] {
        let (status, body) = create_site(&app, bad).await;
        assert_invalid(status, &body, "origins");
    }
    let (_, list) = app.platform(Method::GET, TENANTS, None).await;
    assert_eq!(list["tenants"], json!([]), "a refused site is not created");

    let (status, site) = create_site(
        &app,
        json!(["https://Club.example:443", "http://127.0.0.1:9"]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{site}");
    assert_eq!(
        site["origins"],
        json!(["http://127.0.0.1:9", "https://club.example"])
    );
    assert_eq!(
        cors_for(&app, "https://club.example").await.as_deref(),
        Some("https://club.example")
    );
    assert_eq!(cors_for(&app, "https://blog.example").await, None);
    assert!(frame_ancestors(&app).await.contains("https://club.example"));

    // The owner adds an origin; the platform's stay allowed whatever the owner's list says.
    let key = app
        .api_key(SITE, &["settings:read", "settings:write"])
        .await;
    let settings = app
        .site_settings(&key, json!({"allowed_origins": ["https://blog.example"]}))
        .await;
    assert_eq!(
        settings["allowed_origins"],
        json!(["https://blog.example"]),
        "the owner's own list"
    );
    assert!(cors_for(&app, "https://blog.example").await.is_some());
    assert!(cors_for(&app, "https://club.example").await.is_some());
    app.site_settings(&key, json!({"allowed_origins": []}))
        .await;
    assert!(
        cors_for(&app, "https://club.example").await.is_some(),
        "the owner cannot remove it"
    );
    assert_eq!(cors_for(&app, "https://blog.example").await, None);

    // The platform moves the site: the change shows at once.
    let (status, moved) = update_site(&app, json!({"origins": ["https://chess.example"]})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["display_name"], "Chess club");
    assert_eq!(cors_for(&app, "https://club.example").await, None);
    assert!(cors_for(&app, "https://chess.example").await.is_some());
    assert_eq!(
        frame_ancestors(&app).await,
        "frame-ancestors 'self' https://chess.example"
    );
    let (status, renamed) = update_site(&app, json!({"display_name": "Chess & Go club"})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(
        renamed["origins"],
        json!(["https://chess.example"]),
        "left out: kept"
    );
    let (_, fetched) = app
        .platform(Method::GET, &format!("{TENANTS}/{SITE}"), None)
        .await;
    assert_eq!(fetched, renamed);

    let (status, body) = update_site(&app, json!({"display_name": " "})).await;
    assert_invalid(status, &body, "display_name");
    let (status, body) = update_site(&app, json!({"origins": ["https://chess.example/x"]})).await;
    assert_invalid(status, &body, "origins");
    let (_, unchanged) = app
        .platform(Method::GET, &format!("{TENANTS}/{SITE}"), None)
        .await;
    assert_eq!(unchanged, renamed, "a refused change changes nothing");
    let (status, body) = app
        .platform(
            Method::PATCH,
            &format!("{TENANTS}/nowhere"),
            Some(json!({"origins": []})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let resp = app
        .http
        .patch(app.at(&format!("{TENANTS}/{SITE}")))
        .json(&json!({"origins": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "platform key required"
    );
}

async fn mint(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.platform(
        Method::POST,
        &format!("{TENANTS}/{SITE}/admin-links"),
        Some(body),
    )
    .await
}

async fn minted_url(app: &TestApp, body: Value) -> String {
    let (status, link) = mint(app, body).await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    link["url"].as_str().unwrap().to_owned()
}

/// The "Back to my site" link of the admin page, if it shows one.
async fn back_link(app: &TestApp, cookie: &str) -> Option<String> {
    let (html, _) = app.admin_page(cookie).await;
    let anchor = extract_between(&html, "<a href=\"", "\">Back to my site</a>")?;
    Some(anchor.replace("&#x2f;", "/").replace("&amp;", "&"))
}

/// Makes every unused admin link an hour past its expiry.
async fn expire_unused_links(app: &TestApp) {
    let an_hour_ago =
        (chrono::Utc::now() - chrono::TimeDelta::hours(1)).format("%Y-%m-%d %H:%M:%S");
    let sql = format!("UPDATE admin_links SET expires_at = '{an_hour_ago}' WHERE used_at IS NULL");
    app.services.store.execute_raw(&sql).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_links_lead_back_to_the_site_and_recover_when_expired_or_used() {
    let app = platform_app().await;
    let (status, site) = create_site(&app, json!(["https://club.example"])).await;
    assert_eq!(status, StatusCode::CREATED, "{site}");
    let back = "https://club.example/members?tab=zoom&from=panel";
    let refresh = format!("{PANEL}/sites/club/marquee");

    let link = minted_url(&app, json!({"return_url": back, "refresh_url": refresh})).await;
    let login = app.http.get(&link).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&login), "/admin");
    let cookie = session_cookie(&login).unwrap();
    assert_eq!(back_link(&app, &cookie).await.as_deref(), Some(back));

    // Used once: the link sends the owner to the platform for a fresh one.
    let again = app.http.get(&link).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), refresh);
    assert!(session_cookie(&again).is_none());
    // Expired: the same.
    let unused = minted_url(&app, json!({"refresh_url": refresh})).await;
    expire_unused_links(&app).await;
    let late = app.http.get(&unused).send().await.unwrap();
    assert_eq!(late.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&late), refresh);
    // Without a refresh_url: today's page. Unknown tokens never redirect.
    let plain = app.admin_link(SITE).await;
    expire_unused_links(&app).await;
    let late = app.http.get(&plain).send().await.unwrap();
    assert_eq!(late.status(), StatusCode::BAD_REQUEST);
    assert!(late.text().await.unwrap().contains("This link has expired"));
    let unknown = app
        .http
        .get(app.at("/admin/login?token=nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    // A session opened without a return_url shows no "Back to my site".
    let cookie_without = app.sign_in(SITE).await;
    assert_eq!(back_link(&app, &cookie_without).await, None);

    // An origin the owner added counts too, and an empty body is no body.
    let key = app.api_key(SITE, &["settings:write"]).await;
    app.site_settings(&key, json!({"allowed_origins": ["https://blog.example"]}))
        .await;
    minted_url(&app, json!({"return_url": "https://blog.example/"})).await;
    minted_url(&app, json!({})).await;

    // Stored pages are checked again before use: once the site moves, they lead nowhere.
    let link = minted_url(&app, json!({"refresh_url": "https://club.example/renew"})).await;
    let (status, moved) = update_site(&app, json!({"origins": ["https://chess.example"]})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        back_link(&app, &cookie).await,
        None,
        "club.example is no longer the site's"
    );
    app.http.get(&link).send().await.unwrap();
    let reused = app.http.get(&link).send().await.unwrap();
    assert_eq!(
        reused.status(),
        StatusCode::BAD_REQUEST,
        "no redirect to a foreign origin"
    );
    assert!(reused.text().await.unwrap().contains("already used"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_link_destinations_off_the_site_are_refused() {
    let app = platform_app().await;
    let (status, site) = create_site(&app, json!(["https://club.example"])).await;
    assert_eq!(status, StatusCode::CREATED, "{site}");
    let attempts = [
        "https://evil.example/",
        "javascript:alert(document.cookie)",
        "JavaScript://club.example/%0aalert(1)",
        "//evil.example/club",
        "/admin",
        "https://club.example@evil.example/",
        "https://club.example:pw@evil.example/",
        "https://user@club.example/",
        "http://club.example/",
        "https://club.example.evil.example/",
        "https://club.example:8443/",
        "data:text/html,<script>alert(1)</script>",
        "",
    ];
    for field in ["return_url", "refresh_url"] {
        for attempt in attempts {
            let (status, body) = mint(&app, json!({ field: attempt })).await;
            assert_invalid(status, &body, field);
        }
    }
    let (status, body) = mint(&app, json!({"return_url": 5})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let links = app.services.store.dump_table("admin_links").await.unwrap();
    assert!(links.is_empty(), "nothing was minted: {links:?}");

    // Pages on the site, or on the platform's panel, are fine.
    for good in [
        "https://club.example/",
        "https://other-panel.example/sites?x=1",
    ] {
        minted_url(&app, json!({"return_url": good, "refresh_url": good})).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panels_origins_field_is_the_owners_and_the_platforms_are_shown_read_only() {
    let app = TestApp::spawn().await;
    let (status, site) = create_site(&app, json!(["https://club.example"])).await;
    assert_eq!(status, StatusCode::CREATED, "{site}");
    let key = app.api_key(SITE, &["settings:write"]).await;
    app.site_settings(&key, json!({"allowed_origins": ["https://blog.example"]}))
        .await;
    let cookie = app.sign_in(SITE).await;

    let (status, html) = page(&app, &cookie, "/admin/site").await;
    assert_eq!(status, StatusCode::OK);
    let platform = extract_between(&html, r#"<ul class="plain" id="platform_origins""#, "</ul>")
        .expect("the platform's origins are listed");
    assert!(
        platform.contains(&escaped("https://club.example")),
        "{platform}"
    );
    assert!(!platform.contains("blog.example"), "{platform}");
    let owners = extract_between(&html, r#"name="allowed_origins""#, "</textarea>").unwrap();
    assert!(
        owners.ends_with(&format!(">{}", escaped("https://blog.example"))),
        "{owners}"
    );

    // A site the platform gave no origins shows only the owner's field.
    app.create_tenant("plain").await;
    let (_, html) = page(&app, &app.sign_in("plain").await, "/admin/site").await;
    assert!(html.contains(r#"name="allowed_origins""#) && !html.contains("platform_origins"));
}

//! The Zoom App's direct landing URL (`GET /zoomapp/install`): our own state and PKCE, Zoom's
//! consent at the simulator, the callback's exchange, then one deeplink call and a 303 to the
//! deep link. A signed-in owner's install attaches to their site; anyone else's is parked for
//! the claim flow.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, captured_logs, location};

const DEEPLINK_CALL: &str = "POST /v2/zoomapp/deeplink";

/// Opens `/zoomapp/install` with the browser's `cookie` (if any): Zoom's authorize URL and the
/// install cookie set for a browser without a session.
async fn open_landing(app: &TestApp, cookie: Option<&str>) -> (String, Option<String>) {
    let mut req = app.http.get(app.at("/zoomapp/install"));
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let install_cookie = set_cookie(&resp, "marquee_install");
    (location(&resp), install_cookie)
}

fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")) && !v.starts_with(&format!("{name}=;")))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

/// The `act` of the user's next app context: the action of the last deeplink Zoom made.
async fn next_context_act(app: &TestApp, user_id: &str) -> Value {
    let ctx = app
        .sim_post("/_sim/zoomapp/context", json!({"user_id": user_id}))
        .await;
    ctx["context"]["act"].clone()
}

async fn rows(app: &TestApp, table: &str) -> usize {
    app.services.store.dump_table(table).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_install_opens_the_app_through_one_deeplink_and_is_parked_for_a_claim() {
    let app = TestApp::spawn().await;
    let user = app
        .sim_user_with_meeting("installer@example.com", "Installed class")
        .await;
    app.create_tenant("installer").await;

    let (authorize, install_cookie) = open_landing(&app, None).await;
    let url = url::Url::parse(&authorize).unwrap();
    assert!(
        authorize.starts_with(&format!("{}/oauth/authorize?", app.sim.url())),
        "{authorize}"
    );
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(!q["state"].is_empty() && !q["code_challenge"].is_empty());
    let install_cookie = install_cookie.expect("install cookie binds the state to this browser");

    let callback = app.consent(&authorize).await;
    let resp = app.callback(&callback, Some(&install_cookie)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let deeplink = location(&resp);
    assert!(
        deeplink.starts_with(&format!("{}/launch/chatapp/", app.sim.url())),
        "{deeplink}"
    );
    let claim = set_cookie(&resp, "marquee_claim").expect("claim cookie");
    assert_eq!(app.sim_calls(DEEPLINK_CALL).await, 1);
    let user_id = user["id"].as_str().unwrap();
    assert_eq!(next_context_act(&app, user_id).await, r#"{"to":"home"}"#);

    // Parked: a grant, attached to no site.
    assert_eq!(rows(&app, "zoom_grants").await, 1);
    assert_eq!(rows(&app, "zoom_connections").await, 0);

    // The state cannot be replayed: refused, and no second deeplink.
    let resp = app.callback(&callback, Some(&install_cookie)).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.text().await.unwrap().contains("already used"));
    assert_eq!(app.sim_calls(DEEPLINK_CALL).await, 1);

    // The owner signs in in this browser and claims it.
    let session = app.sign_in("installer").await;
    let browser = format!("{session}; {claim}");
    let (html, csrf) = app.admin_page(&browser).await;
    assert!(
        html.contains("Zoom install waiting") && html.contains("installer@example.com"),
        "{html}"
    );
    let resp = app
        .http
        .post(app.at("/admin/zoom/claim"))
        .header("cookie", &browser)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(app.admin_page(&session).await.0.contains("Connected as"));
    assert_eq!(
        app.public_meetings("installer").await[0]["topic"],
        "Installed class"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_owner_s_install_attaches_to_their_site_and_opens_the_app() {
    let app = TestApp::spawn().await;
    let user = app
        .sim_user_with_meeting("owner@example.com", "Owner's class")
        .await;
    app.create_tenant("owned").await;
    app.create_tenant("bystander").await;
    let session = app.sign_in("owned").await;

    let (authorize, install_cookie) = open_landing(&app, Some(&session)).await;
    assert!(install_cookie.is_none(), "the session binds the state");
    let callback = app.consent(&authorize).await;

    // Another browser (no cookie, or another owner's session) cannot finish it.
    let resp = app.callback(&callback, None).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let other = app.sign_in("bystander").await;
    let resp = app.callback(&callback, Some(&other)).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.sim_calls(DEEPLINK_CALL).await, 0);

    let resp = app.callback(&callback, Some(&session)).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with(&format!("{}/launch/chatapp/", app.sim.url())));
    assert!(
        set_cookie(&resp, "marquee_claim").is_none(),
        "nothing parked"
    );
    assert_eq!(app.sim_calls(DEEPLINK_CALL).await, 1);
    assert_eq!(
        next_context_act(&app, user["id"].as_str().unwrap()).await,
        r#"{"to":"home"}"#
    );
    assert!(app.admin_page(&session).await.0.contains("Connected as"));
    assert!(!app.admin_page(&other).await.0.contains("Connected as"));
    assert_eq!(
        app.public_meetings("owned").await[0]["topic"],
        "Owner's class"
    );
    assert!(app.public_meetings("bystander").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_unknown_and_foreign_states_are_refused_without_a_deeplink() {
    let app = TestApp::spawn().await;
    app.sim_user("refused@example.com").await;

    let unknown = app.at("/oauth/zoom/callback?code=abc&state=forged");
    let resp = app.callback(&unknown, None).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.text().await.unwrap().contains("did not start here"));

    // An install started in one browser, finished in another (no or a different install cookie).
    let (authorize, _) = open_landing(&app, None).await;
    let (_, stranger) = open_landing(&app, None).await;
    let callback = app.consent(&authorize).await;
    for cookie in [None, stranger.as_deref()] {
        let resp = app.callback(&callback, cookie).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(resp.text().await.unwrap().contains("another session"));
    }
    assert_eq!(app.sim_calls(DEEPLINK_CALL).await, 0);
    assert_eq!(rows(&app, "zoom_grants").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_deeplink_still_installs_and_says_where_to_open_the_app() {
    let app = TestApp::spawn().await;
    app.sim_user("down@example.com").await;
    let fault =
        json!({"method": "POST", "path": "/v2/zoomapp/deeplink", "kind": "status", "status": 500});
    app.sim_post("/_sim/faults", fault).await;

    let (authorize, install_cookie) = open_landing(&app, None).await;
    let callback = app.consent(&authorize).await;
    let resp = app.callback(&callback, install_cookie.as_deref()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(set_cookie(&resp, "marquee_claim").is_some(), "parked");
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("is installed") && html.contains("Apps tab"),
        "{html}"
    );
    assert_eq!(rows(&app, "zoom_grants").await, 1);
    assert!(captured_logs().contains("Zoom App deep link failed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deeplink_off_zoom_s_web_origin_is_never_followed() {
    // Marquee knows Zoom's web origin as `localhost`; the simulator answers with deep links on
    // `127.0.0.1`: the same loopback server, but another origin.
    let app = TestApp::spawn_configured(
        |_| {},
        |vars| {
            let oauth = vars["MARQUEE_ZOOM_OAUTH_URL"].replace("127.0.0.1", "localhost");
            vars.insert("MARQUEE_ZOOM_OAUTH_URL".into(), oauth);
        },
    )
    .await;
    app.sim_user("foreign@example.com").await;

    let (authorize, install_cookie) = open_landing(&app, None).await;
    assert!(authorize.starts_with("http://localhost:"), "{authorize}");
    let callback = app.consent(&authorize).await;
    let resp = app.callback(&callback, install_cookie.as_deref()).await;
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert!(resp.headers().get("location").is_none());
    assert!(resp.text().await.unwrap().contains("Apps tab"));
    assert_eq!(app.sim_calls(DEEPLINK_CALL).await, 1);
    assert_eq!(rows(&app, "zoom_grants").await, 1, "the install stands");
}

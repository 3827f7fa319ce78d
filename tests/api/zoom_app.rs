//! The Zoom App inside the Zoom client (docs/zoom-app.md): the context header (Zoom's reference
//! vectors with a pinned clock, and every refusal with its status and log reason), the OWASP
//! headers on every HTML answer, who sees which site, CSRF, and both authorizations (in the
//! client with plain PKCE, in the browser back through a deeplink) against the simulator.

use marquee_zoom_protocol::app_context;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    CLIENT_ID, CLIENT_SECRET, TestApp, captured_logs, extract_between, json_response, location,
    meeting_body,
};

const ZOOM_UA: &str = "Mozilla/5.0 ZoomWebKit/537.36 (KHTML, like Gecko) ZoomApps/1.0";
/// docs/zoom.md §3.4, Z2: base64url without padding, standard base64, and with an AAD.
const Z2_URL: &str = "DAABAgMEBQYHCAkKCwAA4wAAAFYXNLyiIdYljiC9GOEKvr_59nBuGNGubwMVwz0D1s7aEqgQW9ccMfNRzydiVor6Ae7aenQUxxUU2I3IlQAn4YaYznYsv8_VLoRODpo2UC8FmgcjQ9cxUkVKcPVcf2694fC_eOwxAnXGkQw47dkF45LB7ggfnU1xl4olVAJceZeh7P8Q6cEctQf7bs47hCkkQd43XS0tJwAWaGsP4CvRyvc2BUjl_9qSxqjHQBr3H-RhKUpepoDbtniQNxh6r09--cLcjCzGjQ4m_KS2-GRFToQmJdX0yb8lws3UUGc02dhj_14hmQUtxk1SzkcrOKaOARBHcQ";
const Z2_STD: &str = "DAABAgMEBQYHCAkKCwAA4wAAAFYXNLyiIdYljiC9GOEKvr/59nBuGNGubwMVwz0D1s7aEqgQW9ccMfNRzydiVor6Ae7aenQUxxUU2I3IlQAn4YaYznYsv8/VLoRODpo2UC8FmgcjQ9cxUkVKcPVcf2694fC/eOwxAnXGkQw47dkF45LB7ggfnU1xl4olVAJceZeh7P8Q6cEctQf7bs47hCkkQd43XS0tJwAWaGsP4CvRyvc2BUjl/9qSxqjHQBr3H+RhKUpepoDbtniQNxh6r09++cLcjCzGjQ4m/KS2+GRFToQmJdX0yb8lws3UUGc02dhj/14hmQUtxk1SzkcrOKaOARBHcQ==";
const Z2_AAD: &str = "DAABAgMEBQYHCAkKCwsAem9vbXNpbS1hYWTjAAAAVhc0vKIh1iWOIL0Y4Qq-v_n2cG4Y0a5vAxXDPQPWztoSqBBb1xwx81HPJ2JWivoB7tp6dBTHFRTYjciVACfhhpjOdiy_z9UuhE4OmjZQLwWaByND1zFSRUpw9Vx_br3h8L947DECdcaRDDjt2QXjksHuCB-dTXGXiiVUAlx5l6Hs_xDpwRy1B_tuzjuEKSRB3jddLS0nABZoaw_gK9HK9zYFSOX_2pLGqMdAGvcf5GEpSl6mgNu2eJA3GHqvT375wtyMLMaNDib8pLb4ZEVOhCYl1fTJvyXCzdRQZzTZ2GP_XiGsmUW7TIYSoXMlt5J70TrV";
/// Z2's `ts` + 1 min: inside its two minutes.
const Z2_NOW_MS: i64 = 1_700_000_060_000;

const OWASP: [&str; 4] = [
    "strict-transport-security",
    "x-content-type-options",
    "content-security-policy",
    "referrer-policy",
];

/// An app whose simulator lets in-client OAuth use the home URL as `redirect_uri`.
async fn spawn() -> TestApp {
    TestApp::spawn_with(|sim| {
        let home = sim.redirect_uris[0].replace("/oauth/zoom/callback", "/zoomapp/home");
        sim.redirect_uris.push(home);
    })
    .await
}

/// A fresh context header for a Zoom user, as the client would send it.
async fn context(app: &TestApp, user_id: &str, extra: Value) -> String {
    let mut body = json!({"user_id": user_id});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let made = app.sim_post("/_sim/zoomapp/context", body).await;
    made["header"].as_str().unwrap().to_owned()
}

/// What a Zoom App page answered.
struct Page {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    html: String,
    cookie: Option<String>,
}

impl Page {
    fn csrf(&self) -> String {
        extract_between(&self.html, r#"name="csrf_token" value=""#, "\"")
            .or_else(|| extract_between(&self.html, r#"data-csrf=""#, "\""))
            .expect("a CSRF token on the page")
    }

    fn assert_owasp(&self) {
        for h in OWASP {
            assert!(
                self.headers.contains_key(h),
                "{h} missing: {:?}",
                self.headers
            );
        }
        let csp = self.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' https://appssdk.zoom.us"),
            "{csp}"
        );
    }
}

async fn read(resp: reqwest::Response) -> Page {
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("marquee_zoomapp="))
        .map(str::to_owned);
    Page {
        status: resp.status(),
        headers: resp.headers().clone(),
        cookie,
        html: resp.text().await.unwrap(),
    }
}

async fn open_home(app: &TestApp, header: Option<&str>, cookie: Option<&str>) -> Page {
    let mut req = app
        .http
        .get(app.at("/zoomapp/home"))
        .header("user-agent", ZOOM_UA);
    if let Some(h) = header {
        req = req.header("x-zoom-app-context", h);
    }
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    read(req.send().await.unwrap()).await
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn get_page(app: &TestApp, path: &str, cookie: &str) -> Page {
    let resp = app
        .http
        .get(app.at(path))
        .header("cookie", cookie)
        .header("user-agent", ZOOM_UA)
        .send()
        .await
        .unwrap();
    read(resp).await
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> Page {
    let resp = app
        .http
        .post(app.at(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    read(resp).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_vectors_open_the_home_with_a_pinned_clock_and_expire_without() {
    let app = spawn().await;
    app.services.zoom_app().clock().pin(Z2_NOW_MS);
    for header in [Z2_URL, Z2_STD, Z2_AAD] {
        let page = open_home(&app, Some(header), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        page.assert_owasp();
        let cookie = page.cookie.as_deref().expect("the home opens a session");
        for attr in ["HttpOnly", "Secure", "SameSite=None", "Path=/zoomapp"] {
            assert!(cookie.contains(attr), "{cookie}");
        }
        // The Z2 user is nobody Marquee knows: offered to connect.
        assert!(
            page.html.contains("Connect Marquee to Zoom"),
            "{}",
            page.html
        );
    }
    app.services.zoom_app().clock().pin(0);
    let page = open_home(&app, Some(Z2_URL), None).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.html.contains("This view has expired"), "{}", page.html);
    page.assert_owasp();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_context_gets_its_refusal_page_status_and_log_reason() {
    let app = spawn().await;
    let user = app.sim_user("refusals@example.com").await;
    let uid = user["id"].as_str().unwrap();

    let missing = open_home(&app, None, None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert!(
        missing.html.contains("Open this inside Zoom"),
        "{}",
        missing.html
    );
    missing.assert_owasp();
    let outside = read(app.http.get(app.at("/zoomapp/home")).send().await.unwrap()).await;
    assert_eq!(outside.status, StatusCode::UNAUTHORIZED);
    assert!(
        outside.html.contains("ordinary browser"),
        "{}",
        outside.html
    );
    let german = read(
        app.http
            .get(app.at("/zoomapp/home"))
            .header("accept-language", "de-DE,de;q=0.9")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        german.html.contains("Bitte in Zoom öffnen"),
        "{}",
        german.html
    );

    let good = context(&app, uid, json!({})).await;
    let mut tampered = good.clone().into_bytes();
    let i = tampered.len() / 2;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let page = open_home(&app, Some(&tampered), None).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.html.contains("could not be verified"), "{}", page.html);
    page.assert_owasp();

    let now = chrono::Utc::now().timestamp_millis();
    let ctx = |aud: &str, exp: i64| {
        let plain = json!({"typ": "panel", "uid": uid, "aud": aud, "iss": "marketplace.zoom.us",
                           "ts": exp - 120_000, "exp": exp});
        app_context::encode(CLIENT_SECRET, [7; 12], b"", &plain.to_string())
    };
    let page = open_home(&app, Some(&ctx("someOtherApp", now + 60_000)), None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.html.contains("another app"), "{}", page.html);
    page.assert_owasp();
    let page = open_home(&app, Some(&ctx(CLIENT_ID, now - 10 * 60_000)), None).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.html.contains("expired"), "{}", page.html);
    // Within the clock tolerance a just-expired context still opens.
    let page = open_home(&app, Some(&ctx(CLIENT_ID, now - 5_000)), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);

    let logs = captured_logs();
    for reason in ["missing", "undecryptable", "wrong_audience", "expired"] {
        assert!(
            logs.lines()
                .any(|l| l.contains("Zoom App context refused")
                    && l.contains(&format!("\"{reason}\""))),
            "no log line with reason {reason}"
        );
    }
    assert!(!logs.contains(&good), "a context header was logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_sees_and_acts_only_for_their_own_site() {
    let app = spawn().await;
    let alice = app.sim_user("alice@example.com").await;
    let alice_id = alice["id"].as_str().unwrap().to_owned();
    let mine = app
        .sim_meeting(&alice_id, meeting_body("Alice's yoga", 2, 0))
        .await;
    app.create_tenant("alice-site").await;
    app.connect_site("alice-site").await;
    let bob = app.sim_user("bob@example.com").await;
    let bob_id = bob["id"].as_str().unwrap().to_owned();
    app.sim_meeting(&bob_id, meeting_body("Bob's secret", 2, 0))
        .await;
    app.create_tenant("bob-site").await;
    app.connect_site("bob-site").await;

    let header = context(
        &app,
        &alice_id,
        json!({"typ": "meeting", "mid": mine["uuid"].as_str().unwrap()}),
    )
    .await;
    let home = open_home(&app, Some(&header), None).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.html);
    home.assert_owasp();
    assert!(home.html.contains("Alice&#x27;s yoga") || home.html.contains("Alice's yoga"));
    assert!(home.html.contains("This meeting"), "{}", home.html);
    assert!(!home.html.contains("Bob"), "{}", home.html);
    assert!(
        home.html.contains("admin panel"),
        "the owner may open the panel"
    );
    let cookie = cookie_pair(home.cookie.as_deref().unwrap());
    let csrf = home.csrf();

    // Another site by changing the slug: the same 404 as a site that does not exist.
    let other = get_page(&app, "/zoomapp/sites/bob-site", &cookie).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    other.assert_owasp();
    assert!(!other.html.contains("Bob's secret"));
    let start = chrono::Utc::now() + chrono::TimeDelta::days(3);
    let start = start.format("%Y-%m-%dT%H:%M").to_string();
    let form = [
        ("csrf_token", csrf.as_str()),
        ("topic", "Planted by Alice"),
        ("start_time", start.as_str()),
        ("duration", "30"),
        ("timezone", "Europe/Berlin"),
    ];
    let refused = post_form(&app, "/zoomapp/sites/bob-site/meetings", &cookie, &form).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let bob_meeting = app.public_meetings("bob-site").await;
    let bob_meeting_id = bob_meeting[0]["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| bob_meeting[0]["id"].to_string());
    let start_other = post_form(
        &app,
        &format!("/zoomapp/sites/alice-site/meetings/{bob_meeting_id}/start"),
        &cookie,
        &[("csrf_token", csrf.as_str())],
    )
    .await;
    assert_eq!(
        start_other.status,
        StatusCode::NOT_FOUND,
        "another site's meeting"
    );

    // CSRF: without the token nothing happens.
    let no_csrf = post_form(
        &app,
        "/zoomapp/sites/alice-site/meetings",
        &cookie,
        &form[1..],
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    no_csrf.assert_owasp();
    let admin_no_csrf = post_form(&app, "/zoomapp/sites/alice-site/admin", &cookie, &[]).await;
    assert_eq!(admin_no_csrf.status, StatusCode::FORBIDDEN);

    // Create for the own site: the site's widget shows it; a double submit makes one meeting.
    let key = extract_between(&home.html, r#"name="idempotency_key" value=""#, "\"").unwrap();
    let mut keyed = form.to_vec();
    keyed.push(("idempotency_key", key.as_str()));
    for _ in 0..2 {
        let created = post_form(&app, "/zoomapp/sites/alice-site/meetings", &cookie, &keyed).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    }
    let topics: Vec<String> = app
        .public_meetings("alice-site")
        .await
        .iter()
        .map(|m| m["topic"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        topics.contains(&"Planted by Alice".to_owned()),
        "{topics:?}"
    );
    assert!(
        !app.public_meetings("bob-site")
            .await
            .iter()
            .any(|m| m["topic"] == "Planted by Alice")
    );

    // Start: a fresh start_url, never stored or logged.
    let mine_id = mine["id"].as_i64().unwrap();
    let resp = app
        .http
        .post(app.at(&format!(
            "/zoomapp/sites/alice-site/meetings/{mine_id}/start"
        )))
        .header("cookie", &cookie)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let start_url = location(&resp);
    assert!(!captured_logs().contains(&start_url), "start_url logged");

    // The admin panel: a one-time sign-in link for this site.
    let resp = app
        .http
        .post(app.at("/zoomapp/sites/alice-site/admin"))
        .header("cookie", &cookie)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let link = location(&resp);
    assert!(link.contains("/admin/login?token="), "{link}");
    let login = app.http.get(&link).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);

    // Bob's session cannot use Alice's cookie's CSRF token, nor see Alice's site.
    let bob_header = context(&app, &bob_id, json!({})).await;
    let bob_home = open_home(&app, Some(&bob_header), None).await;
    assert!(bob_home.html.contains("Bob&#x27;s secret") || bob_home.html.contains("Bob's secret"));
    let bob_cookie = cookie_pair(bob_home.cookie.as_deref().unwrap());
    let cross = post_form(&app, "/zoomapp/sites/bob-site/meetings", &bob_cookie, &form).await;
    assert_eq!(
        cross.status,
        StatusCode::FORBIDDEN,
        "Alice's token in Bob's session"
    );
}

/// The unknown user's home, its session cookie and CSRF token.
async fn unknown_user_home(app: &TestApp, uid: &str) -> (Page, String, String) {
    let header = context(app, uid, json!({})).await;
    let home = open_home(app, Some(&header), None).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.html);
    assert!(
        home.html.contains("Connect Marquee to Zoom"),
        "{}",
        home.html
    );
    let cookie = cookie_pair(home.cookie.as_deref().unwrap());
    let csrf = home.csrf();
    (home, cookie, csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_client_pkce_links_the_grant_of_a_user_of_the_sites_account() {
    let app = spawn().await;
    let owner = app.sim_user("owner@example.com").await;
    app.create_tenant("club").await;
    app.connect_site("club").await;
    let colleague = app
        .sim_post(
            "/_sim/users",
            json!({"email": "colleague@example.com", "first_name": "Co", "last_name": "Host",
                   "account_id": owner["account_id"], "role": "admin", "plan": "pro"}),
        )
        .await;
    let uid = colleague["id"].as_str().unwrap();
    app.http
        .put(format!("{}/_sim/session", app.sim.url()))
        .json(&json!({"user_id": uid}))
        .send()
        .await
        .unwrap();
    let (_, cookie, csrf) = unknown_user_home(&app, uid).await;

    // The JSON endpoints refuse a call without the session's CSRF token.
    let resp = app
        .http
        .post(app.at("/zoomapp/authorize"))
        .header("cookie", &cookie)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let (status, start) = json_response(
        app.http
            .post(app.at("/zoomapp/authorize"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let (state, challenge) = (
        start["state"].as_str().unwrap(),
        start["codeChallenge"].as_str().unwrap(),
    );
    // What zoomSdk.authorize does: Zoom's authorize with a plain challenge and the home URL.
    let mut authorize = url::Url::parse(&format!("{}/oauth/authorize", app.sim.url())).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", &app.at("/zoomapp/home"))
        .append_pair("state", state)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "plain");
    let back = url::Url::parse(&app.consent(authorize.as_str()).await).unwrap();
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();

    // Another session cannot finish it.
    let (_, other_cookie, other_csrf) = unknown_user_home(&app, uid).await;
    let (status, body) = json_response(
        app.http
            .post(app.at("/zoomapp/authorize/complete"))
            .header("cookie", &other_cookie)
            .header("x-csrf-token", &other_csrf)
            .json(&json!({"code": code, "state": state}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "attempt_unknown");

    let (status, body) = json_response(
        app.http
            .post(app.at("/zoomapp/authorize/complete"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({"code": code, "state": state}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "linked");
    // The session's home now shows the account's site.
    let home = get_page(&app, "/zoomapp/home", &cookie).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.html.contains("Site club"), "{}", home.html);
    assert!(
        !home.html.contains("admin panel"),
        "only the owner opens the panel"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_authorization_returns_through_a_deeplink_to_the_session_that_started_it() {
    let app = spawn().await;
    let user = app.sim_user("outside@example.com").await;
    let uid = user["id"].as_str().unwrap();
    let (home, cookie, _) = unknown_user_home(&app, uid).await;
    let link = extract_between(&home.html, r#"id="authorize-external" href=""#, "\"")
        .unwrap()
        .replace("&#x2f;", "/")
        .replace("&amp;", "&");

    // The system browser: no app cookie.
    let resp = app.http.get(&link).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let authorize = location(&resp);
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    let again = app.http.get(&link).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST, "a link opens once");

    let callback = app.consent(&authorize).await;
    assert!(callback.contains("state=za."), "{callback}");
    let resp = app.callback(&callback, None).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let deeplink = location(&resp);
    assert!(deeplink.contains("/launch/chatapp/"), "{deeplink}");
    assert!(
        resp.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("marquee_claim="))
    );

    // The client re-opens the app: the next context carries the action as `act`.
    let made = app
        .sim_post("/_sim/zoomapp/context", json!({"user_id": uid}))
        .await;
    let act = made["context"]["act"].as_str().expect("act in the context");
    assert!(act.len() <= 256 && !act.contains(&cookie[16..]), "{act}");
    let header = made["header"].as_str().unwrap();
    let back = open_home(&app, Some(header), Some(&cookie)).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.html);
    assert!(
        back.html.contains("no site uses your Zoom account"),
        "{}",
        back.html
    );
    assert_eq!(
        cookie_pair(back.cookie.as_deref().unwrap()),
        cookie,
        "the same session"
    );

    // The act finishes the attempt once, and only in its own session.
    let replay = app
        .sim_post("/_sim/zoomapp/context", json!({"user_id": uid, "act": act}))
        .await;
    let other = open_home(&app, Some(replay["header"].as_str().unwrap()), None).await;
    assert!(!other.html.contains("no site uses your Zoom account"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_in_chromium_with_the_zoom_user_agent_and_a_context() {
    if !crate::browser::available() {
        return;
    }
    let app = spawn().await;
    let host = app.sim_user("browser-host@example.com").await;
    let host_id = host["id"].as_str().unwrap();
    app.sim_meeting(host_id, meeting_body("Morning flow", 2, 0))
        .await;
    app.create_tenant("studio").await;
    app.connect_site("studio").await;
    let header = context(&app, host_id, json!({})).await;
    let env = vec![
        ("MQ_BASE", app.url.clone()),
        ("MQ_SLUG", "studio".to_owned()),
        ("MQ_TOPIC", "Morning flow".to_owned()),
        ("MQ_CONTEXT", header),
    ];
    crate::browser::run_node_test("zoom_app.test.mjs", env, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_plays_the_zoom_client_for_an_ordinary_browser() {
    let app = spawn().await;
    let host = app.sim_user("dev-host@example.com").await;
    app.sim_meeting(host["id"].as_str().unwrap(), meeting_body("Dev yoga", 2, 0))
        .await;
    app.create_tenant("dev-site").await;
    app.connect_site("dev-site").await;
    // `marquee dev` prints this URL: the simulator adds a fresh context and the Zoom UA.
    let resp = app
        .http
        .get(format!(
            "{}/zoomapp/home?user=dev-host@example.com",
            app.sim.url()
        ))
        .send()
        .await
        .unwrap();
    let home = read(resp).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.html);
    home.assert_owasp();
    assert!(home.html.contains("Dev yoga"), "{}", home.html);
    let cookie = cookie_pair(home.cookie.as_deref().unwrap());
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(5))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let resp = app
        .http
        .post(format!("{}/zoomapp/sites/dev-site/meetings", app.sim.url()))
        .header("cookie", &cookie)
        .form(&[
            ("csrf_token", home.csrf().as_str()),
            ("topic", "Through the simulated client"),
            ("start_time", start.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/zoomapp/sites/dev-site?created=1");
}

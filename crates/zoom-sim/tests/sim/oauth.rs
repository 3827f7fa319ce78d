//! OAuth as zoom.us does it (docs/zoom.md §1, checklist §7.1–7.3): authorize, consent, codes,
//! PKCE, token exchange, rotation, re-authorization and revocation.

use std::time::Duration;

use marquee_zoom_protocol::pkce;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    CHALLENGE, CLIENT_ID, CLIENT_SECRET, REDIRECT, VERIFIER, access, assert_signed, config,
    query_param, start, with_webhooks,
};

// ---------------------------------------------------------------------------------------------
// OAuth (docs/zoom.md §1, checklist §7.1–7.3)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorize_rejects_bad_client_and_unlisted_redirects_without_redirecting() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    for (client, redirect) in [
        ("wrong", REDIRECT),
        (CLIENT_ID, "http://127.0.0.1:9/zoom/callback/"), // trailing slash matters
        (CLIENT_ID, "http://evil.example/zoom/callback"),
        (CLIENT_ID, "http://127.0.0.1:9/other"), // query string is part of the match
    ] {
        let r = s
            .http
            .get(s.url("/oauth/authorize"))
            .query(&[
                ("response_type", "code"),
                ("client_id", client),
                ("redirect_uri", redirect),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{client} {redirect}");
        assert!(r.headers().get("location").is_none());
        assert!(r.headers().get("x-zm-trackingid").is_some());
        assert!(r.text().await.unwrap().contains("Something went wrong"));
    }
    // a `scope` parameter is rejected (docs/zoom.md §1.2)
    let r = s
        .http
        .get(s.url("/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("scope", "meeting:read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_page_allow_and_deny() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({"first_name": "Olga"}))
        .await;
    let params = [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("state", "xyz"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let r = s
        .http
        .get(s.url("/oauth/authorize"))
        .query(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Marquee wants to access your Zoom account"));
    assert!(page.contains("owner@example.com"));
    assert!(page.contains("action=\"/oauth/authorize\""));
    assert_eq!(page.matches("<button").count(), 1, "one button");
    assert!(
        page.contains(
            "name=\"code_challenge\" value=\"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\""
        )
    );

    let location = s.allow(&[("state", "xyz")]).await;
    assert!(location.starts_with(REDIRECT));
    let code = query_param(&location, "code").unwrap();
    assert!(
        (32..=64).contains(&code.len()),
        "code length {}",
        code.len()
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("xyz"));

    let consent = [
        ("state", "xyz"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let loc = s.decide(&consent, "deny").await;
    assert_eq!(query_param(&loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(&loc, "state").as_deref(), Some("xyz"));
    assert_eq!(query_param(&loc, "code"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_consent_marketplace_mode_and_redirect_with_query() {
    let mut cfg = config();
    cfg.auto_consent = true;
    let s = start(cfg).await;
    s.user("owner@example.com", json!({})).await;
    let get = |state: &'static str, redirect: &'static str| {
        s.http
            .get(s.url("/oauth/authorize"))
            .query(&[
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", redirect),
                ("state", state),
            ])
            .send()
    };
    let r = get("abc", "http://127.0.0.1:9/other?site=a").await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(query_param(&loc, "site").as_deref(), Some("a"));
    assert_eq!(query_param(&loc, "state").as_deref(), Some("abc"));

    let (status, _) = s
        .control("PUT", "/_sim/config", json!({"marketplace_mode": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let loc = get("abc", REDIRECT).await.unwrap().headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(query_param(&loc, "code").is_some());
    assert_eq!(
        query_param(&loc, "state"),
        None,
        "Marketplace installs carry no state"
    );

    // the Marketplace "Add" button starts without any request of ours
    let r = s.http.get(s.url("/_sim/install")).send().await.unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with(REDIRECT) && query_param(&loc, "state").is_none());
    let code = query_param(&loc, "code").unwrap();
    let r = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_exchange_checks_client_code_redirect_and_pkce() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    assert_eq!(pkce::s256_challenge(VERIFIER), CHALLENGE);

    // wrong client secret
    let r = s
        .http
        .post(s.url("/oauth/token"))
        .basic_auth(CLIENT_ID, Some("nope"))
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");

    // S256: wrong verifier, wrong redirect, then success, then reuse
    let code = query_param(
        &s.allow(&[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .await,
        "code",
    )
    .unwrap();
    let bad = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", "x".repeat(43).as_str()),
        ])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let bad = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/other?site=a"),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let ok = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let t: Value = ok.json().await.unwrap();
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 3599);
    assert_eq!(t["api_url"], s.sim.url());
    assert!(
        t["scope"]
            .as_str()
            .unwrap()
            .split(' ')
            .any(|sc| sc == "meeting:read:list_meetings:admin")
    );
    assert!(access(&t).len() > 200 && t["refresh_token"].as_str().unwrap().len() > 200);
    let reuse = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(reuse.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        reuse.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );

    // plain PKCE, parameters in the query string (legacy style, docs/zoom.md §1.3)
    let code = query_param(
        &s.allow(&[
            (
                "code_challenge",
                "plain-verifier-0123456789-0123456789-abcdef",
            ),
            ("code_challenge_method", "plain"),
        ])
        .await,
        "code",
    )
    .unwrap();
    let r = s
        .http
        .post(s.url("/oauth/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .query(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            (
                "code_verifier",
                "plain-verifier-0123456789-0123456789-abcdef",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(s.stats().await["grants"]["authorization_code"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_expire_after_five_minutes() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    let code = query_param(&s.allow(&[]).await, "code").unwrap();
    s.control("POST", "/_sim/clock/advance", json!({"seconds": 301}))
        .await;
    let r = s
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_and_the_old_refresh_token_dies_immediately() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    let first = s.connect().await;
    let old_refresh = first["refresh_token"].as_str().unwrap();
    let r = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let second: Value = r.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    let reuse = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh),
        ])
        .await;
    assert_eq!(reuse.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        reuse.text().await.unwrap(),
        r#"{"reason":"Invalid Token!","error":"invalid_grant"}"#
    );
    let (status, _) = s.api_json("GET", &access(&second), "/users/me", None).await;
    assert_eq!(status, StatusCode::OK);
    let stats = s.stats().await;
    assert_eq!(stats["grants"]["refresh_token"], 1);
    assert_eq!(stats["grant_errors"]["invalid_grant"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reauthorizing_invalidates_the_earlier_pair() {
    let s = start(config()).await;
    s.user("owner@example.com", json!({})).await;
    let first = s.connect().await;
    let second = s.connect().await;
    let (status, body) = s.api_json("GET", &access(&first), "/users/me", None).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({"code": 124, "message": "Invalid access token."})
        )
    );
    let r = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        s.api("GET", &access(&second), "/users/me", None)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_kills_both_tokens_and_emits_app_deauthorized() {
    let (s, rx) = with_webhooks(config(), 0).await;
    let user = s.user("owner@example.com", json!({})).await;
    let t = s.connect().await;
    let r = s
        .http
        .post(s.url("/oauth/revoke"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("token", access(&t))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status": "success"})
    );
    assert_eq!(
        s.api("GET", &access(&t), "/users/me", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let ev = rx.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(ev.len(), 1);
    assert_signed(&ev[0]);
    assert_eq!(ev[0].json["event"], "app_deauthorized");
    assert_eq!(ev[0].json["payload"]["account_id"], user["account_id"]);
    assert_eq!(ev[0].json["payload"]["user_id"], user["id"]);
    assert_eq!(ev[0].json["payload"]["client_id"], CLIENT_ID);
}

//! Input rules, the same on every database: control characters refused with 400 naming the
//! field, wherever a string arrives; deleting a site that has keys and links minted.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_invalid_request, json_response, visitor};

fn assert_refused(status: StatusCode, body: &Value, field: &str) {
    assert_invalid_request(status, body, field, field);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_in_path_and_query_are_refused() {
    let app = TestApp::spawn().await;
    app.create_tenant("site-a").await;
    let resp = app
        .http
        .get(app.at("/api/v1/sites/site-a%00/meetings"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_response(resp).await;
    assert_refused(status, &body, "path");

    let resp = app
        .http
        .get(app.at("/api/v1/sites/site-a/meetings?after=x%0Ay"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_response(resp).await;
    assert_refused(status, &body, "after");

    let (status, body) = app
        .platform(Method::GET, "/api/v1/platform/tenants?after=%00", None)
        .await;
    assert_refused(status, &body, "after");
    let (status, body) = app
        .platform(Method::DELETE, "/api/v1/platform/tenants/site-a%00", None)
        .await;
    assert_refused(status, &body, "path");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_in_bodies_are_refused_before_anything_is_done() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .platform(
            Method::POST,
            "/api/v1/platform/tenants",
            Some(json!({"slug": "nul-site", "display_name": "Nul\u{0}"})),
        )
        .await;
    assert_refused(status, &body, "display_name");
    let (status, _) = app
        .platform(Method::GET, "/api/v1/platform/tenants/nul-site", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was created");

    app.create_tenant("site-b").await;
    let (status, body) = app
        .platform(
            Method::POST,
            "/api/v1/platform/tenants/site-b/api-keys",
            Some(json!({"name": "k\u{7}", "scopes": ["settings:read"]})),
        )
        .await;
    assert_refused(status, &body, "name");

    let mut registrant = visitor("nul@example.com");
    registrant["first_name"] = json!("Gr\u{0}ace");
    let (status, _, body) = app.register("site-b", 1, registrant, None).await;
    assert_refused(status, &body, "first_name");
    let answers = json!({"first_name": "A", "last_name": "B", "email": "a@example.com",
        "fields": {"city": "x\u{0}"}});
    let (status, _, body) = app.register("site-b", 1, answers, None).await;
    assert_refused(status, &body, "fields.city");

    let resp = app
        .http
        .post(app.at("/embed/site-b/meetings/1/register"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("first_name=Gr%00ace&last_name=H&email=g%40example.com")
        .send()
        .await
        .unwrap();
    let (status, body) = json_response(resp).await;
    assert_refused(status, &body, "first_name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_with_keys_and_links_minted_is_deleted() {
    let app = TestApp::spawn().await;
    app.create_tenant("doomed").await;
    app.admin_link("doomed").await;
    app.api_key("doomed", &["settings:read"]).await;
    app.sign_in("doomed").await;
    let (status, body) = app
        .platform(Method::DELETE, "/api/v1/platform/tenants/doomed", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = app
        .platform(Method::GET, "/api/v1/platform/tenants/doomed", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

//! The public widget: escaping of hostile Zoom data, security headers.

use reqwest::StatusCode;

use crate::helpers::{TestApp, meeting_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_topics_are_escaped_and_pages_carry_the_owasp_headers() {
    let app = TestApp::spawn().await;
    let user = app.sim_user("host@example.com").await;
    let mut body = meeting_body("<script>alert('x')</script> Ünïcødé 🎉", 2, 2);
    body["agenda"] = serde_json::json!("<img src=x onerror=alert(1)>");
    app.sim_meeting(user["id"].as_str().unwrap(), body).await;
    app.create_tenant("safe-site").await;
    let cookie = app.connect_site("safe-site").await;

    let resp = app
        .http
        .get(app.at("/embed/safe-site/meetings"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_owasp_headers(&resp);
    let html = resp.text().await.unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(html.contains("&lt;script&gt;alert("), "{html}");
    assert!(html.contains("Ünïcødé 🎉"));
    // minijinja's HTML escaping writes '/' as '&#x2f;' (displayed as '/').
    assert!(
        html.contains("(Europe&#x2f;Berlin)"),
        "time shown in the meeting's zone: {html}"
    );

    let admin = app
        .http
        .get(app.at("/admin"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_owasp_headers(&admin);
    let csp = admin.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");

    let unknown = app
        .http
        .get(app.at("/embed/no-such-site/meetings"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

fn assert_owasp_headers(resp: &reqwest::Response) {
    for name in [
        "strict-transport-security",
        "x-content-type-options",
        "content-security-policy",
        "referrer-policy",
    ] {
        assert!(resp.headers().contains_key(name), "missing {name}");
    }
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
}

//! Every answer carries `X-Request-Id` (the proxy's when sane, else a new one), every `/api/…`
//! error body repeats it, and the request's log lines name it.

use reqwest::StatusCode;

use crate::helpers::{TestApp, captured_logs, json_response};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxys_request_id_is_echoed_in_the_header_the_error_and_the_log() {
    let app = TestApp::spawn().await;
    let id = "proxy-7f3a-request-id";
    let resp = app
        .http
        .get(app.at("/api/v1/admin/zoom"))
        .header("x-request-id", id)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], id);
    let (status, body) = json_response(resp).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(body["error"]["request_id"], id);
    let logs = captured_logs();
    assert!(
        logs.lines()
            .any(|line| line.contains(id) && line.contains("/api/v1/admin/zoom")),
        "no log line names the request id"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_insane_request_id_is_replaced_and_every_answer_gets_one() {
    let app = TestApp::spawn().await;
    let too_long = "x".repeat(129);
    for sent in [too_long.as_str(), "has space", ""] {
        let resp = app
            .http
            .get(app.at("/api/v1/sites/nowhere/meetings"))
            .header("x-request-id", sent)
            .send()
            .await
            .unwrap();
        let got = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(got, sent);
        assert!(!got.is_empty() && got.len() <= 128);
        let (status, body) = json_response(resp).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["request_id"], got.as_str());
    }
    let ok = app.http.get(app.at("/healthz")).send().await.unwrap();
    assert!(ok.headers().contains_key("x-request-id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_method_is_a_json_405_that_lists_the_paths_methods() {
    let app = TestApp::spawn().await;
    let resp = app
        .http
        .patch(app.at("/api/v1/admin/zoom"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    let mut allow: Vec<String> = resp.headers()["allow"]
        .to_str()
        .unwrap()
        .split(", ")
        .map(str::to_owned)
        .collect();
    allow.sort();
    assert_eq!(allow, ["DELETE", "GET"]);
    let (_, body) = json_response(resp).await;
    assert_eq!(body["error"]["code"], "method_not_allowed");

    let resp = app
        .http
        .delete(app.at("/api/v1/admin/meetings/5/visibility"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.headers()["allow"], "PUT");
}

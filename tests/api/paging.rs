//! Every list pages the same way: `limit` + `after`, `next_after` until the last page. Paging
//! with small limits returns every item exactly once, and a value that is not a cursor is a
//! 400 naming `after`.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, json_response, meeting_body, visitor};

/// Follows `next_after` from the first page of `path` (which has a `?`) with `limit`,
/// collecting `field` of each page.
async fn all_pages(
    get: impl AsyncFn(String) -> Value,
    path: &str,
    field: &str,
    limit: usize,
) -> Vec<Value> {
    pages_after(get, path, field, limit, None).await
}

/// [`all_pages`] from the cursor `after`.
async fn pages_after(
    get: impl AsyncFn(String) -> Value,
    path: &str,
    field: &str,
    limit: usize,
    mut after: Option<String>,
) -> Vec<Value> {
    let mut items = Vec::new();
    for _ in 0..100 {
        let mut url = format!("{path}limit={limit}");
        if let Some(a) = &after {
            url.push_str(&format!("&after={a}"));
        }
        let page = get(url).await;
        let listed = page[field].as_array().unwrap_or_else(|| panic!("{page}"));
        assert!(listed.len() <= limit, "{page}");
        items.extend(listed.iter().cloned());
        match page.get("next_after").and_then(Value::as_str) {
            Some(next) => {
                assert!(!listed.is_empty(), "a next page after an empty one: {page}");
                after = Some(next.to_owned());
            }
            None => return items,
        }
    }
    panic!("{path} does not end");
}

/// An item's identity in a list: its id, and the occurrence for expanded meetings.
fn identity(item: &Value) -> String {
    format!(
        "{}/{}",
        item["id"],
        item.get("occurrence_id")
            .map(Value::to_string)
            .unwrap_or_default()
    )
}

fn assert_same_once(paged: &[Value], whole: &[Value], what: &str) {
    let paged: Vec<String> = paged.iter().map(identity).collect();
    let whole: Vec<String> = whole.iter().map(identity).collect();
    assert_eq!(paged, whole, "{what}: every item once, in order");
    let mut unique = paged.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), paged.len(), "{what}: no repeats");
}

async fn get_json(app: &TestApp, key: Option<&str>, url: &str) -> (StatusCode, Value) {
    let mut req = app.http.get(app.at(url));
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    json_response(req.send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_pages_by_cursor_and_returns_each_item_once() {
    let app = TestApp::spawn().await;
    let (created, key) = app
        .public_site(
            "cursors",
            (1..=5)
                .map(|day| meeting_body(&format!("Talk {day}"), day, 0))
                .collect(),
        )
        .await;
    let id = |i: usize| created[i]["id"].as_i64().unwrap();
    // One meeting expanded into occurrences interleaved with the others.
    let soon = |hours: i64| {
        (chrono::Utc::now() + chrono::TimeDelta::hours(hours))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let starts = [soon(30), soon(54), soon(78)];
    let starts: Vec<&str> = starts.iter().map(String::as_str).collect();
    app.seed_occurrences("cursors", id(4), &starts).await;
    for (i, start) in [
        "2026-01-05 10:00:00",
        "2026-01-05 10:00:00",
        "2026-02-01 09:00:00",
    ]
    .iter()
    .enumerate()
    {
        app.seed_recording("cursors", &format!("uuid-{i}"), "Talk", start, "pw")
            .await;
    }
    for n in 0..5 {
        let (status, _, body) = app
            .register(
                "cursors",
                id(0),
                visitor(&format!("v{n}@example.com")),
                None,
            )
            .await;
        assert!(status.is_success(), "{body}");
    }
    for _ in 0..4 {
        app.api_key("cursors", &["meetings:read"]).await;
    }

    let public = async |url: String| {
        let (status, body) = get_json(&app, None, &url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        body
    };
    let admin = async |url: String| {
        let (status, body) = get_json(&app, Some(&key), &url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        body
    };
    let platform = async |url: String| {
        let (status, body) = app.platform(Method::GET, &url, None).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        body
    };

    for limit in [1, 2, 3] {
        let meetings = "/api/v1/sites/cursors/meetings?";
        let whole = all_pages(&public, meetings, "meetings", 100).await;
        assert_eq!(whole.len(), 7, "four meetings and three occurrences");
        let paged = all_pages(&public, meetings, "meetings", limit).await;
        assert_same_once(&paged, &whole, "meetings");

        let recordings = "/api/v1/sites/cursors/recordings?";
        let whole = all_pages(&public, recordings, "recordings", 100).await;
        assert_eq!(whole.len(), 3);
        let paged = all_pages(&public, recordings, "recordings", limit).await;
        assert_same_once(&paged, &whole, "recordings");

        let registrations = "/api/v1/admin/registrations?";
        let whole = all_pages(&admin, registrations, "registrations", 100).await;
        assert_eq!(whole.len(), 5);
        let paged = all_pages(&admin, registrations, "registrations", limit).await;
        assert_same_once(&paged, &whole, "registrations");

        let keys = "/api/v1/platform/tenants/cursors/api-keys?";
        let whole = all_pages(&platform, keys, "api_keys", 100).await;
        assert_eq!(whole.len(), 5);
        let paged = all_pages(&platform, keys, "api_keys", limit).await;
        assert_same_once(&paged, &whole, "api keys");
    }

    // Stable under inserts: a key minted after the first page shows once, at the end.
    let first = platform("/api/v1/platform/tenants/cursors/api-keys?limit=2".into()).await;
    app.api_key("cursors", &["meetings:read"]).await;
    let rest = pages_after(
        &platform,
        "/api/v1/platform/tenants/cursors/api-keys?",
        "api_keys",
        2,
        first["next_after"].as_str().map(str::to_owned),
    )
    .await;
    assert_eq!(rest.len(), 4, "three older keys and the new one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_that_is_not_a_cursor_is_a_400_naming_after() {
    let app = TestApp::spawn().await;
    let (_, key) = app.public_site("badcursor", vec![]).await;
    for bad in ["nope!", "bm9waXBl", "eHwx"] {
        for (url, auth) in [
            ("/api/v1/sites/badcursor/meetings", None),
            ("/api/v1/sites/badcursor/recordings", None),
            ("/api/v1/admin/registrations", Some(key.as_str())),
        ] {
            let (status, err) = get_json(&app, auth, &format!("{url}?after={bad}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{url} {bad}: {err}");
            assert_eq!(err["error"]["field"], "after", "{url} {bad}: {err}");
        }
        let (status, err) = app
            .platform(
                Method::GET,
                &format!("/api/v1/platform/tenants/badcursor/api-keys?after={bad}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {err}");
        assert_eq!(err["error"]["field"], "after", "{bad}: {err}");
    }
}

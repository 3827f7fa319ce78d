//! Every answer matches the document the server serves: one scenario drives every operation of
//! `/openapi.json` (successes and the errors a client meets), and each answer is checked
//! against that operation's entry: the status is documented, the body validates against the
//! response schema (with `$ref`s resolved and no undocumented properties), a body-less answer
//! has no body, and the required response headers are there. The committed file equals the
//! generated one (`openapi.rs`), so this holds for the committed document too.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, WithPlatformKey, eventually, meeting_body, visitor};

/// Who calls.
#[derive(Clone)]
enum Auth {
    Anonymous,
    Platform,
    Key(String),
    /// The owner's session cookie, and the CSRF token to send (if any).
    Session {
        cookie: String,
        csrf: Option<String>,
    },
}

/// One request, written against the document's path template (`{name}` segments are filled
/// from `args` in order; a `?query` after the template is sent as is).
struct Req {
    method: Method,
    template: String,
    query: String,
    args: Vec<String>,
    auth: Auth,
    body: Option<Value>,
    headers: Vec<(&'static str, String)>,
}

impl Req {
    fn new(method: Method, path: &str, args: &[&str]) -> Self {
        let (template, query) = path.split_once('?').unwrap_or((path, ""));
        Self {
            method,
            template: template.to_owned(),
            query: query.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            auth: Auth::Anonymous,
            body: None,
            headers: Vec::new(),
        }
    }

    fn get(path: &str, args: &[&str]) -> Self {
        Self::new(Method::GET, path, args)
    }

    fn post(path: &str, args: &[&str]) -> Self {
        Self::new(Method::POST, path, args)
    }

    fn auth(mut self, auth: &Auth) -> Self {
        self.auth = auth.clone();
        self
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn url_path(&self) -> String {
        let mut args = self.args.iter();
        let path: Vec<String> = self
            .template
            .split('/')
            .map(|segment| match segment.starts_with('{') {
                true => args.next().expect("an argument per path parameter").clone(),
                false => segment.to_owned(),
            })
            .collect();
        match self.query.as_str() {
            "" => path.join("/"),
            query => format!("{}?{query}", path.join("/")),
        }
    }
}

/// The served document, and what the scenario has checked against it.
struct Contract {
    app: TestApp,
    spec: Value,
    /// `#/components`, with every object schema closed to undocumented properties.
    components: Value,
    checks: usize,
    covered: BTreeSet<(String, String)>,
}

impl Contract {
    async fn start() -> Self {
        let app = TestApp::spawn().await;
        let resp = app.http.get(app.at("/openapi.json")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let spec: Value = resp.json().await.unwrap();
        let components = closed_components(&spec["components"]);
        Self {
            app,
            spec,
            components,
            checks: 0,
            covered: BTreeSet::new(),
        }
    }

    /// Sends `req`, checks the answer against the document, and returns its status and body.
    async fn send(&mut self, req: Req) -> (StatusCode, Value) {
        let mut builder = self
            .app
            .http
            .request(req.method.clone(), self.app.at(&req.url_path()));
        builder = match &req.auth {
            Auth::Anonymous => builder,
            Auth::Platform => builder.platform_key(),
            Auth::Key(key) => builder.bearer_auth(key),
            Auth::Session { cookie, csrf } => {
                let builder = builder.header("cookie", cookie);
                match csrf {
                    Some(token) => builder.header("x-csrf-token", token),
                    None => builder,
                }
            }
        };
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
        }
        if let Some(body) = &req.body {
            builder = builder.json(body);
        }
        let resp = builder.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = self.check(&req, status, &headers, &text);
        (status, body)
    }

    /// Sends `req` and insists on `expected`.
    async fn expect(&mut self, expected: StatusCode, req: Req) -> Value {
        let what = format!("{} {}", req.method, req.url_path());
        let (status, body) = self.send(req).await;
        assert_eq!(status, expected, "{what}: {body}");
        body
    }

    fn check(
        &mut self,
        req: &Req,
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
        text: &str,
    ) -> Value {
        let method = req.method.as_str().to_lowercase();
        let what = format!("{} {} → {status}", req.method, req.url_path());
        let operation = &self.spec["paths"][&req.template][&method];
        assert!(operation.is_object(), "{what}: not in the document");
        let Some(documented) = operation["responses"].get(status.as_str()) else {
            panic!("{what}: status not documented for this operation: {text}");
        };
        self.checks += 1;
        self.covered.insert((method, req.template.clone()));
        for (name, header) in documented["headers"].as_object().into_iter().flatten() {
            if header["required"] == json!(true) {
                assert!(headers.contains_key(name.as_str()), "{what}: no {name}");
                self.checks += 1;
            }
        }
        let Some(content) = documented["content"].as_object() else {
            assert!(
                text.is_empty(),
                "{what}: a body where none is documented: {text}"
            );
            self.checks += 1;
            return Value::Null;
        };
        let (media_type, media) = content.iter().next().expect("one media type");
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert_eq!(
            mime(content_type),
            mime(media_type),
            "{what}: content type {content_type}"
        );
        let body: Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"));
        let validator = self.validator(&media["schema"]);
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}\n{body:#}");
        self.checks += 1;
        body
    }

    /// A validator of `schema`, resolving its `$ref`s against the (closed) components.
    /// OpenAPI 3.0 schemas are JSON Schema draft 4 with extensions the validator ignores.
    fn validator(&self, schema: &Value) -> jsonschema::Validator {
        let root = json!({"allOf": [schema], "components": self.components});
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the schema {schema} does not compile: {e}"))
    }

    /// Whether `body` validates against the component schema `name` (as answers are checked).
    fn accepts(&self, name: &str, body: &Value) -> bool {
        let schema = json!({"$ref": format!("#/components/schemas/{name}")});
        self.validator(&schema).is_valid(body)
    }

    /// Every operation of the document was called at least once.
    fn assert_every_operation_covered(&self) {
        let documented: BTreeSet<(String, String)> = self.spec["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(|method| (method.clone(), path.clone()))
            })
            .collect();
        let missing: Vec<_> = documented.difference(&self.covered).collect();
        assert!(missing.is_empty(), "operations never called: {missing:?}");
    }
}

fn mime(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

/// The document's components with `additionalProperties: false` on every object schema, so a
/// property the document does not name fails validation.
fn closed_components(components: &Value) -> Value {
    let mut closed = components.clone();
    for schema in closed["schemas"].as_object_mut().unwrap().values_mut() {
        if schema.get("properties").is_some() {
            schema["additionalProperties"] = json!(false);
        }
    }
    closed
}

/// Waits until the site's last whole-site sync has a result.
async fn synced(c: &mut Contract, key: &Auth) -> Value {
    let app_url = c.app.url.clone();
    let http = c.app.http.clone();
    let Auth::Key(k) = key else {
        unreachable!("syncs are awaited with a key")
    };
    eventually(30, "the sync to finish", || async {
        let status: Value = http
            .get(format!("{app_url}/api/v1/admin/sync"))
            .bearer_auth(k)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let job_done = status["current_job"]["status"]
            .as_str()
            .is_some_and(|s| s == "done" || s == "failed");
        (status.get("last_result").is_some() && job_done).then_some(status)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_of_every_operation_matches_the_served_document() {
    let mut c = Contract::start().await;
    let platform = Auth::Platform;
    // The checks are as strict as a generated client: no nulls for absent optional fields, no
    // undocumented properties, no values outside an enum.
    assert!(c.accepts("TenantList", &json!({"tenants": []})));
    assert!(!c.accepts("TenantList", &json!({"tenants": [], "next_after": null})));
    assert!(!c.accepts("TenantList", &json!({"tenants": [], "total": 0})));
    assert!(!c.accepts("HealthStatus", &json!({"status": "fine"})));

    // Health.
    c.expect(StatusCode::OK, Req::get("/healthz", &[])).await;
    c.expect(StatusCode::OK, Req::get("/readyz", &[])).await;

    // Sites: create, refuse, list, read.
    let tenants = "/api/v1/platform/tenants";
    let site = json!({"slug": "contract", "display_name": "Contract studio"});
    c.expect(
        StatusCode::UNAUTHORIZED,
        Req::post(tenants, &[]).json(site.clone()),
    )
    .await;
    c.expect(
        StatusCode::CREATED,
        Req::post(tenants, &[]).auth(&platform).json(site.clone()),
    )
    .await;
    c.expect(
        StatusCode::CONFLICT,
        Req::post(tenants, &[]).auth(&platform).json(site),
    )
    .await;
    let bad_slug = json!({"slug": "No Such", "display_name": "x"});
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::post(tenants, &[]).auth(&platform).json(bad_slug),
    )
    .await;
    let doomed = json!({"slug": "doomed", "display_name": "Short-lived"});
    c.expect(
        StatusCode::CREATED,
        Req::post(tenants, &[]).auth(&platform).json(doomed),
    )
    .await;
    let first = c
        .expect(
            StatusCode::OK,
            Req::get(&format!("{tenants}?limit=1"), &[]).auth(&platform),
        )
        .await;
    let after = first["next_after"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let last = c
        .expect(
            StatusCode::OK,
            Req::get(&format!("{tenants}?limit=50&after={after}"), &[]).auth(&platform),
        )
        .await;
    assert!(last.get("next_after").is_none(), "{last}");
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::get(&format!("{tenants}?limit=0"), &[]).auth(&platform),
    )
    .await;
    // The operator's health view: pages, a state filter, a bad state, no key.
    let health = "/api/v1/platform/sites/health";
    let page = c
        .expect(
            StatusCode::OK,
            Req::get(&format!("{health}?limit=1"), &[]).auth(&platform),
        )
        .await;
    assert_eq!(page["sites"][0]["state"], "never_connected", "{page}");
    c.expect(
        StatusCode::OK,
        Req::get(&format!("{health}?state=needs_reconnect"), &[]).auth(&platform),
    )
    .await;
    let bad_state = c
        .expect(
            StatusCode::BAD_REQUEST,
            Req::get(&format!("{health}?state=sleepy"), &[]).auth(&platform),
        )
        .await;
    assert_eq!(bad_state["error"]["field"], "state", "{bad_state}");
    c.expect(StatusCode::UNAUTHORIZED, Req::get(health, &[]))
        .await;
    let one = "/api/v1/platform/tenants/{slug}";
    c.expect(StatusCode::OK, Req::get(one, &["contract"]).auth(&platform))
        .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::get(one, &["nowhere"]).auth(&platform),
    )
    .await;
    c.expect(
        StatusCode::NO_CONTENT,
        Req::new(Method::DELETE, one, &["doomed"]).auth(&platform),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::DELETE, one, &["doomed"]).auth(&platform),
    )
    .await;
    // Found by schemathesis: a path the input rules refuse and a body without a Content-Type
    // are answered with statuses the operations document, in the envelope.
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::get(one, &["doomed%C2%81"]).auth(&platform),
    )
    .await;
    let untyped = c
        .expect(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Req::post(tenants, &[]).auth(&platform),
        )
        .await;
    assert_eq!(untyped["error"]["code"], "unsupported_media_type");
    let renamed = c
        .expect(
            StatusCode::OK,
            Req::new(Method::PATCH, one, &["contract"])
                .auth(&platform)
                .json(json!({"display_name": "Contract studio", "origins": ["https://contract.example"]})),
        )
        .await;
    assert_eq!(renamed["origins"], json!(["https://contract.example"]));
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::new(Method::PATCH, one, &["contract"])
            .auth(&platform)
            .json(json!({"origins": ["https://contract.example/path"]})),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::PATCH, one, &["nowhere"])
            .auth(&platform)
            .json(json!({"display_name": "x"})),
    )
    .await;

    // Admin links and API keys.
    let links = "/api/v1/platform/tenants/{slug}/admin-links";
    c.expect(
        StatusCode::CREATED,
        Req::post(links, &["contract"]).auth(&platform),
    )
    .await;
    c.expect(
        StatusCode::CREATED,
        Req::post(links, &["contract"])
            .auth(&platform)
            .json(json!({"return_url": "https://contract.example/account",
                         "refresh_url": "https://contract.example/account/zoom"})),
    )
    .await;
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::post(links, &["contract"])
            .auth(&platform)
            .json(json!({"return_url": "https://elsewhere.example/"})),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::post(links, &["nowhere"]).auth(&platform),
    )
    .await;
    let keys = "/api/v1/platform/tenants/{slug}/api-keys";
    let every_scope = json!({"name": "builder", "scopes": [
        "meetings:read", "meetings:write", "recordings:read", "registrations:read",
        "registrations:write", "settings:read", "settings:write", "events:read",
        "events:write"]});
    let minted = c
        .expect(
            StatusCode::CREATED,
            Req::post(keys, &["contract"])
                .auth(&platform)
                .json(every_scope.clone()),
        )
        .await;
    let key = Auth::Key(minted["key"].as_str().unwrap().to_owned());
    let reader = c
        .expect(
            StatusCode::CREATED,
            Req::post(keys, &["contract"])
                .auth(&platform)
                .json(json!({"name": "reader", "scopes": ["settings:read"]})),
        )
        .await;
    let reader_id = reader["id"].as_str().unwrap().to_owned();
    let reader = Auth::Key(reader["key"].as_str().unwrap().to_owned());
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::post(keys, &["contract"])
            .auth(&platform)
            .json(json!({"name": "root", "scopes": ["root"]})),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::post(keys, &["nowhere"])
            .auth(&platform)
            .json(every_scope),
    )
    .await;
    c.expect(
        StatusCode::OK,
        Req::get(keys, &["contract"]).auth(&platform),
    )
    .await;
    let first = c
        .expect(
            StatusCode::OK,
            Req::get(&format!("{keys}?limit=1"), &["contract"]).auth(&platform),
        )
        .await;
    let next = first["next_after"]
        .as_str()
        .expect("two keys, one per page");
    let last = c
        .expect(
            StatusCode::OK,
            Req::get(&format!("{keys}?limit=1&after={next}"), &["contract"]).auth(&platform),
        )
        .await;
    assert!(last.get("next_after").is_none(), "{last}");
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::get(&format!("{keys}?after=nope"), &["contract"]).auth(&platform),
    )
    .await;

    // The site before Zoom is connected: optional fields are absent, not null.
    let zoom = "/api/v1/admin/zoom";
    let status = c
        .expect(StatusCode::OK, Req::get(zoom, &[]).auth(&key))
        .await;
    assert!(status.get("zoom_email").is_none(), "{status}");
    c.expect(StatusCode::UNAUTHORIZED, Req::get(zoom, &[]))
        .await;
    let sync = "/api/v1/admin/sync";
    c.expect(StatusCode::OK, Req::get(sync, &[]).auth(&key))
        .await;
    c.expect(StatusCode::CONFLICT, Req::post(sync, &[]).auth(&key))
        .await;
    c.expect(
        StatusCode::CONFLICT,
        Req::get("/api/v1/admin/zoom/user", &[]).auth(&key),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::DELETE, zoom, &[]).auth(&key),
    )
    .await;
    c.expect(
        StatusCode::FORBIDDEN,
        Req::post("/api/v1/admin/zoom/connect", &[]).auth(&reader),
    )
    .await;

    // Zoom: a host with a plain meeting and a recurring one, both with registration.
    let host = c.app.sim_user("contract-host@example.com").await;
    let host_id = host["id"].as_str().unwrap().to_owned();
    let plain = c
        .app
        .sim_meeting(&host_id, meeting_body("Open studio", 3, 0))
        .await;
    let plain_id = plain["id"].as_i64().unwrap();
    let mut weekly = meeting_body("Weekly yoga", 2, 0);
    weekly["type"] = json!(8);
    weekly["recurrence"] = json!({"type": 2, "weekly_days": "3", "end_times": 3});
    let weekly = c.app.sim_meeting(&host_id, weekly).await;
    let weekly_id = weekly["id"].as_i64().unwrap();

    // Connect through the API, as a site builder would.
    let started = c
        .expect(
            StatusCode::OK,
            Req::post("/api/v1/admin/zoom/connect", &[]).auth(&key),
        )
        .await;
    let callback = c
        .app
        .consent(started["authorize_url"].as_str().unwrap())
        .await;
    assert_eq!(
        c.app.callback(&callback, None).await.status(),
        StatusCode::OK
    );
    synced(&mut c, &key).await;
    c.expect(StatusCode::OK, Req::get(zoom, &[]).auth(&key))
        .await;
    c.expect(
        StatusCode::OK,
        Req::get("/api/v1/admin/zoom/user", &[]).auth(&key),
    )
    .await;
    c.expect(StatusCode::OK, Req::post(sync, &[]).auth(&key))
        .await;
    synced(&mut c, &key).await;
    c.expect(StatusCode::OK, Req::get(sync, &[]).auth(&key))
        .await;

    // Settings, through the key and through the owner's session.
    let settings = "/api/v1/admin/site-settings";
    c.expect(StatusCode::OK, Req::get(settings, &[]).auth(&key))
        .await;
    let themed = json!({"theme": "dark", "language": "de", "font": "serif",
                        "accent_color": "#ff6600", "show_recording_passcode": true});
    c.expect(
        StatusCode::OK,
        Req::new(Method::PATCH, settings, &[])
            .auth(&key)
            .json(themed),
    )
    .await;
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::new(Method::PATCH, settings, &[])
            .auth(&key)
            .json(json!({"theme": "sepia"})),
    )
    .await;
    let plain_theme = c
        .expect(
            StatusCode::OK,
            Req::new(Method::PATCH, settings, &[])
                .auth(&key)
                .json(json!({"accent_color": "", "language": "en"})),
        )
        .await;
    assert!(plain_theme.get("accent_color").is_none(), "{plain_theme}");
    c.expect(
        StatusCode::FORBIDDEN,
        Req::new(Method::PATCH, settings, &[])
            .auth(&reader)
            .json(json!({"theme": "light"})),
    )
    .await;
    let cookie = c.app.sign_in("contract").await;
    let (_, csrf) = c.app.admin_page(&cookie).await;
    let no_csrf = Auth::Session {
        cookie: cookie.clone(),
        csrf: None,
    };
    let owner = Auth::Session {
        cookie,
        csrf: Some(csrf),
    };
    c.expect(StatusCode::OK, Req::get(settings, &[]).auth(&no_csrf))
        .await;
    c.expect(
        StatusCode::FORBIDDEN,
        Req::new(Method::PATCH, settings, &[])
            .auth(&no_csrf)
            .json(json!({"theme": "auto"})),
    )
    .await;
    c.expect(
        StatusCode::OK,
        Req::new(Method::PATCH, settings, &[])
            .auth(&owner)
            .json(json!({"theme": "auto"})),
    )
    .await;
    c.expect(
        StatusCode::OK,
        Req::get("/api/v1/admin/snippets", &[]).auth(&key),
    )
    .await;

    // The public face: lists (with a recurring meeting's occurrences), details, 304s.
    let meetings = "/api/v1/sites/{site}/meetings";
    let list = c
        .expect(StatusCode::OK, Req::get(meetings, &["contract"]))
        .await;
    let entries = list["meetings"].as_array().unwrap();
    assert!(
        entries.iter().any(|m| m.get("occurrence_id").is_some())
            && entries.iter().any(|m| m.get("occurrence_id").is_none()),
        "{list}"
    );
    let resp = c
        .app
        .http
        .get(c.app.at("/api/v1/sites/contract/meetings"))
        .send()
        .await
        .unwrap();
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    c.expect(
        StatusCode::NOT_MODIFIED,
        Req::get(meetings, &["contract"]).header("if-none-match", &etag),
    )
    .await;
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::get(&format!("{meetings}?limit=0"), &["contract"]),
    )
    .await;
    c.expect(StatusCode::NOT_FOUND, Req::get(meetings, &["nowhere"]))
        .await;
    let detail = "/api/v1/sites/{site}/meetings/{meeting_id}";
    let plain_id_text = plain_id.to_string();
    let weekly_id_text = weekly_id.to_string();
    c.expect(
        StatusCode::OK,
        Req::get(detail, &["contract", &plain_id_text]),
    )
    .await;
    let weekly_detail = c
        .expect(
            StatusCode::OK,
            Req::get(detail, &["contract", &weekly_id_text]),
        )
        .await;
    let occurrence = weekly_detail["occurrences"][0]["occurrence_id"]
        .as_str()
        .expect("occurrences of the recurring meeting")
        .to_owned();
    c.expect(StatusCode::NOT_FOUND, Req::get(detail, &["contract", "1"]))
        .await;
    let webinars = "/api/v1/sites/{site}/webinars";
    c.expect(StatusCode::OK, Req::get(webinars, &["contract"]))
        .await;
    c.expect(StatusCode::NOT_FOUND, Req::get(webinars, &["nowhere"]))
        .await;
    c.app
        .seed_recording(
            "contract",
            "rec-uuid-1",
            "Open studio",
            "2025-01-10 10:00:00",
            "pass1",
        )
        .await;
    let recordings = "/api/v1/sites/{site}/recordings";
    let recs = c
        .expect(StatusCode::OK, Req::get(recordings, &["contract"]))
        .await;
    assert_eq!(recs["recordings"][0]["passcode"], "pass1", "{recs}");
    c.expect(StatusCode::NOT_FOUND, Req::get(recordings, &["nowhere"]))
        .await;

    // Hiding and showing.
    let meeting_visibility = "/api/v1/admin/meetings/{meeting_id}/visibility";
    let hide = json!({"hidden": true});
    let show = json!({"hidden": false});
    c.expect(
        StatusCode::NO_CONTENT,
        Req::new(Method::PUT, meeting_visibility, &[&plain_id_text])
            .auth(&key)
            .json(hide.clone()),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::get(detail, &["contract", &plain_id_text]),
    )
    .await;
    c.expect(
        StatusCode::NO_CONTENT,
        Req::new(Method::PUT, meeting_visibility, &[&plain_id_text])
            .auth(&key)
            .json(show.clone()),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::PUT, meeting_visibility, &["1"])
            .auth(&key)
            .json(hide.clone()),
    )
    .await;
    let recording_visibility = "/api/v1/admin/recordings/{recording_id}/visibility";
    c.expect(
        StatusCode::NO_CONTENT,
        Req::new(Method::PUT, recording_visibility, &["rec-uuid-1"])
            .auth(&key)
            .json(hide.clone()),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::PUT, recording_visibility, &["no-such-recording"])
            .auth(&key)
            .json(hide),
    )
    .await;
    let hidden_items = "/api/v1/admin/hidden-items";
    let hidden = c
        .expect(StatusCode::OK, Req::get(hidden_items, &[]).auth(&key))
        .await;
    assert_eq!(hidden["items"][0]["kind"], "recording", "{hidden}");
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::get(&format!("{hidden_items}?after=nope"), &[]).auth(&key),
    )
    .await;

    // Registering, once and again, for a plain and a recurring meeting.
    let register = "/api/v1/sites/{site}/meetings/{meeting_id}/registrations";
    c.expect(
        StatusCode::CREATED,
        Req::post(register, &["contract", &plain_id_text])
            .json(visitor("grace@example.com"))
            .header("idempotency-key", "contract-1"),
    )
    .await;
    c.expect(
        StatusCode::CREATED,
        Req::post(register, &["contract", &plain_id_text])
            .json(visitor("grace@example.com"))
            .header("idempotency-key", "contract-1"),
    )
    .await;
    c.expect(
        StatusCode::UNPROCESSABLE_ENTITY,
        Req::post(register, &["contract", &plain_id_text])
            .json(visitor("someone-else@example.com"))
            .header("idempotency-key", "contract-1"),
    )
    .await;
    c.expect(
        StatusCode::OK,
        Req::post(register, &["contract", &plain_id_text]).json(visitor("grace@example.com")),
    )
    .await;
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::post(register, &["contract", &plain_id_text]).json(visitor("not-an-address")),
    )
    .await;
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::post(register, &["contract", &weekly_id_text]).json(visitor("ada@example.com")),
    )
    .await;
    let mut with_date = visitor("ada@example.com");
    with_date["occurrence_id"] = json!(occurrence);
    let weekly_registration = c
        .expect(
            StatusCode::CREATED,
            Req::post(register, &["contract", &weekly_id_text]).json(with_date),
        )
        .await;
    assert_eq!(weekly_registration["occurrence_id"], json!(occurrence));
    c.expect(
        StatusCode::NOT_FOUND,
        Req::post(register, &["contract", "1"]).json(visitor("ada@example.com")),
    )
    .await;
    let registrations = "/api/v1/admin/registrations";
    let listed = c
        .expect(StatusCode::OK, Req::get(registrations, &[]).auth(&key))
        .await;
    let plain_entry = listed["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["meeting_id"] == json!(plain_id))
        .expect("the plain meeting's registration");
    assert!(plain_entry.get("occurrence_id").is_none(), "{listed}");
    c.expect(
        StatusCode::OK,
        Req::get(&format!("{registrations}?meeting_id={weekly_id}"), &[]).auth(&key),
    )
    .await;
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::get(&format!("{registrations}?limit=0"), &[]).auth(&key),
    )
    .await;
    c.expect(
        StatusCode::FORBIDDEN,
        Req::get(registrations, &[]).auth(&reader),
    )
    .await;

    // On behalf of someone (the class-booking case), then a status change carried out at Zoom.
    let on_behalf = "/api/v1/admin/meetings/{meeting_id}/registrants";
    let booked = c
        .expect(
            StatusCode::CREATED,
            Req::post(on_behalf, &[&plain_id_text])
                .auth(&key)
                .json(visitor("booked@example.com")),
        )
        .await;
    c.expect(
        StatusCode::OK,
        Req::post(on_behalf, &[&plain_id_text])
            .auth(&key)
            .json(visitor("booked@example.com")),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::post(on_behalf, &["1"])
            .auth(&key)
            .json(visitor("nobody@example.com")),
    )
    .await;
    let status_of = "/api/v1/admin/meetings/{meeting_id}/registrants/{registration_id}/status";
    let booked_id = booked["id"].as_str().expect("a registration id").to_owned();
    let cancel = json!({"action": "cancel"});
    c.expect(
        StatusCode::OK,
        Req::new(Method::PUT, status_of, &[&plain_id_text, &booked_id])
            .auth(&key)
            .json(cancel.clone()),
    )
    .await;
    c.expect(
        StatusCode::CONFLICT,
        Req::new(Method::PUT, status_of, &[&plain_id_text, &booked_id])
            .auth(&key)
            .json(json!({"action": "approve"})),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::PUT, status_of, &[&plain_id_text, "nope"])
            .auth(&key)
            .json(cancel),
    )
    .await;
    c.expect(
        StatusCode::OK,
        Req::new(Method::PATCH, settings, &[])
            .auth(&key)
            .json(json!({"registration_open": false})),
    )
    .await;
    c.expect(
        StatusCode::CONFLICT,
        Req::post(register, &["contract", &plain_id_text]).json(visitor("late@example.com")),
    )
    .await;

    // Meetings made from Marquee: created, listed, read, started; refusals.
    let meetings = "/api/v1/admin/meetings";
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(5))
        .format("%Y-%m-%dT10:00:00")
        .to_string();
    let new_meeting = json!({"topic": "Contract class", "start_time": start,
        "timezone": "Europe/Berlin", "duration": 30, "registration": "manual",
        "recurrence": {"repeat": "daily", "interval": 2, "end_times": 3}});
    let made = c
        .expect(
            StatusCode::CREATED,
            Req::post(meetings, &[])
                .auth(&key)
                .json(new_meeting.clone())
                .header("idempotency-key", "contract-meeting"),
        )
        .await;
    let made_id = made["id"].as_i64().unwrap().to_string();
    let mut invalid = new_meeting.clone();
    invalid["timezone"] = json!("Nowhere/Else");
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::post(meetings, &[]).auth(&key).json(invalid),
    )
    .await;
    c.expect(
        StatusCode::OK,
        Req::get(&format!("{meetings}?limit=1"), &[]).auth(&key),
    )
    .await;
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::get(&format!("{meetings}?after=nonsense"), &[]).auth(&key),
    )
    .await;
    let one = "/api/v1/admin/meetings/{meeting_id}";
    c.expect(StatusCode::OK, Req::get(one, &[&made_id]).auth(&key))
        .await;
    c.expect(StatusCode::NOT_FOUND, Req::get(one, &["1"]).auth(&key))
        .await;
    let changed = c
        .expect(
            StatusCode::OK,
            Req::new(Method::PATCH, one, &[&made_id])
                .auth(&key)
                .json(json!({"topic": "Contract class, moved", "waiting_room": true})),
        )
        .await;
    let occurrence = changed["occurrences"][0]["occurrence_id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::new(Method::PATCH, one, &[&made_id])
            .auth(&key)
            .json(json!({"duration": 0})),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::PATCH, one, &["1"])
            .auth(&key)
            .json(json!({})),
    )
    .await;
    let one_occurrence = format!("{one}?occurrence_id={occurrence}");
    c.expect(
        StatusCode::NO_CONTENT,
        Req::new(Method::DELETE, &one_occurrence, &[&made_id]).auth(&key),
    )
    .await;
    let start_link = "/api/v1/admin/meetings/{meeting_id}/start";
    c.expect(StatusCode::OK, Req::get(start_link, &[&made_id]).auth(&key))
        .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::get(start_link, &["1"]).auth(&key),
    )
    .await;

    // Webinars: this grant lacks the Webinar add-on's write scopes (409 naming the scope).
    let webinars = "/api/v1/admin/webinars";
    let refused = c
        .expect(
            StatusCode::CONFLICT,
            Req::post(webinars, &[]).auth(&key).json(new_meeting),
        )
        .await;
    assert_eq!(refused["error"]["code"], "zoom_scope_missing", "{refused}");
    c.expect(StatusCode::OK, Req::get(webinars, &[]).auth(&key))
        .await;
    let webinar = "/api/v1/admin/webinars/{webinar_id}";
    c.expect(StatusCode::NOT_FOUND, Req::get(webinar, &["1"]).auth(&key))
        .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::PATCH, webinar, &["1"])
            .auth(&key)
            .json(json!({})),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::DELETE, webinar, &["1"]).auth(&key),
    )
    .await;
    // A meeting is not a webinar: no start link for it here.
    let webinar_start = "/api/v1/admin/webinars/{webinar_id}/start";
    c.expect(
        StatusCode::NOT_FOUND,
        Req::get(webinar_start, &[&made_id]).auth(&key),
    )
    .await;

    // Disconnecting, and a revoked key.
    c.expect(
        StatusCode::OK,
        Req::new(Method::DELETE, zoom, &[]).auth(&key),
    )
    .await;
    let after = c
        .expect(StatusCode::OK, Req::get(zoom, &[]).auth(&key))
        .await;
    assert_eq!(after["connected"], json!(false), "{after}");
    let revoke = "/api/v1/platform/tenants/{slug}/api-keys/{key_id}";
    c.expect(
        StatusCode::NO_CONTENT,
        Req::new(Method::DELETE, revoke, &["contract", &reader_id]).auth(&platform),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::DELETE, revoke, &["contract", "no-such-key"]).auth(&platform),
    )
    .await;
    c.expect(
        StatusCode::UNAUTHORIZED,
        Req::get(settings, &[]).auth(&reader),
    )
    .await;
    let listed = c
        .expect(
            StatusCode::OK,
            Req::get(keys, &["contract"]).auth(&platform),
        )
        .await;
    assert!(
        listed["api_keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k.get("revoked_at").is_some()),
        "{listed}"
    );

    event_endpoints(&mut c).await;
    site_event_endpoints(&mut c, &key).await;

    c.assert_every_operation_covered();
    eprintln!("contract: {} response checks", c.checks);
    assert!(c.checks > 150, "{} checks", c.checks);
}

/// The event endpoints: register (and refuse), list, read, rotate, test-send, log, replay,
/// delete. Nothing listens at the URL: the test-send answers with its failed attempt.
async fn event_endpoints(c: &mut Contract) {
    let platform = Auth::Platform;
    let endpoints = "/api/v1/platform/event-endpoints";
    let body = json!({"url": "http://127.0.0.1:9/events", "events": ["meeting.created"], "site": "contract"});
    c.expect(
        StatusCode::UNAUTHORIZED,
        Req::post(endpoints, &[]).json(body.clone()),
    )
    .await;
    let created = c
        .expect(
            StatusCode::CREATED,
            Req::post(endpoints, &[]).auth(&platform).json(body),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let bad = json!({"url": "http://127.0.0.1:9/events", "events": ["meeting.exploded"]});
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::post(endpoints, &[]).auth(&platform).json(bad),
    )
    .await;
    c.expect(StatusCode::OK, Req::get(endpoints, &[]).auth(&platform))
        .await;
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::get(&format!("{endpoints}?after=nonsense"), &[]).auth(&platform),
    )
    .await;
    let one = "/api/v1/platform/event-endpoints/{endpoint_id}";
    c.expect(StatusCode::OK, Req::get(one, &[&id]).auth(&platform))
        .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::get(one, &["no-such-endpoint"]).auth(&platform),
    )
    .await;
    let rotate = "/api/v1/platform/event-endpoints/{endpoint_id}/rotate-secret";
    let rotated = c
        .expect(StatusCode::OK, Req::post(rotate, &[&id]).auth(&platform))
        .await;
    assert_ne!(rotated["secret"], created["secret"], "{rotated}");
    let test = "/api/v1/platform/event-endpoints/{endpoint_id}/test";
    let tried = c
        .expect(StatusCode::OK, Req::post(test, &[&id]).auth(&platform))
        .await;
    assert_eq!(tried["status"], "pending", "{tried}");
    c.expect(
        StatusCode::NOT_FOUND,
        Req::post(test, &["no-such-endpoint"]).auth(&platform),
    )
    .await;
    let log = "/api/v1/platform/event-endpoints/{endpoint_id}/deliveries";
    c.expect(StatusCode::OK, Req::get(log, &[&id]).auth(&platform))
        .await;
    let replay = "/api/v1/platform/event-endpoints/{endpoint_id}/replay";
    let window = json!({"from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"});
    c.expect(
        StatusCode::ACCEPTED,
        Req::post(replay, &[&id]).auth(&platform).json(window),
    )
    .await;
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::post(replay, &[&id]).auth(&platform).json(json!({})),
    )
    .await;
    c.expect(
        StatusCode::NO_CONTENT,
        Req::new(Method::DELETE, one, &[&id]).auth(&platform),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::DELETE, one, &[&id]).auth(&platform),
    )
    .await;
}

/// The site's own event endpoints (`/api/v1/admin/event-endpoints`) with a key holding every
/// scope, and a key without `events:*` refused 403.
async fn site_event_endpoints(c: &mut Contract, key: &Auth) {
    let keys = "/api/v1/platform/tenants/{slug}/api-keys";
    let minted = c
        .expect(
            StatusCode::CREATED,
            Req::post(keys, &["contract"])
                .auth(&Auth::Platform)
                .json(json!({"name": "no events", "scopes": ["settings:read"]})),
        )
        .await;
    let unscoped = Auth::Key(minted["key"].as_str().unwrap().to_owned());
    let endpoints = "/api/v1/admin/event-endpoints";
    let body = json!({"url": "http://127.0.0.1:9/own", "events": ["meeting.created"]});
    c.expect(
        StatusCode::UNAUTHORIZED,
        Req::post(endpoints, &[]).json(body.clone()),
    )
    .await;
    c.expect(
        StatusCode::FORBIDDEN,
        Req::post(endpoints, &[]).auth(&unscoped).json(body.clone()),
    )
    .await;
    let created = c
        .expect(
            StatusCode::CREATED,
            Req::post(endpoints, &[]).auth(key).json(body),
        )
        .await;
    assert_eq!(created["site"], "contract", "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let bad = json!({"url": "http://127.0.0.1:9/own", "events": ["meeting.exploded"]});
    c.expect(
        StatusCode::BAD_REQUEST,
        Req::post(endpoints, &[]).auth(key).json(bad),
    )
    .await;
    c.expect(StatusCode::OK, Req::get(endpoints, &[]).auth(key))
        .await;
    c.expect(
        StatusCode::FORBIDDEN,
        Req::get(endpoints, &[]).auth(&unscoped),
    )
    .await;
    let one = "/api/v1/admin/event-endpoints/{endpoint_id}";
    c.expect(StatusCode::OK, Req::get(one, &[&id]).auth(key))
        .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::get(one, &["no-such-endpoint"]).auth(key),
    )
    .await;
    let rotate = "/api/v1/admin/event-endpoints/{endpoint_id}/rotate-secret";
    c.expect(StatusCode::OK, Req::post(rotate, &[&id]).auth(key))
        .await;
    let test = "/api/v1/admin/event-endpoints/{endpoint_id}/test";
    c.expect(StatusCode::OK, Req::post(test, &[&id]).auth(key))
        .await;
    let log = "/api/v1/admin/event-endpoints/{endpoint_id}/deliveries";
    c.expect(StatusCode::OK, Req::get(log, &[&id]).auth(key))
        .await;
    let replay = "/api/v1/admin/event-endpoints/{endpoint_id}/replay";
    let window = json!({"from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"});
    c.expect(
        StatusCode::ACCEPTED,
        Req::post(replay, &[&id]).auth(key).json(window),
    )
    .await;
    c.expect(
        StatusCode::NO_CONTENT,
        Req::new(Method::DELETE, one, &[&id]).auth(key),
    )
    .await;
    c.expect(
        StatusCode::NOT_FOUND,
        Req::new(Method::DELETE, one, &[&id]).auth(key),
    )
    .await;
}

//! Strict string inputs, driven by the served `/openapi.json` so a new route is covered the day
//! it is added: every string input states a `maxLength`; a JSON body property documented as a
//! string refuses a boolean, a number (and `null` where it is required) with 400 naming the
//! property, and nothing changes; every `maxLength` (and `minLength`) is the one enforced, in
//! bodies and in path and query parameters.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    EVERY_SCOPE, TestApp, WithPlatformKey, assert_invalid_request, json_response, meeting_body,
};

const SITE: &str = "strict";
const RECORDING: &str = "rec-strict-1";

/// A string the document promises somewhere in a request body.
#[derive(Debug)]
struct Leaf {
    /// Dotted, as `error.field` names it: `slug`, `fields.city`, `allowed_origins.0`.
    path: String,
    max: Option<usize>,
    min: usize,
    /// A closed set of values (an enum) or a fixed shape (`format: date-time`): strict, but
    /// no length of its own.
    enumerated: bool,
    /// `null` means "absent" here (an optional property).
    optional: bool,
    /// The fixture's body holds this string (else the test cannot send it).
    in_fixture: bool,
}

/// One operation of the document.
struct Operation {
    id: String,
    method: Method,
    template: String,
    /// Path and query parameters documented as strings: name, `in`, limits.
    params: Vec<(String, String, Option<usize>)>,
    body_schema: Option<Value>,
}

/// A valid request body for an operation and a read that shows whether anything changed.
struct Fixture {
    body: Value,
    probe: &'static str,
    /// A property that must differ in each accepted request (a new site's slug, a visitor).
    unique: Option<&'static str>,
}

/// The site every operation acts on: connected, one open meeting, a recording, a key with
/// every scope.
struct Site {
    app: TestApp,
    doc: Value,
    key: String,
    args: HashMap<&'static str, String>,
    /// Path parameters of one operation that differ from `args` (operation id, name).
    op_args: HashMap<(&'static str, &'static str), String>,
    fixtures: HashMap<&'static str, Fixture>,
}

impl Site {
    async fn start() -> Self {
        // Every malformed registration counts against the visitor limits: lift them, this
        // test is about the parser.
        let app = TestApp::spawn_configured(
            // Webinars are changed with the scopes of Zoom's Webinar add-on.
            |sim| {
                sim.scopes.extend(
                    [
                        "webinar:write:webinar:admin",
                        "webinar:update:webinar:admin",
                    ]
                    .map(String::from),
                )
            },
            |vars| {
                for limit in [
                    "MARQUEE_REGISTRATIONS_PER_IP_PER_MINUTE",
                    "MARQUEE_REGISTRATIONS_PER_SITE_PER_MINUTE",
                ] {
                    vars.insert(limit.into(), "10000".into());
                }
                // Admin links may lead there (their return and refresh URLs are checked).
                vars.insert("MARQUEE_PLATFORM_ORIGINS".into(), PLATFORM_ORIGIN.into());
            },
        )
        .await;
        let (meetings, _) = app
            .public_site(
                SITE,
                vec![
                    meeting_body("Strict studio", 3, 0),
                    meeting_body("Strict changes", 4, 0),
                ],
            )
            .await;
        let meeting_id = meetings[0]["id"].as_i64().unwrap().to_string();
        let key = app.api_key(SITE, &EVERY_SCOPE).await;
        let registration_id = app
            .registration_id(
                SITE,
                &key,
                meetings[0]["id"].as_i64().unwrap(),
                "first@example.com",
            )
            .await;
        let (_, keys) = app
            .platform(
                Method::GET,
                "/api/v1/platform/tenants/strict/api-keys",
                None,
            )
            .await;
        let key_id = keys["api_keys"][0]["id"].as_str().unwrap().to_owned();
        app.seed_recording(SITE, RECORDING, "Strict studio", "2025-01-10 10:00:00", "")
            .await;
        let (status, webinar) = app
            .admin_call(
                &key,
                Method::POST,
                "/api/v1/admin/webinars",
                Some(new_meeting_fixture()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{webinar}");
        let (status, endpoint) = app
            .platform(
                Method::POST,
                "/api/v1/platform/event-endpoints",
                Some(new_endpoint_fixture()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{endpoint}");
        let endpoint_id = endpoint["id"].as_str().unwrap().to_owned();
        let (status, own) = app
            .admin_call(
                &key,
                Method::POST,
                "/api/v1/admin/event-endpoints",
                Some(json!({"url": "http://127.0.0.1:9/own", "events": ["meeting.created"]})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{own}");
        let doc = app.served_document().await;
        let args = HashMap::from([
            ("slug", SITE.to_owned()),
            ("site", SITE.to_owned()),
            ("webinar_id", webinar["id"].to_string()),
            ("meeting_id", meeting_id),
            ("key_id", key_id),
            ("recording_id", RECORDING.to_owned()),
            ("registration_id", registration_id),
            ("endpoint_id", endpoint_id),
        ]);
        Self {
            app,
            doc,
            key,
            args,
            // Its fixture makes the meeting recurring; visitors register for the other one.
            op_args: HashMap::from([
                (
                    ("update_meeting", "meeting_id"),
                    meetings[1]["id"].to_string(),
                ),
                // A site sees only its own endpoints, not the platform's.
                (
                    ("replay_site_events", "endpoint_id"),
                    own["id"].as_str().unwrap().to_owned(),
                ),
            ]),
            fixtures: fixtures(),
        }
    }

    fn operations(&self) -> Vec<Operation> {
        operations(&self.doc)
    }

    /// Sends `body` (or none) to `op` with the path parameters from `args`, overridden by
    /// `param`, and `query` appended.
    async fn send(
        &self,
        op: &Operation,
        param: Option<(&str, &str)>,
        query: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let path: Vec<String> = op
            .template
            .split('/')
            .map(|segment| match segment.strip_prefix('{') {
                Some(name) => {
                    let name = name.trim_end_matches('}');
                    match param {
                        Some((overridden, value)) if overridden == name => value.to_owned(),
                        _ => self
                            .op_args
                            .get(&(op.id.as_str(), name))
                            .unwrap_or(&self.args[name])
                            .clone(),
                    }
                }
                None => segment.to_owned(),
            })
            .collect();
        let url = format!("{}{query}", path.join("/"));
        self.call(op.method.clone(), &url, body).await
    }

    async fn call(&self, method: Method, url: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let mut req = self.app.http.request(method, self.app.at(url));
        if url.starts_with("/api/v1/platform") {
            req = req.platform_key();
        } else if url.starts_with("/api/v1/admin") {
            req = req.bearer_auth(&self.key);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        json_response(req.send().await.unwrap()).await
    }

    /// What the fixture's probe reads now.
    async fn state(&self, fixture: &Fixture) -> Value {
        let (status, body) = self.call(Method::GET, fixture.probe, None).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", fixture.probe);
        body
    }

    /// The fixture of an operation with a body, and the strings of that body.
    fn body_of(&self, op: &Operation) -> Option<(&Fixture, Vec<Leaf>)> {
        let schema = op.body_schema.as_ref()?;
        let fixture = self.fixtures.get(op.id.as_str());
        let mut leaves = Vec::new();
        collect_leaves(
            &self.doc,
            schema,
            fixture.map(|f| &f.body),
            "",
            false,
            &mut leaves,
        );
        if leaves.is_empty() && fixture.is_none() {
            return None;
        }
        let fixture = fixture
            .unwrap_or_else(|| panic!("{}: add a fixture so its strings are checked", op.id));
        let missing: Vec<&str> = leaves
            .iter()
            .filter(|l| !l.in_fixture)
            .map(|l| l.path.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "{}: the fixture lacks {missing:?}",
            op.id
        );
        Some((fixture, leaves))
    }
}

/// The platform's own origin in this test, and a page on it (25 characters).
const PLATFORM_ORIGIN: &str = "https://platform.example";
const PLATFORM_PAGE: &str = "https://platform.example/";

/// A valid body for every operation that takes one.
fn fixtures() -> HashMap<&'static str, Fixture> {
    HashMap::from([
        (
            "create_tenant",
            Fixture {
                body: json!({"slug": "fresh-site", "display_name": "Fresh",
                    "origins": ["https://fresh.example"]}),
                probe: "/api/v1/platform/tenants?limit=200",
                unique: Some("slug"),
            },
        ),
        (
            "update_tenant",
            Fixture {
                body: json!({"display_name": "Strict studio", "origins": ["https://a.example"]}),
                probe: "/api/v1/platform/tenants/strict",
                unique: None,
            },
        ),
        (
            "create_admin_link",
            Fixture {
                body: json!({"return_url": format!("{PLATFORM_PAGE}back"),
                    "refresh_url": format!("{PLATFORM_PAGE}refresh")}),
                probe: "/api/v1/platform/tenants/strict",
                unique: None,
            },
        ),
        (
            "create_api_key",
            Fixture {
                body: json!({"name": "builder", "scopes": ["settings:read"]}),
                probe: "/api/v1/platform/tenants/strict/api-keys?limit=100",
                unique: None,
            },
        ),
        (
            "create_event_endpoint",
            Fixture {
                body: new_endpoint_fixture(),
                probe: "/api/v1/platform/event-endpoints?limit=100",
                unique: None,
            },
        ),
        (
            "replay_events",
            Fixture {
                body: json!({"event_ids": ["no-such-event"], "from": "2020-01-01T00:00:00Z",
                    "to": "2100-01-01T00:00:00Z"}),
                probe: "/api/v1/platform/event-endpoints?limit=100",
                unique: None,
            },
        ),
        (
            "create_site_event_endpoint",
            Fixture {
                body: json!({"url": "http://127.0.0.1:9/events", "events": ["meeting.created"]}),
                probe: "/api/v1/admin/event-endpoints?limit=100",
                unique: None,
            },
        ),
        (
            "replay_site_events",
            Fixture {
                body: json!({"event_ids": ["no-such-event"], "from": "2020-01-01T00:00:00Z",
                    "to": "2100-01-01T00:00:00Z"}),
                probe: "/api/v1/admin/event-endpoints?limit=100",
                unique: None,
            },
        ),
        (
            "update_site_settings",
            Fixture {
                body: json!({"meetings_public": true, "allowed_origins": ["https://a.example"],
                    "language": "en", "theme": "light", "accent_color": "#b34700",
                    "font": "system"}),
                probe: "/api/v1/admin/site-settings",
                unique: None,
            },
        ),
        (
            "set_meeting_visibility",
            Fixture {
                body: json!({"hidden": false}),
                probe: "/api/v1/sites/strict/meetings",
                unique: None,
            },
        ),
        (
            "set_recording_visibility",
            Fixture {
                body: json!({"hidden": false}),
                probe: "/api/v1/sites/strict/recordings",
                unique: None,
            },
        ),
        (
            "create_meeting",
            Fixture {
                body: new_meeting_fixture(),
                probe: "/api/v1/admin/meetings?limit=100",
                unique: None,
            },
        ),
        (
            "update_meeting",
            Fixture {
                body: meeting_change_fixture(),
                probe: "/api/v1/admin/meetings?limit=100",
                unique: None,
            },
        ),
        (
            "create_webinar",
            Fixture {
                body: new_meeting_fixture(),
                probe: "/api/v1/admin/webinars?limit=100",
                unique: None,
            },
        ),
        (
            "update_webinar",
            Fixture {
                body: meeting_change_fixture(),
                probe: "/api/v1/admin/webinars?limit=100",
                unique: None,
            },
        ),
        (
            "add_registrant",
            Fixture {
                body: json!({"first_name": "Ada", "last_name": "Lovelace",
                    "email": "ada-admin@example.com", "occurrence_id": "",
                    "fields": {"city": "Berlin"},
                    "custom_questions": [{"title": "Level", "value": "Pro"}]}),
                probe: "/api/v1/admin/registrations",
                unique: Some("email"),
            },
        ),
        (
            "change_registrant_status",
            Fixture {
                body: json!({"action": "approve"}),
                probe: "/api/v1/admin/registrations",
                unique: None,
            },
        ),
        (
            "register_for_meeting",
            Fixture {
                body: json!({"first_name": "Ada", "last_name": "Lovelace",
                    "email": "ada@example.com", "occurrence_id": "",
                    "fields": {"city": "Berlin"},
                    "custom_questions": [{"title": "Level", "value": "Pro"}],
                    "website": ""}),
                probe: "/api/v1/admin/registrations",
                unique: Some("email"),
            },
        ),
    ])
}

/// A new meeting (or webinar) with every string field.
/// An event endpoint of the site (nothing listens there; only the API is under test).
fn new_endpoint_fixture() -> Value {
    json!({"url": "http://127.0.0.1:9/events", "events": ["meeting.created"], "site": SITE})
}

fn new_meeting_fixture() -> Value {
    json!({"topic": "Strict class", "agenda": "Warm-up",
        "start_time": "2099-01-05T18:00:00", "timezone": "Europe/Berlin",
        "duration": 30, "passcode": "abc123", "registration": "automatic",
        "standard_questions": [{"field_name": "org", "required": true}],
        "questions": [{"title": "Level", "type": "single", "answers": ["Pro"]}],
        "host": "host-strict@example.com",
        "recurrence": {"repeat": "daily", "end_date_time": "2099-01-08T18:00:00"}})
}

fn meeting_change_fixture() -> Value {
    json!({"topic": "Strict class", "agenda": "Warm-up",
        "start_time": "2099-02-05T18:00:00", "timezone": "Europe/Berlin",
        "passcode": "abc123", "registration": "manual",
        "recurrence": {"repeat": "daily", "end_date_time": "2099-02-08T18:00:00"},
        "standard_questions": [{"field_name": "org", "required": true}],
        "questions": [{"title": "Level", "type": "single", "answers": ["Pro"]}]})
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path" || p["in"] == "query")
                .filter(|p| resolve(doc, &p["schema"])["type"] == "string")
                .map(|p| {
                    let schema = resolve(doc, &p["schema"]);
                    (
                        p["name"].as_str().unwrap().to_owned(),
                        p["in"].as_str().unwrap().to_owned(),
                        length(&schema["maxLength"]),
                    )
                })
                .collect();
            let body_schema = op["requestBody"]["content"]
                .as_object()
                .and_then(|content| content.values().next())
                .map(|media| media["schema"].clone());
            found.push(Operation {
                id: op["operationId"].as_str().unwrap().to_owned(),
                method: method.to_uppercase().parse().unwrap(),
                template: template.clone(),
                params,
                body_schema,
            });
        }
    }
    found
}

/// `schema` with its `$ref` followed and a lone `allOf` member merged in.
fn resolve(doc: &Value, schema: &Value) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return resolve(doc, &doc["components"]["schemas"][name]);
    }
    let mut merged = schema.clone();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        for (k, v) in resolve(doc, part).as_object().unwrap() {
            merged
                .as_object_mut()
                .unwrap()
                .entry(k)
                .or_insert(v.clone());
        }
    }
    merged
}

fn length(value: &Value) -> Option<usize> {
    value.as_u64().map(|n| n as usize)
}

/// Every string of `schema` (walked along `body` where the body has the part), at `at`.
fn collect_leaves(
    doc: &Value,
    schema: &Value,
    body: Option<&Value>,
    at: &str,
    optional: bool,
    out: &mut Vec<Leaf>,
) {
    let schema = resolve(doc, schema);
    let join = |name: &str| match at {
        "" => name.to_owned(),
        _ => format!("{at}.{name}"),
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let inner = body.and_then(|b| b.get(name));
        let optional = !required.contains(&name.as_str());
        collect_leaves(doc, property, inner, &join(name), optional, out);
    }
    if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        match body.and_then(Value::as_object).filter(|m| !m.is_empty()) {
            Some(map) => {
                for (key, value) in map {
                    collect_leaves(doc, values, Some(value), &join(key), false, out);
                }
            }
            None => collect_leaves(doc, values, None, &join("*"), false, out),
        }
    }
    if let Some(items) = schema.get("items") {
        let first = body.and_then(|b| b.get(0));
        collect_leaves(doc, items, first, &join("0"), false, out);
    }
    if schema["type"] == "string" {
        out.push(Leaf {
            path: at.to_owned(),
            max: length(&schema["maxLength"]),
            min: length(&schema["minLength"]).unwrap_or(0),
            enumerated: schema.get("enum").is_some() || schema["format"] == "date-time",
            optional,
            in_fixture: body.is_some(),
        });
    }
}

/// `body` with the value at the dotted `path` replaced.
fn with_value(body: &Value, path: &str, value: Value) -> Value {
    let mut body = body.clone();
    let pointer = format!("/{}", path.replace('.', "/"));
    *body
        .pointer_mut(&pointer)
        .expect("the fixture has the path") = value;
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_string_input_of_the_document_states_its_max_length() {
    let doc = TestApp::spawn().await.served_document().await;
    let mut unbounded = Vec::new();
    let mut counted = 0;
    for op in operations(&doc) {
        for (name, place, max) in &op.params {
            let schema = param_schema(&doc, &op, name);
            counted += 1;
            // A date-time has a bounded shape of its own.
            if max.is_none() && schema.get("format").is_none() && schema.get("enum").is_none() {
                unbounded.push(format!(
                    "{} {}: {place} parameter {name}",
                    op.method, op.template
                ));
            }
        }
        let mut leaves = Vec::new();
        if let Some(schema) = &op.body_schema {
            collect_leaves(&doc, schema, None, "", false, &mut leaves);
        }
        for leaf in leaves.iter().filter(|l| !l.enumerated) {
            counted += 1;
            if leaf.max.is_none() {
                unbounded.push(format!("{} {}: body {}", op.method, op.template, leaf.path));
            }
        }
    }
    eprintln!("strict: {counted} string inputs, each with a maxLength");
    assert!(counted >= 30, "only {counted} string inputs found");
    assert!(unbounded.is_empty(), "no maxLength: {unbounded:#?}");
}

fn param_schema(doc: &Value, op: &Operation, name: &str) -> Value {
    let item = &doc["paths"][&op.template][op.method.as_str().to_lowercase()];
    let param = item["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap();
    resolve(doc, &param["schema"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_string_property_refuses_other_json_types_naming_it_and_nothing_changes() {
    let site = Site::start().await;
    let mut checked = 0;
    for op in site.operations() {
        let Some((fixture, leaves)) = site.body_of(&op) else {
            continue;
        };
        let before = site.state(fixture).await;
        for leaf in &leaves {
            let mut wrong = vec![json!(false), json!(5)];
            if !leaf.optional {
                wrong.push(Value::Null);
            }
            for value in wrong {
                let body = with_value(&fixture.body, &leaf.path, value.clone());
                let (status, answer) = site.send(&op, None, "", Some(&body)).await;
                let what = format!("{}: {} = {value}", op.id, leaf.path);
                assert_invalid_request(status, &answer, &leaf.path, &what);
                checked += 1;
            }
        }
        assert_eq!(site.state(fixture).await, before, "{}: changed", op.id);
    }
    // The whole-body example of the issue: a site named "false".
    let (status, answer) = site
        .call(
            Method::POST,
            "/api/v1/platform/tenants",
            Some(&json!({"slug": false, "display_name": false})),
        )
        .await;
    assert_invalid_request(status, &answer, "slug", "booleans for a new site");
    eprintln!("strict: {checked} non-strings refused");
    assert!(checked >= 30, "only {checked} refusals checked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parameter_is_refused_under_its_document_name() {
    let app = TestApp::spawn().await;
    let (status, _, body) = app.get_public("/api/v1/sites/any-site/meetings/abc").await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_invalid_request(
        status,
        &body,
        "meeting_id",
        "a meeting number that is not one",
    );
    let (status, body) = app
        .platform(Method::GET, "/api/v1/platform/tenants/Not_A_Slug", None)
        .await;
    assert_invalid_request(status, &body, "slug", "a slug no site can have");
    let message = body["error"]["message"].as_str().unwrap();
    assert_eq!(
        message, "slug: slug may contain only lowercase letters, digits and hyphens",
        "the domain's own words"
    );
    let (status, body) = app
        .platform(Method::GET, "/api/v1/platform/tenants?limit=0", None)
        .await;
    assert_invalid_request(status, &body, "limit", "a page size out of range");
}

/// A value of exactly `chars` characters that is otherwise valid for the field at `path`
/// (`n` keeps unique values apart).
fn valid_text(path: &str, chars: usize, n: usize) -> String {
    let tag = format!("{n}x");
    match path {
        "email" => {
            // A local part of at most 64 and domain labels of at most 63 characters.
            let local = (chars - 6).min(64);
            let label = chars - local - "@.com".len();
            format!("{:a<local$}@{}.com", tag, "b".repeat(label))
        }
        "allowed_origins.0" | "origins.0" => format!("https://{}.com", "a".repeat(chars - 12)),
        "return_url" | "refresh_url" => format!("{PLATFORM_PAGE}{}", "a".repeat(chars - 25)),
        // A dark grey: readable on the light theme (faint accents are refused).
        "accent_color" => format!("#{}", "3".repeat(chars - 1)),
        "slug" => format!("{:a<chars$}", tag),
        "url" if chars > 19 => format!("http://127.0.0.1:9/{}", "a".repeat(chars - 19)),
        _ => "a".repeat(chars),
    }
}

/// Strings whose longest value is refused for another reason: an occurrence id must be one
/// of the meeting's dates, the honeypot must stay empty, a cursor must be one, times and zones
/// must parse, a host must be a user of the account, an event type is one of a closed list and
/// an event endpoint's site one that exists.
const NO_VALID_LONGEST: [&str; 11] = [
    "events.0",
    "site",
    "from",
    "to",
    "occurrence_id",
    "website",
    "after",
    "start_time",
    "timezone",
    "recurrence.end_date_time",
    "host",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_length_is_the_enforced_one() {
    let site = Site::start().await;
    let mut checked = 0;
    for op in site.operations() {
        if let Some((fixture, leaves)) = site.body_of(&op) {
            checked += check_body_lengths(&site, &op, fixture, &leaves).await;
        }
        checked += check_param_lengths(&site, &op).await;
    }
    eprintln!("strict: {checked} lengths checked");
    assert!(checked >= 40, "only {checked} lengths checked");
}

async fn check_body_lengths(
    site: &Site,
    op: &Operation,
    fixture: &Fixture,
    leaves: &[Leaf],
) -> usize {
    let mut checked = 0;
    let before = site.state(fixture).await;
    for leaf in leaves.iter().filter(|l| !l.enumerated) {
        let max = leaf.max.expect("every string has a maxLength");
        let mut refused = vec![(max + 1, "one more than maxLength")];
        if leaf.min > 0 {
            refused.push((leaf.min - 1, "one less than minLength"));
        }
        for (chars, what) in refused {
            let body = with_value(
                &fixture.body,
                &leaf.path,
                json!(valid_text(&leaf.path, chars, 0)),
            );
            let (status, answer) = site.send(op, None, "", Some(&body)).await;
            assert_invalid_request(
                status,
                &answer,
                &leaf.path,
                &format!("{}: {} {what}", op.id, leaf.path),
            );
            checked += 1;
        }
    }
    assert_eq!(site.state(fixture).await, before, "{}: changed", op.id);
    for (n, leaf) in leaves.iter().filter(|l| !l.enumerated).enumerate() {
        if NO_VALID_LONGEST.contains(&leaf.path.as_str()) {
            continue;
        }
        let max = leaf.max.unwrap();
        let mut body = fixture.body.clone();
        if let Some(unique) = fixture.unique.filter(|u| *u != leaf.path) {
            body = with_value(&body, unique, json!(valid_text(unique, 20, n + 1)));
        }
        let body = with_value(&body, &leaf.path, json!(valid_text(&leaf.path, max, n + 1)));
        let (status, answer) = site.send(op, None, "", Some(&body)).await;
        assert!(
            status.is_success(),
            "{}: {} of maxLength {max} is accepted: {status} {answer}",
            op.id,
            leaf.path
        );
        checked += 1;
    }
    checked
}

async fn check_param_lengths(site: &Site, op: &Operation) -> usize {
    let body = site.body_of(op).map(|(fixture, _)| fixture.body.clone());
    let mut checked = 0;
    for (name, place, max) in &op.params {
        // A date-time has no length (and the rule above makes every other string have one).
        let Some(max) = *max else {
            continue;
        };
        for (chars, refused) in [(max + 1, true), (max, false)] {
            if !refused && NO_VALID_LONGEST.contains(&name.as_str()) {
                continue;
            }
            let value = valid_text(name, chars, 0);
            let (status, answer) = if place == "path" {
                site.send(op, Some((name, &value)), "", body.as_ref()).await
            } else {
                site.send(op, None, &format!("?{name}={value}"), body.as_ref())
                    .await
            };
            let what = format!("{} {}: {place} {name} of {chars}", op.method, op.template);
            if refused {
                assert_invalid_request(status, &answer, name, &what);
            } else {
                assert_ne!(status, StatusCode::BAD_REQUEST, "{what}: {answer}");
            }
            checked += 1;
        }
    }
    checked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_for_a_documented_property_is_refused_and_nothing_changes() {
    let app = TestApp::spawn().await;
    app.create_tenant("nulls").await;
    let key = app.api_key("nulls", &EVERY_SCOPE).await;
    let before = app.site_settings(&key, json!({"font": "serif"})).await;
    let (status, body) = app
        .admin_call(
            &key,
            Method::PATCH,
            "/api/v1/admin/site-settings",
            Some(json!({"theme": "dark", "font": null})),
        )
        .await;
    assert_invalid_request(status, &body, "font", "font: null");
    let after = app.site_settings(&key, json!({})).await;
    assert_eq!(after, before, "a refused patch changes nothing");
    // Properties the document does not list are not its business, null or not.
    let (status, body) = app
        .admin_call(
            &key,
            Method::PATCH,
            "/api/v1/admin/site-settings",
            Some(json!({"unlisted": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

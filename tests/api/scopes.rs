//! The scope matrix: every operation a tenant key can call names exactly one scope in the
//! served document, a key holding every other scope is refused 403 `missing_scope`, and a key
//! holding just that scope gets past the check. Driven by `/openapi.json`, so a new operation
//! without a declared scope fails here.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{EVERY_SCOPE as SCOPES, TestApp, json_response};

/// One operation the tenant key may call, as the document describes it.
struct KeyOperation {
    method: Method,
    path: String,
    scope: String,
    body: Option<Value>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tenant_key_operation_needs_its_declared_scope_and_only_that() {
    let app = TestApp::spawn().await;
    app.create_tenant("scoped").await;
    let resp = app.http.get(app.at("/openapi.json")).send().await.unwrap();
    let doc: Value = resp.json().await.unwrap();
    let operations = key_operations(&doc);
    assert!(
        operations.len() >= 12,
        "found {} operations",
        operations.len()
    );

    for scope in SCOPES {
        let only: Vec<&str> = vec![scope];
        let others: Vec<&str> = SCOPES.iter().copied().filter(|s| *s != scope).collect();
        let with_scope = app.api_key("scoped", &only).await;
        let without_scope = app.api_key("scoped", &others).await;
        for op in operations.iter().filter(|op| op.scope == scope) {
            let (status, body) = call(&app, op, &without_scope).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{} {}: {body}",
                op.method,
                op.path
            );
            assert_eq!(
                body["error"]["code"], "missing_scope",
                "{} {}",
                op.method, op.path
            );
            let (status, body) = call(&app, op, &with_scope).await;
            assert!(
                status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                "{} {} with `{scope}`: {status} {body}",
                op.method,
                op.path
            );
        }
    }
}

/// Every operation whose security admits `TenantKeyAuth`, with the one scope it lists there.
fn key_operations(doc: &Value) -> Vec<KeyOperation> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(scopes) = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|req| req.get("TenantKeyAuth"))
            else {
                continue;
            };
            let scopes = scopes.as_array().unwrap();
            assert_eq!(
                scopes.len(),
                1,
                "{method} {path} must name one scope: {scopes:?}"
            );
            let scope = scopes[0].as_str().unwrap().to_owned();
            assert!(
                SCOPES.contains(&scope.as_str()),
                "{method} {path}: unknown scope {scope}"
            );
            let description = op["summary"].as_str().unwrap_or_default();
            assert!(
                description.contains(&format!("(scope `{scope}`)")),
                "{method} {path}: the summary names the scope"
            );
            found.push(KeyOperation {
                method: method.to_uppercase().parse().unwrap(),
                path: fill_path(path),
                scope,
                body: minimal_body(doc, op),
            });
        }
    }
    found
}

/// A concrete path: every `{param}` gets a plausible value (unknown items are a 404, which
/// is past the scope check).
fn fill_path(template: &str) -> String {
    template
        .split('/')
        .map(|part| if part.starts_with('{') { "1" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

/// A JSON body with just the required properties of the operation's request schema.
fn minimal_body(doc: &Value, op: &Value) -> Option<Value> {
    let (_, media) = op["requestBody"]["content"].as_object()?.iter().next()?;
    media["schema"].as_object()?;
    let schema = resolved(doc, &media["schema"]);
    let mut body = serde_json::Map::new();
    for name in schema["required"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap();
        let property = resolved(doc, &schema["properties"][name]);
        let value = match property["type"].as_str() {
            Some("boolean") => json!(false),
            Some("integer") => json!(1),
            Some("array") => sample_items(doc, property),
            Some("string") if property["enum"].is_array() => property["enum"][0].clone(),
            Some("string") => json!("x"),
            other => panic!("no sample for a required {other:?} property {name}"),
        };
        body.insert(name.to_owned(), value);
    }
    Some(Value::Object(body))
}

/// An array as short as the schema allows: `minItems` strings, each the first value of an
/// enum of items (a wrong value is refused after the scope check, an array too short or an
/// item off its enum before it).
fn sample_items(doc: &Value, property: &Value) -> Value {
    let least = property["minItems"].as_u64().unwrap_or(0) as usize;
    let item = resolved(doc, &property["items"]);
    let sample = match item["enum"].as_array() {
        Some(values) => values[0].clone(),
        None => json!("x"),
    };
    json!(vec![sample; least])
}

/// A schema, or the one its `$ref` names.
fn resolved<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => &doc["components"]["schemas"][reference.rsplit('/').next().unwrap()],
        None => schema,
    }
}

async fn call(app: &TestApp, op: &KeyOperation, key: &str) -> (StatusCode, Value) {
    let mut req = app
        .http
        .request(op.method.clone(), app.at(&op.path))
        .bearer_auth(key);
    if let Some(body) = &op.body {
        req = req.json(body);
    }
    json_response(req.send().await.unwrap()).await
}

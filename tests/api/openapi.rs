//! The committed spec is the generated one.

#[test]
fn committed_openapi_matches_the_code() {
    let generated = marquee::http::api::spec_json();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap_or_default();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

fn spec() -> serde_json::Value {
    serde_json::from_str(&marquee::http::api::spec_json()).unwrap()
}

/// poem-openapi writes a documented field of an enum type as `allOf: [{$ref: Enum},
/// {description}]`; generators such as openapi-python-client read every `allOf` as an object
/// and drop the whole schema ("Cannot take allOf a non-object"). Such fields carry no `///`.
#[test]
fn no_all_of_wraps_a_non_object() {
    let spec = spec();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut wrapped = Vec::new();
    for (name, schema) in schemas {
        let properties = schema["properties"].as_object().into_iter().flatten();
        for (property, value) in properties {
            let refs = value["allOf"].as_array().into_iter().flatten();
            for target in refs.filter_map(|member| member["$ref"].as_str()) {
                let target = target.trim_start_matches("#/components/schemas/");
                if schemas[target]["type"] != "object" {
                    wrapped.push(format!("{name}.{property} → {target}"));
                }
            }
        }
    }
    assert!(
        wrapped.is_empty(),
        "remove the `///` of these fields: {wrapped:?}"
    );
}

#[test]
fn the_platform_key_and_the_tenant_key_travel_in_different_headers() {
    let spec = spec();
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["PlatformAuth"]["type"], "apiKey");
    assert_eq!(schemes["PlatformAuth"]["in"], "header");
    assert_eq!(schemes["PlatformAuth"]["name"], "X-Platform-Key");
    assert_eq!(schemes["TenantKeyAuth"]["type"], "http");
    assert_eq!(schemes["TenantKeyAuth"]["scheme"], "bearer");
}

/// Every write the owner's session may make documents the `X-CSRF-Token` header; reads and
/// operations without the session do not.
#[test]
fn session_writes_document_the_csrf_header() {
    let spec = spec();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let by_session = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|requirement| requirement.get("SessionAuth").is_some());
            let expected = by_session && method != "get";
            let header = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["name"] == "X-CSRF-Token");
            assert_eq!(header.is_some(), expected, "{method} {path}");
            if let Some(header) = header {
                assert_eq!(header["in"], "header");
                assert_eq!(header["required"], false);
            }
        }
    }
}

/// The input guard refuses control characters in every path, query and JSON body string; the
/// document says so with a pattern on each such string it describes (schemathesis then sends
/// them only as schema-violating data, and tests/contract/hooks.py relies on it).
#[test]
fn every_string_input_forbids_control_characters() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let mut unguarded = Vec::new();
    let mut pending = Vec::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            for param in operation["parameters"].as_array().into_iter().flatten() {
                if param["in"] == "path" || param["in"] == "query" {
                    let at = format!("{method} {path} {}", param["name"]);
                    check_string(&param["schema"], &at, &mut unguarded, &mut pending);
                }
            }
            let bodies = operation["requestBody"]["content"].as_object();
            for media in bodies.into_iter().flat_map(|content| content.values()) {
                check_string(&media["schema"], "body", &mut unguarded, &mut pending);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if seen.insert(name.clone()) {
            check_string(&schemas[&name], &name, &mut unguarded, &mut pending);
        }
    }
    assert!(
        unguarded.is_empty(),
        "strings without a pattern: {unguarded:?}"
    );
}

fn check_string(
    schema: &serde_json::Value,
    at: &str,
    unguarded: &mut Vec<String>,
    pending: &mut Vec<String>,
) {
    if let Some(target) = schema["$ref"].as_str() {
        pending.push(
            target
                .trim_start_matches("#/components/schemas/")
                .to_owned(),
        );
        return;
    }
    let free_text = schema["type"] == "string"
        && schema.get("enum").is_none()
        && schema.get("format").is_none();
    if free_text && schema["pattern"].as_str().is_none() {
        unguarded.push(at.to_owned());
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        check_string(property, &format!("{at}.{name}"), unguarded, pending);
    }
    for (key, inner) in [("items", "[]"), ("additionalProperties", "{}")] {
        if schema[key].is_object() {
            check_string(&schema[key], &format!("{at}{inner}"), unguarded, pending);
        }
    }
    for member in schema["allOf"].as_array().into_iter().flatten() {
        check_string(member, at, unguarded, pending);
    }
}

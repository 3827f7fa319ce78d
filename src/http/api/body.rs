//! [`JsonBody`]: the JSON request body of every operation. It parses exactly like
//! poem-openapi's `Json` — the types (strict [`Text`](super::text::Text) among them) decide
//! what is valid — and, when parsing fails, says which field is at fault the way the document
//! would: the first property whose value breaks its schema, as a dotted path (`slug`,
//! `fields.city`, `allowed_origins.1`, `custom_questions.0.title`), in a 400
//! `invalid_request` with that `field`. poem-openapi's own message names types, not fields.

use std::ops::Deref;

use poem::{FromRequest, Request, RequestBody, Result};
use poem_openapi::error::{ContentTypeError, ParseRequestPayloadError};
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde_json::Value;

use super::text::check_text;
use crate::http::error::Problem;

/// A JSON request body of type `T`, documented as `Json<T>` is.
pub struct JsonBody<T>(pub T);

impl<T> Deref for JsonBody<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = Json::<T>::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        Json::<T>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;

    async fn from_request(request: &Request, body: &mut RequestBody) -> Result<Self> {
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        let value = json_value(&data)?;
        if let Some(refusal) = documented_null::<T>(&value) {
            return Err(refusal.into());
        }
        match T::parse_from_json(Some(value)) {
            Ok(parsed) => Ok(Self(parsed)),
            // Parsing took the value; failures are rare, so read the bytes again to explain.
            Err(err) => Err(match first_fault::<T>(&json_value(&data)?) {
                Some(fault) => fault.into(),
                None => ParseRequestPayloadError {
                    reason: err.into_message(),
                }
                .into(),
            }),
        }
    }
}

fn json_value(data: &[u8]) -> Result<Value> {
    if data.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(data).map_err(|err| {
        ParseRequestPayloadError {
            reason: err.to_string(),
        }
        .into()
    })
}

impl<'a, T: ParseFromJSON> ApiExtractor<'a> for JsonBody<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: <Self as ParsePayload>::IS_REQUIRED,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> Result<Self> {
        match request.content_type() {
            Some(content_type) if Self::check_content_type(content_type) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(content_type) => Err(ContentTypeError::NotSupported {
                content_type: content_type.to_owned(),
            }
            .into()),
            None => Err(ContentTypeError::ExpectContentType.into()),
        }
    }
}

/// A `null` for a property `T` documents, as a refusal naming it. No schema of the API is
/// nullable: an optional property is left out (poem-openapi would read `null` as absent, which
/// the document does not allow). Properties the document does not list are not its business.
fn documented_null<T: Type>(value: &Value) -> Option<Problem> {
    if !holds_null(value) {
        return None;
    }
    let mut registry = Registry::new();
    T::register(&mut registry);
    let at = Walk {
        registry: &registry,
    }
    .null_at(&T::schema_ref(), value, "")?;
    let message = format!("{at}: leave the property out instead of sending null");
    Some(Problem::invalid(message).with_field(at))
}

/// Whether a `null` is anywhere inside `value` (the cheap test before the walk).
fn holds_null(value: &Value) -> bool {
    match value {
        Value::Object(object) => object.values().any(|v| v.is_null() || holds_null(v)),
        Value::Array(items) => items.iter().any(|v| v.is_null() || holds_null(v)),
        _ => false,
    }
}

/// The first place in `value` that breaks `T`'s schema, as a refusal naming it.
fn first_fault<T: Type>(value: &Value) -> Option<Problem> {
    let mut registry = Registry::new();
    T::register(&mut registry);
    let (path, reason) = Walk {
        registry: &registry,
    }
    .fault(&T::schema_ref(), value, "")?;
    let field = if path.is_empty() {
        "body".to_owned()
    } else {
        path
    };
    Some(Problem::invalid(format!("{field}: {reason}")).with_field(field))
}

/// A walk of a value along its schema, with the registry its references point into.
struct Walk<'r> {
    registry: &'r Registry,
}

impl Walk<'_> {
    fn resolve<'s>(&'s self, schema: &'s MetaSchemaRef) -> Option<&'s MetaSchema> {
        match schema {
            MetaSchemaRef::Inline(schema) => Some(schema),
            MetaSchemaRef::Reference(name) => self.registry.schemas.get(name),
        }
    }

    /// The dotted path of the first documented property of `value` that is `null`.
    fn null_at(&self, schema: &MetaSchemaRef, value: &Value, at: &str) -> Option<String> {
        let schema = self.resolve(schema)?;
        if let Some(found) = schema
            .all_of
            .iter()
            .find_map(|part| self.null_at(part, value, at))
        {
            return Some(found);
        }
        match value {
            Value::Object(object) => schema.properties.iter().find_map(|(name, property)| {
                let here = join(at, name);
                match object.get(*name)? {
                    Value::Null => Some(here),
                    child => self.null_at(property, child, &here),
                }
            }),
            Value::Array(items) => {
                let item = schema.items.as_deref()?;
                items
                    .iter()
                    .enumerate()
                    .find_map(|(i, v)| self.null_at(item, v, &join(at, &i.to_string())))
            }
            _ => None,
        }
    }

    /// Where (a dotted path below `at`) and why `value` breaks `schema`, if it does.
    fn fault(&self, schema: &MetaSchemaRef, value: &Value, at: &str) -> Option<(String, String)> {
        let schema = self.resolve(schema)?;
        if let Some(found) = schema
            .all_of
            .iter()
            .find_map(|part| self.fault(part, value, at))
        {
            return Some(found);
        }
        let refuse = |reason: String| Some((at.to_owned(), reason));
        match schema.ty {
            "object" => match value.as_object() {
                Some(object) => self.object_fault(schema, object, at),
                None => refuse("must be an object".into()),
            },
            "array" => match value.as_array() {
                Some(items) => self.array_fault(schema, items, at),
                None => refuse("must be an array".into()),
            },
            "string" if !schema.enum_items.is_empty() => (!schema.enum_items.contains(value))
                .then(|| (at.to_owned(), format!("must be one of {}", one_of(schema)))),
            "string" if schema.format == Some("date-time") => value
                .as_str()
                .filter(|text| chrono::DateTime::parse_from_rfc3339(text).is_ok())
                .map_or_else(
                    || refuse("must be an RFC 3339 time like 2026-12-01T09:00:00Z".into()),
                    |_| None,
                ),
            "string" => check_text(value, schema.min_length.unwrap_or(0), schema.max_length)
                .err()
                .and_then(|fault| refuse(fault.to_string())),
            "boolean" if !value.is_boolean() => refuse("must be true or false".into()),
            "integer" if !(value.is_i64() || value.is_u64()) => refuse("must be an integer".into()),
            "number" if !value.is_number() => refuse("must be a number".into()),
            _ => None,
        }
    }

    fn object_fault(
        &self,
        schema: &MetaSchema,
        object: &serde_json::Map<String, Value>,
        at: &str,
    ) -> Option<(String, String)> {
        let present = |name: &str| object.get(name).filter(|v| !v.is_null());
        for (name, property) in &schema.properties {
            let here = join(at, name);
            match present(name) {
                Some(value) => {
                    if let Some(found) = self.fault(property, value, &here) {
                        return Some(found);
                    }
                }
                None if schema.required.contains(name) => {
                    return Some((here, "is required".into()));
                }
                None => {}
            }
        }
        let extra = schema.additional_properties.as_deref()?;
        object
            .iter()
            .filter(|(key, _)| !schema.properties.iter().any(|(name, _)| name == key))
            .find_map(|(key, value)| self.fault(extra, value, &join(at, key)))
    }

    fn array_fault(
        &self,
        schema: &MetaSchema,
        items: &[Value],
        at: &str,
    ) -> Option<(String, String)> {
        if let Some(max) = schema.max_items.filter(|max| items.len() > *max) {
            return Some((at.to_owned(), format!("must have at most {max} items")));
        }
        if let Some(min) = schema.min_items.filter(|min| items.len() < *min) {
            return Some((at.to_owned(), format!("must have at least {min} items")));
        }
        let item = schema.items.as_deref()?;
        items
            .iter()
            .enumerate()
            .find_map(|(i, value)| self.fault(item, value, &join(at, &i.to_string())))
    }
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

fn one_of(schema: &MetaSchema) -> String {
    let names: Vec<String> = schema.enum_items.iter().map(Value::to_string).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use poem_openapi::Object;
    use serde_json::json;

    use super::*;
    use crate::domain::Scope;
    use crate::http::api::text::Text;

    #[derive(Object)]
    struct Inner {
        title: Text<5>,
    }

    #[derive(Object)]
    struct Outer {
        name: Text<5, 1>,
        nick: Option<Text<5>>,
        #[oai(default)]
        tags: Vec<Text<3>>,
        #[oai(default)]
        answers: BTreeMap<String, Text<3>>,
        #[oai(default)]
        inner: Vec<Inner>,
        scope: Option<Scope>,
        flag: Option<bool>,
    }

    fn fault(body: Value) -> Option<(Option<String>, String)> {
        assert!(
            Outer::parse_from_json(Some(body.clone())).is_err(),
            "{body}"
        );
        first_fault::<Outer>(&body).map(|p| (p.field, p.message))
    }

    fn field(body: Value) -> String {
        fault(body).and_then(|(field, _)| field).expect("a field")
    }

    #[test]
    fn the_field_at_fault_is_named() {
        assert_eq!(
            fault(json!({"name": false})),
            Some((Some("name".into()), "name: must be a string".into()))
        );
        assert_eq!(field(json!({"name": "Ada", "nick": 5})), "nick");
        assert_eq!(field(json!({"name": "Ada", "tags": ["ok", 1]})), "tags.1");
        assert_eq!(
            field(json!({"name": "Ada", "answers": {"city": true}})),
            "answers.city"
        );
        assert_eq!(
            field(json!({"name": "Ada", "inner": [{"title": "a"}, {"title": []}]})),
            "inner.1.title"
        );
        assert_eq!(field(json!({"name": "Ada", "scope": "root"})), "scope");
        assert_eq!(field(json!({"name": "Ada", "flag": "yes"})), "flag");
        assert_eq!(field(json!({"nick": "x"})), "name");
        assert_eq!(field(json!({"name": null})), "name");
        assert_eq!(field(json!([])), "body");
    }

    #[test]
    fn lengths_are_explained() {
        assert_eq!(
            fault(json!({"name": "Ada Lovelace"})),
            Some((
                Some("name".into()),
                "name: must be at most 5 characters".into()
            ))
        );
        assert_eq!(
            fault(json!({"name": ""})),
            Some((Some("name".into()), "name: must not be empty".into()))
        );
        assert_eq!(field(json!({"name": "Ada", "tags": ["long"]})), "tags.0");
    }

    #[test]
    fn a_valid_body_has_no_fault() {
        let body = json!({"name": "Ada", "tags": ["a"], "answers": {"x": "y"},
                          "inner": [{"title": "t"}], "scope": "settings:read", "flag": true});
        assert!(Outer::parse_from_json(Some(body.clone())).is_ok());
        assert!(first_fault::<Outer>(&body).is_none());
    }
}

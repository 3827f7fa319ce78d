//! What poem-openapi cannot derive about an operation, added to its entry in the document so
//! generators and readers see it: the scope a tenant key needs (from the summary, see
//! [`super::scopes`]), the `X-CSRF-Token` header the owner's session sends on writes, and the
//! rule that no string input holds a control character (`http::input_guard`).

use std::collections::{BTreeSet, HashMap};

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::OpenApi;
use poem_openapi::registry::{
    MetaApi, MetaOperation, MetaOperationParam, MetaParamIn, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::types::Type;

use super::scopes::declare_scope;

/// The session's security scheme (`http::auth::SessionAuth`).
const SESSION_SCHEME: &str = "SessionAuth";

/// A string without control characters (Unicode `Cc`: what `char::is_control` finds).
const NO_CONTROL_CHARACTERS: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";

/// An API whose operations carry the annotations above.
pub struct Annotated<T>(pub T);

impl<T: OpenApi> OpenApi for Annotated<T> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = T::meta();
        let operations = apis
            .iter_mut()
            .flat_map(|api| api.paths.iter_mut())
            .flat_map(|path| path.operations.iter_mut());
        for operation in operations {
            declare_scope(operation);
            declare_csrf_header(operation);
            forbid_control_characters_in_parameters(operation);
        }
        apis
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
        forbid_control_characters_in_bodies(&T::meta(), registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(route_table);
    }
}

/// A session write must carry the CSRF token (checked by `SessionAuth`). OpenAPI 3.0 cannot
/// say "this header goes with that security scheme", so it is an optional header parameter of
/// each write a session may make, with the rule in its description.
fn declare_csrf_header(operation: &mut MetaOperation) {
    let safe = matches!(
        operation.method,
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let by_session = operation
        .security
        .iter()
        .any(|requirement| requirement.contains_key(SESSION_SCHEME));
    if safe || !by_session {
        return;
    }
    operation.params.push(MetaOperationParam {
        name: "X-CSRF-Token".to_owned(),
        schema: String::schema_ref(),
        in_type: MetaParamIn::Header,
        description: Some(
            "Only with the owner's session cookie (`SessionAuth`): the session's CSRF token, \
             which the admin page carries. A session write without the right token is 403 \
             `csrf_failed`. Not used with a tenant API key."
                .to_owned(),
        ),
        required: false,
        deprecated: false,
        explode: true,
        style: None,
    });
}

/// Path and query strings: the input guard refuses control characters in both.
fn forbid_control_characters_in_parameters(operation: &mut MetaOperation) {
    let checked = operation
        .params
        .iter_mut()
        .filter(|p| matches!(p.in_type, MetaParamIn::Path | MetaParamIn::Query));
    for param in checked {
        forbid_control_characters(&mut param.schema, &mut Vec::new());
    }
}

/// Every schema a request body reaches, through references, items and properties.
fn forbid_control_characters_in_bodies(apis: &[MetaApi], registry: &mut Registry) {
    let mut pending: Vec<String> = apis
        .iter()
        .flat_map(|api| &api.paths)
        .flat_map(|path| &path.operations)
        .filter_map(|operation| operation.request.as_ref())
        .flat_map(|request| &request.content)
        .filter_map(|media| match &media.schema {
            MetaSchemaRef::Reference(name) => Some(name.clone()),
            MetaSchemaRef::Inline(_) => None,
        })
        .collect();
    let mut done = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if done.insert(name.clone())
            && let Some(schema) = registry.schemas.get_mut(&name)
        {
            forbid_in_schema(schema, &mut pending);
        }
    }
}

/// Adds the pattern to `schema` and what it contains inline; referenced schemas go to `refs`.
fn forbid_control_characters(schema: &mut MetaSchemaRef, refs: &mut Vec<String>) {
    match schema {
        MetaSchemaRef::Reference(name) => refs.push(name.clone()),
        MetaSchemaRef::Inline(inline) => forbid_in_schema(inline, refs),
    }
}

fn forbid_in_schema(schema: &mut MetaSchema, refs: &mut Vec<String>) {
    // A pattern, format or enum of its own already excludes control characters.
    let plain_string = schema.ty == "string"
        && schema.pattern.is_none()
        && schema.format.is_none()
        && schema.enum_items.is_empty();
    if plain_string {
        schema.pattern = Some(NO_CONTROL_CHARACTERS.to_owned());
    }
    let nested = schema.properties.iter_mut().map(|(_, p)| p);
    let nested = nested
        .chain(schema.items.as_deref_mut())
        .chain(schema.additional_properties.as_deref_mut())
        .chain(schema.all_of.iter_mut())
        .chain(schema.any_of.iter_mut())
        .chain(schema.one_of.iter_mut());
    for inner in nested {
        forbid_control_characters(inner, refs);
    }
}

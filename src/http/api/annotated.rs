//! What poem-openapi cannot derive about an operation, added to its entry in the document so
//! generators and readers see it: the scope a tenant key needs (from the summary, see
//! [`super::scopes`]) and the `X-CSRF-Token` header the owner's session sends on writes.

use std::collections::HashMap;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::OpenApi;
use poem_openapi::registry::{MetaApi, MetaOperation, MetaOperationParam, MetaParamIn, Registry};
use poem_openapi::types::Type;

use super::scopes::declare_scope;

/// The session's security scheme (`http::auth::SessionAuth`).
const SESSION_SCHEME: &str = "SessionAuth";

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
        }
        apis
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(route_table);
    }
}

/// A session write must carry the CSRF token (checked by `SessionAuth`). OpenAPI 3.0 cannot
/// say "this header goes with that security scheme", so it is an optional header parameter of
/// each write a session may make, with the rule in its description.
fn declare_csrf_header(operation: &mut MetaOperation) {
    let safe = matches!(operation.method, Method::GET | Method::HEAD | Method::OPTIONS);
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

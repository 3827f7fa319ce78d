//! The scope each tenant-admin operation needs, shown where generators look for it. An
//! operation's summary names its scope (`… (scope `settings:read`)`); [`ScopesDeclared`] copies
//! that name into the operation's `TenantKeyAuth` security requirement. The services enforce
//! the scope (`service::access::require`); `tests/api/scopes.rs` proves both agree.

use std::collections::HashMap;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::OpenApi;
use poem_openapi::registry::{MetaApi, MetaOperation, Registry};

/// The security scheme whose requirement carries the scope.
const TENANT_KEY_SCHEME: &str = "TenantKeyAuth";

/// An API whose operations list their scope in the tenant-key security requirement.
pub struct ScopesDeclared<T>(pub T);

impl<T: OpenApi> OpenApi for ScopesDeclared<T> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = T::meta();
        let operations = apis
            .iter_mut()
            .flat_map(|api| api.paths.iter_mut())
            .flat_map(|path| path.operations.iter_mut());
        for operation in operations {
            declare_scope(operation);
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

fn declare_scope(operation: &mut MetaOperation) {
    let Some(scope) = operation.summary.and_then(scope_in_summary) else {
        return;
    };
    for requirement in &mut operation.security {
        if let Some(scopes) = requirement.get_mut(TENANT_KEY_SCHEME) {
            scopes.push(scope);
        }
    }
}

/// `settings:read` from `… (scope `settings:read`)`.
fn scope_in_summary(summary: &'static str) -> Option<&'static str> {
    let (_, rest) = summary.split_once("(scope `")?;
    let (scope, _) = rest.split_once('`')?;
    Some(scope)
}

#[cfg(test)]
mod tests {
    use super::scope_in_summary;

    #[test]
    fn the_scope_is_read_from_the_summary() {
        assert_eq!(
            scope_in_summary("The site's sync status (scope `settings:read`)"),
            Some("settings:read")
        );
        assert_eq!(scope_in_summary("Liveness"), None);
    }
}

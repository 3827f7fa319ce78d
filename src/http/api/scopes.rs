//! The scope each tenant-admin operation needs, shown where generators look for it. An
//! operation's summary names its scope (`… (scope `settings:read`)`); [`declare_scope`] copies
//! that name into the operation's `TenantKeyAuth` security requirement (applied to every
//! operation by [`super::annotated::Annotated`]). The services enforce the scope
//! (`service::access::require`); `tests/api/scopes.rs` proves both agree.

use poem_openapi::registry::MetaOperation;

/// The security scheme whose requirement carries the scope.
const TENANT_KEY_SCHEME: &str = "TenantKeyAuth";

/// Adds the scope the summary names to the operation's tenant-key security requirement.
pub(super) fn declare_scope(operation: &mut MetaOperation) {
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

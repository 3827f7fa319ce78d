//! Who is calling: tenant API keys, admin links and the owner's session.
//!
//! CSRF: a session's CSRF token is derived from the session cookie (SHA-256 of a fixed label and
//! the cookie value). Pages embed it; state-changing requests made with the cookie must echo it.
//! Another origin can neither read the HttpOnly cookie nor the page, so it cannot forge one.

use crate::crypto::{constant_time_eq, random_token, sha256_hex};
use crate::domain::{Principal, Scope, TenantId};
use crate::store::{self, Store, admin::Refusal};

use super::{ADMIN_SESSION_TTL, ServiceError, Services};

/// Signing in and out, and telling who a caller is.
#[derive(Clone, Copy)]
pub struct Access<'a> {
    store: &'a Store,
}

impl Services {
    /// Authentication and sessions (`service/access.rs`).
    pub fn access(&self) -> Access<'_> {
        Access { store: &self.store }
    }
}

/// Why an admin link did not sign anyone in.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginRefused {
    Unknown,
    Expired,
    AlreadyUsed,
}

/// A new owner session: the cookie value (secret) and its tenant.
pub struct NewSession {
    pub cookie_value: String,
    pub tenant_id: TenantId,
}

impl Access<'_> {
    /// The principal behind a tenant API key, or `None` for unknown and revoked keys.
    pub async fn authenticate_api_key(
        &self,
        secret: &str,
    ) -> Result<Option<Principal>, ServiceError> {
        let hash = sha256_hex(secret);
        let key = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let key = store::api_key::find_active_by_hash(&mut db, &hash).await?;
                    if let Some(key) = &key {
                        store::api_key::touch(&mut db, &key.id, store::now()).await?;
                    }
                    Ok(key)
                })
            })
            .await?;
        Ok(key.map(|k| Principal::ApiKey {
            tenant_id: k.tenant_id,
            key_id: k.id,
            scopes: k.scopes,
        }))
    }

    /// The owner behind a session cookie, or `None` if it is unknown or expired.
    pub async fn authenticate_session(
        &self,
        cookie_value: &str,
    ) -> Result<Option<Principal>, ServiceError> {
        let session_hash = sha256_hex(cookie_value);
        let lookup = session_hash.clone();
        let tenant = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::admin::find_session_tenant(&mut db, &lookup, store::now()).await
                })
            })
            .await?;
        Ok(tenant.map(|tenant_id| Principal::Owner {
            tenant_id,
            session_hash,
        }))
    }

    /// Consumes a one-time admin link and opens a session for its site.
    pub async fn login_with_admin_link(
        &self,
        token: &str,
    ) -> Result<Result<NewSession, LoginRefused>, ServiceError> {
        let link_hash = sha256_hex(token);
        let cookie_value = random_token("");
        let session_hash = sha256_hex(&cookie_value);
        let outcome = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let tenant_id =
                        match store::admin::consume_admin_link(&mut db, &link_hash, now).await? {
                            Ok(tenant_id) => tenant_id,
                            Err(refusal) => return Ok(Err(refusal)),
                        };
                    store::admin::insert_session(
                        &mut db,
                        &session_hash,
                        &tenant_id,
                        now,
                        now + ADMIN_SESSION_TTL,
                    )
                    .await?;
                    Ok(Ok(tenant_id))
                })
            })
            .await?;
        Ok(match outcome {
            Ok(tenant_id) => Ok(NewSession {
                cookie_value,
                tenant_id,
            }),
            Err(Refusal::Expired) => Err(LoginRefused::Expired),
            Err(Refusal::AlreadyUsed) => Err(LoginRefused::AlreadyUsed),
            Err(Refusal::Unknown | Refusal::Foreign) => Err(LoginRefused::Unknown),
        })
    }

    pub async fn logout(&self, cookie_value: &str) -> Result<(), ServiceError> {
        let hash = sha256_hex(cookie_value);
        self.store
            .write(move |mut db| {
                Box::pin(async move { store::admin::delete_session(&mut db, &hash).await })
            })
            .await?;
        Ok(())
    }
}

/// Fails with `MissingScope` unless the principal may use `scope`.
pub fn require(principal: &Principal, scope: Scope) -> Result<(), ServiceError> {
    if principal.allows(scope) {
        Ok(())
    } else {
        Err(ServiceError::MissingScope(scope.as_str()))
    }
}

/// The CSRF token that goes with a session cookie.
pub fn csrf_token(cookie_value: &str) -> String {
    sha256_hex(&format!("marquee-csrf:{cookie_value}"))
}

/// Whether `presented` is the CSRF token of the session cookie `cookie_value`.
pub fn csrf_matches(cookie_value: &str, presented: &str) -> bool {
    constant_time_eq(csrf_token(cookie_value).as_bytes(), presented.as_bytes())
}

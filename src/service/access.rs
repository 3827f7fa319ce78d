//! Who is calling: tenant API keys, admin links and the owner's session.
//!
//! CSRF: a session's CSRF token is derived from the session cookie (SHA-256 of a fixed label and
//! the cookie value). Pages embed it; state-changing requests made with the cookie must echo it.
//! Another origin can neither read the HttpOnly cookie nor the page, so it cannot forge one.

use crate::crypto::{constant_time_eq, random_token, sha256_hex};
use crate::domain::{Principal, Scope, TenantId};
use crate::store::{self, Store, admin::Refusal};

use super::destinations::Destinations;
use super::{ADMIN_SESSION_TTL, ServiceError, Services};

/// Signing in and out, and telling who a caller is.
#[derive(Clone, Copy)]
pub struct Access<'a> {
    store: &'a Store,
    destinations: Destinations<'a>,
}

impl Services {
    /// Authentication and sessions (`service/access.rs`).
    pub fn access(&self) -> Access<'_> {
        Access {
            store: &self.store,
            destinations: self.destinations(),
        }
    }
}

/// Why an admin link did not sign anyone in.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginRefused {
    Unknown,
    Expired,
    AlreadyUsed,
}

/// An admin link that signed nobody in, and where the platform wants the owner sent to get a
/// fresh one (its `refresh_url`, still on an allowed origin), if anywhere.
#[derive(Debug, PartialEq, Eq)]
pub struct LoginRefusal {
    pub reason: LoginRefused,
    pub refresh_url: Option<String>,
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

    /// Consumes a one-time admin link and opens a session for its site, which keeps the link's
    /// `return_url`.
    pub async fn login_with_admin_link(
        &self,
        token: &str,
    ) -> Result<Result<NewSession, LoginRefusal>, ServiceError> {
        let link_hash = sha256_hex(token);
        let cookie_value = random_token("");
        let session_hash = sha256_hex(&cookie_value);
        let lookup = link_hash.clone();
        let outcome = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let link = match store::admin::consume_admin_link(&mut db, &lookup, now).await?
                    {
                        Ok(link) => link,
                        Err(refusal) => return Ok(Err(refusal)),
                    };
                    let lifetime = (now, now + ADMIN_SESSION_TTL);
                    let (tenant_id, return_url) = (&link.tenant_id, link.page.as_deref());
                    store::admin::insert_session(
                        &mut db,
                        &session_hash,
                        tenant_id,
                        lifetime,
                        return_url,
                    )
                    .await?;
                    Ok(Ok(link.tenant_id))
                })
            })
            .await?;
        let reason = match outcome {
            Ok(tenant_id) => {
                return Ok(Ok(NewSession {
                    cookie_value,
                    tenant_id,
                }));
            }
            Err(Refusal::Expired) => LoginRefused::Expired,
            Err(Refusal::AlreadyUsed) => LoginRefused::AlreadyUsed,
            Err(Refusal::Unknown | Refusal::Foreign) => LoginRefused::Unknown,
        };
        let refresh_url = match reason {
            LoginRefused::Unknown => None,
            LoginRefused::Expired | LoginRefused::AlreadyUsed => {
                self.refresh_url_of(link_hash).await?
            }
        };
        Ok(Err(LoginRefusal {
            reason,
            refresh_url,
        }))
    }

    /// The `refresh_url` of a stored link, if it is still on an allowed origin of its site.
    async fn refresh_url_of(&self, link_hash: String) -> Result<Option<String>, ServiceError> {
        let target = self
            .store
            .read(move |mut db| {
                Box::pin(
                    async move { store::admin::find_refresh_target(&mut db, &link_hash).await },
                )
            })
            .await?;
        match target {
            Some(link) => self.destinations.recheck(&link.tenant_id, link.page).await,
            None => Ok(None),
        }
    }

    /// Where "Back to my site" leads the owner: the `return_url` of the admin link that opened
    /// this session, if it is still on an allowed origin of the site. `None` for API keys.
    pub async fn return_url(&self, principal: &Principal) -> Result<Option<String>, ServiceError> {
        let Principal::Owner {
            tenant_id,
            session_hash,
        } = principal
        else {
            return Ok(None);
        };
        let hash = session_hash.clone();
        let stored = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::admin::find_session_return_url(&mut db, &hash, store::now()).await
                })
            })
            .await?;
        self.destinations.recheck(tenant_id, stored).await
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

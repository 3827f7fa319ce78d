//! One place that hands out a usable Zoom access token.
//!
//! Zoom rotates the refresh token on every refresh (docs/zoom.md §1.4): two refreshes racing with
//! the same refresh token lock the owner out. So a refresh happens only under the grant row's
//! lease (`refresh_lease_until`), taken with a conditional UPDATE that works on both backends and
//! across instances. Within one process, callers of the same grant also queue on a local mutex,
//! so 500 concurrent requests cause one lease attempt, not 500; correctness never depends on it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::TimeDelta;
use zeroize::Zeroizing;

use crate::crypto::KeyRing;
use crate::domain::TenantId;
use crate::domain::event::EventType;
use crate::domain::status::GrantStatus;
use crate::store::grant::{GrantTokens, RefreshedTokens, StoredGrant};
use crate::store::{self, Store, audit};
use crate::zoom::models::{TokenGrant, ZoomUser};
use crate::zoom::{ZoomClient, ZoomError};

use super::public::PublicCache;
use super::{ServiceError, Services};

/// Refresh this long before expiry, so a token never expires mid-request.
pub const REFRESH_MARGIN: TimeDelta = TimeDelta::minutes(5);
/// Longer than one refresh call can take (the client times out after 15 s).
const LEASE: TimeDelta = TimeDelta::seconds(30);
const WAIT_STEP: Duration = Duration::from_millis(50);
/// Give up waiting for another instance's refresh after about 40 s (more than one lease).
const MAX_ATTEMPTS: u32 = 800;

/// Per-grant local queues; entries are tiny and bounded by the number of grants in use.
#[derive(Clone, Default)]
pub struct RefreshLocks(Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>);

impl RefreshLocks {
    fn for_grant(&self, grant_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.entry(grant_id.to_owned()).or_default().clone()
    }
}

/// A usable access token and what is needed to report it rejected.
pub struct AccessToken {
    pub value: Zeroizing<String>,
    grant_id: String,
    sealed: String,
}

fn not_connected() -> ServiceError {
    ServiceError::NotConnected("the Zoom connection needs to be reconnected".into())
}

fn is_fresh(grant: &StoredGrant) -> bool {
    grant.access_expires_at - REFRESH_MARGIN > store::now()
}

/// The Zoom tokens of every site: sealed in the store, refreshed under a lease.
#[derive(Clone, Copy)]
pub struct Tokens<'a> {
    store: &'a Store,
    zoom: &'a ZoomClient,
    keys: &'a KeyRing,
    locks: &'a RefreshLocks,
    /// A grant's death changes what its sites' visitors see (registration unavailable).
    cache: &'a PublicCache,
}

impl Services {
    /// Zoom access tokens (`service/tokens.rs`).
    pub fn tokens(&self) -> Tokens<'_> {
        Tokens {
            store: &self.store,
            zoom: &self.zoom,
            keys: &self.keys,
            locks: &self.refresh_locks,
            cache: &self.public,
        }
    }
}

impl Tokens<'_> {
    /// A currently valid access token for the site's Zoom connection.
    pub async fn access_token(&self, tenant_id: &TenantId) -> Result<AccessToken, ServiceError> {
        let grant = self.grant_of(tenant_id).await?;
        self.grant_access_token(&grant.id).await
    }

    /// Runs one Zoom call with the site's token; if Zoom rejects the token (401 code 124), the
    /// token is refreshed once and the call repeated (docs/zoom.md §1.4 practical policy).
    pub async fn with_zoom_token<T, F, Fut>(
        &self,
        tenant_id: &TenantId,
        call: F,
    ) -> Result<T, ServiceError>
    where
        F: Fn(Zeroizing<String>) -> Fut,
        Fut: Future<Output = Result<T, ZoomError>>,
    {
        let token = self.access_token(tenant_id).await?;
        match call(token.value.clone()).await {
            Err(ZoomError::AccessTokenRejected { .. }) => {
                self.expire_rejected(&token).await?;
                let fresh = self.grant_access_token(&token.grant_id).await?;
                Ok(call(fresh.value).await?)
            }
            other => Ok(other?),
        }
    }

    pub(crate) async fn grant_of(&self, tenant_id: &TenantId) -> Result<StoredGrant, ServiceError> {
        let id = tenant_id.clone();
        self.store
            .read(move |mut db| {
                Box::pin(async move { store::grant::find_for_tenant(&mut db, &id).await })
            })
            .await?
            .ok_or_else(|| ServiceError::NotConnected("this site is not connected to Zoom".into()))
    }

    /// Stores a fresh token pair for the Zoom user: replaces the tokens of the user's existing
    /// grant (Zoom has just revoked the older pair, docs/zoom.md §1.4) or creates the grant. Every
    /// site already using the grant keeps working with the new pair.
    pub(crate) async fn store_grant(
        &self,
        user: &ZoomUser,
        tokens: &TokenGrant,
        claim_token_hash: Option<String>,
    ) -> Result<String, ServiceError> {
        let (account, user_id) = (user.account_id.clone(), user.id.clone());
        let existing = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::grant::find_id(&mut db, &account, &user_id).await })
            })
            .await?;
        let grant_id = existing
            .clone()
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let access = self.keys.seal(&tokens.access_token, &grant_id);
        let refresh = self.keys.seal(&tokens.refresh_token, &grant_id);
        let now = store::now();
        let expires = now + chrono::TimeDelta::seconds(tokens.expires_in);
        let (email, name, scopes, api_url) = (
            user.email.clone(),
            user.name(),
            tokens.scope.clone(),
            tokens.api_url.clone(),
        );
        let (account, user_id, id) = (user.account_id.clone(), user.id.clone(), grant_id.clone());
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let row = GrantTokens {
                        zoom_email: &email,
                        zoom_display_name: &name,
                        scopes: &scopes,
                        access: &access,
                        refresh: &refresh,
                        access_expires_at: expires,
                        api_url: api_url.as_deref(),
                        now,
                        claim_token_hash: claim_token_hash.as_deref(),
                    };
                    match existing {
                        Some(_) => store::grant::replace_tokens(&mut db, &id, &row).await,
                        None => store::grant::insert(&mut db, &id, &account, &user_id, &row).await,
                    }
                })
            })
            .await?;
        Ok(grant_id)
    }

    async fn load_grant(&self, grant_id: &str) -> Result<StoredGrant, ServiceError> {
        let id = grant_id.to_owned();
        self.store
            .read(move |mut db| Box::pin(async move { store::grant::find(&mut db, &id).await }))
            .await?
            .ok_or_else(not_connected)
    }

    fn open_access(&self, grant: StoredGrant) -> Result<AccessToken, ServiceError> {
        let value = self.keys.open(&grant.access_token(), &grant.id)?;
        Ok(AccessToken {
            value,
            grant_id: grant.id,
            sealed: grant.access_token_sealed,
        })
    }

    /// A valid access token of one grant, refreshing it (once, everywhere) when it is due.
    pub async fn grant_access_token(&self, grant_id: &str) -> Result<AccessToken, ServiceError> {
        for _ in 0..MAX_ATTEMPTS {
            let grant = self.load_grant(grant_id).await?;
            if grant.status != GrantStatus::Active {
                return Err(not_connected());
            }
            if is_fresh(&grant) {
                return self.open_access(grant);
            }
            let local = self.locks.for_grant(grant_id);
            let _queued = local.lock().await;
            // Whoever held the local lock before us may have refreshed already.
            let grant = self.load_grant(grant_id).await?;
            if grant.status != GrantStatus::Active {
                return Err(not_connected());
            }
            if is_fresh(&grant) {
                return self.open_access(grant);
            }
            if self.take_refresh_lease(grant_id).await? {
                return self.refresh_under_lease(grant_id).await;
            }
            drop(_queued);
            // Another instance holds the lease: wait for its result.
            tokio::time::sleep(WAIT_STEP).await;
        }
        Err(ServiceError::ZoomUnavailable {
            retry_after: Some(Duration::from_secs(5)),
        })
    }

    async fn take_refresh_lease(&self, grant_id: &str) -> Result<bool, ServiceError> {
        let id = grant_id.to_owned();
        Ok(self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    store::grant::take_refresh_lease(&mut db, &id, now, now + LEASE).await
                })
            })
            .await?)
    }

    /// Holding the lease: re-read (a sibling may have refreshed just before), refresh, store.
    async fn refresh_under_lease(&self, grant_id: &str) -> Result<AccessToken, ServiceError> {
        let grant = self.load_grant(grant_id).await?;
        if is_fresh(&grant) {
            self.release_refresh_lease(grant_id).await?;
            return self.open_access(grant);
        }
        let refresh_token = self.keys.open(&grant.refresh_token(), grant_id)?;
        match self.zoom.refresh(&refresh_token).await {
            Ok(zoom_grant) => {
                let now = store::now();
                let tokens = RefreshedTokens {
                    access: self.keys.seal(&zoom_grant.access_token, grant_id),
                    refresh: self.keys.seal(&zoom_grant.refresh_token, grant_id),
                    access_expires_at: now + TimeDelta::seconds(zoom_grant.expires_in),
                    scopes: zoom_grant.scope.clone(),
                    refreshed_at: now,
                };
                let sealed = tokens.access.ciphertext.clone();
                let id = grant_id.to_owned();
                self.store
                    .write(move |mut db| {
                        Box::pin(async move {
                            store::grant::store_refreshed(&mut db, &id, &tokens).await
                        })
                    })
                    .await?;
                tracing::info!(zoom.grant_id = %grant_id, "Zoom access token refreshed");
                Ok(AccessToken {
                    value: zoom_grant.access_token,
                    grant_id: grant_id.to_owned(),
                    sealed,
                })
            }
            Err(ZoomError::InvalidGrant { reason }) => {
                // Under the lease nobody else can have rotated the pair since our re-read, so
                // Zoom's refusal is final: the owner must reconnect. Data stays visible.
                self.mark_grant_dead(
                    &grant,
                    &format!("Zoom refused the refresh token ({reason})"),
                )
                .await?;
                Err(not_connected())
            }
            Err(other) => {
                // Network errors and 5xx never kill a grant: release and let the caller retry.
                self.release_refresh_lease(grant_id).await?;
                Err(other.into())
            }
        }
    }

    async fn mark_grant_dead(&self, grant: &StoredGrant, reason: &str) -> Result<(), ServiceError> {
        let (id, account, reason) = (
            grant.id.clone(),
            grant.zoom_account_id.clone(),
            reason.to_owned(),
        );
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    store::grant::mark_dead(&mut db, &id, &reason).await?;
                    for tenant in store::connection::tenants_of_grant(&mut db, &id).await? {
                        // Cached widget pages offer registration: they are stale now.
                        store::tenant::bump_content_version(&mut db, &tenant).await?;
                        let data = serde_json::json!({ "reason": "refresh_refused" });
                        let needs = EventType::ConnectionNeedsReconnect;
                        store::outbox::emit(&mut db, &tenant, needs, data, store::now()).await?;
                        audit::record(
                            &mut db,
                            Some(&tenant),
                            Some(&account),
                            audit::GRANT_DEAD,
                            &reason,
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .await?;
        self.cache.forget_all_sites();
        tracing::warn!(zoom.grant_id = %grant.id, "Zoom grant is dead; its sites need to reconnect");
        Ok(())
    }

    async fn release_refresh_lease(&self, grant_id: &str) -> Result<(), ServiceError> {
        let id = grant_id.to_owned();
        self.store
            .write(move |mut db| {
                Box::pin(async move { store::grant::release_lease(&mut db, &id).await })
            })
            .await?;
        Ok(())
    }

    /// Zoom rejected this access token before its expiry: make the next caller refresh.
    async fn expire_rejected(&self, token: &AccessToken) -> Result<(), ServiceError> {
        let (id, sealed) = (token.grant_id.clone(), token.sealed.clone());
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let long_ago = store::now() - TimeDelta::days(1);
                    store::grant::expire_access_token(&mut db, &id, &sealed, long_ago).await
                })
            })
            .await?;
        Ok(())
    }
}

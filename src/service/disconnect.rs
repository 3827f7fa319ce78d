//! Ending a site's Zoom connection: by the owner (disconnect) or by Zoom (`app_deauthorized`).
//! Both drop the tokens and purge the site's Zoom data (never the owner's); a grant shared with
//! other sites is only revoked at Zoom when no site uses it any more (Zoom would revoke it for
//! all of them). A deauthorization applies only to grants authorized before its time.

use chrono::NaiveDateTime;

use crate::crypto::KeyRing;
use crate::domain::event::EventType;
use crate::domain::{Principal, Scope, TenantId};
use crate::store::grant::StoredGrant;
use crate::store::{self, Store, audit};
use crate::zoom::ZoomClient;

use super::access::require;
use super::public::PublicCache;
use super::tokens::Tokens;
use super::{ServiceError, Services};

/// What a disconnect did.
#[derive(Debug, PartialEq, Eq)]
pub struct Disconnected {
    /// Zoom confirmed the revocation (false when other sites still use the grant, or Zoom could
    /// not be reached; the tokens are deleted either way).
    pub revoked_at_zoom: bool,
    pub meetings_removed: usize,
}

/// What a deauthorization did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Deauthorized {
    pub grants_removed: usize,
    /// Grants authorized again after the notice's time, left connected.
    pub grants_kept: usize,
    pub sites_disconnected: Vec<TenantId>,
}

/// Announces `connection.disconnected` and removes the site's copy of its Zoom data
/// (meetings, occurrences, recordings; no `meeting.deleted` for each) and its pending sync work. Returns how many meetings went away. The owner's data stays: settings,
/// hidden items (`hidden_items`, applied again when the items are synced after a reconnect),
/// registrations and the audit trail.
async fn purge_zoom_data(
    db: &mut store::Db<'_>,
    tenant: &TenantId,
) -> Result<usize, store::StoreError> {
    let data = serde_json::json!({});
    let disconnected = EventType::ConnectionDisconnected;
    store::outbox::emit(db, tenant, disconnected, data, store::now()).await?;
    let removed = store::meeting::delete_all(db, tenant).await?;
    store::occurrence::delete_all(db, tenant).await?;
    store::recording::delete_all(db, tenant).await?;
    store::tombstone::delete_all(db, tenant).await?;
    store::sync_job::cancel_queued(db, tenant).await?;
    Ok(removed)
}

/// Ending connections: dropping tokens (revoking them at Zoom when no site needs them) and the
/// Zoom data they brought.
#[derive(Clone, Copy)]
pub struct Disconnect<'a> {
    store: &'a Store,
    zoom: &'a ZoomClient,
    keys: &'a KeyRing,
    tokens: Tokens<'a>,
    cache: &'a PublicCache,
}

impl Services {
    /// Ending Zoom connections (`service/disconnect.rs`).
    pub fn disconnect(&self) -> Disconnect<'_> {
        Disconnect {
            store: &self.store,
            zoom: &self.zoom,
            keys: &self.keys,
            tokens: self.tokens(),
            cache: &self.public,
        }
    }
}

impl Disconnect<'_> {
    /// The owner disconnects their site from Zoom.
    pub async fn by_owner(&self, principal: &Principal) -> Result<Disconnected, ServiceError> {
        require(principal, Scope::SettingsWrite)?;
        let tenant_id = principal.tenant_id().clone();
        let grant = self
            .tokens
            .grant_of(&tenant_id)
            .await
            .map_err(|_| ServiceError::NotFound("Zoom connection"))?;
        let (tid, gid, account) = (
            tenant_id.clone(),
            grant.id.clone(),
            grant.zoom_account_id.clone(),
        );
        let (removed, others) = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::connection::unlink(&mut db, &tid).await?;
                    let removed = purge_zoom_data(&mut db, &tid).await?;
                    store::tenant::bump_content_version(&mut db, &tid).await?;
                    audit::record(
                        &mut db,
                        Some(&tid),
                        Some(&account),
                        audit::DISCONNECTED,
                        "disconnected by the site owner",
                    )
                    .await?;
                    let others = store::connection::tenants_of_grant(&mut db, &gid)
                        .await?
                        .len();
                    Ok((removed, others))
                })
            })
            .await?;
        self.cache.forget_all_sites();
        let revoked_at_zoom = if others == 0 {
            self.revoke_and_delete(&grant).await?
        } else {
            false
        };
        tracing::info!(tenant.id = %tenant_id, revoked = revoked_at_zoom, "Zoom disconnected");
        Ok(Disconnected {
            revoked_at_zoom,
            meetings_removed: removed,
        })
    }

    /// Revokes the grant at Zoom (best effort) and deletes it. Returns whether Zoom confirmed.
    pub(crate) async fn revoke_and_delete(
        &self,
        grant: &StoredGrant,
    ) -> Result<bool, ServiceError> {
        let revoked = match self.keys.open(&grant.refresh_token(), &grant.id) {
            Ok(token) => match self.zoom.revoke(&token).await {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(zoom.grant_id = %grant.id, error = %e, "Zoom revoke failed; deleting the tokens anyway");
                    false
                }
            },
            Err(e) => {
                tracing::warn!(zoom.grant_id = %grant.id, error = %e, "cannot open tokens to revoke; deleting them");
                false
            }
        };
        let id = grant.id.clone();
        self.store
            .write(move |mut db| Box::pin(async move { store::grant::delete(&mut db, &id).await }))
            .await?;
        Ok(revoked)
    }

    /// Zoom's `app_deauthorized` (docs/zoom.md §2.8): the user (or the whole account, when no user
    /// is named) removed the app at `notice_time`. Deletes every matching grant authorized
    /// before then and purges the Zoom data of every site that used one; nothing is revoked
    /// (Zoom already did). A grant authorized at or after `notice_time` is a newer
    /// authorization than the one the notice is about — Zoom sends the notice of a revoke
    /// seconds to an hour late, by which time the owner may have reconnected — and is kept.
    pub async fn deauthorize(
        &self,
        zoom_account_id: &str,
        zoom_user_id: Option<&str>,
        notice_time: NaiveDateTime,
    ) -> Result<Deauthorized, ServiceError> {
        let (account, user) = (zoom_account_id.to_owned(), zoom_user_id.map(str::to_owned));
        let outcome = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let mut outcome = Deauthorized::default();
                    for grant in
                        store::grant::find_by_zoom(&mut db, &account, user.as_deref()).await?
                    {
                        if grant.authorized_at() >= notice_time {
                            keep_newer_grant(&mut db, &grant).await?;
                            outcome.grants_kept += 1;
                            continue;
                        }
                        for tenant in
                            store::connection::tenants_of_grant(&mut db, &grant.id).await?
                        {
                            purge_zoom_data(&mut db, &tenant).await?;
                            store::tenant::bump_content_version(&mut db, &tenant).await?;
                            audit::record(
                                &mut db,
                                Some(&tenant),
                                Some(&account),
                                audit::DEAUTHORIZED,
                                "the app was removed in Zoom",
                            )
                            .await?;
                            outcome.sites_disconnected.push(tenant);
                        }
                        store::grant::delete(&mut db, &grant.id).await?;
                        outcome.grants_removed += 1;
                    }
                    if outcome.grants_removed + outcome.grants_kept == 0 {
                        audit::record(
                            &mut db,
                            None,
                            Some(&account),
                            audit::DEAUTHORIZED,
                            "no matching connection",
                        )
                        .await?;
                    }
                    Ok(outcome)
                })
            })
            .await?;
        self.cache.forget_all_sites();
        tracing::info!(zoom.account_id = %zoom_account_id, grants = outcome.grants_removed, kept = outcome.grants_kept, sites = outcome.sites_disconnected.len(), "Zoom deauthorization applied");
        Ok(outcome)
    }
}

/// Notes on each site of `grant` that a deauthorization notice older than the grant's
/// authorization was not applied to it.
async fn keep_newer_grant(
    db: &mut store::Db<'_>,
    grant: &StoredGrant,
) -> Result<(), store::StoreError> {
    for tenant in store::connection::tenants_of_grant(db, &grant.id).await? {
        audit::record(
            db,
            Some(&tenant),
            Some(&grant.zoom_account_id),
            "deauthorization_ignored",
            "Zoom's notice is about an authorization older than the current one",
        )
        .await?;
    }
    Ok(())
}

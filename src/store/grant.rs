//! Zoom grants: one per authorized Zoom user (account + user), holding the sealed token pair.
//! Several sites may use one grant (see `connection`); a grant may also be parked, waiting to be
//! claimed by a site (a Marketplace install that arrived without our `state`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{zoom_connections, zoom_grants};
use super::{Db, StoreError, with_db};
use crate::crypto::Sealed;
use crate::domain::TenantId;
use crate::domain::status::GrantStatus;

/// A grant row. Tokens stay sealed here; only the token service opens them.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = zoom_grants)]
pub struct StoredGrant {
    pub id: String,
    pub zoom_account_id: String,
    pub zoom_user_id: String,
    pub zoom_email: String,
    pub zoom_display_name: String,
    pub scopes: String,
    pub access_token_sealed: String,
    pub refresh_token_sealed: String,
    pub key_id: String,
    pub access_expires_at: NaiveDateTime,
    pub api_url: Option<String>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: GrantStatus,
    pub created_at: NaiveDateTime,
    pub refreshed_at: Option<NaiveDateTime>,
    pub refresh_lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub claim_token_hash: Option<String>,
    /// When the user last authorized the app for this grant (NULL in rows of older versions).
    pub authorized_at: Option<NaiveDateTime>,
}

impl StoredGrant {
    /// When the user last authorized the app: a new grant, or new tokens after consent (token
    /// refreshes do not count).
    pub fn authorized_at(&self) -> NaiveDateTime {
        self.authorized_at.unwrap_or(self.created_at)
    }

    pub fn access_token(&self) -> Sealed {
        Sealed {
            key_id: self.key_id.clone(),
            ciphertext: self.access_token_sealed.clone(),
        }
    }

    pub fn refresh_token(&self) -> Sealed {
        Sealed {
            key_id: self.key_id.clone(),
            ciphertext: self.refresh_token_sealed.clone(),
        }
    }
}

/// A fresh token pair for a Zoom user, as the code exchange returns it.
pub struct GrantTokens<'a> {
    pub zoom_email: &'a str,
    pub zoom_display_name: &'a str,
    pub scopes: &'a str,
    pub access: &'a Sealed,
    pub refresh: &'a Sealed,
    pub access_expires_at: NaiveDateTime,
    pub api_url: Option<&'a str>,
    pub now: NaiveDateTime,
    pub claim_token_hash: Option<&'a str>,
}

/// The id of the grant of this Zoom user, if there is one.
pub async fn find_id(
    db: &mut Db<'_>,
    zoom_account_id: &str,
    zoom_user_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(with_db!(db, |c| zoom_grants::table
        .filter(zoom_grants::zoom_account_id.eq(zoom_account_id))
        .filter(zoom_grants::zoom_user_id.eq(zoom_user_id))
        .select(zoom_grants::id)
        .first(c)
        .await
        .optional())?)
}

/// Creates the grant with `id`. The caller sealed the tokens with `id` as associated data.
pub async fn insert(
    db: &mut Db<'_>,
    id: &str,
    account: &str,
    user: &str,
    t: &GrantTokens<'_>,
) -> Result<(), StoreError> {
    let row = StoredGrant {
        id: id.to_owned(),
        zoom_account_id: account.to_owned(),
        zoom_user_id: user.to_owned(),
        zoom_email: t.zoom_email.to_owned(),
        zoom_display_name: t.zoom_display_name.to_owned(),
        scopes: t.scopes.to_owned(),
        access_token_sealed: t.access.ciphertext.clone(),
        refresh_token_sealed: t.refresh.ciphertext.clone(),
        key_id: t.access.key_id.clone(),
        access_expires_at: t.access_expires_at,
        api_url: t.api_url.map(str::to_owned),
        status: GrantStatus::Active,
        created_at: t.now,
        refreshed_at: None,
        refresh_lease_until: None,
        last_error: None,
        claim_token_hash: t.claim_token_hash.map(str::to_owned),
        authorized_at: Some(t.now),
    };
    with_db!(db, |c| diesel::insert_into(zoom_grants::table)
        .values(row)
        .execute(c)
        .await)?;
    Ok(())
}

/// Replaces the tokens of an existing grant after a new authorization (Zoom has revoked the
/// older pair, docs/zoom.md §1.4), reviving it if it was dead.
pub async fn replace_tokens(
    db: &mut Db<'_>,
    id: &str,
    t: &GrantTokens<'_>,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(zoom_grants::table.find(id))
        .set((
            zoom_grants::zoom_email.eq(t.zoom_email),
            zoom_grants::zoom_display_name.eq(t.zoom_display_name),
            zoom_grants::scopes.eq(t.scopes),
            zoom_grants::access_token_sealed.eq(&t.access.ciphertext),
            zoom_grants::refresh_token_sealed.eq(&t.refresh.ciphertext),
            zoom_grants::key_id.eq(&t.access.key_id),
            zoom_grants::access_expires_at.eq(t.access_expires_at),
            zoom_grants::api_url.eq(t.api_url),
            zoom_grants::status.eq(GrantStatus::Active.as_str()),
            zoom_grants::refreshed_at.eq(t.now),
            zoom_grants::refresh_lease_until.eq(None::<NaiveDateTime>),
            zoom_grants::last_error.eq(None::<String>),
            zoom_grants::claim_token_hash.eq(t.claim_token_hash),
            zoom_grants::authorized_at.eq(t.now),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn find(db: &mut Db<'_>, id: &str) -> Result<Option<StoredGrant>, StoreError> {
    Ok(with_db!(db, |c| zoom_grants::table
        .find(id)
        .select(StoredGrant::as_select())
        .first(c)
        .await
        .optional())?)
}

/// The grant a site uses, if it is connected.
pub async fn find_for_tenant(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
) -> Result<Option<StoredGrant>, StoreError> {
    Ok(with_db!(db, |c| zoom_connections::table
        .inner_join(zoom_grants::table)
        .filter(zoom_connections::tenant_id.eq(tenant_id.as_str()))
        .select(StoredGrant::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Every grant of a Zoom account, or of one user in it.
pub async fn find_by_zoom(
    db: &mut Db<'_>,
    account_id: &str,
    user_id: Option<&str>,
) -> Result<Vec<StoredGrant>, StoreError> {
    Ok(with_db!(db, |c| {
        let mut query = zoom_grants::table
            .filter(zoom_grants::zoom_account_id.eq(account_id))
            .into_boxed();
        if let Some(user) = user_id {
            query = query.filter(zoom_grants::zoom_user_id.eq(user));
        }
        query.select(StoredGrant::as_select()).load(c).await
    })?)
}

/// Takes the refresh lease if nobody holds a live one. Whoever gets `true` must refresh and
/// then call [`store_refreshed`], [`mark_dead`] or [`release_lease`]; a crashed holder's lease
/// simply expires.
pub async fn take_refresh_lease(
    db: &mut Db<'_>,
    id: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        zoom_grants::table
            .filter(zoom_grants::id.eq(id))
            .filter(zoom_grants::status.eq(GrantStatus::Active.as_str()))
            .filter(
                zoom_grants::refresh_lease_until
                    .is_null()
                    .or(zoom_grants::refresh_lease_until.lt(now))
            )
    )
    .set(zoom_grants::refresh_lease_until.eq(until))
    .execute(c)
    .await)?;
    Ok(n == 1)
}

pub async fn release_lease(db: &mut Db<'_>, id: &str) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(zoom_grants::table.find(id))
        .set(zoom_grants::refresh_lease_until.eq(None::<NaiveDateTime>))
        .execute(c)
        .await)?;
    Ok(())
}

/// A rotated token pair, sealed, ready to replace the old one.
pub struct RefreshedTokens {
    pub access: Sealed,
    pub refresh: Sealed,
    pub access_expires_at: NaiveDateTime,
    pub scopes: String,
    pub refreshed_at: NaiveDateTime,
}

/// Stores a rotated pair and releases the lease in one statement.
pub async fn store_refreshed(
    db: &mut Db<'_>,
    id: &str,
    t: &RefreshedTokens,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(zoom_grants::table.find(id))
        .set((
            zoom_grants::access_token_sealed.eq(&t.access.ciphertext),
            zoom_grants::refresh_token_sealed.eq(&t.refresh.ciphertext),
            zoom_grants::key_id.eq(&t.access.key_id),
            zoom_grants::access_expires_at.eq(t.access_expires_at),
            zoom_grants::scopes.eq(&t.scopes),
            zoom_grants::refreshed_at.eq(t.refreshed_at),
            zoom_grants::refresh_lease_until.eq(None::<NaiveDateTime>),
            zoom_grants::last_error.eq(None::<String>),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Marks the grant dead (Zoom refused it): its sites must reconnect. Tokens and synced data stay.
pub async fn mark_dead(db: &mut Db<'_>, id: &str, reason: &str) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(zoom_grants::table.find(id))
        .set((
            zoom_grants::status.eq(GrantStatus::Dead.as_str()),
            zoom_grants::last_error.eq(reason),
            zoom_grants::refresh_lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Forces the next `access_token` call to refresh (after Zoom rejected the access token).
pub async fn expire_access_token(
    db: &mut Db<'_>,
    id: &str,
    sealed_ciphertext: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    // Only if the token is still the one that was rejected: a sibling may have refreshed already.
    with_db!(db, |c| diesel::update(
        zoom_grants::table
            .filter(zoom_grants::id.eq(id))
            .filter(zoom_grants::access_token_sealed.eq(sealed_ciphertext))
    )
    .set(zoom_grants::access_expires_at.eq(at))
    .execute(c)
    .await)?;
    Ok(())
}

/// Deletes the grant (its tokens) and, through the foreign key, every site's link to it.
pub async fn delete(db: &mut Db<'_>, id: &str) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::delete(zoom_grants::table.find(id))
        .execute(c)
        .await)?;
    Ok(())
}

/// All grants with their sealed values (for key rotation).
pub async fn list_all(db: &mut Db<'_>) -> Result<Vec<StoredGrant>, StoreError> {
    Ok(with_db!(db, |c| zoom_grants::table
        .select(StoredGrant::as_select())
        .load(c)
        .await)?)
}

/// Re-seals a grant's tokens under a new key (key rotation).
pub async fn reseal(
    db: &mut Db<'_>,
    id: &str,
    access: &Sealed,
    refresh: &Sealed,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(zoom_grants::table.find(id))
        .set((
            zoom_grants::access_token_sealed.eq(&access.ciphertext),
            zoom_grants::refresh_token_sealed.eq(&refresh.ciphertext),
            zoom_grants::key_id.eq(&access.key_id),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Active grants not refreshed since `before` (Zoom may retire refresh tokens nobody uses).
pub async fn idle_active(
    db: &mut Db<'_>,
    before: NaiveDateTime,
) -> Result<Vec<String>, StoreError> {
    Ok(with_db!(db, |c| zoom_grants::table
        .filter(zoom_grants::status.eq(GrantStatus::Active.as_str()))
        .filter(zoom_grants::claim_token_hash.is_null())
        .filter(
            zoom_grants::refreshed_at
                .lt(before)
                .or(zoom_grants::refreshed_at
                    .is_null()
                    .and(zoom_grants::created_at.lt(before)))
        )
        .select(zoom_grants::id)
        .load(c)
        .await)?)
}

/// A parked (Marketplace-installed, unclaimed) grant by its claim token hash.
pub async fn find_parked(
    db: &mut Db<'_>,
    claim_token_hash: &str,
) -> Result<Option<StoredGrant>, StoreError> {
    Ok(with_db!(db, |c| zoom_grants::table
        .filter(zoom_grants::claim_token_hash.eq(claim_token_hash))
        .select(StoredGrant::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Clears the claim token once a site has claimed the grant.
pub async fn mark_claimed(db: &mut Db<'_>, id: &str) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(zoom_grants::table.find(id))
        .set(zoom_grants::claim_token_hash.eq(None::<String>))
        .execute(c)
        .await)?;
    Ok(())
}

/// Parked grants created before `before` that no site ever claimed and no site uses.
pub async fn abandoned_parked(
    db: &mut Db<'_>,
    before: NaiveDateTime,
) -> Result<Vec<StoredGrant>, StoreError> {
    Ok(with_db!(db, |c| zoom_grants::table
        .filter(zoom_grants::claim_token_hash.is_not_null())
        .filter(zoom_grants::created_at.lt(before))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            zoom_connections::table.filter(zoom_connections::grant_id.eq(zoom_grants::id))
        )))
        .select(StoredGrant::as_select())
        .load(c)
        .await)?)
}

/// Makes an idle grant due for refresh, unless someone refreshed it meanwhile.
pub async fn expire_if_idle(
    db: &mut Db<'_>,
    id: &str,
    before: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        zoom_grants::table.filter(zoom_grants::id.eq(id)).filter(
            zoom_grants::refreshed_at
                .lt(before)
                .or(zoom_grants::refreshed_at.is_null())
        )
    )
    .set(zoom_grants::access_expires_at.eq(at))
    .execute(c)
    .await)?;
    Ok(n == 1)
}

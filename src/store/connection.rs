//! A tenant's Zoom connection: who it is connected as, and the sealed token pair.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::zoom_connections;
use super::{Db, StoreError, with_db};
use crate::crypto::Sealed;
use crate::domain::TenantId;

/// Connection states stored in `zoom_connections.status`.
pub const STATUS_CONNECTED: &str = "connected";
pub const STATUS_NEEDS_RECONNECT: &str = "needs_reconnect";

/// A connection row. Tokens stay sealed here; only the connection service opens them.
#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = zoom_connections)]
pub struct StoredConnection {
    pub tenant_id: String,
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
    pub status: String,
    pub connected_at: NaiveDateTime,
    pub refreshed_at: Option<NaiveDateTime>,
    pub refresh_lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub last_sync_at: Option<NaiveDateTime>,
    pub last_sync_result: Option<String>,
}

impl StoredConnection {
    pub fn access_token(&self) -> Sealed {
        Sealed { key_id: self.key_id.clone(), ciphertext: self.access_token_sealed.clone() }
    }

    pub fn refresh_token(&self) -> Sealed {
        Sealed { key_id: self.key_id.clone(), ciphertext: self.refresh_token_sealed.clone() }
    }
}

/// Stores a fresh connection, replacing any earlier one of the tenant (reconnect).
pub async fn upsert(db: &mut Db<'_>, conn: &StoredConnection) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::insert_into(zoom_connections::table)
        .values(conn)
        .on_conflict(zoom_connections::tenant_id)
        .do_update()
        .set(conn)
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn find(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<Option<StoredConnection>, StoreError> {
    Ok(with_db!(db, |c| zoom_connections::table
        .find(tenant_id.as_str())
        .select(StoredConnection::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Takes the refresh lease if nobody holds a live one. Whoever gets `true` must refresh and
/// then call [`store_refreshed`] or [`release_lease`]; a crashed holder's lease just expires.
pub async fn take_refresh_lease(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        zoom_connections::table
            .filter(zoom_connections::tenant_id.eq(tenant_id.as_str()))
            .filter(zoom_connections::refresh_lease_until.is_null().or(zoom_connections::refresh_lease_until.lt(now)))
    )
    .set(zoom_connections::refresh_lease_until.eq(until))
    .execute(c)
    .await)?;
    Ok(n == 1)
}

pub async fn release_lease(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(zoom_connections::table.find(tenant_id.as_str()))
        .set(zoom_connections::refresh_lease_until.eq(None::<NaiveDateTime>))
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
pub async fn store_refreshed(db: &mut Db<'_>, tenant_id: &TenantId, t: &RefreshedTokens) -> Result<(), StoreError> {
    debug_assert_eq!(t.access.key_id, t.refresh.key_id);
    with_db!(db, |c| diesel::update(zoom_connections::table.find(tenant_id.as_str()))
        .set((
            zoom_connections::access_token_sealed.eq(&t.access.ciphertext),
            zoom_connections::refresh_token_sealed.eq(&t.refresh.ciphertext),
            zoom_connections::key_id.eq(&t.access.key_id),
            zoom_connections::access_expires_at.eq(t.access_expires_at),
            zoom_connections::scopes.eq(&t.scopes),
            zoom_connections::refreshed_at.eq(t.refreshed_at),
            zoom_connections::refresh_lease_until.eq(None::<NaiveDateTime>),
            zoom_connections::last_error.eq(None::<String>),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Marks the grant dead: the owner must reconnect. Tokens and synced data are kept.
pub async fn mark_needs_reconnect(db: &mut Db<'_>, tenant_id: &TenantId, reason: &str) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(zoom_connections::table.find(tenant_id.as_str()))
        .set((
            zoom_connections::status.eq(STATUS_NEEDS_RECONNECT),
            zoom_connections::last_error.eq(reason),
            zoom_connections::refresh_lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Records the outcome of a sync run.
pub async fn record_sync(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    at: NaiveDateTime,
    result: &str,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(zoom_connections::table.find(tenant_id.as_str()))
        .set((zoom_connections::last_sync_at.eq(at), zoom_connections::last_sync_result.eq(result)))
        .execute(c)
        .await)?;
    Ok(())
}

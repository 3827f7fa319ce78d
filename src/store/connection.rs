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

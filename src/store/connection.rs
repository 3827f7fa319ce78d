//! A site's link to the Zoom grant it uses, and the site's sync bookkeeping.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::zoom_connections;
use super::{Db, StoreError, outbox, with_db};
use crate::domain::TenantId;
use crate::domain::event::EventType;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = zoom_connections)]
pub struct StoredConnection {
    pub tenant_id: String,
    pub grant_id: String,
    pub connected_at: NaiveDateTime,
    pub last_sync_at: Option<NaiveDateTime>,
    pub last_sync_result: Option<String>,
}

/// Links the site to `grant_id` (replacing any earlier link: a reconnect).
pub async fn link(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    grant_id: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let row = (
        zoom_connections::tenant_id.eq(tenant_id.as_str()),
        zoom_connections::grant_id.eq(grant_id),
        zoom_connections::connected_at.eq(now),
    );
    with_db!(db, |c| diesel::insert_into(zoom_connections::table)
        .values(row)
        .on_conflict(zoom_connections::tenant_id)
        .do_update()
        .set((
            zoom_connections::grant_id.eq(grant_id),
            zoom_connections::connected_at.eq(now)
        ))
        .execute(c)
        .await)?;
    let data = serde_json::json!({ "connected_at": now.and_utc().to_rfc3339() });
    outbox::emit(db, tenant_id, EventType::ConnectionConnected, data, now).await?;
    Ok(())
}

pub async fn find(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
) -> Result<Option<StoredConnection>, StoreError> {
    Ok(with_db!(db, |c| zoom_connections::table
        .find(tenant_id.as_str())
        .select(StoredConnection::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Removes the site's link; returns the grant it used.
pub async fn unlink(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<Option<String>, StoreError> {
    Ok(with_db!(db, |c| diesel::delete(
        zoom_connections::table.find(tenant_id.as_str())
    )
    .returning(zoom_connections::grant_id)
    .get_result(c)
    .await
    .optional())?)
}

/// The sites using a grant.
pub async fn tenants_of_grant(
    db: &mut Db<'_>,
    grant_id: &str,
) -> Result<Vec<TenantId>, StoreError> {
    let ids: Vec<String> = with_db!(db, |c| zoom_connections::table
        .filter(zoom_connections::grant_id.eq(grant_id))
        .select(zoom_connections::tenant_id)
        .load(c)
        .await)?;
    Ok(ids.into_iter().map(TenantId::from_stored).collect())
}

/// Records the outcome of a sync run.
pub async fn record_sync(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    at: NaiveDateTime,
    result: &str,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(
        zoom_connections::table.find(tenant_id.as_str())
    )
    .set((
        zoom_connections::last_sync_at.eq(at),
        zoom_connections::last_sync_result.eq(result)
    ))
    .execute(c)
    .await)?;
    Ok(())
}

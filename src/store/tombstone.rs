//! Deletions Zoom reported, with Zoom's time of the deletion: a late create or update of the
//! same object (an out-of-order or retried webhook) must not bring it back. Scoped by tenant.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::zoom_tombstones;
use super::{Db, StoreError, with_db};
use crate::domain::TenantId;
use crate::domain::status::text_enum;

text_enum! {
    /// What a tombstone is for (`zoom_tombstones.object_kind`).
    pub enum TombstoneKind {
        /// Keyed by the Zoom meeting id (meetings and webinars alike).
        Meeting = "meeting",
        /// Keyed by the instance uuid.
        Recording = "recording",
    }
}

/// Records that `kind`/`key` was deleted at `version` (keeps the newest deletion time).
pub async fn put(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    kind: TombstoneKind,
    key: &str,
    version: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let row = (
        zoom_tombstones::tenant_id.eq(tenant_id.as_str()),
        zoom_tombstones::object_kind.eq(kind.as_str()),
        zoom_tombstones::object_key.eq(key),
        zoom_tombstones::zoom_version.eq(version),
        zoom_tombstones::created_at.eq(now),
    );
    with_db!(db, |c| diesel::insert_into(zoom_tombstones::table)
        .values(row)
        .on_conflict((
            zoom_tombstones::tenant_id,
            zoom_tombstones::object_kind,
            zoom_tombstones::object_key
        ))
        .do_update()
        .set(zoom_tombstones::zoom_version.eq(version))
        .execute(c)
        .await)?;
    Ok(())
}

/// Whether a deletion at or after `version` is recorded: a write at `version` is then stale.
pub async fn covers(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    kind: TombstoneKind,
    key: &str,
    version: i64,
) -> Result<bool, StoreError> {
    let deleted_at: Option<i64> = with_db!(db, |c| zoom_tombstones::table
        .filter(zoom_tombstones::tenant_id.eq(tenant_id.as_str()))
        .filter(zoom_tombstones::object_kind.eq(kind.as_str()))
        .filter(zoom_tombstones::object_key.eq(key))
        .select(zoom_tombstones::zoom_version)
        .first(c)
        .await
        .optional())?;
    Ok(deleted_at.is_some_and(|at| at >= version))
}

/// Forgets deletions recorded before `before` (Zoom stops retrying after about 85 minutes).
pub async fn prune(db: &mut Db<'_>, before: NaiveDateTime) -> Result<usize, StoreError> {
    Ok(with_db!(db, |c| diesel::delete(
        zoom_tombstones::table.filter(zoom_tombstones::created_at.lt(before))
    )
    .execute(c)
    .await)?)
}

/// Deletes every tombstone of the tenant (disconnect, deauthorization).
pub async fn delete_all(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<usize, StoreError> {
    Ok(with_db!(db, |c| diesel::delete(
        zoom_tombstones::table.filter(zoom_tombstones::tenant_id.eq(tenant_id.as_str()))
    )
    .execute(c)
    .await)?)
}

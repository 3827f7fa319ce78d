//! Each site's last sync (start, end, result, counts) and when its next periodic reconcile is
//! due. Scoped by tenant.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::sync_status;
use super::{Db, StoreError, outbox, with_db};
use crate::domain::TenantId;
use crate::domain::event::EventType;
use crate::domain::status::SyncResult;

#[derive(Clone, Debug, Default, Queryable, Selectable)]
#[diesel(table_name = sync_status)]
pub struct StoredSyncStatus {
    pub tenant_id: String,
    pub last_kind: Option<String>,
    pub last_started_at: Option<NaiveDateTime>,
    pub last_finished_at: Option<NaiveDateTime>,
    pub last_result: Option<String>,
    pub last_error: Option<String>,
    pub meetings: i64,
    pub webinars: i64,
    pub recordings: i64,
    pub removed: i64,
    pub zoom_requests: i64,
    pub next_reconcile_at: Option<NaiveDateTime>,
}

/// Counts of one finished run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncCounts {
    pub meetings: i64,
    pub webinars: i64,
    pub recordings: i64,
    pub removed: i64,
    pub zoom_requests: i64,
}

async fn ensure(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<(), StoreError> {
    let row = (
        sync_status::tenant_id.eq(tenant_id.as_str()),
        sync_status::meetings.eq(0_i64),
        sync_status::webinars.eq(0_i64),
        sync_status::recordings.eq(0_i64),
        sync_status::removed.eq(0_i64),
        sync_status::zoom_requests.eq(0_i64),
    );
    with_db!(db, |c| diesel::insert_into(sync_status::table)
        .values(row)
        .on_conflict(sync_status::tenant_id)
        .do_nothing()
        .execute(c)
        .await)?;
    Ok(())
}

/// A run of `kind` started.
pub async fn record_start(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    kind: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    ensure(db, tenant_id).await?;
    with_db!(db, |c| diesel::update(
        sync_status::table.find(tenant_id.as_str())
    )
    .set((
        sync_status::last_kind.eq(kind),
        sync_status::last_started_at.eq(now),
    ))
    .execute(c)
    .await)?;
    Ok(())
}

/// A run ended: `ok` with its counts, or `failed` with the error.
pub async fn record_finish(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    counts: SyncCounts,
    error: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    ensure(db, tenant_id).await?;
    let result = if error.is_some() {
        SyncResult::Failed
    } else {
        SyncResult::Ok
    }
    .as_str();
    with_db!(db, |c| diesel::update(
        sync_status::table.find(tenant_id.as_str())
    )
    .set((
        sync_status::last_finished_at.eq(now),
        sync_status::last_result.eq(result),
        sync_status::last_error.eq(error),
        sync_status::meetings.eq(counts.meetings),
        sync_status::webinars.eq(counts.webinars),
        sync_status::recordings.eq(counts.recordings),
        sync_status::removed.eq(counts.removed),
        sync_status::zoom_requests.eq(counts.zoom_requests),
    ))
    .execute(c)
    .await)?;
    // The error text stays with the operator (it may name internals); the event says which.
    let (event_type, data) = match error {
        None => (
            EventType::SyncCompleted,
            serde_json::json!({
                "meetings": counts.meetings,
                "webinars": counts.webinars,
                "recordings": counts.recordings,
                "removed": counts.removed,
            }),
        ),
        Some(_) => (EventType::SyncFailed, serde_json::json!({})),
    };
    outbox::emit(db, tenant_id, event_type, data, now).await?;
    Ok(())
}

/// Sets when the next periodic reconcile of the tenant is due.
pub async fn schedule_reconcile(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    ensure(db, tenant_id).await?;
    with_db!(db, |c| diesel::update(
        sync_status::table.find(tenant_id.as_str())
    )
    .set(sync_status::next_reconcile_at.eq(at))
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn find(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
) -> Result<Option<StoredSyncStatus>, StoreError> {
    Ok(with_db!(db, |c| sync_status::table
        .find(tenant_id.as_str())
        .select(StoredSyncStatus::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Tenants whose reconcile is due at `now`, most overdue first.
pub async fn due_for_reconcile(
    db: &mut Db<'_>,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<TenantId>, StoreError> {
    let ids: Vec<String> = with_db!(db, |c| sync_status::table
        .filter(sync_status::next_reconcile_at.le(now))
        .order(sync_status::next_reconcile_at.asc())
        .limit(limit)
        .select(sync_status::tenant_id)
        .load(c)
        .await)?;
    Ok(ids.into_iter().map(TenantId::from_stored).collect())
}

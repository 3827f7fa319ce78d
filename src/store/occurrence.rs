//! Occurrences of recurring meetings (Zoom type 8), with Zoom's ms-epoch occurrence ids.
//! Written only together with their meeting (same transaction, same version rules). Scoped by
//! tenant.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::meeting_occurrences;
use super::{Db, StoreError, with_db};
use crate::domain::TenantId;
use crate::domain::status::OccurrenceStatus;

/// One occurrence as Zoom lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub occurrence_id: String,
    pub start_time: NaiveDateTime,
    pub duration_minutes: i32,
    pub status: OccurrenceStatus,
}

/// Replaces the meeting's occurrences with `occurrences` (Zoom's full list).
pub async fn replace_for_meeting(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
    occurrences: &[Occurrence],
) -> Result<(), StoreError> {
    delete_for_meeting(db, tenant_id, zoom_meeting_id).await?;
    // At most 60 occurrences per meeting (docs/zoom.md §4.3): one small insert each.
    for o in occurrences {
        let row = (
            meeting_occurrences::tenant_id.eq(tenant_id.as_str()),
            meeting_occurrences::zoom_meeting_id.eq(zoom_meeting_id),
            meeting_occurrences::occurrence_id.eq(&o.occurrence_id),
            meeting_occurrences::start_time.eq(o.start_time),
            meeting_occurrences::duration_minutes.eq(o.duration_minutes),
            meeting_occurrences::status.eq(o.status.as_str()),
        );
        with_db!(db, |c| diesel::insert_into(meeting_occurrences::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)
            .await)?;
    }
    Ok(())
}

/// Marks single occurrences deleted (Zoom's `meeting.deleted` naming only occurrences).
pub async fn mark_deleted(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
    occurrence_ids: &[String],
) -> Result<usize, StoreError> {
    Ok(with_db!(db, |c| diesel::update(
        meeting_occurrences::table
            .filter(meeting_occurrences::tenant_id.eq(tenant_id.as_str()))
            .filter(meeting_occurrences::zoom_meeting_id.eq(zoom_meeting_id))
            .filter(meeting_occurrences::occurrence_id.eq_any(occurrence_ids))
    )
    .set(meeting_occurrences::status.eq(OccurrenceStatus::Deleted.as_str()))
    .execute(c)
    .await)?)
}

pub async fn delete_for_meeting(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
) -> Result<usize, StoreError> {
    Ok(with_db!(db, |c| diesel::delete(
        meeting_occurrences::table
            .filter(meeting_occurrences::tenant_id.eq(tenant_id.as_str()))
            .filter(meeting_occurrences::zoom_meeting_id.eq(zoom_meeting_id))
    )
    .execute(c)
    .await)?)
}

/// Deletes every occurrence of the tenant (disconnect, deauthorization).
pub async fn delete_all(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<usize, StoreError> {
    Ok(with_db!(db, |c| diesel::delete(
        meeting_occurrences::table.filter(meeting_occurrences::tenant_id.eq(tenant_id.as_str()))
    )
    .execute(c)
    .await)?)
}

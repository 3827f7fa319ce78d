//! Synced meetings. Every function is scoped by tenant.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::meetings;
use super::{Db, StoreError, with_db};
use crate::domain::{Meeting, TenantId};

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = meetings)]
pub(super) struct MeetingRow {
    tenant_id: String,
    zoom_meeting_id: i64,
    zoom_uuid: String,
    host_id: String,
    topic: String,
    agenda: String,
    meeting_type: i32,
    start_time: Option<NaiveDateTime>,
    duration_minutes: i32,
    timezone: String,
    approval_type: i32,
    join_url: String,
    hidden: bool,
    synced_at: NaiveDateTime,
    pub(super) kind: String,
}

impl From<MeetingRow> for Meeting {
    fn from(row: MeetingRow) -> Self {
        Self {
            zoom_meeting_id: row.zoom_meeting_id,
            zoom_uuid: row.zoom_uuid,
            host_id: row.host_id,
            topic: row.topic,
            agenda: row.agenda,
            meeting_type: row.meeting_type,
            start_time: row.start_time,
            duration_minutes: row.duration_minutes,
            timezone: row.timezone,
            approval_type: row.approval_type,
            join_url: row.join_url,
            hidden: row.hidden,
        }
    }
}

/// The Zoom-owned fields of a meeting; `hidden` belongs to the site owner and is left alone.
#[derive(AsChangeset)]
#[diesel(table_name = meetings)]
struct ZoomFields<'a> {
    zoom_uuid: &'a str,
    host_id: &'a str,
    topic: &'a str,
    agenda: &'a str,
    meeting_type: i32,
    start_time: Option<NaiveDateTime>,
    duration_minutes: i32,
    timezone: &'a str,
    approval_type: i32,
    join_url: &'a str,
    synced_at: NaiveDateTime,
}

/// Inserts or updates one meeting from Zoom, keeping the owner's `hidden` choice.
pub async fn upsert(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    m: &Meeting,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let row = MeetingRow {
        tenant_id: tenant_id.to_string(),
        zoom_meeting_id: m.zoom_meeting_id,
        zoom_uuid: m.zoom_uuid.clone(),
        host_id: m.host_id.clone(),
        topic: m.topic.clone(),
        agenda: m.agenda.clone(),
        meeting_type: m.meeting_type,
        start_time: m.start_time,
        duration_minutes: m.duration_minutes,
        timezone: m.timezone.clone(),
        approval_type: m.approval_type,
        join_url: m.join_url.clone(),
        hidden: false,
        synced_at: now,
        kind: "meeting".to_owned(),
    };
    let changes = ZoomFields {
        zoom_uuid: &m.zoom_uuid,
        host_id: &m.host_id,
        topic: &m.topic,
        agenda: &m.agenda,
        meeting_type: m.meeting_type,
        start_time: m.start_time,
        duration_minutes: m.duration_minutes,
        timezone: &m.timezone,
        approval_type: m.approval_type,
        join_url: &m.join_url,
        synced_at: now,
    };
    with_db!(db, |c| diesel::insert_into(meetings::table)
        .values(&row)
        .on_conflict((meetings::tenant_id, meetings::zoom_meeting_id))
        .do_update()
        .set(&changes)
        .execute(c)
        .await)?;
    Ok(())
}

/// Removes the tenant's meetings whose ids are not in `keep` (Zoom no longer has them).
pub async fn delete_missing(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    keep: &[i64],
) -> Result<usize, StoreError> {
    // Chunked to stay under SQLite's bound-parameter limit on very large accounts.
    let existing: Vec<i64> = with_db!(db, |c| meetings::table
        .filter(meetings::tenant_id.eq(tenant_id.as_str()))
        .select(meetings::zoom_meeting_id)
        .load(c)
        .await)?;
    let keep: std::collections::HashSet<i64> = keep.iter().copied().collect();
    let gone: Vec<i64> = existing
        .into_iter()
        .filter(|id| !keep.contains(id))
        .collect();
    for chunk in gone.chunks(500) {
        with_db!(db, |c| diesel::delete(
            meetings::table
                .filter(meetings::tenant_id.eq(tenant_id.as_str()))
                .filter(meetings::zoom_meeting_id.eq_any(chunk))
        )
        .execute(c)
        .await)?;
    }
    Ok(gone.len())
}

/// Counts the tenant's stored meetings.
pub async fn count(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<i64, StoreError> {
    Ok(with_db!(db, |c| meetings::table
        .filter(meetings::tenant_id.eq(tenant_id.as_str()))
        .count()
        .get_result(c)
        .await)?)
}

/// Deletes every meeting of the tenant (disconnect, deauthorization).
pub async fn delete_all(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<usize, StoreError> {
    Ok(with_db!(db, |c| diesel::delete(
        meetings::table.filter(meetings::tenant_id.eq(tenant_id.as_str()))
    )
    .execute(c)
    .await)?)
}

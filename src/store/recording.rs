//! Cloud recordings, one row per ended meeting instance (Zoom's instance uuid). Written only by
//! the sync engine and webhooks, with the same version rules as meetings (`zoom_version`,
//! tombstones); `hidden` is the owner's (a copy of `hidden_items`, taken when a row is
//! inserted) and is never overwritten by Zoom's state. Scoped by tenant.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::recordings;
use super::tombstone::{self, TombstoneKind};
use super::{Db, StoreError, with_db};
use super::{hidden_item, outbox};
use crate::domain::TenantId;
use crate::domain::event::EventType;
use crate::domain::status::{ItemKind, RecordingStatus};

/// Zoom's fields of one recording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordingData {
    pub zoom_meeting_uuid: String,
    pub zoom_meeting_id: i64,
    pub host_id: String,
    pub topic: String,
    pub start_time: NaiveDateTime,
    pub duration_minutes: i32,
    pub timezone: String,
    pub share_url: String,
    pub play_passcode: String,
    pub total_size: i64,
    /// Zoom's `recording_files`, reduced to what a viewer needs, as JSON text.
    pub files_json: String,
    pub status: RecordingStatus,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = recordings)]
struct RecordingRow {
    tenant_id: String,
    zoom_meeting_uuid: String,
    zoom_meeting_id: i64,
    host_id: String,
    topic: String,
    start_time: NaiveDateTime,
    duration_minutes: i32,
    timezone: String,
    share_url: String,
    play_passcode: String,
    total_size: i64,
    files_json: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    status: RecordingStatus,
    hidden: bool,
    synced_at: NaiveDateTime,
    zoom_version: i64,
}

/// Zoom-owned columns (everything but `hidden`).
#[derive(AsChangeset)]
#[diesel(table_name = recordings)]
struct ZoomFields<'a> {
    zoom_meeting_id: i64,
    host_id: &'a str,
    topic: &'a str,
    start_time: NaiveDateTime,
    duration_minutes: i32,
    timezone: &'a str,
    share_url: &'a str,
    play_passcode: &'a str,
    total_size: i64,
    files_json: &'a str,
    status: &'static str,
    synced_at: NaiveDateTime,
    zoom_version: i64,
}

impl From<RecordingRow> for RecordingData {
    fn from(r: RecordingRow) -> Self {
        Self {
            zoom_meeting_uuid: r.zoom_meeting_uuid,
            zoom_meeting_id: r.zoom_meeting_id,
            host_id: r.host_id,
            topic: r.topic,
            start_time: r.start_time,
            duration_minutes: r.duration_minutes,
            timezone: r.timezone,
            share_url: r.share_url,
            play_passcode: r.play_passcode,
            total_size: r.total_size,
            files_json: r.files_json,
            status: r.status,
        }
    }
}

/// Writes Zoom's state of a recording unless a newer state or its deletion is stored.
/// Returns whether it was written.
pub async fn upsert_versioned(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    r: &RecordingData,
    version: i64,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    if tombstone::covers(
        db,
        tenant_id,
        TombstoneKind::Recording,
        &r.zoom_meeting_uuid,
        version,
    )
    .await?
    {
        return Ok(false);
    }
    let before = stored_status(db, tenant_id, &r.zoom_meeting_uuid).await?;
    let changes = ZoomFields {
        zoom_meeting_id: r.zoom_meeting_id,
        host_id: &r.host_id,
        topic: &r.topic,
        start_time: r.start_time,
        duration_minutes: r.duration_minutes,
        timezone: &r.timezone,
        share_url: &r.share_url,
        play_passcode: &r.play_passcode,
        total_size: r.total_size,
        files_json: &r.files_json,
        status: r.status.as_str(),
        synced_at: now,
        zoom_version: version,
    };
    let updated = with_db!(db, |c| diesel::update(
        recordings::table
            .filter(recordings::tenant_id.eq(tenant_id.as_str()))
            .filter(recordings::zoom_meeting_uuid.eq(&r.zoom_meeting_uuid))
            .filter(recordings::zoom_version.le(version))
    )
    .set(&changes)
    .execute(c)
    .await)?;
    if updated > 0 {
        announce_if_new(db, tenant_id, r, before, now).await?;
        return Ok(true);
    }
    let row = RecordingRow {
        tenant_id: tenant_id.to_string(),
        zoom_meeting_uuid: r.zoom_meeting_uuid.clone(),
        zoom_meeting_id: r.zoom_meeting_id,
        host_id: r.host_id.clone(),
        topic: r.topic.clone(),
        start_time: r.start_time,
        duration_minutes: r.duration_minutes,
        timezone: r.timezone.clone(),
        share_url: r.share_url.clone(),
        play_passcode: r.play_passcode.clone(),
        total_size: r.total_size,
        files_json: r.files_json.clone(),
        status: r.status,
        hidden: hidden_item::is_hidden(db, tenant_id, ItemKind::Recording, &r.zoom_meeting_uuid)
            .await?,
        synced_at: now,
        zoom_version: version,
    };
    let inserted = with_db!(db, |c| diesel::insert_into(recordings::table)
        .values(row)
        .on_conflict((recordings::tenant_id, recordings::zoom_meeting_uuid))
        .do_nothing()
        .execute(c)
        .await)?;
    if inserted > 0 {
        announce_if_new(db, tenant_id, r, before, now).await?;
    }
    Ok(inserted > 0)
}

/// The stored status of a recording, if it is stored.
async fn stored_status(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_uuid: &str,
) -> Result<Option<RecordingStatus>, StoreError> {
    let text: Option<String> = with_db!(db, |c| recordings::table
        .filter(recordings::tenant_id.eq(tenant_id.as_str()))
        .filter(recordings::zoom_meeting_uuid.eq(zoom_meeting_uuid))
        .select(recordings::status)
        .first(c)
        .await
        .optional())?;
    Ok(text.and_then(|t| RecordingStatus::parse(&t)))
}

/// `recording.available` when a written recording is available and was not before (new, or
/// back from the trash through a full write). The share link and passcode are not sent.
async fn announce_if_new(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    r: &RecordingData,
    before: Option<RecordingStatus>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    if r.status != RecordingStatus::Available || before == Some(RecordingStatus::Available) {
        return Ok(());
    }
    let data = serde_json::json!({
        "uuid": r.zoom_meeting_uuid,
        "meeting_id": r.zoom_meeting_id,
        "topic": r.topic,
        "start_time": r.start_time.and_utc().to_rfc3339(),
        "duration_minutes": r.duration_minutes,
    });
    outbox::emit(db, tenant_id, EventType::RecordingAvailable, data, now).await?;
    Ok(())
}

/// Sets the status of a stored recording unless it is newer. Returns whether a row changed.
pub async fn set_status_versioned(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_uuid: &str,
    status: RecordingStatus,
    version: i64,
) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        recordings::table
            .filter(recordings::tenant_id.eq(tenant_id.as_str()))
            .filter(recordings::zoom_meeting_uuid.eq(zoom_meeting_uuid))
            .filter(recordings::zoom_version.le(version))
    )
    .set((
        recordings::status.eq(status.as_str()),
        recordings::zoom_version.eq(version)
    ))
    .execute(c)
    .await)?;
    Ok(n > 0)
}

/// Zoom deleted the recording at `version`: removes it unless newer, remembers the deletion.
pub async fn delete_versioned(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_uuid: &str,
    version: i64,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let removed = with_db!(db, |c| diesel::delete(
        recordings::table
            .filter(recordings::tenant_id.eq(tenant_id.as_str()))
            .filter(recordings::zoom_meeting_uuid.eq(zoom_meeting_uuid))
            .filter(recordings::zoom_version.le(version))
    )
    .execute(c)
    .await)?;
    tombstone::put(
        db,
        tenant_id,
        TombstoneKind::Recording,
        zoom_meeting_uuid,
        version,
        now,
    )
    .await?;
    Ok(removed > 0)
}

/// After listing every recording that started in `[from, to)` (a listing that began at
/// `version`): removes the stored ones Zoom no longer lists, except newer writes.
pub async fn delete_unlisted(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    from: NaiveDateTime,
    to: NaiveDateTime,
    keep: &HashSet<String>,
    version: i64,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    let existing: Vec<String> = with_db!(db, |c| recordings::table
        .filter(recordings::tenant_id.eq(tenant_id.as_str()))
        .filter(recordings::start_time.ge(from))
        .filter(recordings::start_time.lt(to))
        .filter(recordings::zoom_version.lt(version))
        .select(recordings::zoom_meeting_uuid)
        .load(c)
        .await)?;
    let mut removed = 0;
    for uuid in existing.into_iter().filter(|u| !keep.contains(u)) {
        if delete_versioned(db, tenant_id, &uuid, version, now).await? {
            removed += 1;
        }
    }
    Ok(removed)
}

/// The uuids of stored recordings that have a play passcode (so a sync need not ask again).
pub async fn uuids_with_passcode(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
) -> Result<HashSet<String>, StoreError> {
    let uuids: Vec<String> = with_db!(db, |c| recordings::table
        .filter(recordings::tenant_id.eq(tenant_id.as_str()))
        .filter(recordings::play_passcode.ne(""))
        .select(recordings::zoom_meeting_uuid)
        .load(c)
        .await)?;
    Ok(uuids.into_iter().collect())
}

/// The tenant's recordings (any status), newest first.
pub async fn list_for_tenant(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
) -> Result<Vec<RecordingData>, StoreError> {
    let rows: Vec<RecordingRow> = with_db!(db, |c| recordings::table
        .filter(recordings::tenant_id.eq(tenant_id.as_str()))
        .order((
            recordings::start_time.desc(),
            recordings::zoom_meeting_uuid.asc()
        ))
        .select(RecordingRow::as_select())
        .load(c)
        .await)?;
    Ok(rows.into_iter().map(RecordingData::from).collect())
}

pub async fn count(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<i64, StoreError> {
    Ok(with_db!(db, |c| recordings::table
        .filter(recordings::tenant_id.eq(tenant_id.as_str()))
        .count()
        .get_result(c)
        .await)?)
}

/// Deletes every recording of the tenant (disconnect, deauthorization).
pub async fn delete_all(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<usize, StoreError> {
    Ok(with_db!(db, |c| diesel::delete(
        recordings::table.filter(recordings::tenant_id.eq(tenant_id.as_str()))
    )
    .execute(c)
    .await)?)
}

//! Synced meetings and webinars (`kind`). Every function is scoped by tenant.
//!
//! Writes from Zoom carry a version (`zoom_version`, Zoom's epoch ms of the state): a write
//! older than what is stored, or older than a recorded deletion (`tombstone`), changes nothing,
//! so late and out-of-order webhooks cannot bring back old state.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::meetings;
use super::tombstone::{self, TombstoneKind};
use super::{Db, StoreError, with_db};
use super::{hidden_item, outbox};
use crate::domain::event::EventType;
use crate::domain::status::{ItemKind, MeetingKind};
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
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub(super) kind: MeetingKind,
    pub(super) zoom_version: i64,
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

/// The Zoom-owned fields of a meeting; `hidden` is the owner's (a copy of `hidden_items`) and
/// is left alone.
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

impl<'a> ZoomFields<'a> {
    fn of(m: &'a Meeting, now: NaiveDateTime) -> Self {
        Self {
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
        }
    }
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

/// Writes Zoom's state of a meeting (or webinar) if `version` is not older than what is
/// stored or than its deletion. Returns whether it was written. An updated row keeps its
/// `hidden`; an inserted one takes the owner's choice from `hidden_items`.
pub async fn upsert_versioned(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    m: &Meeting,
    kind: MeetingKind,
    version: i64,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let key = m.zoom_meeting_id.to_string();
    if tombstone::covers(db, tenant_id, TombstoneKind::Meeting, &key, version).await? {
        return Ok(false);
    }
    let before = find_any(db, tenant_id, m.zoom_meeting_id).await?;
    let changes = ZoomFields::of(m, now);
    let updated = with_db!(db, |c| diesel::update(
        meetings::table
            .filter(meetings::tenant_id.eq(tenant_id.as_str()))
            .filter(meetings::zoom_meeting_id.eq(m.zoom_meeting_id))
            .filter(meetings::zoom_version.le(version))
    )
    .set((
        &changes,
        meetings::kind.eq(kind.as_str()),
        meetings::zoom_version.eq(version)
    ))
    .execute(c)
    .await)?;
    if updated > 0 {
        let changed = before.is_none_or(|(old, old_kind, _)| {
            old_kind != kind
                || Meeting {
                    hidden: m.hidden,
                    ..old
                } != *m
        });
        if changed {
            let data = event_data(m, kind);
            outbox::emit(db, tenant_id, EventType::MeetingUpdated, data, now).await?;
        }
        return Ok(true);
    }
    // Nothing updated: either the row is newer (stale write) or it does not exist yet.
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
        hidden: hidden_item::is_hidden(db, tenant_id, ItemKind::Meeting, &key).await?,
        synced_at: now,
        kind,
        zoom_version: version,
    };
    let inserted = with_db!(db, |c| diesel::insert_into(meetings::table)
        .values(row)
        .on_conflict((meetings::tenant_id, meetings::zoom_meeting_id))
        .do_nothing()
        .execute(c)
        .await)?;
    if inserted > 0 {
        let data = event_data(m, kind);
        outbox::emit(db, tenant_id, EventType::MeetingCreated, data, now).await?;
    }
    Ok(inserted > 0)
}

/// A meeting as outbound events carry it: what a site shows, never `start_url` (not stored).
fn event_data(m: &Meeting, kind: MeetingKind) -> serde_json::Value {
    serde_json::json!({
        "id": m.zoom_meeting_id,
        "kind": kind.as_str(),
        "topic": m.topic,
        "start_time": m.start_time.map(|t| t.and_utc().to_rfc3339()),
        "duration_minutes": m.duration_minutes,
        "timezone": m.timezone,
        "registration_open": m.registration_open(),
    })
}

/// Zoom deleted the meeting at `version`: removes it (and its occurrences) unless it was
/// written at a newer version, and remembers the deletion. Returns whether a row went away.
pub async fn delete_versioned(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
    version: i64,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let removed = with_db!(db, |c| diesel::delete(
        meetings::table
            .filter(meetings::tenant_id.eq(tenant_id.as_str()))
            .filter(meetings::zoom_meeting_id.eq(zoom_meeting_id))
            .filter(meetings::zoom_version.le(version))
    )
    .execute(c)
    .await)?;
    if removed > 0 {
        let data = serde_json::json!({ "id": zoom_meeting_id });
        outbox::emit(db, tenant_id, EventType::MeetingDeleted, data, now).await?;
    }
    if removed > 0
        || find_version(db, tenant_id, zoom_meeting_id)
            .await?
            .is_none()
    {
        super::occurrence::delete_for_meeting(db, tenant_id, zoom_meeting_id).await?;
        let key = zoom_meeting_id.to_string();
        tombstone::put(db, tenant_id, TombstoneKind::Meeting, &key, version, now).await?;
    }
    Ok(removed > 0)
}

/// The stored version of a meeting, if it is stored.
pub async fn find_version(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(with_db!(db, |c| meetings::table
        .filter(meetings::tenant_id.eq(tenant_id.as_str()))
        .filter(meetings::zoom_meeting_id.eq(zoom_meeting_id))
        .select(meetings::zoom_version)
        .first(c)
        .await
        .optional())?)
}

/// One stored meeting (hidden or not) with its kind and version, for applying partial patches.
pub async fn find_any(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
) -> Result<Option<(Meeting, MeetingKind, i64)>, StoreError> {
    let row: Option<MeetingRow> = with_db!(db, |c| meetings::table
        .filter(meetings::tenant_id.eq(tenant_id.as_str()))
        .filter(meetings::zoom_meeting_id.eq(zoom_meeting_id))
        .select(MeetingRow::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(row.map(|r| {
        let (kind, version) = (r.kind, r.zoom_version);
        (Meeting::from(r), kind, version)
    }))
}

/// Every stored meeting of the tenant (id → stored copy), to tell which listed ones changed.
pub async fn all_by_id(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
) -> Result<std::collections::HashMap<i64, Meeting>, StoreError> {
    let rows: Vec<MeetingRow> = with_db!(db, |c| meetings::table
        .filter(meetings::tenant_id.eq(tenant_id.as_str()))
        .select(MeetingRow::as_select())
        .load(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.zoom_meeting_id, Meeting::from(r)))
        .collect())
}

/// After a full listing that began at `version`: removes the tenant's meetings of `kind` that
/// Zoom no longer lists (`keep`), except those written after the listing began (a webhook was
/// faster). Records each removal as a tombstone. Returns how many went away.
pub async fn delete_unlisted(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    kind: MeetingKind,
    keep: &std::collections::HashSet<i64>,
    version: i64,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    let existing: Vec<i64> = with_db!(db, |c| meetings::table
        .filter(meetings::tenant_id.eq(tenant_id.as_str()))
        .filter(meetings::kind.eq(kind.as_str()))
        .filter(meetings::zoom_version.lt(version))
        .select(meetings::zoom_meeting_id)
        .load(c)
        .await)?;
    let mut removed = 0;
    for id in existing.into_iter().filter(|id| !keep.contains(id)) {
        if delete_versioned(db, tenant_id, id, version, now).await? {
            removed += 1;
        }
    }
    Ok(removed)
}

/// The tenant's meetings (or webinars) for the owner, hidden ones included, by Zoom's meeting
/// number: at most `limit` after `after`, and whether more follow.
pub async fn list_owned(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    kind: MeetingKind,
    after: Option<i64>,
    limit: i64,
) -> Result<(Vec<Meeting>, bool), StoreError> {
    let rows: Vec<MeetingRow> = with_db!(db, |c| {
        let mut query = meetings::table
            .filter(meetings::tenant_id.eq(tenant_id.as_str()))
            .filter(meetings::kind.eq(kind.as_str()))
            .order(meetings::zoom_meeting_id.asc())
            .limit(limit + 1)
            .select(MeetingRow::as_select())
            .into_boxed();
        if let Some(id) = after {
            query = query.filter(meetings::zoom_meeting_id.gt(id));
        }
        query.load(c).await
    })?;
    let more = rows.len() as i64 > limit;
    Ok((
        rows.into_iter()
            .take(limit as usize)
            .map(Meeting::from)
            .collect(),
        more,
    ))
}

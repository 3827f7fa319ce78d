//! Visitor-facing reads: only what is visible (not hidden by the owner — the rows' copy of
//! `hidden_items` — not deleted or trashed at Zoom), always scoped by tenant. Plus the stored
//! registration questions.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::meeting::MeetingRow;
use super::schema::{meeting_occurrences, meetings, recordings, registration_questions};
use super::{Db, StoreError, with_db};
use crate::domain::public::{ListedMeeting, Occurrence, Recording, RegistrationQuestions};
use crate::domain::status::{MeetingKind, OccurrenceStatus, RecordingStatus};
use crate::domain::{Meeting, TenantId};

diesel::define_sql_function! {
    /// Lower case (ASCII only on SQLite, which is also what its LIKE folds).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A meeting stays listed while it may still be running: it started less than this long ago
/// (and its scheduled end is still ahead).
pub(super) const RUNNING_WINDOW: TimeDelta = TimeDelta::hours(24);
/// At most this many meetings can have started within [`RUNNING_WINDOW`] and be read per list.
const MAX_RUNNING: i64 = 500;

#[derive(Queryable, Selectable)]
#[diesel(table_name = meeting_occurrences)]
pub(super) struct OccurrenceRow {
    occurrence_id: String,
    start_time: NaiveDateTime,
    duration_minutes: i32,
    status: String,
}

impl From<OccurrenceRow> for Occurrence {
    fn from(r: OccurrenceRow) -> Self {
        Self {
            occurrence_id: r.occurrence_id,
            start_time: r.start_time,
            duration_minutes: r.duration_minutes,
            status: OccurrenceStatus::of(&r.status),
        }
    }
}

/// Which meetings a public list shows.
#[derive(Clone, Debug)]
pub struct ListQuery {
    pub kind: MeetingKind,
    pub now: NaiveDateTime,
    /// Only items starting at or after this (default: everything not yet ended).
    pub from: Option<NaiveDateTime>,
    /// Only items starting before this.
    pub to: Option<NaiveDateTime>,
    /// Only this host's meetings (Zoom user id).
    pub host_id: Option<String>,
    /// Only items sorting after this (start time, meeting number): a cursor position.
    pub after: Option<(Option<NaiveDateTime>, i64)>,
    pub offset: i64,
    pub limit: i64,
    /// A recurring meeting is one item, its next occurrence (the widgets' list), rather than
    /// one item per occurrence.
    pub one_per_series: bool,
}

impl ListQuery {
    /// The cursor's start time and meeting number, when it points at an item with a fixed time.
    fn after_timed(&self) -> Option<(NaiveDateTime, i64)> {
        self.after.and_then(|(t, id)| t.map(|t| (t, id)))
    }

    /// Whether the cursor is past every item with a fixed time already.
    fn past_fixed_times(&self) -> bool {
        matches!(self.after, Some((None, _)))
    }
}

/// A start-time window `(after, until]`.
#[derive(Clone, Copy)]
struct Window {
    after: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
}

/// Visible upcoming meetings with recurring meetings expanded into their occurrences, soonest
/// first, meetings without a fixed time last. Returns one page and whether more follow.
pub async fn list_meetings(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    q: &ListQuery,
) -> Result<(Vec<ListedMeeting>, bool), StoreError> {
    let wanted = q.offset + q.limit + 1;
    let far_future = q.now + TimeDelta::days(365 * 100);
    let until = q.to.map_or(far_future, |t| t - TimeDelta::microseconds(1));
    let lower = q.from.map_or(q.now - RUNNING_WINDOW, |f| {
        f.max(q.now - RUNNING_WINDOW) - TimeDelta::microseconds(1)
    });
    // Items that already started may have ended: read them all (few), filter, then the future.
    let windows = [
        Window {
            after: lower,
            until: q.now.min(until),
            limit: MAX_RUNNING,
        },
        Window {
            after: q.now.max(lower),
            until,
            limit: wanted,
        },
    ];
    let mut items = Vec::new();
    let windows = windows.into_iter().filter(|w| w.after < w.until);
    for w in windows.filter(|_| !q.past_fixed_times()) {
        items.extend(meetings_in(db, tenant_id, q, w).await?);
        items.extend(occurrences_in(db, tenant_id, q, w).await?);
    }
    if q.from.is_none() && q.to.is_none() {
        items.extend(without_fixed_time(db, tenant_id, q, wanted).await?);
    }
    items.retain(|item: &ListedMeeting| {
        item.start_time()
            .is_none_or(|start| start + TimeDelta::minutes(item.duration_minutes().into()) > q.now)
    });
    items.sort_by_key(|i| {
        (
            i.start_time().is_none(),
            i.start_time(),
            i.meeting.zoom_meeting_id,
        )
    });
    if q.one_per_series {
        // The future window has one occurrence per series already; one may also be running.
        let mut seen = std::collections::HashSet::new();
        items.retain(|i| i.occurrence.is_none() || seen.insert(i.meeting.zoom_meeting_id));
    }
    let more = items.len() as i64 > q.offset + q.limit;
    let page = items
        .into_iter()
        .skip(q.offset as usize)
        .take(q.limit as usize)
        .collect();
    Ok((page, more))
}

/// Where every visitor list of meetings starts: the site's visible meetings of the listed kind,
/// and only one host's when asked. A macro because the boxed query's type differs per backend
/// (it is expanded inside each arm of `with_db!`).
macro_rules! visible_meetings {
    ($tenant_id:expr, $q:expr) => {{
        let mut query = meetings::table
            .filter(meetings::tenant_id.eq($tenant_id.as_str()))
            .filter(meetings::kind.eq($q.kind.as_str()))
            .filter(meetings::hidden.eq(false))
            .into_boxed();
        if let Some(host) = $q.host_id.as_deref().filter(|h| !h.is_empty()) {
            query = query.filter(meetings::host_id.eq(host));
        }
        query
    }};
}

async fn meetings_in(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    q: &ListQuery,
    w: Window,
) -> Result<Vec<ListedMeeting>, StoreError> {
    let rows: Vec<MeetingRow> = with_db!(db, |c| {
        let has_occurrences = exists(
            meeting_occurrences::table
                .filter(meeting_occurrences::tenant_id.eq(meetings::tenant_id))
                .filter(meeting_occurrences::zoom_meeting_id.eq(meetings::zoom_meeting_id)),
        );
        let mut query = visible_meetings!(tenant_id, q)
            .filter(meetings::start_time.gt(w.after))
            .filter(meetings::start_time.le(w.until))
            .filter(not(has_occurrences));
        if let Some((start, id)) = q.after_timed() {
            query = query.filter(
                meetings::start_time.gt(start).or(meetings::start_time
                    .eq(start)
                    .and(meetings::zoom_meeting_id.gt(id))),
            );
        }
        query
            .order((meetings::start_time.asc(), meetings::zoom_meeting_id.asc()))
            .limit(w.limit)
            .select(MeetingRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows.into_iter().map(listed).collect())
}

async fn without_fixed_time(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    q: &ListQuery,
    limit: i64,
) -> Result<Vec<ListedMeeting>, StoreError> {
    let rows: Vec<MeetingRow> = with_db!(db, |c| {
        let after_id = q
            .after
            .filter(|_| q.past_fixed_times())
            .map_or(i64::MIN, |(_, id)| id);
        visible_meetings!(tenant_id, q)
            .filter(meetings::start_time.is_null())
            .filter(meetings::zoom_meeting_id.gt(after_id))
            .order(meetings::zoom_meeting_id.asc())
            .limit(limit)
            .select(MeetingRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows.into_iter().map(listed).collect())
}

async fn occurrences_in(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    q: &ListQuery,
    w: Window,
) -> Result<Vec<ListedMeeting>, StoreError> {
    let host = q.host_id.clone().unwrap_or_default();
    let rows: Vec<(MeetingRow, OccurrenceRow)> = with_db!(db, |c| {
        let mut query = meeting_occurrences::table
            .inner_join(
                meetings::table.on(meetings::tenant_id
                    .eq(meeting_occurrences::tenant_id)
                    .and(meetings::zoom_meeting_id.eq(meeting_occurrences::zoom_meeting_id))),
            )
            .filter(meeting_occurrences::tenant_id.eq(tenant_id.as_str()))
            .filter(meeting_occurrences::status.ne(OccurrenceStatus::Deleted.as_str()))
            .filter(meetings::kind.eq(q.kind.as_str()))
            .filter(meetings::hidden.eq(false))
            .filter(meeting_occurrences::start_time.gt(w.after))
            .filter(meeting_occurrences::start_time.le(w.until))
            .order((
                meeting_occurrences::start_time.asc(),
                meeting_occurrences::zoom_meeting_id.asc(),
            ))
            .limit(w.limit)
            .select((MeetingRow::as_select(), OccurrenceRow::as_select()))
            .into_boxed();
        if !host.is_empty() {
            query = query.filter(meetings::host_id.eq(host.as_str()));
        }
        if q.one_per_series && w.after >= q.now {
            // Only a series' first occurrence of the window: no earlier one of it in the window
            // (occurrences that may be running are few and deduplicated after reading).
            let earlier = diesel::alias!(meeting_occurrences as earlier);
            query = query.filter(not(exists(
                earlier
                    .filter(
                        earlier
                            .field(meeting_occurrences::tenant_id)
                            .eq(meeting_occurrences::tenant_id),
                    )
                    .filter(
                        earlier
                            .field(meeting_occurrences::zoom_meeting_id)
                            .eq(meeting_occurrences::zoom_meeting_id),
                    )
                    .filter(
                        earlier
                            .field(meeting_occurrences::status)
                            .ne(OccurrenceStatus::Deleted.as_str()),
                    )
                    .filter(earlier.field(meeting_occurrences::start_time).gt(w.after))
                    .filter(
                        earlier
                            .field(meeting_occurrences::start_time)
                            .lt(meeting_occurrences::start_time),
                    ),
            )));
        }
        if let Some((start, id)) = q.after_timed() {
            query = query.filter(
                meeting_occurrences::start_time
                    .gt(start)
                    .or(meeting_occurrences::start_time
                        .eq(start)
                        .and(meeting_occurrences::zoom_meeting_id.gt(id))),
            );
        }
        query.load(c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(m, o)| ListedMeeting {
            meeting: m.into(),
            occurrence: Some(o.into()),
        })
        .collect())
}

fn listed(row: MeetingRow) -> ListedMeeting {
    ListedMeeting {
        meeting: row.into(),
        occurrence: None,
    }
}

/// One visible meeting (or webinar) of the tenant, and whether it is a webinar.
/// A visible meeting, whether it is a webinar, and its stored version.
pub async fn find_visible(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
) -> Result<Option<(Meeting, bool, i64)>, StoreError> {
    let row: Option<MeetingRow> = with_db!(db, |c| meetings::table
        .filter(meetings::tenant_id.eq(tenant_id.as_str()))
        .filter(meetings::zoom_meeting_id.eq(zoom_meeting_id))
        .filter(meetings::hidden.eq(false))
        .select(MeetingRow::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(row.map(|r| {
        let (webinar, version) = (r.kind == MeetingKind::Webinar, r.zoom_version);
        (Meeting::from(r), webinar, version)
    }))
}

/// The meeting's occurrences that have not ended, soonest first (at most `limit`).
pub async fn upcoming_occurrences(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Occurrence>, StoreError> {
    let rows: Vec<OccurrenceRow> = with_db!(db, |c| meeting_occurrences::table
        .filter(meeting_occurrences::tenant_id.eq(tenant_id.as_str()))
        .filter(meeting_occurrences::zoom_meeting_id.eq(zoom_meeting_id))
        .filter(meeting_occurrences::status.ne(OccurrenceStatus::Deleted.as_str()))
        .filter(meeting_occurrences::start_time.gt(now - RUNNING_WINDOW))
        .order(meeting_occurrences::start_time.asc())
        .limit(limit + MAX_RUNNING)
        .select(OccurrenceRow::as_select())
        .load(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(Occurrence::from)
        .filter(|o| o.start_time + TimeDelta::minutes(o.duration_minutes.into()) > now)
        .take(limit as usize)
        .collect())
}

/// Whether the tenant has any occurrence rows for this meeting (expanded recurring meeting).
pub async fn has_occurrences(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
) -> Result<bool, StoreError> {
    Ok(with_db!(db, |c| diesel::select(exists(
        meeting_occurrences::table
            .filter(meeting_occurrences::tenant_id.eq(tenant_id.as_str()))
            .filter(meeting_occurrences::zoom_meeting_id.eq(zoom_meeting_id))
    ))
    .get_result(c)
    .await)?)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = recordings)]
struct RecordingRow {
    zoom_meeting_uuid: String,
    zoom_meeting_id: i64,
    topic: String,
    start_time: NaiveDateTime,
    duration_minutes: i32,
    timezone: String,
    share_url: String,
    play_passcode: String,
    hidden: bool,
}

impl From<RecordingRow> for Recording {
    fn from(r: RecordingRow) -> Self {
        Self {
            zoom_meeting_uuid: r.zoom_meeting_uuid,
            zoom_meeting_id: r.zoom_meeting_id,
            topic: r.topic,
            start_time: r.start_time,
            duration_minutes: r.duration_minutes,
            timezone: r.timezone,
            share_url: r.share_url,
            play_passcode: r.play_passcode,
            hidden: r.hidden,
        }
    }
}

/// Which available recordings a list holds: visitors' lists only visible ones; the owner's
/// panel hidden ones too, optionally only those whose topic matches.
#[derive(Clone, Debug, Default)]
pub struct RecordingScope {
    pub hidden_too: bool,
    /// A LIKE pattern (`ESCAPE '\'`) the lower-cased topic must match.
    pub topic_like: Option<String>,
    /// Only this host's recordings (Zoom user id).
    pub host_id: Option<String>,
    /// Only recordings that started at or after this.
    pub since: Option<NaiveDateTime>,
}

/// Available recordings of `scope`, newest first, after the cursor position `after` (start
/// time, meeting UUID) if given; one page and whether more follow.
pub async fn list_recordings(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    scope: &RecordingScope,
    after: Option<(NaiveDateTime, String)>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Recording>, bool), StoreError> {
    let rows: Vec<RecordingRow> = with_db!(db, |c| {
        let mut query = recordings::table
            .filter(recordings::tenant_id.eq(tenant_id.as_str()))
            .filter(recordings::status.eq(RecordingStatus::Available.as_str()))
            .into_boxed();
        if !scope.hidden_too {
            query = query.filter(recordings::hidden.eq(false));
        }
        if let Some(pattern) = scope.topic_like.clone() {
            query = query.filter(lower(recordings::topic).like(lower(pattern)).escape('\\'));
        }
        if let Some(host) = scope.host_id.clone() {
            query = query.filter(recordings::host_id.eq(host));
        }
        if let Some(since) = scope.since {
            query = query.filter(recordings::start_time.ge(since));
        }
        if let Some((start, uuid)) = &after {
            query = query.filter(
                recordings::start_time.lt(*start).or(recordings::start_time
                    .eq(*start)
                    .and(recordings::zoom_meeting_uuid.gt(uuid.as_str()))),
            );
        }
        query
            .order((
                recordings::start_time.desc(),
                recordings::zoom_meeting_uuid.asc(),
            ))
            .offset(offset)
            .limit(limit + 1)
            .select(RecordingRow::as_select())
            .load(c)
            .await
    })?;
    let more = rows.len() as i64 > limit;
    Ok((
        rows.into_iter()
            .take(limit as usize)
            .map(Recording::from)
            .collect(),
        more,
    ))
}

/// The stored registration questions of a meeting, if fetched already.
pub async fn questions(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
) -> Result<Option<RegistrationQuestions>, StoreError> {
    let raw: Option<String> = with_db!(db, |c| registration_questions::table
        .filter(registration_questions::tenant_id.eq(tenant_id.as_str()))
        .filter(registration_questions::zoom_meeting_id.eq(zoom_meeting_id))
        .select(registration_questions::questions_json)
        .first(c)
        .await
        .optional())?;
    raw.map(|json| serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// Stores (or replaces) a meeting's registration questions.
pub async fn put_questions(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
    questions: &RegistrationQuestions,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(questions).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    with_db!(db, |c| diesel::insert_into(registration_questions::table)
        .values((
            registration_questions::tenant_id.eq(tenant_id.as_str()),
            registration_questions::zoom_meeting_id.eq(zoom_meeting_id),
            registration_questions::questions_json.eq(&json),
            registration_questions::fetched_at.eq(now),
        ))
        .on_conflict((
            registration_questions::tenant_id,
            registration_questions::zoom_meeting_id
        ))
        .do_update()
        .set((
            registration_questions::questions_json.eq(&json),
            registration_questions::fetched_at.eq(now),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

//! What the owner's panel lists: every stored meeting, webinar and recording of a site, hidden
//! ones included, and the overview's counts. Always scoped by tenant.
//!
//! A meeting is listed once, recurring or not, at its *list time* ([`list_time!`]). Whether it
//! has ended needs each start plus its duration, which SQLite and PostgreSQL cannot compute
//! alike; so the query reads the candidates in list-time order and the code keeps those of the
//! list asked for (only meetings that started within the last day can be either).

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::dsl::{count_star, max, min};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Timestamp};
use diesel_async::RunQueryDsl;

use super::meeting::MeetingRow;
use super::public::{OccurrenceRow, RUNNING_WINDOW, RecordingScope, lower};
use super::schema::{meeting_occurrences, meetings, recordings, registrations};
use super::{Db, StoreError, with_db};
use crate::domain::meeting::{Schedule, SyncedMeeting};
use crate::domain::public::{Occurrence, Recording, RegistrationStatus};
use crate::domain::status::{MeetingKind, OccurrenceStatus, RecordingStatus};
use crate::domain::{Meeting, TenantId};

/// How many next occurrences of a recurring meeting the list shows.
const NEXT_OCCURRENCES: usize = 3;

diesel::define_sql_function! {
    /// The first of three timestamps that is not NULL.
    #[sql_name = "COALESCE"]
    fn coalesce3(
        a: Nullable<Timestamp>,
        b: Nullable<Timestamp>,
        c: Nullable<Timestamp>,
    ) -> Nullable<Timestamp>;
}

/// The meeting's occurrences that Zoom has not deleted (a correlated subquery on `meetings`).
macro_rules! live_occurrences {
    () => {
        meeting_occurrences::table
            .filter(meeting_occurrences::tenant_id.eq(meetings::tenant_id))
            .filter(meeting_occurrences::zoom_meeting_id.eq(meetings::zoom_meeting_id))
            .filter(meeting_occurrences::status.ne(OccurrenceStatus::Deleted.as_str()))
    };
}

/// A meeting's list time: its first occurrence starting after `$since` (it may still be
/// running), else its last occurrence, else its own start; NULL without a fixed time.
macro_rules! list_time {
    ($since:expr) => {
        coalesce3(
            live_occurrences!()
                .filter(meeting_occurrences::start_time.gt($since))
                .select(min(meeting_occurrences::start_time))
                .single_value(),
            live_occurrences!()
                .select(max(meeting_occurrences::start_time))
                .single_value(),
            meetings::start_time,
        )
    };
}

/// The site's meetings whose topic contains `$topic` (if given). A macro because the boxed
/// query's type differs per backend (it is expanded inside each arm of `with_db!`).
macro_rules! owner_meetings {
    ($tenant_id:expr, $topic:expr) => {{
        let mut query = meetings::table
            .filter(meetings::tenant_id.eq($tenant_id.as_str()))
            .into_boxed();
        if let Some(pattern) = $topic {
            query = query.filter(lower(meetings::topic).like(lower(pattern)).escape('\\'));
        }
        query
    }};
}

/// One page of the owner's meetings.
#[derive(Clone, Debug)]
pub struct MeetingListQuery {
    pub schedule: Schedule,
    pub now: NaiveDateTime,
    /// Only meetings whose topic contains this (any case).
    pub topic: Option<String>,
    /// Only meetings sorting after this (list time, meeting number): a cursor position.
    pub after: Option<(Option<NaiveDateTime>, i64)>,
    pub limit: i64,
}

impl MeetingListQuery {
    /// Where running meetings begin: anything that started earlier has ended.
    fn since(&self) -> NaiveDateTime {
        self.now - RUNNING_WINDOW
    }

    /// The LIKE pattern of the topic search, its wildcards escaped.
    fn pattern(&self) -> Option<String> {
        self.topic.as_deref().map(like_pattern)
    }
}

/// `%text%` with `\`, `%` and `_` escaped (the queries say `ESCAPE '\'`).
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A range of list times `(above, up_to]` and the direction it is read in.
#[derive(Clone, Copy)]
struct Band {
    above: Option<NaiveDateTime>,
    up_to: Option<NaiveDateTime>,
    descending: bool,
}

/// A meeting read as a candidate for a list.
struct Candidate {
    meeting: Meeting,
    webinar: bool,
    list_time: Option<NaiveDateTime>,
    /// Its last live occurrence: present for a recurring meeting with stored occurrences.
    last_occurrence: Option<NaiveDateTime>,
}

type CandidateRow = (MeetingRow, Option<NaiveDateTime>, Option<NaiveDateTime>);

impl From<CandidateRow> for Candidate {
    fn from((row, list_time, last_occurrence): CandidateRow) -> Self {
        Self {
            webinar: row.kind == MeetingKind::Webinar,
            meeting: Meeting::from(row),
            list_time,
            last_occurrence,
        }
    }
}

/// One page of the owner's meetings of `q.schedule`, and whether more follow. Upcoming ones
/// soonest first (those without a fixed time last), past ones newest first.
pub async fn list_meetings(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    q: &MeetingListQuery,
) -> Result<(Vec<SyncedMeeting>, bool), StoreError> {
    let mut kept = Vec::new();
    let mut after = q.after;
    loop {
        let batch = candidates(db, tenant_id, q, after, q.limit + 1).await?;
        let exhausted = (batch.len() as i64) <= q.limit;
        let ids: Vec<i64> = batch.iter().map(|c| c.meeting.zoom_meeting_id).collect();
        let mut upcoming = upcoming_occurrences(db, tenant_id, &ids, q.now).await?;
        for c in batch {
            after = Some((c.list_time, c.meeting.zoom_meeting_id));
            let next = upcoming
                .remove(&c.meeting.zoom_meeting_id)
                .unwrap_or_default();
            if belongs(&c, &next, q) {
                kept.push(synced(c, next));
            }
        }
        if kept.len() as i64 > q.limit || exhausted {
            break;
        }
    }
    let more = kept.len() as i64 > q.limit;
    kept.truncate(q.limit as usize);
    let ids: Vec<i64> = kept.iter().map(|m| m.meeting.zoom_meeting_id).collect();
    let counts = registrant_counts(db, tenant_id, &ids).await?;
    for m in &mut kept {
        m.registrants = counts.get(&m.meeting.zoom_meeting_id).copied().unwrap_or(0);
    }
    Ok((kept, more))
}

/// Whether the candidate is in the list asked for: past lists hold what has ended.
fn belongs(c: &Candidate, upcoming: &[Occurrence], q: &MeetingListQuery) -> bool {
    let ended = if c.last_occurrence.is_some() {
        upcoming.is_empty()
    } else {
        let m = &c.meeting;
        m.start_time
            .is_some_and(|start| start + TimeDelta::minutes(m.duration_minutes.into()) <= q.now)
    };
    ended == (q.schedule == Schedule::Past)
}

fn synced(c: Candidate, mut next: Vec<Occurrence>) -> SyncedMeeting {
    next.truncate(NEXT_OCCURRENCES);
    SyncedMeeting {
        webinar: c.webinar,
        meeting: c.meeting,
        next_occurrences: next,
        registrants: 0,
        list_time: c.list_time,
    }
}

/// Up to `n` meetings after the cursor in the order of `q.schedule`: meetings with a fixed
/// time, then (upcoming only) those without.
async fn candidates(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    q: &MeetingListQuery,
    after: Option<(Option<NaiveDateTime>, i64)>,
    n: i64,
) -> Result<Vec<Candidate>, StoreError> {
    let band = match q.schedule {
        Schedule::Upcoming => Band {
            above: Some(q.since()),
            up_to: None,
            descending: false,
        },
        Schedule::Past => Band {
            above: None,
            up_to: Some(q.now),
            descending: true,
        },
    };
    let past_fixed_times = matches!(after, Some((None, _)));
    let mut found = match (past_fixed_times, after) {
        (true, _) => Vec::new(),
        (false, after) => {
            let after = after.and_then(|(t, id)| t.map(|t| (t, id)));
            dated(db, tenant_id, q, band, after, n).await?
        }
    };
    let room = n - found.len() as i64;
    if q.schedule == Schedule::Upcoming && room > 0 {
        let after_id = after
            .filter(|_| past_fixed_times)
            .map_or(i64::MIN, |(_, id)| id);
        found.extend(undated(db, tenant_id, q, after_id, room).await?);
    }
    Ok(found)
}

/// Meetings whose list time is in `band`, after the cursor `after` in the band's direction.
async fn dated(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    q: &MeetingListQuery,
    band: Band,
    after: Option<(NaiveDateTime, i64)>,
    n: i64,
) -> Result<Vec<Candidate>, StoreError> {
    let since = q.since();
    let pattern = q.pattern();
    let rows: Vec<CandidateRow> = with_db!(db, |c| {
        let mut query = owner_meetings!(tenant_id, pattern.clone())
            .filter(list_time!(since).is_not_null())
            .select((
                MeetingRow::as_select(),
                list_time!(since),
                live_occurrences!()
                    .select(max(meeting_occurrences::start_time))
                    .single_value(),
            ));
        if let Some(above) = band.above {
            query = query.filter(list_time!(since).gt(above));
        }
        if let Some(up_to) = band.up_to {
            query = query.filter(list_time!(since).le(up_to));
        }
        query = match (band.descending, after) {
            (false, Some((t, id))) => query.filter(
                list_time!(since).gt(t).or(list_time!(since)
                    .eq(t)
                    .and(meetings::zoom_meeting_id.gt(id))),
            ),
            (true, Some((t, id))) => query.filter(
                list_time!(since).lt(t).or(list_time!(since)
                    .eq(t)
                    .and(meetings::zoom_meeting_id.lt(id))),
            ),
            (_, None) => query,
        };
        query = if band.descending {
            query.order((list_time!(since).desc(), meetings::zoom_meeting_id.desc()))
        } else {
            query.order((list_time!(since).asc(), meetings::zoom_meeting_id.asc()))
        };
        query.limit(n).load(c).await
    })?;
    Ok(rows.into_iter().map(Candidate::from).collect())
}

/// Meetings without a fixed time (no start, no occurrences), by meeting number after `after_id`.
async fn undated(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    q: &MeetingListQuery,
    after_id: i64,
    n: i64,
) -> Result<Vec<Candidate>, StoreError> {
    let since = q.since();
    let pattern = q.pattern();
    let rows: Vec<MeetingRow> = with_db!(db, |c| owner_meetings!(tenant_id, pattern.clone())
        .filter(list_time!(since).is_null())
        .filter(meetings::zoom_meeting_id.gt(after_id))
        .order(meetings::zoom_meeting_id.asc())
        .limit(n)
        .select(MeetingRow::as_select())
        .load(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|row| Candidate::from((row, None, None)))
        .collect())
}

/// The occurrences of these meetings that have not ended, soonest first, by meeting.
async fn upcoming_occurrences(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    ids: &[i64],
    now: NaiveDateTime,
) -> Result<HashMap<i64, Vec<Occurrence>>, StoreError> {
    let rows: Vec<(i64, OccurrenceRow)> = with_db!(db, |c| meeting_occurrences::table
        .filter(meeting_occurrences::tenant_id.eq(tenant_id.as_str()))
        .filter(meeting_occurrences::zoom_meeting_id.eq_any(ids))
        .filter(meeting_occurrences::status.ne(OccurrenceStatus::Deleted.as_str()))
        .filter(meeting_occurrences::start_time.gt(now - RUNNING_WINDOW))
        .order(meeting_occurrences::start_time.asc())
        .select((
            meeting_occurrences::zoom_meeting_id,
            OccurrenceRow::as_select()
        ))
        .load(c)
        .await)?;
    let mut by_meeting: HashMap<i64, Vec<Occurrence>> = HashMap::new();
    for (id, row) in rows {
        let o = Occurrence::from(row);
        if o.start_time + TimeDelta::minutes(o.duration_minutes.into()) > now {
            by_meeting.entry(id).or_default().push(o);
        }
    }
    Ok(by_meeting)
}

/// Approved and pending registrations of these meetings, by meeting.
async fn registrant_counts(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    ids: &[i64],
) -> Result<HashMap<i64, i64>, StoreError> {
    let active = [
        RegistrationStatus::Approved.as_str(),
        RegistrationStatus::Pending.as_str(),
    ];
    let rows: Vec<(i64, i64)> = with_db!(db, |c| registrations::table
        .filter(registrations::tenant_id.eq(tenant_id.as_str()))
        .filter(registrations::zoom_meeting_id.eq_any(ids))
        .filter(registrations::status.eq_any(active))
        .group_by(registrations::zoom_meeting_id)
        .select((registrations::zoom_meeting_id, count_star()))
        .load(c)
        .await)?;
    Ok(rows.into_iter().collect())
}

/// How many meetings the upcoming list holds.
pub async fn count_upcoming(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let since = now - RUNNING_WINDOW;
    let later: i64 = with_db!(db, |c| meetings::table
        .filter(meetings::tenant_id.eq(tenant_id.as_str()))
        .filter(list_time!(since).gt(now).or(list_time!(since).is_null()))
        .count()
        .get_result(c)
        .await)?;
    // Those that started within the last day: the list keeps the ones still running.
    let q = MeetingListQuery {
        schedule: Schedule::Upcoming,
        now,
        topic: None,
        after: None,
        limit: 0,
    };
    let recent = Band {
        above: Some(since),
        up_to: Some(now),
        descending: false,
    };
    let mut running = 0;
    let mut after = None;
    loop {
        let batch = dated(db, tenant_id, &q, recent, after, 500).await?;
        let ids: Vec<i64> = batch.iter().map(|c| c.meeting.zoom_meeting_id).collect();
        let mut upcoming = upcoming_occurrences(db, tenant_id, &ids, now).await?;
        let read = batch.len();
        for c in batch {
            after = c.list_time.map(|t| (t, c.meeting.zoom_meeting_id));
            let next = upcoming
                .remove(&c.meeting.zoom_meeting_id)
                .unwrap_or_default();
            running += i64::from(belongs(&c, &next, &q));
        }
        if read < 500 {
            return Ok(later + running);
        }
    }
}

/// One page of the site's available recordings (hidden ones included), newest first, after the
/// cursor position `after` (start time, meeting UUID) if given; and whether more follow.
pub async fn list_recordings(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    topic: Option<&str>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<(Vec<Recording>, bool), StoreError> {
    let scope = RecordingScope {
        hidden_too: true,
        topic_like: topic.map(like_pattern),
        ..Default::default()
    };
    super::public::list_recordings(db, tenant_id, &scope, after, 0, limit).await
}

/// How many recordings are available (hidden ones included).
pub async fn count_recordings(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<i64, StoreError> {
    Ok(with_db!(db, |c| recordings::table
        .filter(recordings::tenant_id.eq(tenant_id.as_str()))
        .filter(recordings::status.eq(RecordingStatus::Available.as_str()))
        .count()
        .get_result(c)
        .await)?)
}

/// How many registrations visitors made since `since`.
pub async fn count_registrations_since(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    since: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(with_db!(db, |c| registrations::table
        .filter(registrations::tenant_id.eq(tenant_id.as_str()))
        .filter(registrations::created_at.ge(since))
        .count()
        .get_result(c)
        .await)?)
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(like_pattern("yoga"), "%yoga%");
        assert_eq!(like_pattern(r"50%_off\"), r"%50\%\_off\\%");
    }
}

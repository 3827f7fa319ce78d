//! What Marquee synced, as the site's owner sees it: every meeting, webinar and recording,
//! hidden ones included (so they can be found and shown again), and the overview's counts.
//! What visitors see lives in `service::public`.

use chrono::TimeDelta;

use crate::domain::cursor::ListKey;
use crate::domain::meeting::{Schedule, SyncedMeeting};
use crate::domain::public::Recording;
use crate::domain::{Principal, Scope, TenantId};
use crate::store::{self, Store, owner::MeetingListQuery};

use super::access::require;
use super::paging::{self, CursorPage};
use super::{ServiceError, Services};

/// "This week" of the overview: the last seven days.
const RECENT_REGISTRATIONS: TimeDelta = TimeDelta::days(7);

/// The site's synced items as a whole.
#[derive(Clone, Copy)]
pub struct Meetings<'a> {
    store: &'a Store,
}

impl Services {
    /// The owner's view of synced meetings and recordings (`service/meetings.rs`).
    pub fn meetings(&self) -> Meetings<'_> {
        Meetings { store: &self.store }
    }
}

/// Which page of which list of meetings.
#[derive(Clone, Debug, Default)]
pub struct MeetingSearch {
    pub schedule: Schedule,
    /// Only items whose topic contains this (ignoring case); blank for all.
    pub topic: String,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
    pub limit: i64,
}

impl MeetingSearch {
    fn topic(&self) -> Option<String> {
        Some(self.topic.trim().to_owned()).filter(|t| !t.is_empty())
    }
}

/// The overview's numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SiteCounts {
    pub upcoming_meetings: i64,
    pub recordings: i64,
    /// Registrations made in the last seven days.
    pub recent_registrations: i64,
}

impl Meetings<'_> {
    /// How many meetings are stored for the tenant (hidden ones included).
    pub async fn count(&self, tenant_id: &TenantId) -> Result<i64, ServiceError> {
        let id = tenant_id.clone();
        Ok(self
            .store
            .read(move |mut db| Box::pin(async move { store::meeting::count(&mut db, &id).await }))
            .await?)
    }

    /// Upcoming meetings, available recordings and the last week's registrations (scope
    /// `meetings:read`).
    pub async fn counts(&self, principal: &Principal) -> Result<SiteCounts, ServiceError> {
        require(principal, Scope::MeetingsRead)?;
        let id = principal.tenant_id().clone();
        Ok(self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    Ok(SiteCounts {
                        upcoming_meetings: store::owner::count_upcoming(&mut db, &id, now).await?,
                        recordings: store::owner::count_recordings(&mut db, &id).await?,
                        recent_registrations: store::owner::count_registrations_since(
                            &mut db,
                            &id,
                            now - RECENT_REGISTRATIONS,
                        )
                        .await?,
                    })
                })
            })
            .await?)
    }

    /// One page of the site's meetings and webinars, each once (scope `meetings:read`).
    pub async fn list(
        &self,
        principal: &Principal,
        search: &MeetingSearch,
    ) -> Result<CursorPage<SyncedMeeting>, ServiceError> {
        require(principal, Scope::MeetingsRead)?;
        let q = MeetingListQuery {
            schedule: search.schedule,
            now: store::now(),
            topic: search.topic(),
            after: paging::parse_numeric_after(search.after.as_deref())?,
            limit: paging::clamp_limit(search.limit),
        };
        let id = principal.tenant_id().clone();
        let (items, more) = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::owner::list_meetings(&mut db, &id, &q).await })
            })
            .await?;
        Ok(paging::page_of(items, more, |m| {
            ListKey::new(m.list_time, m.meeting.zoom_meeting_id.to_string())
        }))
    }

    /// One page of the site's recordings, newest first (scope `recordings:read`).
    pub async fn recordings(
        &self,
        principal: &Principal,
        search: &MeetingSearch,
    ) -> Result<CursorPage<Recording>, ServiceError> {
        require(principal, Scope::RecordingsRead)?;
        let after = paging::parse_timed_after(search.after.as_deref())?;
        let limit = paging::clamp_limit(search.limit);
        let (id, topic) = (principal.tenant_id().clone(), search.topic());
        let (items, more) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::owner::list_recordings(&mut db, &id, topic.as_deref(), after, limit)
                        .await
                })
            })
            .await?;
        Ok(paging::page_of(items, more, |r| {
            ListKey::new(Some(r.start_time), r.zoom_meeting_uuid.clone())
        }))
    }
}

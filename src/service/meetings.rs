//! The owner's meetings: what Marquee synced, as the site's owner sees it (every meeting,
//! webinar and recording, hidden ones included, so they can be found and shown again, and the
//! overview's counts), and meetings made from Marquee — created at Zoom with the site's token,
//! stored at once from Zoom's answer (versioned like webhooks and syncs, which later reconcile
//! them), and started with a fresh `start_url` that is never stored. What visitors see lives
//! in `service::public`.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::domain::cursor::ListKey;
use crate::domain::meeting::{Schedule, SyncedMeeting};
use crate::domain::meeting_plan::{
    ChangeRequest, MeetingChange, MeetingPlan, MeetingRequest, MonthlyOn, Recurrence,
    RecurrenceEnd, Repeat,
};
use crate::domain::public::{Occurrence, Recording};
use crate::domain::status::MeetingKind;
use crate::domain::{Meeting, Principal, Scope, TenantId};
use crate::store::{self, Store, owner::MeetingListQuery};
use crate::zoom::{ZoomClient, ZoomError, scopes};

use super::access::require;
use super::paging::{self, CursorPage};
use super::public::PublicCache;
use super::tokens::Tokens;
use super::{ServiceError, Services, zoom_records};

/// "This week" of the overview: the last seven days.
const RECENT_REGISTRATIONS: TimeDelta = TimeDelta::days(7);

/// How many upcoming occurrences the owner's view of a meeting lists (Zoom has at most 60).
const OWNER_OCCURRENCES: i64 = 60;

/// The site's meetings as a whole, and the meetings the owner makes.
#[derive(Clone, Copy)]
pub struct Meetings<'a> {
    store: &'a Store,
    zoom: &'a ZoomClient,
    tokens: Tokens<'a>,
    /// Forgotten after each write, so this instance's pages show the change at once.
    cache: &'a PublicCache,
}

impl Services {
    /// The owner's meetings: synced and made from Marquee (`service/meetings.rs`).
    pub fn meetings(&self) -> Meetings<'_> {
        Meetings {
            store: &self.store,
            zoom: &self.zoom,
            tokens: self.tokens(),
            cache: &self.public,
        }
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

/// A meeting as its owner sees it: hidden ones too, with its upcoming occurrences.
#[derive(Clone, Debug)]
pub struct OwnedMeeting {
    pub meeting: Meeting,
    pub occurrences: Vec<Occurrence>,
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

    /// Schedules a meeting at Zoom (scope `meetings:write`) and stores Zoom's answer at once,
    /// so the widgets and public JSON show it in the same request cycle. Checked before any
    /// call; nothing is stored when Zoom fails.
    pub async fn create(
        &self,
        principal: &Principal,
        request: MeetingRequest,
    ) -> Result<OwnedMeeting, ServiceError> {
        require(principal, Scope::MeetingsWrite)?;
        let plan = MeetingPlan::check(request, Utc::now())
            .map_err(|e| ServiceError::invalid(e.field, e.message))?;
        let tenant = principal.tenant_id();
        let host = self.host_user(tenant, plan.host.as_deref()).await?;
        let body = zoom_body(&plan);
        let zoom = self.zoom;
        let created = self
            .tokens
            .with_zoom_token(tenant, |token| {
                let (host, body) = (&host, &body);
                async move {
                    zoom.create_meeting(&token, host, body)
                        .await
                        .map_err(per_host_daily)
                }
            })
            .await
            .map_err(daily_limit)?;
        self.store_from_zoom(tenant, created).await
    }

    /// One of the site's meetings, hidden or not (scope `meetings:read`).
    pub async fn get(
        &self,
        principal: &Principal,
        meeting_id: i64,
    ) -> Result<OwnedMeeting, ServiceError> {
        require(principal, Scope::MeetingsRead)?;
        self.owned(principal.tenant_id(), meeting_id).await
    }

    /// The site's meetings by Zoom's meeting number, hidden ones included (scope
    /// `meetings:read`): at most `limit` after the cursor `after`. The admin API's list; the
    /// panel's is [`Self::list`] (by schedule and topic).
    pub async fn list_by_number(
        &self,
        principal: &Principal,
        after: Option<&str>,
        limit: i64,
    ) -> Result<CursorPage<Meeting>, ServiceError> {
        require(principal, Scope::MeetingsRead)?;
        let after = paging::parse_numeric_after(after)?.map(|(_, id)| id);
        let limit = paging::clamp_limit(limit);
        let id = principal.tenant_id().clone();
        let (items, more) = self
            .store
            .read(move |mut db| {
                Box::pin(
                    async move { store::meeting::list_owned(&mut db, &id, after, limit).await },
                )
            })
            .await?;
        Ok(paging::page_of(items, more, |m| {
            ListKey::new(None, m.zoom_meeting_id.to_string())
        }))
    }

    /// A fresh `start_url` from Zoom (scope `meetings:write`), for one of the site's own
    /// meetings. It logs anyone in as the host: handed to the caller, never stored or logged.
    pub async fn start_url(
        &self,
        principal: &Principal,
        meeting_id: i64,
    ) -> Result<Zeroizing<String>, ServiceError> {
        require(principal, Scope::MeetingsWrite)?;
        let tenant = principal.tenant_id();
        // Only the site's own meetings: another site's meeting number is unknown here.
        self.owned(tenant, meeting_id).await?;
        let zoom = self.zoom;
        self.tokens
            .with_zoom_token(tenant, |token| async move {
                zoom.start_url(&token, meeting_id).await
            })
            .await
            .map_err(|e| match e {
                ServiceError::ZoomNotFound(_) => ServiceError::NotFound("meeting"),
                other => other,
            })
    }

    /// Changes one of the site's meetings, or one occurrence, at Zoom (scope
    /// `meetings:write`), then stores Zoom's state of it at once, as `create` does.
    pub async fn update(
        &self,
        principal: &Principal,
        meeting_id: i64,
        occurrence_id: Option<&str>,
        request: ChangeRequest,
    ) -> Result<OwnedMeeting, ServiceError> {
        require(principal, Scope::MeetingsWrite)?;
        let tenant = principal.tenant_id();
        let current = self.owned(tenant, meeting_id).await?;
        let occurrence = self.occurrence_of(&current, occurrence_id)?;
        let change = MeetingChange::check(
            request,
            &current.meeting.timezone,
            occurrence.is_some(),
            Utc::now(),
        )
        .map_err(|e| ServiceError::invalid(e.field, e.message))?;
        let body = change_body(&change);
        let zoom = self.zoom;
        self.tokens
            .with_zoom_token(tenant, |token| {
                let body = &body;
                async move {
                    zoom.update_meeting(&token, meeting_id, occurrence, body)
                        .await
                        .map_err(per_host_daily)
                }
            })
            .await
            .map_err(daily_limit)?;
        self.refresh_from_zoom(tenant, meeting_id).await
    }

    /// Deletes one of the site's meetings, or one occurrence, at Zoom (scope
    /// `meetings:write`), and at once from what the site shows.
    pub async fn delete(
        &self,
        principal: &Principal,
        meeting_id: i64,
        occurrence_id: Option<&str>,
    ) -> Result<(), ServiceError> {
        require(principal, Scope::MeetingsWrite)?;
        let tenant = principal.tenant_id();
        let current = self.owned(tenant, meeting_id).await?;
        let occurrence = self.occurrence_of(&current, occurrence_id)?;
        let zoom = self.zoom;
        self.tokens
            .with_zoom_token(tenant, |token| async move {
                zoom.delete_meeting(&token, meeting_id, occurrence).await
            })
            .await?;
        if occurrence.is_some() {
            self.refresh_from_zoom(tenant, meeting_id).await?;
            return Ok(());
        }
        let tid = tenant.clone();
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let version = Utc::now().timestamp_millis();
                    let now = store::now();
                    if store::meeting::delete_versioned(&mut db, &tid, meeting_id, version, now)
                        .await?
                    {
                        store::tenant::bump_content_version(&mut db, &tid).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        self.cache.forget_all_sites();
        Ok(())
    }

    /// `occurrence_id` when it is one of the meeting's upcoming occurrences.
    fn occurrence_of<'o>(
        &self,
        current: &OwnedMeeting,
        occurrence_id: Option<&'o str>,
    ) -> Result<Option<&'o str>, ServiceError> {
        match occurrence_id.filter(|o| !o.is_empty()) {
            Some(id) if !current.occurrences.iter().any(|o| o.occurrence_id == id) => {
                Err(ServiceError::invalid(
                    "occurrence_id",
                    "not an upcoming occurrence of this meeting",
                ))
            }
            other => Ok(other),
        }
    }

    /// Reads the meeting from Zoom and stores it as Zoom has it now.
    async fn refresh_from_zoom(
        &self,
        tenant: &TenantId,
        meeting_id: i64,
    ) -> Result<OwnedMeeting, ServiceError> {
        let zoom = self.zoom;
        let fresh = self
            .tokens
            .with_zoom_token(tenant, |token| async move {
                zoom.get_meeting(&token, meeting_id).await
            })
            .await?;
        self.store_from_zoom(tenant, fresh).await
    }

    /// The Zoom user the meeting is for: the connected user (`me`), or `host` — a user of the
    /// connected account, which only an account-level connection may choose.
    async fn host_user(
        &self,
        tenant: &TenantId,
        host: Option<&str>,
    ) -> Result<String, ServiceError> {
        let Some(host) = host else {
            return Ok("me".into());
        };
        let grant = self.tokens.grant_of(tenant).await?;
        if !scopes::account_level(&grant.scopes) {
            return Err(ServiceError::invalid(
                "host",
                "choosing a host needs an account-level Zoom connection",
            ));
        }
        let zoom = self.zoom;
        let user = self
            .tokens
            .with_zoom_token(
                tenant,
                |token| async move { zoom.get_user(&token, host).await },
            )
            .await;
        match user {
            Ok(u) if u.account_id == grant.zoom_account_id => Ok(u.id),
            Ok(_) | Err(ServiceError::ZoomNotFound(_) | ServiceError::ZoomRefused(_)) => Err(
                ServiceError::invalid("host", "not a user of the connected Zoom account"),
            ),
            Err(other) => Err(other),
        }
    }

    /// Writes Zoom's answer as a webhook would (versioned, content version bumped), then
    /// reads it back as the owner sees it.
    async fn store_from_zoom(
        &self,
        tenant: &TenantId,
        answer: crate::zoom::models::ZoomMeeting,
    ) -> Result<OwnedMeeting, ServiceError> {
        let id = answer.id;
        let occurrences = zoom_records::occurrences(&answer);
        let meeting = zoom_records::meeting(answer);
        let tid = tenant.clone();
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let version = Utc::now().timestamp_millis();
                    let written = store::meeting::upsert_versioned(
                        &mut db,
                        &tid,
                        &meeting,
                        MeetingKind::Meeting,
                        version,
                        now,
                    )
                    .await?;
                    if written {
                        store::occurrence::replace_for_meeting(&mut db, &tid, id, &occurrences)
                            .await?;
                        store::tenant::bump_content_version(&mut db, &tid).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        self.cache.forget_all_sites();
        self.owned(tenant, id).await
    }

    async fn owned(
        &self,
        tenant: &TenantId,
        meeting_id: i64,
    ) -> Result<OwnedMeeting, ServiceError> {
        let tid = tenant.clone();
        let found = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let Some((meeting, kind, _)) =
                        store::meeting::find_any(&mut db, &tid, meeting_id).await?
                    else {
                        return Ok(None);
                    };
                    if kind != MeetingKind::Meeting {
                        return Ok(None);
                    }
                    let now = store::now();
                    let occurrences = store::public::upcoming_occurrences(
                        &mut db,
                        &tid,
                        meeting_id,
                        now,
                        OWNER_OCCURRENCES,
                    )
                    .await?;
                    Ok(Some(OwnedMeeting {
                        meeting,
                        occurrences,
                    }))
                })
            })
            .await?;
        found.ok_or(ServiceError::NotFound("meeting"))
    }
}

/// Zoom's per-host limit of meeting creations and updates may come without
/// `X-RateLimit-Type`; its message says "daily" (docs/zoom.md §5.3).
fn per_host_daily(err: ZoomError) -> ZoomError {
    match err {
        ZoomError::RateLimited {
            retry_after,
            daily,
            limit,
            message,
        } => ZoomError::RateLimited {
            daily: daily || message.contains("daily"),
            retry_after,
            limit,
            message,
        },
        other => other,
    }
}

/// Zoom's per-host daily limit of meeting creations and updates (docs/zoom.md §5.2) is the
/// caller's to wait out: 429 until it resets (Zoom's `Retry-After`, else 00:00 UTC). Other
/// rate limits stay 503.
fn daily_limit(err: ServiceError) -> ServiceError {
    match err {
        ServiceError::ZoomRateLimited {
            retry_after,
            daily: true,
            ..
        } => ServiceError::TooManyRequests {
            code: "daily_limit",
            message: "Zoom's daily limit of meeting changes for this host is reached; it resets at 00:00 UTC.".into(),
            retry_after: retry_after.unwrap_or_else(until_utc_midnight),
            limit: None,
        },
        other => other,
    }
}

fn until_utc_midnight() -> Duration {
    let now = Utc::now();
    let midnight = (now.date_naive() + chrono::Days::new(1)).and_time(chrono::NaiveTime::MIN);
    (midnight.and_utc() - now)
        .to_std()
        .unwrap_or(Duration::from_secs(1))
}

/// Zoom's create body for a checked plan (docs/zoom.md §4.3): the start in UTC with the zone
/// it is shown in, type 2 or 8 with its recurrence, and the settings the plan sets.
fn zoom_body(plan: &MeetingPlan) -> Value {
    let mut body = json!({
        "topic": plan.topic,
        "agenda": plan.agenda,
        "type": if plan.recurrence.is_some() { 8 } else { 2 },
        "start_time": plan.start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "timezone": plan.timezone.name(),
        "duration": plan.duration,
    });
    if let Some(r) = &plan.recurrence {
        body["recurrence"] = recurrence_body(r);
    }
    let mut settings = json!({
        "approval_type": plan.registration.map_or(2, |a| a.zoom_type()),
    });
    if let Some(on) = plan.waiting_room {
        settings["waiting_room"] = json!(on);
    }
    if let Some(on) = plan.default_passcode {
        settings["default_password"] = json!(on);
    }
    body["settings"] = settings;
    if let Some(p) = &plan.passcode {
        body["password"] = json!(p);
    }
    body
}

/// Zoom's patch body for a checked change: only what changes.
fn change_body(change: &MeetingChange) -> Value {
    let mut body = json!({});
    if let Some(topic) = &change.topic {
        body["topic"] = json!(topic);
    }
    if let Some(agenda) = &change.agenda {
        body["agenda"] = json!(agenda);
    }
    if let Some(start) = change.start {
        body["start_time"] = json!(start.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    }
    if let Some(tz) = change.timezone {
        body["timezone"] = json!(tz.name());
    }
    if let Some(duration) = change.duration {
        body["duration"] = json!(duration);
    }
    if let Some(p) = &change.passcode {
        body["password"] = json!(p);
    }
    let mut settings = json!({});
    if let Some(registration) = change.registration {
        settings["approval_type"] = json!(registration.map_or(2, |a| a.zoom_type()));
    }
    if let Some(on) = change.waiting_room {
        settings["waiting_room"] = json!(on);
    }
    if settings != json!({}) {
        body["settings"] = settings;
    }
    body
}

fn recurrence_body(r: &Recurrence) -> Value {
    let kind = match r.repeat {
        Repeat::Daily => 1,
        Repeat::Weekly => 2,
        Repeat::Monthly => 3,
    };
    let mut v = json!({"type": kind, "repeat_interval": r.interval});
    if !r.weekly_days.is_empty() {
        let days: Vec<String> = r.weekly_days.iter().map(i32::to_string).collect();
        v["weekly_days"] = json!(days.join(","));
    }
    match r.monthly {
        Some(MonthlyOn::Day(d)) => v["monthly_day"] = json!(d),
        Some(MonthlyOn::Week { week, weekday }) => {
            v["monthly_week"] = json!(week);
            v["monthly_week_day"] = json!(weekday);
        }
        None => {}
    }
    match r.end {
        RecurrenceEnd::At(at) => {
            v["end_date_time"] = json!(at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        }
        RecurrenceEnd::Times(n) => v["end_times"] = json!(n),
    }
    v
}

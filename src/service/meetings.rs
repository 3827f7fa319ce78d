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
    Approval, ChangeRequest, Current, MeetingChange, MeetingPlan, MeetingRequest, MonthlyOn,
    PlanError, Recurrence, RecurrenceChange, RecurrenceEnd, RecurrenceRequest, Repeat,
};
use crate::domain::public::{Occurrence, Recording, RegistrationQuestions};
use crate::domain::status::MeetingKind;
use crate::domain::{Meeting, Principal, Scope, TenantId};
use crate::store::{self, Store, owner::MeetingListQuery};
use crate::zoom::scopes::{self, WebinarWrite};
use crate::zoom::{ZoomClient, ZoomError};

use super::access::require;
use super::paging::{self, CursorPage};
use super::public::PublicCache;
use super::registration::Registrations;
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
    /// Where the registration form's questions are kept.
    registrations: Registrations<'a>,
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
            registrations: self.registrations(),
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

/// A meeting as Zoom has it now, for the panel's Edit form: what Marquee stores (read back
/// from Zoom's answer) and what only Zoom knows — how it repeats, its waiting room and its
/// registration questions.
#[derive(Clone, Debug)]
pub struct EditableMeeting {
    pub owned: OwnedMeeting,
    pub recurrence: Option<RecurrenceRequest>,
    pub waiting_room: bool,
    pub questions: RegistrationQuestions,
}

/// A user of the connected Zoom account whom a meeting can be scheduled for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostChoice {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// At most this many pages of the account's users are offered as hosts.
const MAX_HOST_PAGES: usize = 10;

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

    /// Schedules a meeting or webinar at Zoom (scope `meetings:write`), sets its
    /// registration questions, and stores Zoom's answer and the questions at once, so the
    /// widgets, registration form and public JSON show it in the same request cycle. Checked
    /// before any call; nothing is stored when Zoom fails to create it.
    pub async fn create(
        &self,
        principal: &Principal,
        kind: MeetingKind,
        request: MeetingRequest,
    ) -> Result<OwnedMeeting, ServiceError> {
        require(principal, Scope::MeetingsWrite)?;
        let plan = MeetingPlan::check(request, Utc::now()).map_err(invalid)?;
        check_kind_settings(kind, plan.waiting_room, plan.join_before_host)?;
        let tenant = principal.tenant_id();
        self.require_zoom_writes(tenant, kind, WebinarWrite::Create)
            .await?;
        let host = self.host_user(tenant, plan.host.as_deref()).await?;
        let body = zoom_body(&plan, kind);
        let zoom = self.zoom;
        let created = self
            .tokens
            .with_zoom_token(tenant, |token| {
                let (host, body) = (&host, &body);
                async move {
                    zoom.create_meeting(&token, kind, host, body)
                        .await
                        .map_err(per_host_daily)
                }
            })
            .await
            .map_err(daily_limit)?;
        let id = created.id;
        let stored = self.store_from_zoom(tenant, kind, created).await?;
        match &plan.questions {
            Some(questions) => {
                self.set_questions(tenant, kind, id, questions).await?;
                self.owned(tenant, kind, id).await
            }
            None => Ok(stored),
        }
    }

    /// One of the site's meetings or webinars, hidden or not (scope `meetings:read`).
    pub async fn get(
        &self,
        principal: &Principal,
        kind: MeetingKind,
        meeting_id: i64,
    ) -> Result<OwnedMeeting, ServiceError> {
        require(principal, Scope::MeetingsRead)?;
        self.owned(principal.tenant_id(), kind, meeting_id).await
    }

    /// The site's meetings (or webinars) by Zoom's meeting number, hidden ones included (scope
    /// `meetings:read`): at most `limit` after the cursor `after`. The admin API's list; the
    /// panel's is [`Self::list`] (by schedule and topic).
    pub async fn list_by_number(
        &self,
        principal: &Principal,
        kind: MeetingKind,
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
                Box::pin(async move {
                    store::meeting::list_owned(&mut db, &id, kind, after, limit).await
                })
            })
            .await?;
        Ok(paging::page_of(items, more, |m| {
            ListKey::new(None, m.zoom_meeting_id.to_string())
        }))
    }

    /// A fresh `start_url` from Zoom (scope `meetings:write`), for one of the site's own
    /// meetings or webinars. It logs anyone in as the host: handed to the caller, never stored
    /// or logged.
    pub async fn start_url(
        &self,
        principal: &Principal,
        kind: MeetingKind,
        meeting_id: i64,
    ) -> Result<Zeroizing<String>, ServiceError> {
        require(principal, Scope::MeetingsWrite)?;
        let tenant = principal.tenant_id();
        // Only the site's own meetings: another site's meeting number is unknown here.
        self.owned(tenant, kind, meeting_id).await?;
        let zoom = self.zoom;
        self.tokens
            .with_zoom_token(tenant, |token| async move {
                zoom.start_url(&token, kind, meeting_id).await
            })
            .await
            .map_err(|e| match e {
                ServiceError::ZoomNotFound(_) => ServiceError::NotFound(kind.as_str()),
                other => other,
            })
    }

    /// One of the site's meetings or webinars as Zoom has it now (scope `meetings:write`): the
    /// Edit form's starting point. Read from Zoom, not stored: the change itself stores.
    pub async fn editable(
        &self,
        principal: &Principal,
        kind: MeetingKind,
        meeting_id: i64,
    ) -> Result<EditableMeeting, ServiceError> {
        require(principal, Scope::MeetingsWrite)?;
        let tenant = principal.tenant_id();
        let stored = self.owned(tenant, kind, meeting_id).await?;
        let fresh = self.read_from_zoom(tenant, kind, meeting_id).await?;
        let recurrence = fresh.recurrence.as_ref().and_then(recurrence_request);
        let waiting_room = fresh
            .settings
            .as_ref()
            .and_then(|s| s.waiting_room)
            .unwrap_or(false);
        let mut meeting = zoom_records::meeting(fresh);
        meeting.hidden = stored.meeting.hidden;
        let questions = match meeting.registration_open() {
            true => {
                self.registrations
                    .refresh_questions(tenant, kind, meeting_id)
                    .await?
            }
            false => RegistrationQuestions::default(),
        };
        Ok(EditableMeeting {
            owned: OwnedMeeting {
                meeting,
                occurrences: stored.occurrences,
            },
            recurrence,
            waiting_room,
            questions,
        })
    }

    /// The users of the connected account a meeting may be scheduled for (scope
    /// `meetings:write`): empty unless the connection is account-level, as only then may a
    /// host be chosen.
    pub async fn hosts(&self, principal: &Principal) -> Result<Vec<HostChoice>, ServiceError> {
        require(principal, Scope::MeetingsWrite)?;
        let tenant = principal.tenant_id();
        let grant = self.tokens.grant_of(tenant).await?;
        if !scopes::account_level(&grant.scopes) {
            return Ok(Vec::new());
        }
        let zoom = self.zoom;
        let mut hosts = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_HOST_PAGES {
            let current = page_token.clone();
            let page = self
                .tokens
                .with_zoom_token(tenant, |token| {
                    let current = current.clone();
                    async move { zoom.list_users(&token, current.as_deref()).await }
                })
                .await?;
            hosts.extend(page.users.into_iter().filter_map(|u| {
                let name = u.name();
                u.id.map(|id| HostChoice {
                    id,
                    name,
                    email: u.email,
                })
            }));
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            if page_token.is_none() {
                break;
            }
        }
        Ok(hosts)
    }

    /// Changes one of the site's meetings or webinars, or one occurrence, at Zoom (scope
    /// `meetings:write`) — its recurrence and registration questions too — then stores
    /// Zoom's state of it (occurrences re-read) at once, as `create` does.
    pub async fn update(
        &self,
        principal: &Principal,
        kind: MeetingKind,
        meeting_id: i64,
        occurrence_id: Option<&str>,
        request: ChangeRequest,
    ) -> Result<OwnedMeeting, ServiceError> {
        require(principal, Scope::MeetingsWrite)?;
        let tenant = principal.tenant_id();
        let current = self.owned(tenant, kind, meeting_id).await?;
        let occurrence = self.occurrence_of(&current, occurrence_id)?;
        let now_in = Current {
            timezone: &current.meeting.timezone,
            registration: approval_of(current.meeting.approval_type),
        };
        let change = MeetingChange::check(request, now_in, occurrence.is_some(), Utc::now())
            .map_err(invalid)?;
        check_kind_settings(kind, change.waiting_room, change.join_before_host)?;
        self.require_zoom_writes(tenant, kind, WebinarWrite::Update)
            .await?;
        let body = change_body(&change, kind);
        if body != json!({}) {
            let zoom = self.zoom;
            self.tokens
                .with_zoom_token(tenant, |token| {
                    let body = &body;
                    async move {
                        zoom.update_meeting(&token, kind, meeting_id, occurrence, body)
                            .await
                            .map_err(per_host_daily)
                    }
                })
                .await
                .map_err(daily_limit)?;
        }
        if let Some(questions) = &change.questions {
            self.set_questions(tenant, kind, meeting_id, questions)
                .await?;
        }
        self.refresh_from_zoom(tenant, kind, meeting_id).await
    }

    /// Deletes one of the site's meetings or webinars, or one occurrence, at Zoom (scope
    /// `meetings:write`), and at once from what the site shows.
    pub async fn delete(
        &self,
        principal: &Principal,
        kind: MeetingKind,
        meeting_id: i64,
        occurrence_id: Option<&str>,
    ) -> Result<(), ServiceError> {
        require(principal, Scope::MeetingsWrite)?;
        let tenant = principal.tenant_id();
        let current = self.owned(tenant, kind, meeting_id).await?;
        let occurrence = self.occurrence_of(&current, occurrence_id)?;
        self.require_zoom_writes(tenant, kind, WebinarWrite::Delete)
            .await?;
        let zoom = self.zoom;
        self.tokens
            .with_zoom_token(tenant, |token| async move {
                zoom.delete_meeting(&token, kind, meeting_id, occurrence)
                    .await
            })
            .await?;
        if occurrence.is_some() {
            self.refresh_from_zoom(tenant, kind, meeting_id).await?;
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

    /// Webinars are Zoom's add-on with scopes of their own: without them Zoom would refuse
    /// every change, so the owner is told which scope to grant instead (409).
    async fn require_zoom_writes(
        &self,
        tenant: &TenantId,
        kind: MeetingKind,
        write: WebinarWrite,
    ) -> Result<(), ServiceError> {
        if kind != MeetingKind::Webinar {
            return Ok(());
        }
        let grant = self.tokens.grant_of(tenant).await?;
        match scopes::missing_for_webinar(&grant.scopes, write) {
            None => Ok(()),
            Some(scope) => Err(ServiceError::Refused {
                code: "zoom_scope_missing",
                message: format!(
                    "The site's Zoom connection lacks the {scope} scope (Zoom's Webinar add-on); connect Zoom again with the webinar scopes."
                ),
            }),
        }
    }

    /// Sets the registration form's questions at Zoom and stores them as the visitor's form
    /// reads them, so its first view asks them without waiting for Zoom.
    async fn set_questions(
        &self,
        tenant: &TenantId,
        kind: MeetingKind,
        meeting_id: i64,
        questions: &RegistrationQuestions,
    ) -> Result<(), ServiceError> {
        let zoom = self.zoom;
        self.tokens
            .with_zoom_token(tenant, |token| async move {
                zoom.update_registration_questions(&token, kind, meeting_id, questions)
                    .await
            })
            .await?;
        self.registrations
            .store_questions(tenant, meeting_id, questions)
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
        kind: MeetingKind,
        meeting_id: i64,
    ) -> Result<OwnedMeeting, ServiceError> {
        let fresh = self.read_from_zoom(tenant, kind, meeting_id).await?;
        self.store_from_zoom(tenant, kind, fresh).await
    }

    /// The meeting or webinar as Zoom has it now.
    async fn read_from_zoom(
        &self,
        tenant: &TenantId,
        kind: MeetingKind,
        meeting_id: i64,
    ) -> Result<crate::zoom::models::ZoomMeeting, ServiceError> {
        let zoom = self.zoom;
        self.tokens
            .with_zoom_token(tenant, |token| async move {
                match kind {
                    MeetingKind::Meeting => zoom.get_meeting(&token, meeting_id).await,
                    MeetingKind::Webinar => zoom.get_webinar(&token, meeting_id).await,
                }
            })
            .await
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
        kind: MeetingKind,
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
                        &mut db, &tid, &meeting, kind, version, now,
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
        self.owned(tenant, kind, id).await
    }

    async fn owned(
        &self,
        tenant: &TenantId,
        kind: MeetingKind,
        meeting_id: i64,
    ) -> Result<OwnedMeeting, ServiceError> {
        let tid = tenant.clone();
        let found = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let Some((meeting, stored_kind, _)) =
                        store::meeting::find_any(&mut db, &tid, meeting_id).await?
                    else {
                        return Ok(None);
                    };
                    if stored_kind != kind {
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
        found.ok_or(ServiceError::NotFound(kind.as_str()))
    }
}

fn invalid(e: PlanError) -> ServiceError {
    ServiceError::invalid(e.field, e.message)
}

/// Zoom's `settings.approval_type` as the approval it means (2: no registration).
fn approval_of(approval_type: i32) -> Option<Approval> {
    match approval_type {
        0 => Some(Approval::Automatic),
        1 => Some(Approval::Manual),
        _ => None,
    }
}

/// Webinars have no waiting room and no joining before the host (panelists do that).
fn check_kind_settings(
    kind: MeetingKind,
    waiting_room: Option<bool>,
    join_before_host: Option<bool>,
) -> Result<(), ServiceError> {
    if kind == MeetingKind::Meeting {
        return Ok(());
    }
    let meeting_only = [
        ("waiting_room", waiting_room.is_some()),
        ("join_before_host", join_before_host.is_some()),
    ];
    match meeting_only.iter().find(|(_, set)| *set) {
        Some((field, _)) => Err(ServiceError::invalid(*field, "not a webinar setting")),
        None => Ok(()),
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
fn zoom_body(plan: &MeetingPlan, kind: MeetingKind) -> Value {
    let mut body = json!({
        "topic": plan.topic,
        "agenda": plan.agenda,
        "type": zoom_type(kind, plan.recurrence.is_some()),
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
    meeting_settings(&mut settings, plan.waiting_room, plan.join_before_host);
    if let Some(on) = plan.default_passcode {
        settings["default_password"] = json!(on);
    }
    body["settings"] = settings;
    if let Some(p) = &plan.passcode {
        body["password"] = json!(p);
    }
    body
}

/// Zoom's `type`: scheduled (2, webinar 5) or recurring with a fixed time (8, webinar 9).
fn zoom_type(kind: MeetingKind, recurring: bool) -> i32 {
    match (kind, recurring) {
        (MeetingKind::Meeting, false) => 2,
        (MeetingKind::Meeting, true) => 8,
        (MeetingKind::Webinar, false) => 5,
        (MeetingKind::Webinar, true) => 9,
    }
}

/// The meeting-only settings a plan or change sets.
fn meeting_settings(
    settings: &mut Value,
    waiting_room: Option<bool>,
    join_before_host: Option<bool>,
) {
    if let Some(on) = waiting_room {
        settings["waiting_room"] = json!(on);
    }
    if let Some(on) = join_before_host {
        settings["join_before_host"] = json!(on);
    }
}

/// Zoom's patch body for a checked change: only what changes (the questions go to their
/// own call).
fn change_body(change: &MeetingChange, kind: MeetingKind) -> Value {
    let mut body = json!({});
    match &change.recurrence {
        Some(RecurrenceChange::Recurring(r)) => {
            body["type"] = json!(zoom_type(kind, true));
            body["recurrence"] = recurrence_body(r);
        }
        Some(RecurrenceChange::OneTime) => body["type"] = json!(zoom_type(kind, false)),
        None => {}
    }
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
    meeting_settings(&mut settings, change.waiting_room, change.join_before_host);
    if settings != json!({}) {
        body["settings"] = settings;
    }
    body
}

/// Zoom's rule as the request that would set it again (the Edit form's prefill); `None` for
/// a kind Marquee does not make.
fn recurrence_request(r: &crate::zoom::models::ZoomRecurrence) -> Option<RecurrenceRequest> {
    let repeat = match r.kind {
        1 => Repeat::Daily,
        2 => Repeat::Weekly,
        3 => Repeat::Monthly,
        _ => return None,
    };
    let weekly_days = r
        .weekly_days
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter_map(|d| d.trim().parse().ok())
        .collect();
    Some(RecurrenceRequest {
        repeat: Some(repeat),
        interval: r.repeat_interval,
        weekly_days,
        monthly_day: r.monthly_day,
        monthly_week: r.monthly_week,
        monthly_week_day: r.monthly_week_day,
        end_date_time: r.end_date_time.clone(),
        end_times: r.end_times,
    })
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

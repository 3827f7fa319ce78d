//! `/api/v1/sites/{site}`: public data for visitors and widgets, served from Marquee's store
//! (never waits on Zoom, except to register). Reads are cached per tenant and content version
//! and answer with an `ETag`, `Cache-Control` and 304 on `If-None-Match`. Only what the owner
//! made public is served; hidden, unknown, and non-public features are the same 404.
//! CORS for the site's allowed origins is added by `http::public_guard`.

use std::marker::PhantomData;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem::{Endpoint, EndpointExt};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use super::body::JsonBody;
use super::text::{SlugText, Text};
use crate::domain::public::{
    CustomQuestion, ListedMeeting, MAX_ANSWER_CHARS, MAX_EMAIL_CHARS, MAX_NAME_CHARS,
    MAX_OCCURRENCE_ID_CHARS, MAX_QUESTION_TITLE_CHARS, MAX_ZOOM_USER_ID_CHARS, MeetingDetail,
    Occurrence, Recording, Registration, RegistrationForm, RegistrationStatus,
};
use crate::domain::site::{Feature, PublicSite};
use crate::http::error::{ApiError, statuses};
use crate::http::public_guard::{self, CachedAnswer, etag_matches};
use crate::http::rate_limit::RegistrationLimits;
use crate::service::paging::{self, MAX_CURSOR_CHARS};
use crate::service::public::{CachedPage, MeetingFilter, Public};
use crate::service::registration::RegisterRequest;
use crate::service::{ServiceError, Services};

/// A visitor's read: bad parameters, an unknown or hidden thing, the database. Never 401.
type PublicReadError = ApiError<{ statuses(&[400, 404, 500, 503]) }>;
/// A registration: invalid input, unknown meeting, refused (409), too large, not JSON (415),
/// rate limited, or Zoom refusing (502) or unavailable (503).
type RegisterError = ApiError<{ statuses(&[400, 404, 409, 413, 415, 429, 500, 502, 503]) }>;

pub struct SitesApi;

/// Browsers and shared caches may reuse an answer briefly, and serve it stale while they
/// revalidate (the body changes when the site's content version does).
pub const PUBLIC_CACHE_CONTROL: &str = "public, max-age=30, stale-while-revalidate=300";

/// A meeting (or one occurrence of a recurring meeting) as visitors see it. Never carries
/// `start_url` or the host's join link.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PublicMeeting {
    /// Zoom's meeting number.
    pub id: i64,
    /// For an occurrence of a recurring meeting: Zoom's occurrence id.
    pub occurrence_id: Option<String>,
    pub topic: String,
    pub agenda: String,
    /// Start in UTC; absent for recurring meetings without a fixed time.
    pub start_time: Option<DateTime<Utc>>,
    /// IANA time zone the meeting was scheduled in, e.g. `Europe/Berlin`.
    pub timezone: String,
    pub duration_minutes: i32,
    /// Zoom user id of the host (filter with `host`).
    pub host_id: String,
    /// Visitors can register for this meeting.
    pub registration_open: bool,
    /// A recurring meeting (Zoom types 3 and 8).
    pub recurring: bool,
}

fn public_meeting(item: &ListedMeeting, registration_allowed: bool) -> PublicMeeting {
    let m = &item.meeting;
    PublicMeeting {
        id: m.zoom_meeting_id,
        occurrence_id: item.occurrence.as_ref().map(|o| o.occurrence_id.clone()),
        topic: m.topic.clone(),
        agenda: m.agenda.clone(),
        start_time: item.start_time().map(|t| t.and_utc()),
        timezone: m.timezone.clone(),
        duration_minutes: item.duration_minutes(),
        host_id: m.host_id.clone(),
        registration_open: registration_allowed && m.registration_open(),
        recurring: matches!(m.meeting_type, 3 | 8),
    }
}

/// One page of upcoming meetings, soonest first.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MeetingList {
    pub meetings: Vec<PublicMeeting>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// One occurrence of a recurring meeting.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OccurrenceDto {
    /// Zoom's occurrence id; send it as `occurrence_id` when registering.
    pub occurrence_id: String,
    pub start_time: DateTime<Utc>,
    pub duration_minutes: i32,
}

impl From<&Occurrence> for OccurrenceDto {
    fn from(o: &Occurrence) -> Self {
        Self {
            occurrence_id: o.occurrence_id.clone(),
            start_time: o.start_time.and_utc(),
            duration_minutes: o.duration_minutes,
        }
    }
}

/// A standard Zoom registration field the form asks for.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct QuestionDto {
    /// One of `address`, `city`, `state`, `zip`, `country`, `phone`, `org`, `job_title`,
    /// `comments`; send the answer in `fields`.
    pub field_name: String,
    pub required: bool,
}

/// A custom question of the host.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CustomQuestionDto {
    /// Send the answer in `custom_questions` under this title.
    pub title: String,
    /// `short` (free text) or `single` (one of `answers`).
    #[oai(rename = "type")]
    pub kind: String,
    pub required: bool,
    pub answers: Vec<String>,
}

impl From<&CustomQuestion> for CustomQuestionDto {
    fn from(q: &CustomQuestion) -> Self {
        Self {
            title: q.title.clone(),
            kind: q.kind.clone(),
            required: q.required,
            answers: q.answers.clone(),
        }
    }
}

/// How to register, present only while registration is open.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RegistrationInfo {
    /// Registrations are approved at once (`true`) or reviewed by the host first.
    pub auto_approve: bool,
    /// False until Marquee has fetched the questions from Zoom (moments after the first
    /// view); the registration endpoint checks them either way.
    pub questions_loaded: bool,
    pub questions: Vec<QuestionDto>,
    pub custom_questions: Vec<CustomQuestionDto>,
}

/// One meeting with its upcoming occurrences and registration details.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PublicMeetingDetail {
    #[oai(flatten)]
    pub meeting: PublicMeeting,
    /// Upcoming occurrences (recurring meetings only).
    pub occurrences: Vec<OccurrenceDto>,
    /// True while the site's Zoom connection cannot take registrations (the owner has to
    /// reconnect): `registration_open` is then false. Tell visitors registration is
    /// temporarily unavailable; it reopens by itself once the site is reconnected.
    pub registration_unavailable: bool,
    /// Present while visitors can register.
    pub registration: Option<RegistrationInfo>,
}

fn meeting_detail(d: &MeetingDetail, connection_lost: bool) -> PublicMeetingDetail {
    let listed = ListedMeeting {
        meeting: d.meeting.clone(),
        occurrence: None,
    };
    let mut meeting = public_meeting(&listed, true);
    meeting.registration_open = d.registration_open;
    let questions = d.questions.clone().unwrap_or_default();
    PublicMeetingDetail {
        meeting,
        occurrences: d.occurrences.iter().map(Into::into).collect(),
        registration_unavailable: connection_lost,
        registration: d.registration_open.then(|| RegistrationInfo {
            auto_approve: d.meeting.approval_type == 0,
            questions_loaded: d.questions.is_some(),
            questions: questions
                .questions
                .iter()
                .filter(|q| crate::domain::public::STANDARD_FIELDS.contains(&q.field_name.as_str()))
                .map(|q| QuestionDto {
                    field_name: q.field_name.clone(),
                    required: q.required,
                })
                .collect(),
            custom_questions: questions.custom_questions.iter().map(Into::into).collect(),
        }),
    }
}

/// A cloud recording.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PublicRecording {
    /// Zoom's meeting-instance uuid.
    pub id: String,
    pub meeting_id: i64,
    pub topic: String,
    pub start_time: DateTime<Utc>,
    pub timezone: String,
    pub duration_minutes: i32,
    /// Zoom's share/play page.
    pub share_url: String,
    /// Only when the site owner allows showing passcodes.
    pub passcode: Option<String>,
}

fn public_recording(r: &Recording, show_passcode: bool) -> PublicRecording {
    PublicRecording {
        id: r.zoom_meeting_uuid.clone(),
        meeting_id: r.zoom_meeting_id,
        topic: r.topic.clone(),
        start_time: r.start_time.and_utc(),
        timezone: r.timezone.clone(),
        duration_minutes: r.duration_minutes,
        share_url: r.share_url.clone(),
        passcode: (show_passcode && !r.play_passcode.is_empty()).then(|| r.play_passcode.clone()),
    }
}

/// One page of recordings, newest first.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RecordingList {
    pub recordings: Vec<PublicRecording>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// An answer to a custom question.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CustomAnswer {
    /// The question's `title`.
    pub title: Text<MAX_QUESTION_TITLE_CHARS>,
    pub value: Text<MAX_ANSWER_CHARS>,
}

/// Answers to the standard questions, by `field_name`, as the form takes them.
pub type StandardAnswers = std::collections::BTreeMap<String, Text<MAX_ANSWER_CHARS>>;

/// The form's standard answers from a body's `fields`.
pub fn standard_answers(fields: StandardAnswers) -> Vec<(String, String)> {
    fields
        .into_iter()
        .map(|(name, value)| (name, value.into()))
        .collect()
}

/// The form's custom answers (title, value) from a body's `custom_questions`.
pub fn custom_answers(answers: Vec<CustomAnswer>) -> Vec<(String, String)> {
    answers
        .into_iter()
        .map(|a| (a.title.into(), a.value.into()))
        .collect()
}

/// A visitor's registration.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RegistrationRequest {
    pub first_name: Text<MAX_NAME_CHARS, 1>,
    pub last_name: Text<MAX_NAME_CHARS, 1>,
    pub email: Text<MAX_EMAIL_CHARS>,
    /// Required for recurring meetings: one of the meeting's `occurrences`.
    pub occurrence_id: Option<Text<MAX_OCCURRENCE_ID_CHARS>>,
    /// Answers to the standard questions, by `field_name`.
    #[oai(default)]
    pub fields: StandardAnswers,
    /// Answers to the custom questions.
    #[oai(default, validator(max_items = 50))]
    pub custom_questions: Vec<CustomAnswer>,
    /// Leave empty (a trap for bots).
    #[oai(default)]
    pub website: Text<MAX_ANSWER_CHARS>,
}

impl RegistrationRequest {
    fn into_form(self) -> RegistrationForm {
        RegistrationForm {
            first_name: self.first_name.into(),
            last_name: self.last_name.into(),
            email: self.email.into(),
            occurrence_id: self.occurrence_id.map(String::from),
            fields: standard_answers(self.fields),
            answers: custom_answers(self.custom_questions),
            honeypot: self.website.into(),
        }
    }
}

/// The visitor's registration: `status` is `approved` (join with `join_url`) or `pending`
/// (the host reviews it first).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RegistrationResult {
    pub meeting_id: i64,
    pub occurrence_id: Option<String>,
    // Enum-typed fields have no `///`: see `tests/api/openapi.rs`.
    pub status: RegistrationStatus,
    /// The visitor's personal join link, once approved.
    pub join_url: Option<String>,
}

impl From<&Registration> for RegistrationResult {
    fn from(r: &Registration) -> Self {
        Self {
            meeting_id: r.zoom_meeting_id,
            occurrence_id: Some(r.occurrence_id.clone()).filter(|o| !o.is_empty()),
            status: r.status,
            join_url: r.join_url.clone(),
        }
    }
}

/// Registration answers.
#[derive(ApiResponse)]
pub enum RegisterResponse {
    /// Registered now.
    #[oai(status = 201)]
    Created(Json<RegistrationResult>),
    /// This visitor (e-mail) was registered before: the same registration, without the
    /// personal join link.
    #[oai(status = 200)]
    Existing(Json<RegistrationResult>),
}

/// A JSON body serialized once and served from the cache; documented as `T`.
pub struct CachedJson<T> {
    page: Arc<CachedPage>,
    _type: PhantomData<fn() -> T>,
}

impl<T: Type> Payload for CachedJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> poem::IntoResponse for CachedJson<T> {
    fn into_response(self) -> poem::Response {
        let mut resp = poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(self.page.body.clone());
        resp.set_data(CachedAnswer(self.page));
        resp
    }
}

/// A cacheable read: the body with its entity tag, or 304 when the client has it.
#[derive(ApiResponse)]
pub enum Cached<T: Type + Send> {
    /// The current data.
    #[oai(status = 200)]
    Ok(
        CachedJson<T>,
        /// Entity tag of this body.
        #[oai(header = "ETag")]
        String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// Unchanged since the `If-None-Match` entity tag.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

impl<T: Type + Send> Cached<T> {
    /// The page, or 304. `http::public_guard` sends the page's compressed variant when the
    /// client accepts one (the body's marker, [`CachedAnswer`]).
    fn answer(page: Arc<CachedPage>, if_none_match: Option<&str>) -> Self {
        let cache_control = PUBLIC_CACHE_CONTROL.to_owned();
        if if_none_match.is_some_and(|header| etag_matches(header, &page.etag)) {
            return Self::NotModified(page.etag.clone(), cache_control);
        }
        let etag = page.etag.clone();
        Self::Ok(
            CachedJson {
                page,
                _type: PhantomData,
            },
            etag,
            cache_control,
        )
    }
}

fn to_json<T: ToJSON>(value: &T) -> Vec<u8> {
    value.to_json_string().into_bytes()
}

#[OpenApi(prefix_path = "/api/v1/sites", tag = "ApiTags::Sites")]
impl SitesApi {
    /// Upcoming meetings of a site
    ///
    /// Soonest first; recurring meetings appear once per occurrence. 404 when the site is
    /// unknown or does not show meetings.
    #[oai(
        path = "/:site/meetings",
        method = "get",
        operation_id = "list_site_meetings"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list_site_meetings(
        &self,
        s: Data<&Services>,
        /// The site's slug.
        site: Path<SlugText>,
        /// Only meetings starting at or after this time (default: all that have not ended).
        from: Query<Option<DateTime<Utc>>>,
        /// Only meetings starting before this time.
        to: Query<Option<DateTime<Utc>>>,
        /// Only meetings of this host (Zoom user id, see `host_id`).
        host: Query<Option<Text<MAX_ZOOM_USER_ID_CHARS>>>,
        /// Continue after this item: the `next_after` of the previous page.
        after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
        /// Items per page, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
        /// Entity tag of a copy the client has.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<Cached<MeetingList>, PublicReadError> {
        list_meetings(
            &s,
            &site,
            Feature::Meetings,
            MeetingFilter {
                from: from.0.map(|t| t.naive_utc()),
                to: to.0.map(|t| t.naive_utc()),
                host_id: host.0.map(String::from).filter(|h| !h.is_empty()),
                ..Default::default()
            },
            ListPosition::of(after.0, limit.0),
            if_none_match.0.as_deref(),
        )
        .await
    }

    /// Upcoming webinars of a site
    ///
    /// Like meetings; 404 when the site does not show webinars (or has none synced).
    #[oai(
        path = "/:site/webinars",
        method = "get",
        operation_id = "list_site_webinars"
    )]
    async fn list_site_webinars(
        &self,
        s: Data<&Services>,
        /// The site's slug.
        site: Path<SlugText>,
        /// Continue after this item: the `next_after` of the previous page.
        after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
        /// Items per page, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
        /// Entity tag of a copy the client has.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<Cached<MeetingList>, PublicReadError> {
        list_meetings(
            &s,
            &site,
            Feature::Webinars,
            MeetingFilter::default(),
            ListPosition::of(after.0, limit.0),
            if_none_match.0.as_deref(),
        )
        .await
    }

    /// One meeting of a site
    ///
    /// With its upcoming occurrences and, while registration is open, the questions to ask.
    /// Hidden and unknown meetings are the same 404.
    #[oai(
        path = "/:site/meetings/:meeting_id",
        method = "get",
        operation_id = "get_site_meeting"
    )]
    async fn get_site_meeting(
        &self,
        s: Data<&Services>,
        /// The site's slug.
        site: Path<SlugText>,
        /// Zoom's meeting number.
        meeting_id: Path<i64>,
        /// Entity tag of a copy the client has.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<Cached<PublicMeetingDetail>, PublicReadError> {
        let public = s.public();
        let site = public.site(&site).await?;
        let id = meeting_id.0;
        let key = format!("api:meeting:{id}");
        let page = public
            .cached_page(&site, key, || meeting_json(public, &site, id))
            .await?;
        Ok(Cached::answer(page, if_none_match.0.as_deref()))
    }

    /// Recordings of a site
    ///
    /// Newest first. The passcode is included only if the site owner allows it.
    #[oai(
        path = "/:site/recordings",
        method = "get",
        operation_id = "list_site_recordings"
    )]
    async fn list_site_recordings(
        &self,
        s: Data<&Services>,
        /// The site's slug.
        site: Path<SlugText>,
        /// Continue after this item: the `next_after` of the previous page.
        after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
        /// Items per page, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
        /// Entity tag of a copy the client has.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<Cached<RecordingList>, PublicReadError> {
        let public = s.public();
        let site = public.site_with(&site, Feature::Recordings).await?;
        let at = ListPosition::of(after.0, limit.0);
        let key = format!("api:recordings:{}", at.cache_key());
        let body = public
            .cached_page(&site, key, || recordings_json(public, &site, &at))
            .await?;
        Ok(Cached::answer(body, if_none_match.0.as_deref()))
    }

    /// Register for a meeting
    ///
    /// Validates the visitor's details against the meeting's questions, forwards them to
    /// Zoom, and records the registration. The same visitor (e-mail) again gets the existing
    /// registration without a second call to Zoom (and without the personal join link); a
    /// repeated `Idempotency-Key` gets the first answer again, join link included.
    /// Registration closed, meeting ended or full → 409 with a message to show; Zoom down or
    /// rate limited → 503 with `Retry-After` and nothing stored. Attempts are limited per
    /// visitor address and per site; every answer says how many are left (`RateLimit-*`).
    #[oai(
        path = "/:site/meetings/:meeting_id/registrations",
        method = "post",
        operation_id = "register_for_meeting",
        transform = "registration_limit"
    )]
    async fn register_for_meeting(
        &self,
        s: Data<&Services>,
        /// The site's slug.
        site: Path<SlugText>,
        /// Zoom's meeting number.
        meeting_id: Path<i64>,
        body: JsonBody<RegistrationRequest>,
    ) -> Result<RegisterResponse, RegisterError> {
        let outcome = s
            .registrations()
            .register(RegisterRequest {
                site: site.0.into_string(),
                meeting_id: meeting_id.0,
                form: body.0.into_form(),
            })
            .await?;
        let result = Json(RegistrationResult::from(&outcome.registration));
        Ok(if outcome.created {
            RegisterResponse::Created(result)
        } else {
            RegisterResponse::Existing(result)
        })
    }
}

/// Registrations get the public surface's tighter body limit and the abuse limits (declared
/// in the document by `http::rate_limit::RateLimitsDeclared`).
fn registration_limit(ep: impl Endpoint) -> impl Endpoint {
    ep.with(public_guard::registration_limit())
        .with(RegistrationLimits {
            render: |problem| problem.json_response(),
        })
}

async fn list_meetings(
    s: &Services,
    slug: &str,
    feature: Feature,
    filter: MeetingFilter,
    at: ListPosition,
    if_none_match: Option<&str>,
) -> Result<Cached<MeetingList>, PublicReadError> {
    let public = s.public();
    let site = public.site_with(slug, feature).await?;
    let key = format!(
        "api:{feature:?}:{:?}:{:?}:{}:{}",
        filter.from,
        filter.to,
        filter.host_id.as_deref().unwrap_or(""),
        at.cache_key()
    );
    let page = public
        .cached_page(&site, key, || {
            meetings_json(public, &site, feature, &filter, &at)
        })
        .await?;
    Ok(Cached::answer(page, if_none_match))
}

/// The body of a meetings (or webinars) list.
async fn meetings_json(
    public: Public<'_>,
    site: &PublicSite,
    feature: Feature,
    filter: &MeetingFilter,
    at: &ListPosition,
) -> Result<Vec<u8>, ServiceError> {
    let found = public
        .meetings_after(site, feature, filter, at.after.as_deref(), at.limit)
        .await?;
    let registration = site.registration_open() && feature == Feature::Meetings;
    Ok(to_json(&MeetingList {
        meetings: found
            .items
            .iter()
            .map(|m| public_meeting(m, registration))
            .collect(),
        next_after: found.next_after,
    }))
}

/// The body of one meeting's detail.
async fn meeting_json(
    public: Public<'_>,
    site: &PublicSite,
    id: i64,
) -> Result<Vec<u8>, ServiceError> {
    let detail = public.meeting(site, id).await?;
    Ok(to_json(&meeting_detail(&detail, site.connection_lost)))
}

/// The body of a recordings list.
async fn recordings_json(
    public: Public<'_>,
    site: &PublicSite,
    at: &ListPosition,
) -> Result<Vec<u8>, ServiceError> {
    let found = public
        .recordings_after(site, at.after.as_deref(), at.limit)
        .await?;
    let show = site.settings.show_recording_passcode;
    Ok(to_json(&RecordingList {
        recordings: found
            .items
            .iter()
            .map(|r| public_recording(r, show))
            .collect(),
        next_after: found.next_after,
    }))
}

/// Where a public list page starts and how long it is; part of the page's cache key.
struct ListPosition {
    after: Option<String>,
    limit: i64,
}

impl ListPosition {
    fn of(after: Option<Text<MAX_CURSOR_CHARS>>, limit: Option<i64>) -> Self {
        Self {
            after: after.map(String::from),
            limit: limit.unwrap_or(paging::DEFAULT_LIMIT),
        }
    }

    fn cache_key(&self) -> String {
        format!("{}:{}", self.limit, self.after.as_deref().unwrap_or(""))
    }
}

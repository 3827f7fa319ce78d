//! `/api/v1/admin/meetings…`: meetings the owner (or a platform with `meetings:write`) makes in
//! the site's own Zoom account, read back with hidden ones included, and started with a fresh
//! `start_url` — the one answer that carries it, never cached.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::ApiTags;
use super::answer::Answer;
use super::body::JsonBody;
use super::platform::Created;
use super::site_admin::Done;
use super::text::Text;
use crate::domain::Meeting;
use crate::domain::meeting_plan::{
    Approval, ChangeRequest, MAX_AGENDA_CHARS, MAX_HOST_CHARS, MAX_PASSCODE_CHARS,
    MAX_QUESTION_CHARS, MAX_START_TIME_CHARS, MAX_TIMEZONE_CHARS, MAX_TOPIC_CHARS, MeetingRequest,
    RecurrenceRequest, Repeat,
};
use crate::domain::public::{
    CustomQuestion, MAX_OCCURRENCE_ID_CHARS, Occurrence, RegistrationQuestions, StandardQuestion,
};
use crate::domain::status::MeetingKind;
use crate::http::auth::AdminAuth;
use crate::http::error::{ApiError, statuses};
use crate::service::Services;
use crate::service::meetings::OwnedMeeting;
use crate::service::paging::{self, CursorPage, MAX_CURSOR_CHARS};

/// Creating a meeting: invalid input, credentials, scope, not connected (409), Zoom's daily
/// limit (429), Zoom refused (502) or unavailable (503).
pub(super) type CreateMeetingError =
    ApiError<{ statuses(&[400, 401, 403, 409, 413, 415, 429, 500, 502, 503]) }>;
/// Reading one meeting: also unknown (404).
pub(super) type MeetingReadError = ApiError<{ statuses(&[400, 401, 403, 404, 500, 503]) }>;
/// Listing: bad paging parameters, credentials, scope, the database.
pub(super) type MeetingListError = ApiError<{ statuses(&[400, 401, 403, 500, 503]) }>;
/// Changing or deleting: also unknown (404), not connected (409), Zoom's daily limit (429)
/// and Zoom's answers.
pub(super) type MeetingWriteError =
    ApiError<{ statuses(&[400, 401, 403, 404, 409, 413, 415, 429, 500, 502, 503]) }>;
/// A fresh start link: also unknown (404), not connected (409) and Zoom's answers.
pub(super) type StartLinkError = ApiError<{ statuses(&[400, 401, 403, 404, 409, 500, 502, 503]) }>;

pub struct MeetingsAdminApi;

/// How a recurring meeting repeats.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum RepeatDto {
    Daily,
    Weekly,
    Monthly,
}

/// Who may register: nobody (`none`), everyone at once (`automatic`), or whom the owner
/// approves (`manual`). A new meeting without it takes no registrations.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum RegistrationMode {
    None,
    Automatic,
    Manual,
}

impl RegistrationMode {
    fn approval(self) -> Option<Approval> {
        match self {
            Self::None => None,
            Self::Automatic => Some(Approval::Automatic),
            Self::Manual => Some(Approval::Manual),
        }
    }

    fn of(meeting: &Meeting) -> Self {
        match meeting.approval_type {
            0 => Self::Automatic,
            1 => Self::Manual,
            _ => Self::None,
        }
    }
}

/// Zoom's recurrence rules (docs/zoom.md §4.3): `interval` at most 90 days, 12 weeks or 3
/// months; ends at `end_date_time` or after `end_times` (at most 60) occurrences, not both.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RecurrenceBody {
    pub repeat: RepeatDto,
    /// Every how many days, weeks or months (default 1).
    pub interval: Option<i32>,
    /// Weekly: the days, 1 = Sunday … 7 = Saturday.
    pub weekly_days: Option<Vec<i32>>,
    /// Monthly: the day of the month, 1–31 …
    pub monthly_day: Option<i32>,
    /// … or the week (1–4, -1 = last) …
    pub monthly_week: Option<i32>,
    /// … and its weekday (1 = Sunday … 7).
    pub monthly_week_day: Option<i32>,
    /// The last occurrence is on or before this time (like `start_time`).
    pub end_date_time: Option<Text<MAX_START_TIME_CHARS, 1>>,
    /// The number of occurrences, 1–60.
    pub end_times: Option<i32>,
}

impl From<RecurrenceBody> for RecurrenceRequest {
    fn from(r: RecurrenceBody) -> Self {
        Self {
            repeat: Some(match r.repeat {
                RepeatDto::Daily => Repeat::Daily,
                RepeatDto::Weekly => Repeat::Weekly,
                RepeatDto::Monthly => Repeat::Monthly,
            }),
            interval: r.interval,
            weekly_days: r.weekly_days.unwrap_or_default(),
            monthly_day: r.monthly_day,
            monthly_week: r.monthly_week,
            monthly_week_day: r.monthly_week_day,
            end_date_time: r.end_date_time.map(Text::into_string),
            end_times: r.end_times,
        }
    }
}

/// Zoom's standard registration fields Marquee's form can ask.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum StandardField {
    Address,
    City,
    State,
    Zip,
    Country,
    Phone,
    Org,
    JobTitle,
    Comments,
}

impl StandardField {
    /// Zoom's name of the field (one of `domain::public::STANDARD_FIELDS`).
    fn name(self) -> &'static str {
        match self {
            Self::Address => "address",
            Self::City => "city",
            Self::State => "state",
            Self::Zip => "zip",
            Self::Country => "country",
            Self::Phone => "phone",
            Self::Org => "org",
            Self::JobTitle => "job_title",
            Self::Comments => "comments",
        }
    }
}

/// A standard field the registration form asks.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StandardQuestionBody {
    pub field_name: StandardField,
    /// Default false.
    pub required: Option<bool>,
}

/// How a custom question is answered: free text or one of `answers`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum QuestionKind {
    Short,
    Single,
}

/// A custom question the registration form asks.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CustomQuestionBody {
    /// Unique among the meeting's questions.
    pub title: Text<MAX_QUESTION_CHARS, 1>,
    #[oai(rename = "type")]
    pub kind: QuestionKind,
    /// Default false.
    pub required: Option<bool>,
    /// A `single` question's choices (1–20, distinct); none for `short`.
    pub answers: Option<Vec<Text<MAX_QUESTION_CHARS, 1>>>,
}

/// The form's questions from the two lists of a body (`None`: neither given).
fn questions_of(
    standard: Option<Vec<StandardQuestionBody>>,
    custom: Option<Vec<CustomQuestionBody>>,
) -> Option<RegistrationQuestions> {
    if standard.is_none() && custom.is_none() {
        return None;
    }
    Some(RegistrationQuestions {
        questions: standard
            .unwrap_or_default()
            .into_iter()
            .map(|q| StandardQuestion {
                field_name: q.field_name.name().to_owned(),
                required: q.required.unwrap_or(false),
            })
            .collect(),
        custom_questions: custom
            .unwrap_or_default()
            .into_iter()
            .map(|q| CustomQuestion {
                title: q.title.into_string(),
                kind: match q.kind {
                    QuestionKind::Short => "short",
                    QuestionKind::Single => "single",
                }
                .to_owned(),
                required: q.required.unwrap_or(false),
                answers: q
                    .answers
                    .unwrap_or_default()
                    .into_iter()
                    .map(Text::into_string)
                    .collect(),
            })
            .collect(),
    })
}

/// A meeting to schedule in the site's Zoom account.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewMeeting {
    pub topic: Text<MAX_TOPIC_CHARS, 1>,
    pub agenda: Option<Text<MAX_AGENDA_CHARS>>,
    /// Local time in `timezone` (`2027-01-05T18:00:00`) or RFC 3339 with an offset; in the
    /// future.
    pub start_time: Text<MAX_START_TIME_CHARS, 1>,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub timezone: Text<MAX_TIMEZONE_CHARS, 1>,
    /// Minutes, 1–1440.
    pub duration: i32,
    /// Present for a recurring meeting.
    pub recurrence: Option<RecurrenceBody>,
    // Left out: `none` (an enum field keeps no description of its own, see tests/api/openapi.rs).
    pub registration: Option<RegistrationMode>,
    /// Meetings only.
    pub waiting_room: Option<bool>,
    /// Participants may join before the host (meetings only).
    pub join_before_host: Option<bool>,
    /// At most 10 of letters, digits and `@ - _ *` (Zoom's rule).
    pub passcode: Option<Text<MAX_PASSCODE_CHARS, 1>>,
    /// Let Zoom generate a passcode by the account's rules.
    pub default_passcode: Option<bool>,
    /// On an account-level connection: the Zoom user id or e-mail of the account's user who
    /// hosts it (default: the connected user).
    pub host: Option<Text<MAX_HOST_CHARS, 1>>,
    /// Standard fields the registration form asks (needs `registration`).
    pub standard_questions: Option<Vec<StandardQuestionBody>>,
    /// Custom questions the registration form asks (at most 10; needs `registration`).
    pub questions: Option<Vec<CustomQuestionBody>>,
}

impl From<NewMeeting> for MeetingRequest {
    fn from(b: NewMeeting) -> Self {
        Self {
            topic: b.topic.into_string(),
            agenda: b.agenda.map(Text::into_string),
            start_time: b.start_time.into_string(),
            timezone: b.timezone.into_string(),
            duration: b.duration,
            recurrence: b.recurrence.map(Into::into),
            registration: b.registration.and_then(RegistrationMode::approval),
            waiting_room: b.waiting_room,
            join_before_host: b.join_before_host,
            passcode: b.passcode.map(Text::into_string),
            default_passcode: b.default_passcode,
            host: b.host.map(Text::into_string),
            questions: questions_of(b.standard_questions, b.questions),
        }
    }
}

/// A change of a meeting, or (with `occurrence_id`) of one occurrence, which takes only
/// `start_time`, `duration` and `agenda`. Fields left out stay as they are; either list of
/// questions replaces the form's questions as a whole (the other list then is empty).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MeetingPatch {
    pub topic: Option<Text<MAX_TOPIC_CHARS, 1>>,
    pub agenda: Option<Text<MAX_AGENDA_CHARS>>,
    /// Local time in `timezone` (the new one, else the meeting's) or RFC 3339; in the future.
    pub start_time: Option<Text<MAX_START_TIME_CHARS, 1>>,
    pub timezone: Option<Text<MAX_TIMEZONE_CHARS, 1>>,
    /// Minutes, 1–1440.
    pub duration: Option<i32>,
    pub registration: Option<RegistrationMode>,
    /// Meetings only.
    pub waiting_room: Option<bool>,
    /// Meetings only.
    pub join_before_host: Option<bool>,
    pub passcode: Option<Text<MAX_PASSCODE_CHARS, 1>>,
    /// A new rule: the meeting recurs by it from now on (occurrences are read again).
    pub recurrence: Option<RecurrenceBody>,
    /// `false`: a one-time meeting from now on, at its start time.
    pub recurring: Option<bool>,
    pub standard_questions: Option<Vec<StandardQuestionBody>>,
    pub questions: Option<Vec<CustomQuestionBody>>,
}

impl From<MeetingPatch> for ChangeRequest {
    fn from(b: MeetingPatch) -> Self {
        Self {
            topic: b.topic.map(Text::into_string),
            agenda: b.agenda.map(Text::into_string),
            start_time: b.start_time.map(Text::into_string),
            timezone: b.timezone.map(Text::into_string),
            duration: b.duration,
            registration: b.registration.map(RegistrationMode::approval),
            waiting_room: b.waiting_room,
            join_before_host: b.join_before_host,
            passcode: b.passcode.map(Text::into_string),
            recurrence: b.recurrence.map(Into::into),
            recurring: b.recurring,
            questions: questions_of(b.standard_questions, b.questions),
        }
    }
}

/// One occurrence of a recurring meeting.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OwnerOccurrence {
    /// Zoom's occurrence id.
    pub occurrence_id: String,
    pub start_time: DateTime<Utc>,
    pub duration: i32,
}

impl From<Occurrence> for OwnerOccurrence {
    fn from(o: Occurrence) -> Self {
        Self {
            occurrence_id: o.occurrence_id,
            start_time: o.start_time.and_utc(),
            duration: o.duration_minutes,
        }
    }
}

/// A meeting of the site, as its owner sees it (never its `start_url`).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AdminMeeting {
    /// Zoom's meeting number.
    pub id: i64,
    pub topic: String,
    pub agenda: String,
    pub recurring: bool,
    /// The (next) start; absent for recurring meetings without a fixed time.
    pub start_time: Option<DateTime<Utc>>,
    pub timezone: String,
    pub duration: i32,
    pub registration: RegistrationMode,
    /// The participants' join link.
    pub join_url: String,
    /// Hidden from the public by the owner.
    pub hidden: bool,
    /// Upcoming occurrences (recurring meetings; absent from lists).
    pub occurrences: Option<Vec<OwnerOccurrence>>,
}

impl From<Meeting> for AdminMeeting {
    fn from(m: Meeting) -> Self {
        Self {
            id: m.zoom_meeting_id,
            recurring: crate::service::zoom_records::is_recurring(m.meeting_type),
            registration: RegistrationMode::of(&m),
            start_time: m.start_time.map(|t| t.and_utc()),
            topic: m.topic,
            agenda: m.agenda,
            timezone: m.timezone,
            duration: m.duration_minutes,
            join_url: m.join_url,
            hidden: m.hidden,
            occurrences: None,
        }
    }
}

impl From<OwnedMeeting> for AdminMeeting {
    fn from(o: OwnedMeeting) -> Self {
        let mut dto = Self::from(o.meeting);
        dto.occurrences = Some(o.occurrences.into_iter().map(Into::into).collect());
        dto
    }
}

/// One page of the site's meetings, by meeting number.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AdminMeetingList {
    pub meetings: Vec<AdminMeeting>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

impl From<CursorPage<Meeting>> for AdminMeetingList {
    fn from(page: CursorPage<Meeting>) -> Self {
        Self {
            meetings: page.items.into_iter().map(Into::into).collect(),
            next_after: page.next_after,
        }
    }
}

/// The host's start link.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StartLink {
    /// Starts the meeting as its host (valid about two hours). Treat it like a password: it is
    /// fetched from Zoom for this answer and kept nowhere.
    pub start_url: String,
}

/// A fresh start link, never to be cached.
#[derive(ApiResponse)]
pub enum StartLinkAnswer {
    /// The host's start link.
    #[oai(status = 200)]
    Ok(
        Json<StartLink>,
        /// Always `no-store`.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

super::answer::answers! {
    AdminMeeting => "The meeting.",
    AdminMeetingList => "One page of the site's meetings.",
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl MeetingsAdminApi {
    /// Schedule a meeting in the site's Zoom account (scope `meetings:write`)
    ///
    /// Checked before Zoom is called (each refusal names its field). Stored at once from
    /// Zoom's answer: the public JSON and widgets show it right away. Zoom's daily limit of
    /// meeting changes per host is 429 `daily_limit` with `Retry-After`; Zoom down is 503 and
    /// nothing is stored.
    #[oai(path = "/meetings", method = "post", operation_id = "create_meeting")]
    async fn create_meeting(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        body: JsonBody<NewMeeting>,
    ) -> Result<Created<AdminMeeting>, CreateMeetingError> {
        let created = s
            .meetings()
            .create(auth.principal(), MeetingKind::Meeting, body.0.into())
            .await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// The site's meetings, hidden ones included (scope `meetings:read`)
    ///
    /// By Zoom's meeting number.
    #[oai(path = "/meetings", method = "get", operation_id = "list_meetings")]
    async fn list_meetings(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Continue after this item: the `next_after` of the previous page.
        after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
        /// Items per page, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> Result<Answer<AdminMeetingList>, MeetingListError> {
        let page = s
            .meetings()
            .list_by_number(
                auth.principal(),
                MeetingKind::Meeting,
                after.0.as_deref(),
                limit.0.unwrap_or(paging::DEFAULT_LIMIT),
            )
            .await?;
        Ok(Answer(page.into()))
    }

    /// One of the site's meetings, hidden or not (scope `meetings:read`)
    #[oai(
        path = "/meetings/:meeting_id",
        method = "get",
        operation_id = "get_meeting"
    )]
    async fn get_meeting(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's meeting number.
        meeting_id: Path<i64>,
    ) -> Result<Answer<AdminMeeting>, MeetingReadError> {
        let found = s
            .meetings()
            .get(auth.principal(), MeetingKind::Meeting, meeting_id.0)
            .await?;
        Ok(Answer(found.into()))
    }

    /// Change a meeting or one occurrence (scope `meetings:write`)
    ///
    /// Changed at Zoom, then stored from Zoom's state at once (the public JSON and widgets
    /// show it right away). Zoom's daily limit of meeting changes per host is 429
    /// `daily_limit`.
    #[oai(
        path = "/meetings/:meeting_id",
        method = "patch",
        operation_id = "update_meeting"
    )]
    async fn update_meeting(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's meeting number.
        meeting_id: Path<i64>,
        /// Only this occurrence (one of the meeting's upcoming ones).
        occurrence_id: Query<Option<Text<MAX_OCCURRENCE_ID_CHARS>>>,
        body: JsonBody<MeetingPatch>,
    ) -> Result<Answer<AdminMeeting>, MeetingWriteError> {
        let changed = s
            .meetings()
            .update(
                auth.principal(),
                MeetingKind::Meeting,
                meeting_id.0,
                occurrence_id.0.as_deref(),
                body.0.into(),
            )
            .await?;
        Ok(Answer(changed.into()))
    }

    /// Delete a meeting or one occurrence (scope `meetings:write`)
    ///
    /// Deleted at Zoom, and at once from everything the site shows.
    #[oai(
        path = "/meetings/:meeting_id",
        method = "delete",
        operation_id = "delete_meeting"
    )]
    async fn delete_meeting(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's meeting number.
        meeting_id: Path<i64>,
        /// Only this occurrence (one of the meeting's upcoming ones).
        occurrence_id: Query<Option<Text<MAX_OCCURRENCE_ID_CHARS>>>,
    ) -> Result<Done, MeetingWriteError> {
        s.meetings()
            .delete(
                auth.principal(),
                MeetingKind::Meeting,
                meeting_id.0,
                occurrence_id.0.as_deref(),
            )
            .await?;
        Ok(Done::NoContent)
    }

    /// A fresh link that starts the meeting as its host (scope `meetings:write`)
    ///
    /// Fetched from Zoom for this answer (valid about two hours), never stored, logged or
    /// shown anywhere public; answered with `Cache-Control: no-store`.
    #[oai(
        path = "/meetings/:meeting_id/start",
        method = "get",
        operation_id = "get_meeting_start_link"
    )]
    async fn get_meeting_start_link(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's meeting number.
        meeting_id: Path<i64>,
    ) -> Result<StartLinkAnswer, StartLinkError> {
        start_link(&auth, &s, MeetingKind::Meeting, meeting_id.0).await
    }
}

/// A fresh start link of one of the site's meetings or webinars, answered `no-store`.
pub(super) async fn start_link(
    auth: &AdminAuth,
    s: &Services,
    kind: MeetingKind,
    id: i64,
) -> Result<StartLinkAnswer, StartLinkError> {
    let url = s.meetings().start_url(auth.principal(), kind, id).await?;
    Ok(StartLinkAnswer::Ok(
        Json(StartLink {
            start_url: url.to_string(),
        }),
        "no-store".into(),
    ))
}

//! `/api/v1/admin/…registrants`, `/api/v1/admin/registrations`: the site's registrations for
//! the owner or a platform — listed (all or one meeting's, by status), taken on someone's
//! behalf (a platform booking a class), approved, denied and cancelled at Zoom. Every
//! operation acts on the caller's own site. Personal join links go only to these
//! authenticated callers, never into a public answer.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use super::answer::Answer;
use super::body::JsonBody;
use super::sites::{CustomAnswer, StandardAnswers, custom_answers, standard_answers};
use super::text::Text;
use crate::domain::public::{
    MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_OCCURRENCE_ID_CHARS, RegistrantAction, Registration,
    RegistrationForm, RegistrationStatus,
};
use crate::http::auth::AdminAuth;
use crate::http::error::{ApiError, statuses};
use crate::service::Services;
use crate::service::paging::{self, MAX_CURSOR_CHARS};
use crate::service::registration::RegistrationFilter;

/// Listing registrations: bad paging parameters, credentials, scope, the database.
type ListRegistrationsError = ApiError<{ statuses(&[400, 401, 403, 500, 503]) }>;
/// Registering someone: invalid input, credentials, scope, unknown meeting (404), closed,
/// ended or full (409), not connected (409), Zoom's per-registrant daily limit (429), Zoom
/// refused (502) or unavailable (503).
type AddRegistrantError =
    ApiError<{ statuses(&[400, 401, 403, 404, 409, 413, 415, 429, 500, 502, 503]) }>;
/// Changing a registration's status: also unknown (404), an action that does not apply or
/// that Zoom refused (409).
type StatusChangeError =
    ApiError<{ statuses(&[400, 401, 403, 404, 409, 413, 415, 500, 502, 503]) }>;

/// Longest registration id Marquee hands out (a UUID is 36 characters).
const MAX_REGISTRATION_ID_CHARS: usize = 64;

pub struct RegistrantsAdminApi;

/// A registration, for the site owner.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RegistrationDto {
    pub id: String,
    pub meeting_id: i64,
    pub occurrence_id: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: RegistrationStatus,
    pub zoom_registrant_id: String,
    /// The person's personal join link, once approved.
    pub join_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Registration> for RegistrationDto {
    fn from(r: Registration) -> Self {
        Self {
            id: r.id,
            meeting_id: r.zoom_meeting_id,
            occurrence_id: Some(r.occurrence_id).filter(|o| !o.is_empty()),
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            status: r.status,
            zoom_registrant_id: r.zoom_registrant_id,
            join_url: r.join_url,
            created_at: r.created_at.and_utc(),
        }
    }
}

/// One page of registrations, newest first.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RegistrationList {
    pub registrations: Vec<RegistrationDto>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// A person to register, answering the meeting's questions like the visitor form does.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewRegistrant {
    pub first_name: Text<MAX_NAME_CHARS, 1>,
    pub last_name: Text<MAX_NAME_CHARS, 1>,
    /// Checked like the visitor form's (a real address, lower-cased).
    pub email: Text<MAX_EMAIL_CHARS>,
    /// Required for recurring meetings: one of the meeting's upcoming occurrences.
    pub occurrence_id: Option<Text<MAX_OCCURRENCE_ID_CHARS>>,
    /// Answers to the standard questions, by `field_name`.
    #[oai(default)]
    pub fields: StandardAnswers,
    /// Answers to the custom questions.
    #[oai(default, validator(max_items = 50))]
    pub custom_questions: Vec<CustomAnswer>,
}

impl From<NewRegistrant> for RegistrationForm {
    fn from(b: NewRegistrant) -> Self {
        Self {
            first_name: b.first_name.into(),
            last_name: b.last_name.into(),
            email: b.email.into(),
            occurrence_id: b.occurrence_id.map(String::from),
            fields: standard_answers(b.fields),
            answers: custom_answers(b.custom_questions),
            honeypot: String::new(),
        }
    }
}

/// What to do with a registration.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StatusChange {
    // Enum-typed fields have no `///`: see `tests/api/openapi.rs`.
    pub action: RegistrantAction,
}

/// Registering someone: a new registration, or the one this person already has.
#[derive(ApiResponse)]
pub enum AddRegistrantAnswer {
    /// Registered now.
    #[oai(status = 201)]
    Created(Json<RegistrationDto>),
    /// This person (e-mail) was registered for this meeting occurrence before: the same
    /// registration.
    #[oai(status = 200)]
    Existing(Json<RegistrationDto>),
}

super::answer::answers! {
    RegistrationList => "One page of registrations, newest first.",
    RegistrationDto => "The registration as it is now.",
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl RegistrantsAdminApi {
    /// The site's registrations, newest first (scope `registrations:read`)
    ///
    /// All of them or one meeting's, optionally only those in one status. Statuses follow
    /// Zoom (approved, pending, denied, cancelled).
    #[oai(
        path = "/registrations",
        method = "get",
        operation_id = "list_registrations"
    )]
    async fn list_registrations(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Only registrations for this meeting.
        meeting_id: Query<Option<i64>>,
        /// Only registrations in this status.
        status: Query<Option<RegistrationStatus>>,
        /// Continue after this item: the `next_after` of the previous page.
        after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
        /// Items per page, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> Result<Answer<RegistrationList>, ListRegistrationsError> {
        let filter = RegistrationFilter {
            zoom_meeting_id: meeting_id.0,
            status: status.0,
        };
        let found = s
            .registrations()
            .list(
                auth.principal(),
                filter,
                after.0.as_deref(),
                limit.0.unwrap_or(paging::DEFAULT_LIMIT),
            )
            .await?;
        Ok(Answer(RegistrationList {
            registrations: found.items.into_iter().map(Into::into).collect(),
            next_after: found.next_after,
        }))
    }

    /// Register someone for a meeting (scope `registrations:write`)
    ///
    /// On the person's behalf, e.g. a parent booking a class: registered at Zoom with the
    /// site's connection (hidden meetings included; Zoom's registration must be on), then
    /// recorded. The answer carries the status and, once approved, the personal join link.
    /// The same person (e-mail) for the same meeting occurrence again is the same
    /// registration (200), without a second call to Zoom. Zoom down is 503 and nothing is
    /// stored.
    #[oai(
        path = "/meetings/:meeting_id/registrants",
        method = "post",
        operation_id = "add_registrant"
    )]
    async fn add_registrant(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's meeting number.
        meeting_id: Path<i64>,
        body: JsonBody<NewRegistrant>,
    ) -> Result<AddRegistrantAnswer, AddRegistrantError> {
        let outcome = s
            .registrations()
            .register_on_behalf(auth.principal(), meeting_id.0, body.0.into())
            .await?;
        let dto = Json(outcome.registration.into());
        Ok(if outcome.created {
            AddRegistrantAnswer::Created(dto)
        } else {
            AddRegistrantAnswer::Existing(dto)
        })
    }

    /// Approve, deny or cancel a registration (scope `registrations:write`)
    ///
    /// Carried out at Zoom (its registrant status API), then stored and answered. Asking for
    /// the status it already has changes nothing. An action that does not apply (`approve` a
    /// cancelled one, `deny` a denied one is a no-op) or that Zoom refuses is 409
    /// `status_change_refused`; Zoom down is 503 and nothing changes.
    #[oai(
        path = "/meetings/:meeting_id/registrants/:registration_id/status",
        method = "put",
        operation_id = "change_registrant_status"
    )]
    async fn change_registrant_status(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's meeting number.
        meeting_id: Path<i64>,
        /// The registration's `id`.
        registration_id: Path<Text<MAX_REGISTRATION_ID_CHARS, 1>>,
        body: JsonBody<StatusChange>,
    ) -> Result<Answer<RegistrationDto>, StatusChangeError> {
        let changed = s
            .registrations()
            .change_status(
                auth.principal(),
                meeting_id.0,
                &registration_id.0,
                body.0.action,
            )
            .await?;
        Ok(Answer(changed.into()))
    }
}

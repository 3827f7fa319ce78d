//! `/api/v1/admin/webinars…`: webinars the owner (or a platform with `meetings:write`) makes
//! in the site's own Zoom account. The meetings' bodies, answers and service code path
//! (`s.meetings()` with [`MeetingKind::Webinar`]); a connection without Zoom's webinar scopes
//! is refused with 409 `zoom_scope_missing` naming the scope.

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::ApiTags;
use super::answer::Answer;
use super::body::JsonBody;
use super::meetings_admin::{
    AdminMeeting, AdminMeetingList, CreateMeetingError, MeetingListError, MeetingPatch,
    MeetingReadError, MeetingWriteError, NewMeeting, StartLinkAnswer, StartLinkError, start_link,
};
use super::platform::Created;
use super::site_admin::Done;
use super::text::Text;
use crate::domain::public::MAX_OCCURRENCE_ID_CHARS;
use crate::domain::status::MeetingKind;
use crate::http::auth::AdminAuth;
use crate::service::Services;
use crate::service::paging::{self, MAX_CURSOR_CHARS};

const WEBINAR: MeetingKind = MeetingKind::Webinar;

pub struct WebinarsAdminApi;

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl WebinarsAdminApi {
    /// Schedule a webinar in the site's Zoom account (scope `meetings:write`)
    ///
    /// The body of a meeting (without `waiting_room` and `join_before_host`). Needs Zoom's
    /// webinar scopes on the site's connection: without them 409 `zoom_scope_missing` names
    /// the one to grant. Stored at once: the public JSON shows it right away.
    #[oai(path = "/webinars", method = "post", operation_id = "create_webinar")]
    async fn create_webinar(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        body: JsonBody<NewMeeting>,
    ) -> Result<Created<AdminMeeting>, CreateMeetingError> {
        let created = s
            .meetings()
            .create(auth.principal(), WEBINAR, body.0.into())
            .await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// The site's webinars, hidden ones included (scope `meetings:read`)
    ///
    /// By Zoom's webinar number.
    #[oai(path = "/webinars", method = "get", operation_id = "list_webinars")]
    async fn list_webinars(
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
                WEBINAR,
                after.0.as_deref(),
                limit.0.unwrap_or(paging::DEFAULT_LIMIT),
            )
            .await?;
        Ok(Answer(page.into()))
    }

    /// One of the site's webinars, hidden or not (scope `meetings:read`)
    #[oai(
        path = "/webinars/:webinar_id",
        method = "get",
        operation_id = "get_webinar"
    )]
    async fn get_webinar(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's webinar number.
        webinar_id: Path<i64>,
    ) -> Result<Answer<AdminMeeting>, MeetingReadError> {
        let found = s
            .meetings()
            .get(auth.principal(), WEBINAR, webinar_id.0)
            .await?;
        Ok(Answer(found.into()))
    }

    /// Change a webinar or one occurrence (scope `meetings:write`)
    ///
    /// Like a meeting's change; needs Zoom's webinar scopes (else 409 `zoom_scope_missing`).
    #[oai(
        path = "/webinars/:webinar_id",
        method = "patch",
        operation_id = "update_webinar"
    )]
    async fn update_webinar(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's webinar number.
        webinar_id: Path<i64>,
        /// Only this occurrence (one of the webinar's upcoming ones).
        occurrence_id: Query<Option<Text<MAX_OCCURRENCE_ID_CHARS>>>,
        body: JsonBody<MeetingPatch>,
    ) -> Result<Answer<AdminMeeting>, MeetingWriteError> {
        let changed = s
            .meetings()
            .update(
                auth.principal(),
                WEBINAR,
                webinar_id.0,
                occurrence_id.0.as_deref(),
                body.0.into(),
            )
            .await?;
        Ok(Answer(changed.into()))
    }

    /// Delete a webinar or one occurrence (scope `meetings:write`)
    ///
    /// Deleted at Zoom, and at once from everything the site shows.
    #[oai(
        path = "/webinars/:webinar_id",
        method = "delete",
        operation_id = "delete_webinar"
    )]
    async fn delete_webinar(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's webinar number.
        webinar_id: Path<i64>,
        /// Only this occurrence (one of the webinar's upcoming ones).
        occurrence_id: Query<Option<Text<MAX_OCCURRENCE_ID_CHARS>>>,
    ) -> Result<Done, MeetingWriteError> {
        s.meetings()
            .delete(
                auth.principal(),
                WEBINAR,
                webinar_id.0,
                occurrence_id.0.as_deref(),
            )
            .await?;
        Ok(Done::NoContent)
    }

    /// A fresh link that starts the webinar as its host (scope `meetings:write`)
    ///
    /// Fetched from Zoom for this answer (valid about two hours), never stored, logged or
    /// shown anywhere public; answered with `Cache-Control: no-store`.
    #[oai(
        path = "/webinars/:webinar_id/start",
        method = "get",
        operation_id = "get_webinar_start_link"
    )]
    async fn get_webinar_start_link(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's webinar number.
        webinar_id: Path<i64>,
    ) -> Result<StartLinkAnswer, StartLinkError> {
        start_link(&auth, &s, WEBINAR, webinar_id.0).await
    }
}

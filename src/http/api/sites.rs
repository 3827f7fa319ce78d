//! `/api/v1/sites/{site}`: public, read-only, served from Marquee's store (never waits on Zoom).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use crate::domain::Meeting;
use crate::http::error::ApiError;
use crate::service::Services;

pub struct SitesApi;

/// A meeting as visitors see it. Never carries `start_url` or the host's join details.
#[derive(Object)]
pub struct PublicMeeting {
    /// Zoom's meeting number.
    pub id: i64,
    pub topic: String,
    pub agenda: String,
    /// Start in UTC; absent for recurring meetings without a fixed time.
    pub start_time: Option<DateTime<Utc>>,
    /// IANA time zone the meeting was scheduled in, e.g. `Europe/Berlin`.
    pub timezone: String,
    pub duration_minutes: i32,
    /// Visitors can register for this meeting.
    pub registration_open: bool,
    /// A recurring meeting (Zoom types 3 and 8).
    pub recurring: bool,
}

impl From<Meeting> for PublicMeeting {
    fn from(m: Meeting) -> Self {
        Self {
            id: m.zoom_meeting_id,
            registration_open: m.registration_open(),
            recurring: matches!(m.meeting_type, 3 | 8),
            topic: m.topic,
            agenda: m.agenda,
            start_time: m.start_time.map(|t| t.and_utc()),
            timezone: m.timezone,
            duration_minutes: m.duration_minutes,
        }
    }
}

#[derive(Object)]
pub struct MeetingList {
    pub meetings: Vec<PublicMeeting>,
}

#[OpenApi(prefix_path = "/api/v1/sites", tag = "ApiTags::Sites")]
impl SitesApi {
    /// Upcoming meetings of a site, soonest first
    #[oai(
        path = "/:site/meetings",
        method = "get",
        operation_id = "list_site_meetings"
    )]
    async fn list_site_meetings(
        &self,
        s: Data<&Services>,
        /// The site's slug.
        site: Path<String>,
        /// At most this many meetings, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> Result<Json<MeetingList>, ApiError> {
        let (_, meetings) = s.public_meetings(&site, limit.0.unwrap_or(50)).await?;
        Ok(Json(MeetingList {
            meetings: meetings.into_iter().map(Into::into).collect(),
        }))
    }

    /// One meeting of a site
    #[oai(
        path = "/:site/meetings/:meeting_id",
        method = "get",
        operation_id = "get_site_meeting"
    )]
    async fn get_site_meeting(
        &self,
        s: Data<&Services>,
        /// The site's slug.
        site: Path<String>,
        /// Zoom's meeting number.
        meeting_id: Path<i64>,
    ) -> Result<Json<PublicMeeting>, ApiError> {
        let (_, meeting) = s.public_meeting(&site, meeting_id.0).await?;
        Ok(Json(meeting.into()))
    }
}

//! `GET /api/v1/platform/sites/health`: every site's Zoom connection at a glance, for the
//! hosting company's operators (the same rows as `marquee status`).

use chrono::{DateTime, NaiveDateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use super::answer::Answer;
use super::text::Text;
use crate::domain::status::ConnectionState;
use crate::http::auth::PlatformAuth;
use crate::http::error::{ApiError, statuses};
use crate::service::Services;
use crate::service::health::{Failure, SiteHealth};
use crate::service::paging::{self, MAX_CURSOR_CHARS};

pub struct PlatformHealthApi;

/// The last thing that went wrong with a site's connection.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FailureDto {
    /// Zoom's or the sync's own words (for the operator, never shown to visitors).
    pub reason: String,
    pub at: Option<DateTime<Utc>>,
}

/// One site's connection health.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SiteHealthDto {
    pub slug: String,
    pub display_name: String,
    pub state: ConnectionState,
    /// Zoom refusing the grant (while `needs_reconnect`), else the last sync when it failed.
    pub last_failure: Option<FailureDto>,
    /// When the last sync of the site finished (whatever its result).
    pub last_sync_at: Option<DateTime<Utc>>,
    /// When the site's Zoom account last sent a webhook.
    pub last_webhook_at: Option<DateTime<Utc>>,
    /// Seconds since the last whole-site sync that succeeded; absent when none has.
    pub sync_lag_seconds: Option<i64>,
    /// Scopes Marquee needs that the owner's grant lacks (empty when not linked).
    pub missing_scopes: Vec<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SiteHealthList {
    pub sites: Vec<SiteHealthDto>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

impl From<Failure> for FailureDto {
    fn from(f: Failure) -> Self {
        Self {
            reason: f.reason,
            at: f.at.map(utc),
        }
    }
}

impl From<SiteHealth> for SiteHealthDto {
    fn from(h: SiteHealth) -> Self {
        Self {
            slug: h.slug,
            display_name: h.display_name,
            state: h.state,
            last_failure: h.last_failure.map(Into::into),
            last_sync_at: h.last_sync_at.map(utc),
            last_webhook_at: h.last_webhook_at.map(utc),
            sync_lag_seconds: h.sync_lag_secs,
            missing_scopes: h.missing_scopes,
        }
    }
}

/// Listing site health: a bad filter or paging parameter, credentials, the database.
type HealthListError = ApiError<{ statuses(&[400, 401, 500, 503]) }>;

super::answer::answers! {
    SiteHealthList => "One page of sites with their connection health, ordered by slug.",
}

#[OpenApi(prefix_path = "/api/v1/platform", tag = "ApiTags::Platform")]
impl PlatformHealthApi {
    /// List every site's connection health, ordered by slug
    ///
    /// Which sites need attention: filter with `state=needs_reconnect`. Pages with `limit` and
    /// `after` like the other lists.
    #[oai(
        path = "/sites/health",
        method = "get",
        operation_id = "list_site_health"
    )]
    async fn list_site_health(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// Only sites in this state.
        state: Query<Option<ConnectionState>>,
        /// Return sites whose slug sorts after this one (from `next_after`).
        after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<i64>>,
    ) -> Result<Answer<SiteHealthList>, HealthListError> {
        let found = s
            .health()
            .list(
                state.0,
                after.0.map(String::from),
                limit.0.unwrap_or(paging::DEFAULT_LIMIT),
            )
            .await?;
        Ok(Answer(SiteHealthList {
            sites: found.items.into_iter().map(Into::into).collect(),
            next_after: found.next_after,
        }))
    }
}

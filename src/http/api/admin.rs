//! `/api/v1/admin`: the site's own administration. Every operation acts on the caller's own
//! site (from the key or session): there is no tenant in the path to tamper with.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use super::answer::Answer;
use crate::domain::status::{JobStatus, SyncKind, SyncResult};
use crate::http::auth::AdminAuth;
use crate::http::error::{ApiError, statuses};
use crate::service::Services;
use crate::service::connect::ConnectionStatus;
use crate::service::sync::{JobView, SyncStatusView};

/// Reading the site's own state (or starting a connect): credentials, scope, the database.
pub type AdminReadError = ApiError<{ statuses(&[401, 403, 500, 503]) }>;
/// A live call to Zoom: also not connected (409), Zoom refused (502) or unavailable (503).
type ZoomCallError = ApiError<{ statuses(&[401, 403, 409, 500, 502, 503]) }>;
/// Disconnecting: also no connection to end (404).
type DisconnectError = ApiError<{ statuses(&[401, 403, 404, 500, 503]) }>;
/// Queuing a sync: also not connected (409).
type StartSyncError = ApiError<{ statuses(&[401, 403, 409, 500, 503]) }>;

pub struct AdminApi;

/// The site's Zoom connection.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ZoomConnectionDto {
    /// Connected and usable.
    pub connected: bool,
    /// Zoom refused the grant: the owner must connect again. Synced data stays visible.
    pub needs_reconnect: bool,
    pub zoom_email: Option<String>,
    pub zoom_display_name: Option<String>,
    pub zoom_account_id: Option<String>,
    /// Scopes Zoom granted.
    pub scopes: Vec<String>,
    /// Scopes Marquee needs that Zoom did not grant (fix in the Zoom app's configuration).
    pub missing_scopes: Vec<String>,
    pub connected_at: Option<DateTime<Utc>>,
    /// When the current access token expires (Marquee refreshes it before then).
    pub token_expires_at: Option<DateTime<Utc>>,
    pub last_refreshed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_sync_result: Option<String>,
}

impl From<ConnectionStatus> for ZoomConnectionDto {
    fn from(c: ConnectionStatus) -> Self {
        Self {
            connected: c.connected,
            needs_reconnect: c.needs_reconnect,
            zoom_email: c.zoom_email,
            zoom_display_name: c.zoom_display_name,
            zoom_account_id: c.zoom_account_id,
            scopes: c.scopes,
            missing_scopes: c.missing_scopes,
            connected_at: c.connected_at.map(|t| t.and_utc()),
            token_expires_at: c.token_expires_at.map(|t| t.and_utc()),
            last_refreshed_at: c.last_refreshed_at.map(|t| t.and_utc()),
            last_error: c.last_error,
            last_sync_at: c.last_sync_at.map(|t| t.and_utc()),
            last_sync_result: c.last_sync_result,
        }
    }
}

/// The connected Zoom user, as Zoom reports it right now.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ZoomUserDto {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub display_name: String,
    pub timezone: Option<String>,
}

/// What a disconnect did.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DisconnectResult {
    /// Zoom confirmed the revocation. False when another site still uses the same Zoom user's
    /// authorization (it stays valid for that site) or Zoom could not be reached; Marquee's copy
    /// of the tokens is deleted either way.
    pub revoked_at_zoom: bool,
    /// Synced meetings removed from this site.
    pub meetings_removed: u64,
}

/// Where to send the owner's browser to authorize Zoom.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ConnectStart {
    /// Zoom's consent page; valid for 10 minutes, usable once.
    pub authorize_url: String,
}

/// A sync job and its progress.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SyncJobDto {
    pub id: String,
    pub kind: SyncKind,
    pub status: JobStatus,
    /// Steps done and the current estimate of all steps (it grows as Zoom's lists are read).
    pub done: i64,
    pub total: i64,
    /// What the job is doing now, e.g. `listing recordings`.
    pub note: String,
    /// A summary when done, e.g. `ok: 12 meetings, 0 webinars, 3 recordings, 0 removed`.
    pub result: Option<String>,
    /// The last error (a postponed job keeps it until it runs again).
    pub error: Option<String>,
}

impl SyncJobDto {
    /// The job as the API shows it; `None` for a kind this version does not know (a job a
    /// newer instance queued).
    fn from_view(j: JobView) -> Option<Self> {
        Some(Self {
            id: j.id,
            kind: SyncKind::parse(&j.kind)?,
            status: j.status,
            done: j.done,
            total: j.total,
            note: j.note,
            result: j.result,
            error: j.error,
        })
    }
}

/// The site's sync with Zoom: the last run, its counts, and what is next.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SyncStatusDto {
    // Enum-typed fields have no `///`: see `tests/api/openapi.rs`. The last whole-site run
    // (`backfill` or `reconcile`).
    pub last_kind: Option<SyncKind>,
    pub last_started_at: Option<DateTime<Utc>>,
    pub last_finished_at: Option<DateTime<Utc>>,
    pub last_result: Option<SyncResult>,
    pub last_error: Option<String>,
    /// What the last successful run found at Zoom.
    pub meetings: i64,
    pub webinars: i64,
    pub recordings: i64,
    /// Rows removed because Zoom no longer has them.
    pub removed: i64,
    /// Zoom API requests the last run made.
    pub zoom_requests: i64,
    /// When the next periodic reconcile is due.
    pub next_reconcile_at: Option<DateTime<Utc>>,
    /// The newest job, with its progress.
    pub current_job: Option<SyncJobDto>,
}

impl From<SyncStatusView> for SyncStatusDto {
    fn from(s: SyncStatusView) -> Self {
        Self {
            last_kind: s.last_kind.as_deref().and_then(SyncKind::parse),
            last_started_at: s.last_started_at.map(|t| t.and_utc()),
            last_finished_at: s.last_finished_at.map(|t| t.and_utc()),
            last_result: s.last_result.as_deref().and_then(SyncResult::parse),
            last_error: s.last_error,
            meetings: s.meetings,
            webinars: s.webinars,
            recordings: s.recordings,
            removed: s.removed,
            zoom_requests: s.zoom_requests,
            next_reconcile_at: s.next_reconcile_at.map(|t| t.and_utc()),
            current_job: s.current_job.and_then(SyncJobDto::from_view),
        }
    }
}

/// A queued sync.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SyncStarted {
    /// The job that will do it (an already queued one is reused).
    pub job_id: String,
}

super::answer::answers! {
    ZoomConnectionDto => "The state of the site's Zoom connection.",
    ConnectStart => "Zoom's consent page, to open in the owner's browser.",
    ZoomUserDto => "The connected Zoom user, as Zoom reports it now.",
    DisconnectResult => "Disconnected: what was revoked and removed.",
    SyncStatusDto => "The site's sync status.",
    SyncStarted => "The sync is queued.",
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// The site's Zoom connection status (scope `settings:read`)
    ///
    /// Whether Zoom is connected and usable, the Zoom account and the scopes it granted, the
    /// token's health, and the last sync. Reads Marquee's store only (no call to Zoom).
    #[oai(path = "/zoom", method = "get", operation_id = "get_zoom_connection")]
    async fn get_zoom_connection(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
    ) -> Result<Answer<ZoomConnectionDto>, AdminReadError> {
        Ok(Answer(s.connect().status(auth.principal()).await?.into()))
    }

    /// Start connecting Zoom (scope `settings:write`)
    ///
    /// Returns Zoom's authorize URL. Open it in the owner's browser; Zoom sends the browser back
    /// to `/oauth/zoom/callback`, which completes the connection and runs a first sync.
    #[oai(
        path = "/zoom/connect",
        method = "post",
        operation_id = "start_zoom_connect"
    )]
    async fn start_zoom_connect(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
    ) -> Result<Answer<ConnectStart>, AdminReadError> {
        let authorize_url = s.connect().start(auth.principal()).await?;
        Ok(Answer(ConnectStart { authorize_url }))
    }

    /// The connected Zoom user, fetched live from Zoom (scope `settings:read`)
    ///
    /// Verifies that the connection works: uses (and if needed refreshes) the access token.
    #[oai(path = "/zoom/user", method = "get", operation_id = "get_zoom_user")]
    async fn get_zoom_user(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
    ) -> Result<Answer<ZoomUserDto>, ZoomCallError> {
        let user = s.connect().live_zoom_user(auth.principal()).await?;
        Ok(Answer(ZoomUserDto {
            display_name: user.name(),
            id: user.id,
            account_id: user.account_id,
            email: user.email,
            timezone: user.timezone,
        }))
    }

    /// Disconnect Zoom (scope `settings:write`)
    ///
    /// Revokes the authorization at Zoom (unless another site still uses it), deletes the tokens
    /// and removes this site's synced Zoom data. Connecting again works at once.
    #[oai(path = "/zoom", method = "delete", operation_id = "disconnect_zoom")]
    async fn disconnect_zoom(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
    ) -> Result<Answer<DisconnectResult>, DisconnectError> {
        let done = s.disconnect().by_owner(auth.principal()).await?;
        Ok(Answer(DisconnectResult {
            revoked_at_zoom: done.revoked_at_zoom,
            meetings_removed: done.meetings_removed as u64,
        }))
    }

    /// The site's sync status (scope `settings:read`)
    ///
    /// Last run (start, end, result, counts), the next periodic reconcile, and the newest job
    /// with its progress.
    #[oai(path = "/sync", method = "get", operation_id = "get_sync_status")]
    async fn get_sync_status(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
    ) -> Result<Answer<SyncStatusDto>, AdminReadError> {
        Ok(Answer(s.sync().status(auth.principal()).await?.into()))
    }

    /// Sync the site with Zoom now (scope `settings:write`)
    ///
    /// Queues a backfill (meetings, webinars, recordings) and returns its job; a backfill
    /// already queued or running is reused. Poll `GET /sync` for progress.
    #[oai(path = "/sync", method = "post", operation_id = "start_sync")]
    async fn start_sync(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
    ) -> Result<Answer<SyncStarted>, StartSyncError> {
        let job_id = s.sync().request(auth.principal()).await?.job_id;
        Ok(Answer(SyncStarted { job_id }))
    }
}

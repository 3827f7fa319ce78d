//! `/api/v1/admin`: the site's own administration. Every operation acts on the caller's own
//! site (from the key or session): there is no tenant in the path to tamper with.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use crate::http::auth::AdminAuth;
use crate::http::error::ApiError;
use crate::service::Services;
use crate::service::connect::ConnectionStatus;

pub struct AdminApi;

/// The site's Zoom connection.
#[derive(Object)]
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
pub struct ZoomUserDto {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub display_name: String,
    pub timezone: Option<String>,
}

/// What a disconnect did.
#[derive(Object)]
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
pub struct ConnectStart {
    /// Zoom's consent page; valid for 10 minutes, usable once.
    pub authorize_url: String,
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// The site's Zoom connection status (scope `settings:read`)
    #[oai(path = "/zoom", method = "get", operation_id = "get_zoom_connection")]
    async fn get_zoom_connection(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
    ) -> Result<Json<ZoomConnectionDto>, ApiError> {
        Ok(Json(s.connection_status(auth.principal()).await?.into()))
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
    ) -> Result<Json<ConnectStart>, ApiError> {
        let authorize_url = s.start_connect(auth.principal()).await?;
        Ok(Json(ConnectStart { authorize_url }))
    }

    /// The connected Zoom user, fetched live from Zoom (scope `settings:read`)
    ///
    /// Verifies that the connection works: uses (and if needed refreshes) the access token.
    #[oai(path = "/zoom/user", method = "get", operation_id = "get_zoom_user")]
    async fn get_zoom_user(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
    ) -> Result<Json<ZoomUserDto>, ApiError> {
        let user = s.live_zoom_user(auth.principal()).await?;
        Ok(Json(ZoomUserDto {
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
    ) -> Result<Json<DisconnectResult>, ApiError> {
        let done = s.disconnect(auth.principal()).await?;
        Ok(Json(DisconnectResult {
            revoked_at_zoom: done.revoked_at_zoom,
            meetings_removed: done.meetings_removed as u64,
        }))
    }
}

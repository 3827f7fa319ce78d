//! Connecting a site to its owner's Zoom account: the authorization-code flow with `state`
//! (random, single use, 10 minutes, bound to the tenant and to the owner's session) and PKCE S256
//! (docs/zoom.md §1.2–1.3), then `/users/me`, sealed tokens, and a first sync.

use chrono::NaiveDateTime;

use crate::config::Config;
use crate::crypto::{KeyRing, random_token, sha256_hex};
use crate::domain::status::GrantStatus;
use crate::domain::{Principal, Scope, TenantId};
use crate::store::{self, Store, admin::NewOAuthState, admin::Refusal, audit};
use crate::zoom::models::ZoomUser;
use crate::zoom::{ZoomClient, ZoomError, pkce, scopes};

use super::access::require;
use super::sync::{SyncEngine, SyncReport};
use super::tokens::Tokens;
use super::{OAUTH_STATE_TTL, ServiceError, Services};

/// Why a callback was refused. Each has its own page; none stores anything.
#[derive(Debug)]
pub enum CallbackRefused {
    /// The owner pressed "Deny" on Zoom's consent page.
    Denied,
    /// No `state`: not a flow Marquee started (e.g. a Marketplace install).
    MissingState,
    UnknownState,
    ExpiredState,
    ReusedState,
    /// The state belongs to another owner's session.
    ForeignState,
    MissingCode,
    /// Zoom would not exchange the code (expired, already used, redirect mismatch, …).
    ExchangeFailed(String),
}

/// What the callback receives from Zoom's redirect.
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// A completed connect.
#[derive(Debug)]
pub struct Connected {
    pub tenant_id: TenantId,
    pub zoom_email: String,
    pub zoom_display_name: String,
    /// Whether the browser that finished the flow is the owner's admin session.
    pub from_admin_session: bool,
    pub first_sync: Result<SyncReport, String>,
}

/// A tenant's Zoom connection as the owner sees it.
#[derive(Clone, Debug, Default)]
pub struct ConnectionStatus {
    pub connected: bool,
    pub needs_reconnect: bool,
    pub zoom_email: Option<String>,
    pub zoom_display_name: Option<String>,
    pub zoom_account_id: Option<String>,
    pub scopes: Vec<String>,
    /// What Marquee needs (granular, user-level names) …
    pub needed_scopes: Vec<String>,
    /// … and which of it Zoom did not grant.
    pub missing_scopes: Vec<String>,
    pub connected_at: Option<NaiveDateTime>,
    pub token_expires_at: Option<NaiveDateTime>,
    pub last_refreshed_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    /// When Zoom stopped accepting the connection (while it needs a reconnect).
    pub needs_reconnect_since: Option<NaiveDateTime>,
    pub last_sync_at: Option<NaiveDateTime>,
    pub last_sync_result: Option<String>,
}

/// The owner's Zoom connection: connecting, and what it looks like.
#[derive(Clone, Copy)]
pub struct Connect<'a> {
    store: &'a Store,
    zoom: &'a ZoomClient,
    keys: &'a KeyRing,
    config: &'a Config,
    tokens: Tokens<'a>,
    sync: SyncEngine<'a>,
}

impl Services {
    /// Connecting a site to Zoom (`service/connect.rs`).
    pub fn connect(&self) -> Connect<'_> {
        Connect {
            store: &self.store,
            zoom: &self.zoom,
            keys: &self.keys,
            config: &self.config,
            tokens: self.tokens(),
            sync: self.sync(),
        }
    }
}

impl Connect<'_> {
    /// Starts a connect and returns Zoom's authorize URL for the owner's browser.
    pub async fn start(&self, principal: &Principal) -> Result<String, ServiceError> {
        require(principal, Scope::SettingsWrite)?;
        let tenant_id = principal.tenant_id().clone();
        let session_hash = match principal {
            Principal::Owner { session_hash, .. } => Some(session_hash.clone()),
            Principal::ApiKey { .. } | Principal::ZoomHost { .. } => None,
        };
        let state = random_token("");
        let verifier = pkce::new_verifier();
        let sealed_verifier = self.keys.seal(&verifier, tenant_id.as_str());
        let state_hash = sha256_hex(&state);
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let row = NewOAuthState {
                        state_hash: &state_hash,
                        tenant_id: &tenant_id,
                        session_hash: session_hash.as_deref(),
                        verifier: &sealed_verifier,
                        now,
                        expires_at: now + OAUTH_STATE_TTL,
                    };
                    store::admin::insert_oauth_state(&mut db, row).await
                })
            })
            .await?;
        let redirect_uri = self.config.oauth_redirect_uri();
        Ok(self
            .zoom
            .authorize_url(&redirect_uri, &state, &pkce::s256_challenge(&verifier)))
    }

    /// Finishes a connect from Zoom's redirect. `session_cookie` is the browser's admin
    /// session cookie, if it has one.
    pub async fn complete(
        &self,
        params: CallbackParams,
        session_cookie: Option<&str>,
    ) -> Result<Result<Connected, CallbackRefused>, ServiceError> {
        if params.error.is_some() {
            return Ok(Err(CallbackRefused::Denied));
        }
        let Some(state) = params.state.filter(|s| !s.is_empty()) else {
            return Ok(Err(CallbackRefused::MissingState));
        };
        let Some(code) = params.code.filter(|c| !c.is_empty()) else {
            return Ok(Err(CallbackRefused::MissingCode));
        };
        let state_hash = sha256_hex(&state);
        let session_hash = session_cookie.map(sha256_hex);
        let from_admin_session = session_hash.is_some();
        let claimed = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::admin::consume_oauth_state(
                        &mut db,
                        &state_hash,
                        session_hash.as_deref(),
                        store::now(),
                    )
                    .await
                })
            })
            .await?;
        let claimed = match claimed {
            Ok(claimed) => claimed,
            Err(Refusal::Unknown) => return Ok(Err(CallbackRefused::UnknownState)),
            Err(Refusal::Expired) => return Ok(Err(CallbackRefused::ExpiredState)),
            Err(Refusal::AlreadyUsed) => return Ok(Err(CallbackRefused::ReusedState)),
            Err(Refusal::Foreign) => return Ok(Err(CallbackRefused::ForeignState)),
        };
        let tenant_id = claimed.tenant_id;
        let verifier = self.keys.open(&claimed.verifier, tenant_id.as_str())?;
        let grant = match self
            .zoom
            .exchange_code(&code, &self.config.oauth_redirect_uri(), Some(&verifier))
            .await
        {
            Ok(grant) => grant,
            Err(e @ (ZoomError::InvalidGrant { .. } | ZoomError::OAuth { .. })) => {
                return Ok(Err(CallbackRefused::ExchangeFailed(e.to_string())));
            }
            Err(e) => return Err(e.into()),
        };
        let user = self.zoom.get_me(&grant.access_token).await?;
        let grant_id = self.tokens.store_grant(&user, &grant, None).await?;
        let (tid, gid, account) = (tenant_id.clone(), grant_id.clone(), user.account_id.clone());
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    store::connection::link(&mut db, &tid, &gid, store::now()).await?;
                    // A reconnect after a lost connection opens registration again.
                    store::tenant::bump_content_version(&mut db, &tid).await?;
                    audit::record(
                        &mut db,
                        Some(&tid),
                        Some(&account),
                        "connected",
                        "Zoom connected by the site owner",
                    )
                    .await
                })
            })
            .await?;
        tracing::info!(tenant.id = %tenant_id, zoom.account_id = %user.account_id, zoom.grant_id = %grant_id, "Zoom connected");
        let first_sync = self
            .sync
            .first_sync(&tenant_id)
            .await
            .map_err(|e| e.to_string());
        Ok(Ok(Connected {
            tenant_id,
            zoom_display_name: user.name(),
            zoom_email: user.email,
            from_admin_session,
            first_sync,
        }))
    }

    /// The connected Zoom user, asked of Zoom now (proves the token works).
    pub async fn live_zoom_user(&self, principal: &Principal) -> Result<ZoomUser, ServiceError> {
        require(principal, Scope::SettingsRead)?;
        let zoom = self.zoom;
        self.tokens
            .with_zoom_token(
                principal.tenant_id(),
                |t| async move { zoom.get_me(&t).await },
            )
            .await
    }

    /// The site's Zoom connection as its owner (or a key with `settings:read`) may see it.
    pub async fn status(&self, principal: &Principal) -> Result<ConnectionStatus, ServiceError> {
        require(principal, Scope::SettingsRead)?;
        let tenant_id = principal.tenant_id().clone();
        let (link, grant, dead_since) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let link = store::connection::find(&mut db, &tenant_id).await?;
                    let grant = store::grant::find_for_tenant(&mut db, &tenant_id).await?;
                    let dead_since =
                        audit::latest_at(&mut db, &tenant_id, audit::GRANT_DEAD).await?;
                    Ok((link, grant, dead_since))
                })
            })
            .await?;
        Ok(match (link, grant) {
            (Some(link), Some(g)) => {
                let granted: Vec<String> = g.scopes.split_whitespace().map(str::to_owned).collect();
                ConnectionStatus {
                    connected: g.status == GrantStatus::Active,
                    needs_reconnect: g.status != GrantStatus::Active,
                    needed_scopes: scopes::needed(),
                    missing_scopes: scopes::missing(&granted),
                    scopes: granted,
                    zoom_email: Some(g.zoom_email),
                    zoom_display_name: Some(g.zoom_display_name),
                    zoom_account_id: Some(g.zoom_account_id),
                    connected_at: Some(link.connected_at),
                    token_expires_at: Some(g.access_expires_at),
                    last_refreshed_at: g.refreshed_at,
                    last_error: g.last_error,
                    needs_reconnect_since: dead_since.filter(|_| g.status != GrantStatus::Active),
                    last_sync_at: link.last_sync_at,
                    last_sync_result: link.last_sync_result,
                }
            }
            _ => ConnectionStatus::default(),
        })
    }
}

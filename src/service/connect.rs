//! Connecting a site to its owner's Zoom account: the authorization-code flow with `state`
//! (random, single use, 10 minutes, bound to the tenant and to the owner's session) and PKCE S256
//! (docs/zoom.md §1.2–1.3), then `/users/me`, sealed tokens, and a first sync.
//!
//! The Zoom App's direct landing URL uses the same state store with purpose
//! `ZoomAppInstall`: its callback attaches the grant to the signed-in owner's site, or parks it
//! for the claim flow, and then opens the app in the Zoom client (`service/install.rs`).

use chrono::NaiveDateTime;

use crate::config::Config;
use crate::crypto::{KeyRing, random_token, sha256_hex};
use crate::domain::status::GrantStatus;
use crate::domain::{Principal, Scope, TenantId};
use crate::store::admin::{NewOAuthState, OAuthPurpose, Refusal};
use crate::store::{self, Store, audit};
use crate::zoom::models::{TokenGrant, ZoomUser};
use crate::zoom::{ZoomClient, ZoomError, pkce, scopes};

use super::access::require;
pub use super::install::CallbackRefused;
use super::install::{APP_HOME_ACTION, AppInstalled, Install, verifier_context};
use super::sync::{SyncEngine, SyncReport};
use super::tokens::Tokens;
use super::{OAUTH_STATE_TTL, ServiceError, Services};

/// What the callback receives from Zoom's redirect.
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// The cookies the browser finishing a callback presented.
#[derive(Clone, Copy, Default)]
pub struct CallbackBrowser<'a> {
    /// The admin session cookie.
    pub session: Option<&'a str>,
    /// The cookie of a Zoom App install started without a session.
    pub install: Option<&'a str>,
}

/// What a callback finished.
#[derive(Debug)]
pub enum Completed {
    Connected(Connected),
    AppInstalled(AppInstalled),
}

/// A started Zoom App install.
pub struct AppInstallStart {
    pub authorize_url: String,
    /// For someone not signed in: the install cookie's value, which binds the state to this
    /// browser (only its hash is stored).
    pub browser_token: Option<String>,
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
    install: Install<'a>,
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
            install: self.install(),
        }
    }
}

impl Connect<'_> {
    /// Starts a connect and returns Zoom's authorize URL for the owner's browser.
    pub async fn start(&self, principal: &Principal) -> Result<String, ServiceError> {
        require(principal, Scope::SettingsWrite)?;
        let session_hash = match principal {
            Principal::Owner { session_hash, .. } => Some(session_hash.clone()),
            Principal::ApiKey { .. } | Principal::ZoomHost { .. } => None,
        };
        self.authorize(
            Some(principal.tenant_id()),
            session_hash,
            OAuthPurpose::Connect,
        )
        .await
    }

    /// Starts a Zoom App install from the app's direct landing URL. A signed-in `owner`'s install
    /// attaches to their site; anyone else's is bound to their browser by a fresh install
    /// token and parked after the callback.
    pub async fn start_app_install(
        &self,
        owner: Option<&Principal>,
    ) -> Result<AppInstallStart, ServiceError> {
        let purpose = OAuthPurpose::ZoomAppInstall;
        if let Some(principal @ Principal::Owner { session_hash, .. }) = owner {
            require(principal, Scope::SettingsWrite)?;
            let tenant = Some(principal.tenant_id());
            let authorize_url = self
                .authorize(tenant, Some(session_hash.clone()), purpose)
                .await?;
            return Ok(AppInstallStart {
                authorize_url,
                browser_token: None,
            });
        }
        let browser_token = random_token("");
        let authorize_url = self
            .authorize(None, Some(sha256_hex(&browser_token)), purpose)
            .await?;
        Ok(AppInstallStart {
            authorize_url,
            browser_token: Some(browser_token),
        })
    }

    /// Stores a fresh single-use state with its sealed PKCE verifier and returns Zoom's
    /// authorize URL carrying both.
    async fn authorize(
        &self,
        tenant_id: Option<&TenantId>,
        session_hash: Option<String>,
        purpose: OAuthPurpose,
    ) -> Result<String, ServiceError> {
        let tenant_id = tenant_id.cloned();
        let state = random_token("");
        let verifier = pkce::new_verifier();
        let context = verifier_context(tenant_id.as_ref().map(TenantId::as_str));
        let sealed_verifier = self.keys.seal(&verifier, context);
        let state_hash = sha256_hex(&state);
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let row = NewOAuthState {
                        state_hash: &state_hash,
                        tenant_id: tenant_id.as_ref(),
                        purpose,
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

    /// Finishes a connect or a Zoom App install from Zoom's redirect, in the browser that
    /// presented `browser`'s cookies.
    pub async fn complete(
        &self,
        params: CallbackParams,
        browser: CallbackBrowser<'_>,
    ) -> Result<Result<Completed, CallbackRefused>, ServiceError> {
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
        let cookie_hashes: Vec<String> = [browser.session, browser.install]
            .into_iter()
            .flatten()
            .map(sha256_hex)
            .collect();
        let claimed = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::admin::consume_oauth_state(
                        &mut db,
                        &state_hash,
                        &cookie_hashes,
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
        let context = verifier_context(claimed.tenant_id.as_ref().map(TenantId::as_str));
        let verifier = self.keys.open(&claimed.verifier, context)?;
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
        let from_admin_session = browser.session.is_some();
        let completed = match (claimed.purpose, claimed.tenant_id) {
            (OAuthPurpose::Connect, Some(tenant_id)) => Completed::Connected(
                self.attach(tenant_id, user, &grant, from_admin_session)
                    .await?,
            ),
            (OAuthPurpose::ZoomAppInstall, tenant_id) => {
                Completed::AppInstalled(self.finish_app_install(tenant_id, user, &grant).await?)
            }
            // The schema's CHECK allows no connect without a site.
            (OAuthPurpose::Connect, None) => return Ok(Err(CallbackRefused::UnknownState)),
        };
        Ok(Ok(completed))
    }

    /// Attaches the app install's grant to the signed-in owner's site (or parks it when nobody
    /// was signed in), then asks Zoom for the deep link that opens the app.
    async fn finish_app_install(
        &self,
        tenant_id: Option<TenantId>,
        user: ZoomUser,
        grant: &TokenGrant,
    ) -> Result<AppInstalled, ServiceError> {
        let account = user.account_id.clone();
        let (zoom_email, zoom_display_name, claim_token) = match tenant_id {
            Some(tenant_id) => {
                let c = self.attach(tenant_id, user, grant, true).await?;
                (c.zoom_email, c.zoom_display_name, None)
            }
            None => {
                let claim_token = self.install.park_grant(&user, grant).await?;
                tracing::info!(zoom.account_id = %user.account_id, "Zoom App install parked for a claim");
                (user.email.clone(), user.name(), Some(claim_token))
            }
        };
        let landing = self
            .install
            .open_app(&account, &grant.access_token, APP_HOME_ACTION)
            .await;
        Ok(AppInstalled {
            zoom_email,
            zoom_display_name,
            claim_token,
            landing,
        })
    }

    /// Stores the grant, links it to the site and runs the first sync.
    async fn attach(
        &self,
        tenant_id: TenantId,
        user: ZoomUser,
        grant: &TokenGrant,
        from_admin_session: bool,
    ) -> Result<Connected, ServiceError> {
        let grant_id = self.tokens.store_grant(&user, grant, None).await?;
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
        Ok(Connected {
            tenant_id,
            zoom_display_name: user.name(),
            zoom_email: user.email,
            from_admin_session,
            first_sync,
        })
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

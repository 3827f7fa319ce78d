//! Installs that Marquee did not start: a user adds the app from the Zoom Marketplace, and Zoom
//! redirects to our callback with a code but **no state** (docs/zoom.md §1.2, §6.1).
//!
//! Such a code is exchanged, but the grant is *parked*: never attached to a site by guess. The
//! browser that finished the install gets an HttpOnly claim cookie (its SHA-256 is stored on the
//! grant); when that browser's owner signs into their site's admin panel, they can attach it.
//! Parked grants nobody claims within a day are revoked and deleted by the upkeep task.
//!
//! The Zoom App's direct landing URL (`/zoomapp/install`) starts an install with our own state
//! and PKCE (`Connect::start_app_install`); its callback parks the grant the same way when the
//! browser is not signed in to a site, then opens the app in the Zoom client through a deep
//! link ([`Install::open_app`]).

use crate::config::Config;
use crate::crypto::{random_token, sha256_hex};
use crate::domain::{Principal, Scope};
use crate::store::{self, Store, audit};
use crate::zoom::models::{TokenGrant, ZoomUser};
use crate::zoom::{ZoomClient, ZoomError};

use super::access::require;
use super::sync::{SyncEngine, SyncReport};
use super::tokens::Tokens;
use super::zoom_budget::{RateCategory, ZoomBudgets};
use super::{ServiceError, Services};

/// Where the Zoom App opens after an install: the deeplink's `action`, back as `act` in the
/// app's next context. No secrets: Zoom shows it to the client.
pub const APP_HOME_ACTION: &str = r#"{"to":"home"}"#;

/// The seal context (AAD) of the PKCE verifier of an install started by someone not signed in
/// to a site; a site's own flows seal under the tenant id.
const UNBOUND_INSTALL_CONTEXT: &str = "zoom-app-install";

/// The seal context of a pending authorization's PKCE verifier.
pub(super) fn verifier_context(tenant_id: Option<&str>) -> &str {
    tenant_id.unwrap_or(UNBOUND_INSTALL_CONTEXT)
}

/// Where the browser goes once a Zoom App install is done.
#[derive(Debug)]
pub enum AppLanding {
    /// Zoom's deep link (on Zoom's web origin): opens the app in the Zoom client.
    Deeplink(String),
    /// Zoom would not make a deep link (down, rate limited, scope missing): the install stands;
    /// the user opens the app from the Zoom client's Apps tab.
    Unavailable,
    /// Zoom answered with a link off its own web origin: not followed.
    ForeignLink,
}

/// A finished Zoom App install.
#[derive(Debug)]
pub struct AppInstalled {
    pub zoom_email: String,
    pub zoom_display_name: String,
    /// The claim cookie's value when the install was parked (nobody signed in to a site).
    pub claim_token: Option<String>,
    pub landing: AppLanding,
}

/// Why an OAuth callback was refused (Connect Zoom's and an install's: `service::connect`
/// re-exports it). Each has its own page; none stores anything.
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

/// A parked Marketplace install, as the browser that finished it learns.
pub struct ParkedInstall {
    /// The claim cookie's value (secret; only its hash is stored).
    pub claim_token: String,
    pub zoom_email: String,
    pub zoom_display_name: String,
}

/// Who a parked install belongs to on Zoom's side.
pub struct PendingInstall {
    pub zoom_email: String,
    pub zoom_display_name: String,
}

/// Marketplace installs: parking them, and attaching one to a site.
#[derive(Clone, Copy)]
pub struct Install<'a> {
    store: &'a Store,
    zoom: &'a ZoomClient,
    config: &'a Config,
    budgets: &'a ZoomBudgets,
    tokens: Tokens<'a>,
    sync: SyncEngine<'a>,
}

impl Services {
    /// Marketplace installs (`service/install.rs`).
    pub fn install(&self) -> Install<'_> {
        Install {
            store: &self.store,
            zoom: &self.zoom,
            config: &self.config,
            budgets: &self.budgets,
            tokens: self.tokens(),
            sync: self.sync(),
        }
    }
}

impl Install<'_> {
    /// Exchanges a state-less code and parks the grant until a signed-in owner claims it.
    pub async fn park(
        &self,
        code: &str,
    ) -> Result<Result<ParkedInstall, CallbackRefused>, ServiceError> {
        let redirect_uri = self.config.oauth_redirect_uri();
        let grant = match self.zoom.exchange_code(code, &redirect_uri, None).await {
            Ok(grant) => grant,
            Err(e @ (ZoomError::InvalidGrant { .. } | ZoomError::OAuth { .. })) => {
                return Ok(Err(CallbackRefused::ExchangeFailed(e.to_string())));
            }
            Err(e) => return Err(e.into()),
        };
        let user = self.zoom.get_me(&grant.access_token).await?;
        let claim_token = self.park_grant(&user, &grant).await?;
        Ok(Ok(ParkedInstall {
            claim_token,
            zoom_display_name: user.name(),
            zoom_email: user.email,
        }))
    }

    /// Stores an exchanged grant as parked and returns its claim token (for the browser's
    /// cookie; only the hash is stored).
    pub(super) async fn park_grant(
        &self,
        user: &ZoomUser,
        grant: &TokenGrant,
    ) -> Result<String, ServiceError> {
        let claim_token = random_token("");
        self.tokens
            .store_grant(user, grant, Some(sha256_hex(&claim_token)))
            .await?;
        let account = user.account_id.clone();
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let detail = "Marketplace install parked until a site claims it";
                    audit::record(&mut db, None, Some(&account), "install_parked", detail).await
                })
            })
            .await?;
        Ok(claim_token)
    }

    /// Asks Zoom for the deep link that opens the app in the user's client (one Medium call,
    /// paced by the account's budget). A failure never undoes the install: it is logged with
    /// its reason and the user is told to open the app from the Apps tab.
    /// `action` comes back as `act` in the app's next context (≤ 256 characters, no secret).
    pub(super) async fn open_app(
        &self,
        account: &str,
        access_token: &str,
        action: &str,
    ) -> AppLanding {
        self.budgets.acquire(account, RateCategory::Medium).await;
        match self.zoom.create_deeplink(access_token, action).await {
            Ok(link) if self.zoom.is_zoom_web_url(&link) => AppLanding::Deeplink(link),
            Ok(link) => {
                let origin = url::Url::parse(&link).map(|u| u.origin().ascii_serialization());
                tracing::warn!(zoom.account_id = %account, link.origin = ?origin, "Zoom's deep link is off Zoom's web origin; not followed");
                AppLanding::ForeignLink
            }
            Err(e) => {
                if let ZoomError::RateLimited {
                    retry_after, limit, ..
                } = &e
                {
                    let category = RateCategory::Medium;
                    self.budgets
                        .rate_limited(account, category, *retry_after, *limit);
                }
                tracing::warn!(zoom.account_id = %account, reason = %e, "Zoom App deep link failed; the install stands");
                AppLanding::Unavailable
            }
        }
    }

    /// The parked install behind a claim cookie, if it is still waiting.
    pub async fn pending(&self, claim_token: &str) -> Result<Option<PendingInstall>, ServiceError> {
        let hash = sha256_hex(claim_token);
        let grant = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::grant::find_parked(&mut db, &hash).await })
            })
            .await?;
        Ok(grant.map(|g| PendingInstall {
            zoom_email: g.zoom_email,
            zoom_display_name: g.zoom_display_name,
        }))
    }

    /// Attaches the parked install behind `claim_token` to the owner's site, then syncs.
    pub async fn claim(
        &self,
        principal: &Principal,
        claim_token: &str,
    ) -> Result<Result<SyncReport, String>, ServiceError> {
        require(principal, Scope::SettingsWrite)?;
        let hash = sha256_hex(claim_token);
        let tenant_id = principal.tenant_id().clone();
        let tid = tenant_id.clone();
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let grant = store::grant::find_parked(&mut db, &hash)
                        .await?
                        .ok_or(store::StoreError::NotFound)?;
                    store::connection::link(&mut db, &tid, &grant.id, store::now()).await?;
                    store::tenant::bump_content_version(&mut db, &tid).await?;
                    store::grant::mark_claimed(&mut db, &grant.id).await?;
                    let detail = "Marketplace install claimed by the site owner";
                    audit::record(
                        &mut db,
                        Some(&tid),
                        Some(&grant.zoom_account_id),
                        "connected",
                        detail,
                    )
                    .await
                })
            })
            .await
            .map_err(|e| match e {
                store::StoreError::NotFound => ServiceError::NotFound("pending Zoom install"),
                other => other.into(),
            })?;
        tracing::info!(tenant.id = %tenant_id, "Marketplace install claimed");
        Ok(self
            .sync
            .first_sync(&tenant_id)
            .await
            .map_err(|e| e.to_string()))
    }
}

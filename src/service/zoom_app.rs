//! The Zoom App inside the Zoom client (docs/zoom-app.md): who opened it (the decrypted
//! `x-zoom-app-context`), the app's own session bound to that Zoom user, which sites the user
//! may act for, what they can do there, and authorizing Marquee from inside the client
//! (`zoomSdk.authorize`, plain PKCE) or from the system browser (S256, back through a
//! deeplink whose action is an opaque attempt id).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::TimeDelta;

use crate::config::Config;
use crate::crypto::{KeyRing, random_token, sha256_hex};
use crate::domain::meeting::{Schedule, SyncedMeeting};
use crate::domain::public::{Recording, Registration};
use crate::domain::{Meeting, Principal, Tenant};
use crate::store::zoom_app::{NewAttempt, SiteRole, StoredAppSession};
use crate::store::{self, Store};
use crate::zoom::app_context::{self, AppContext, AppContextError};
use crate::zoom::{ZoomClient, ZoomError, pkce};

use super::install::{AppLanding, Install};
use super::meetings::{MeetingSearch, Meetings};
use super::tenants::{LinkDestinations, Tenants};
use super::tokens::Tokens;
use super::{ServiceError, Services};

/// How long the app's session lasts without a fresh context (a long meeting and then some).
pub const ZOOM_APP_SESSION_TTL: TimeDelta = TimeDelta::hours(8);
/// How long an authorization attempt may take.
pub const ATTEMPT_TTL: TimeDelta = TimeDelta::minutes(10);
/// Clock difference between Zoom and us we accept on a context's `exp`.
pub const CLOCK_TOLERANCE_MS: i64 = 30_000;
/// How many meetings and recordings the home page lists.
const LIST_LIMIT: i64 = 10;

/// The clock the context's expiry is checked against: the system clock unless pinned (tests
/// pin it to check Zoom's reference vectors, whose `exp` lies in the past).
#[derive(Clone, Default)]
pub struct AppClock(Arc<AtomicI64>);

impl AppClock {
    pub fn now_ms(&self) -> i64 {
        match self.0.load(Ordering::Relaxed) {
            0 => chrono::Utc::now().timestamp_millis(),
            pinned => pinned,
        }
    }

    /// Pins the clock at `ms` (epoch milliseconds); `0` returns to the system clock.
    pub fn pin(&self, ms: i64) {
        self.0.store(ms, Ordering::Relaxed);
    }
}

/// Why a request is not accepted as coming from the Zoom client; each is its own log reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContextRefused {
    Missing,
    Undecryptable,
    Expired,
    WrongAudience,
    WrongIssuer,
    /// Guest mode: the context names no Zoom user.
    Guest,
}

impl ContextRefused {
    /// The `reason` field of the refusal's log line.
    pub fn reason(self) -> &'static str {
        match self {
            ContextRefused::Missing => "missing",
            ContextRefused::Undecryptable => "undecryptable",
            ContextRefused::Expired => "expired",
            ContextRefused::WrongAudience => "wrong_audience",
            ContextRefused::WrongIssuer => "wrong_issuer",
            ContextRefused::Guest => "guest",
        }
    }
}

/// How the Zoom user is related to a site they may act for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostRole {
    /// The Zoom user whose connection the site uses: may also open the site's admin panel.
    Owner,
    /// Another user of the site's connected Zoom account.
    AccountUser,
    /// Hosts meetings of the site.
    Host,
}

impl From<SiteRole> for HostRole {
    fn from(r: SiteRole) -> Self {
        match r {
            SiteRole::Owner => HostRole::Owner,
            SiteRole::AccountUser => HostRole::AccountUser,
            SiteRole::Host => HostRole::Host,
        }
    }
}

/// A live app session: the Zoom user it is bound to and the meeting the app runs in.
#[derive(Clone, Debug)]
pub struct AppSession {
    pub session_hash: String,
    pub zoom_user_id: String,
    /// The meeting UUID of the context that opened the session.
    pub mid: Option<String>,
}

/// A site the session's user may act for, and the principal that acts.
#[derive(Clone, Debug)]
pub struct HostSite {
    pub tenant: Tenant,
    pub role: HostRole,
    pub principal: Principal,
}

/// What the app's home shows for one site.
pub struct SiteView {
    pub upcoming: Vec<SyncedMeeting>,
    pub recordings: Vec<Recording>,
    /// The site's meeting the app was opened in, with its registrants.
    pub current: Option<(Meeting, Vec<Registration>)>,
}

/// A started in-client authorization: what `zoomSdk.authorize` is given.
pub struct InClientStart {
    pub state: String,
    /// `plain`: the verifier itself (in-client OAuth supports no other method, docs/zoom.md §1.2).
    pub code_challenge: String,
}

/// How an authorization ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthOutcome {
    /// The Zoom user now matches at least one site.
    Linked,
    /// No site uses the user's account yet: the grant waits for a site's owner to claim it
    /// (the claim token goes into the browser's claim cookie, as for Marketplace installs).
    Parked { claim_token: String },
}

/// Why an authorization was not completed; nothing was stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthRefused {
    /// Unknown, expired, used, or another session's state.
    UnknownAttempt,
    /// Zoom would not exchange the code.
    ExchangeFailed(String),
    /// The code belongs to another Zoom user than the one the session is bound to.
    OtherUser,
}

/// The Zoom App's use cases.
#[derive(Clone, Copy)]
pub struct ZoomApp<'a> {
    store: &'a Store,
    zoom: &'a ZoomClient,
    keys: &'a KeyRing,
    config: &'a Config,
    clock: &'a AppClock,
    tokens: Tokens<'a>,
    meetings: Meetings<'a>,
    tenants: Tenants<'a>,
    install: Install<'a>,
}

/// A finished exchange of an app authorization.
struct Authorized {
    outcome: AuthOutcome,
    account: String,
    access_token: zeroize::Zeroizing<String>,
}

impl Services {
    /// The Zoom App inside the Zoom client (`service/zoom_app.rs`).
    pub fn zoom_app(&self) -> ZoomApp<'_> {
        ZoomApp {
            store: &self.store,
            zoom: &self.zoom,
            keys: &self.keys,
            config: &self.config,
            clock: &self.app_clock,
            tokens: self.tokens(),
            meetings: self.meetings(),
            tenants: self.tenants(),
            install: self.install(),
        }
    }
}

impl ZoomApp<'_> {
    pub fn clock(&self) -> &AppClock {
        self.clock
    }

    /// The app's home URL: Zoom loads it with the context, and in-client OAuth uses it as
    /// `redirect_uri` (docs/zoom.md §1.3).
    pub fn home_url(&self) -> String {
        format!("{}/zoomapp/home", self.config.public_url)
    }

    /// Decrypts and checks an `x-zoom-app-context` header (docs/zoom.md §3.2–3.3).
    pub fn read_context(&self, header: Option<&str>) -> Result<AppContext, ContextRefused> {
        let header = header
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .ok_or(ContextRefused::Missing)?;
        let zoom = &self.config.zoom;
        let ctx = app_context::decode(&zoom.client_secret, header)
            .map_err(|_| ContextRefused::Undecryptable)?;
        let now = self.clock.now_ms() - CLOCK_TOLERANCE_MS;
        ctx.validate(&zoom.client_id, now).map_err(|e| match e {
            AppContextError::Expired => ContextRefused::Expired,
            AppContextError::Audience => ContextRefused::WrongAudience,
            AppContextError::Issuer => ContextRefused::WrongIssuer,
            _ => ContextRefused::Undecryptable,
        })?;
        if ctx.uid.as_deref().unwrap_or("").is_empty() {
            return Err(ContextRefused::Guest);
        }
        Ok(ctx)
    }

    /// Opens the app's session for a checked context, or renews the browser's session when it
    /// already belongs to the same Zoom user (so an attempt it started can finish). Returns the
    /// cookie value (secret) and the session.
    pub async fn open(
        &self,
        ctx: &AppContext,
        cookie: Option<&str>,
    ) -> Result<(String, AppSession), ServiceError> {
        let uid = ctx.uid.clone().unwrap_or_default();
        let current = match cookie {
            Some(c) => self.session(c).await?.map(|s| (c.to_owned(), s)),
            None => None,
        };
        let cookie_value = match current {
            Some((value, s)) if s.zoom_user_id == uid => value,
            _ => random_token(""),
        };
        let now = store::now();
        let row = StoredAppSession {
            id_hash: sha256_hex(&cookie_value),
            zoom_user_id: uid.clone(),
            mid: ctx.mid.clone(),
            created_at: now,
            expires_at: now + ZOOM_APP_SESSION_TTL,
        };
        let session = AppSession {
            session_hash: row.id_hash.clone(),
            zoom_user_id: uid,
            mid: row.mid.clone(),
        };
        self.store
            .write(move |mut db| {
                Box::pin(async move { store::zoom_app::upsert_session(&mut db, &row).await })
            })
            .await?;
        Ok((cookie_value, session))
    }

    /// The live session behind a cookie.
    pub async fn session(&self, cookie: &str) -> Result<Option<AppSession>, ServiceError> {
        let hash = sha256_hex(cookie);
        let found = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::zoom_app::find_session(&mut db, &hash, store::now()).await
                })
            })
            .await?;
        Ok(found.map(|s| AppSession {
            session_hash: s.id_hash,
            zoom_user_id: s.zoom_user_id,
            mid: s.mid,
        }))
    }

    /// The sites the session's Zoom user may act for (stored data only: no Zoom call).
    pub async fn sites(&self, session: &AppSession) -> Result<Vec<HostSite>, ServiceError> {
        let uid = session.zoom_user_id.clone();
        let found = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::zoom_app::sites_of_user(&mut db, &uid).await })
            })
            .await?;
        Ok(found
            .into_iter()
            .map(|(tenant, role)| HostSite {
                principal: Principal::ZoomHost {
                    tenant_id: tenant.id.clone(),
                    session_hash: session.session_hash.clone(),
                },
                tenant,
                role: role.into(),
            })
            .collect())
    }

    /// One of the session's sites by slug; any other site is `NotFound` (the same answer as a
    /// site that does not exist).
    pub async fn site(&self, session: &AppSession, slug: &str) -> Result<HostSite, ServiceError> {
        self.sites(session)
            .await?
            .into_iter()
            .find(|s| s.tenant.slug.as_str() == slug)
            .ok_or(ServiceError::NotFound("site"))
    }

    /// Upcoming meetings, recent recordings and the current meeting's registrants.
    pub async fn view(&self, site: &HostSite, mid: Option<&str>) -> Result<SiteView, ServiceError> {
        let search = MeetingSearch {
            schedule: Schedule::Upcoming,
            limit: LIST_LIMIT,
            ..MeetingSearch::default()
        };
        let upcoming = self.meetings.list(&site.principal, &search).await?.items;
        let search = MeetingSearch {
            limit: LIST_LIMIT,
            ..MeetingSearch::default()
        };
        let recordings = self
            .meetings
            .recordings(&site.principal, &search)
            .await?
            .items;
        let current = match mid {
            Some(mid) => self.current_meeting(site, mid).await?,
            None => None,
        };
        Ok(SiteView {
            upcoming,
            recordings,
            current,
        })
    }

    async fn current_meeting(
        &self,
        site: &HostSite,
        mid: &str,
    ) -> Result<Option<(Meeting, Vec<Registration>)>, ServiceError> {
        let (tenant, mid) = (site.tenant.id.clone(), mid.to_owned());
        Ok(self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let Some(meeting) =
                        store::zoom_app::meeting_by_uuid(&mut db, &tenant, &mid).await?
                    else {
                        return Ok(None);
                    };
                    let filter = store::registration::RegistrationFilter {
                        zoom_meeting_id: Some(meeting.zoom_meeting_id),
                        status: None,
                    };
                    let (regs, _) =
                        store::registration::list(&mut db, &tenant, filter, None, 100).await?;
                    Ok(Some((meeting, regs)))
                })
            })
            .await?)
    }

    /// A one-time sign-in link to the site's admin panel: only for the site's owner.
    pub async fn admin_link(&self, site: &HostSite) -> Result<String, ServiceError> {
        if site.role != HostRole::Owner {
            return Err(ServiceError::NotFound("site"));
        }
        let (url, _) = self
            .tenants
            .mint_admin_link(site.tenant.slug.as_str(), LinkDestinations::default())
            .await?;
        Ok(url)
    }

    /// Starts an in-client authorization bound to the session.
    pub async fn start_in_client(
        &self,
        session: &AppSession,
    ) -> Result<InClientStart, ServiceError> {
        let state = random_token("");
        let verifier = pkce::new_verifier();
        let id = random_token("");
        self.insert_attempt(session, "in_client", &id, Some(&state), Some(&verifier))
            .await?;
        Ok(InClientStart {
            state,
            code_challenge: verifier,
        })
    }

    /// Finishes an in-client authorization: the code `onAuthorized` gave the page, in the
    /// session that started it.
    pub async fn finish_in_client(
        &self,
        session: &AppSession,
        state: &str,
        code: &str,
    ) -> Result<Result<AuthOutcome, AuthRefused>, ServiceError> {
        let Some(claimed) = self.consume(state, &session.session_hash).await? else {
            return Ok(Err(AuthRefused::UnknownAttempt));
        };
        let redirect_uri = self.home_url();
        let outcome = self
            .exchange(&claimed, code, &redirect_uri, &session.zoom_user_id)
            .await?;
        Ok(outcome.map(|authorized| authorized.outcome))
    }

    /// A new external attempt of the session: the opaque id of its browser link.
    pub async fn new_external_attempt(&self, session: &AppSession) -> Result<String, ServiceError> {
        let attempt = random_token("");
        self.insert_attempt(session, "external", &attempt, None, None)
            .await?;
        Ok(attempt)
    }

    /// Stores an attempt found later by `sha256(id)` (the external link) or by its state.
    async fn insert_attempt(
        &self,
        session: &AppSession,
        kind: &'static str,
        id: &str,
        state: Option<&str>,
        verifier: Option<&str>,
    ) -> Result<(), ServiceError> {
        let id_hash = sha256_hex(id);
        let state_hash = state.map(sha256_hex);
        let sealed = verifier.map(|v| self.keys.seal(v, &session.session_hash));
        let session_hash = session.session_hash.clone();
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let row = NewAttempt {
                        id_hash: &id_hash,
                        session_hash: &session_hash,
                        kind,
                        state_hash: state_hash.as_deref(),
                        verifier: sealed.as_ref(),
                        now,
                        expires_at: now + ATTEMPT_TTL,
                    };
                    store::zoom_app::insert_attempt(&mut db, row).await
                })
            })
            .await?;
        Ok(())
    }

    async fn consume(
        &self,
        state: &str,
        session_hash: &str,
    ) -> Result<Option<store::zoom_app::ClaimedAttempt>, ServiceError> {
        let (state_hash, session) = (sha256_hex(state), session_hash.to_owned());
        Ok(self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::zoom_app::consume_state(&mut db, &state_hash, &session, store::now())
                        .await
                })
            })
            .await?)
    }

    /// Exchanges the code, checks the Zoom user (when the session is bound to one), stores the
    /// grant and records the attempt's outcome. Returns the outcome and the access token.
    async fn exchange(
        &self,
        claimed: &store::zoom_app::ClaimedAttempt,
        code: &str,
        redirect_uri: &str,
        expected_user: &str,
    ) -> Result<Result<Authorized, AuthRefused>, ServiceError> {
        let verifier = match &claimed.verifier {
            Some(sealed) => Some(self.keys.open(sealed, &claimed.session_hash)?),
            None => None,
        };
        let grant = match self
            .zoom
            .exchange_code(code, redirect_uri, verifier.as_deref().map(String::as_str))
            .await
        {
            Ok(grant) => grant,
            Err(e @ (ZoomError::InvalidGrant { .. } | ZoomError::OAuth { .. })) => {
                return Ok(Err(AuthRefused::ExchangeFailed(e.to_string())));
            }
            Err(e) => return Err(e.into()),
        };
        let user = self.zoom.get_me(&grant.access_token).await?;
        if user.id != expected_user {
            return Ok(Err(AuthRefused::OtherUser));
        }
        let (account, uid) = (user.account_id.clone(), user.id.clone());
        let (known, site_in_account) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let known = store::grant::find_id(&mut db, &account, &uid).await?;
                    let sites = store::zoom_app::sites_of_account(&mut db, &account).await?;
                    Ok((known.is_some(), sites > 0))
                })
            })
            .await?;
        let outcome = if known || site_in_account {
            AuthOutcome::Linked
        } else {
            AuthOutcome::Parked {
                claim_token: random_token(""),
            }
        };
        let claim_hash = match &outcome {
            AuthOutcome::Parked { claim_token } => Some(sha256_hex(claim_token)),
            AuthOutcome::Linked => None,
        };
        self.tokens.store_grant(&user, &grant, claim_hash).await?;
        tracing::info!(zoom.account_id = %user.account_id, outcome = outcome.label(), "Zoom App authorized");
        Ok(Ok(Authorized {
            outcome,
            account: user.account_id,
            access_token: grant.access_token,
        }))
    }

    /// Begins the external attempt behind a browser link: Zoom's authorize URL (S256), or
    /// `None` when the link is unknown, expired or was opened before.
    pub async fn begin_external(&self, attempt: &str) -> Result<Option<String>, ServiceError> {
        let state = format!("{EXTERNAL_STATE_PREFIX}{}", random_token(""));
        let verifier = pkce::new_verifier();
        let id_hash = sha256_hex(attempt);
        let session = self.session_of_attempt(&id_hash).await?;
        let Some(session) = session else {
            return Ok(None);
        };
        let sealed = self.keys.seal(&verifier, &session);
        let state_hash = sha256_hex(&state);
        let begun = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::zoom_app::begin_external(
                        &mut db,
                        &id_hash,
                        &state_hash,
                        &sealed,
                        store::now(),
                    )
                    .await
                })
            })
            .await?;
        let redirect_uri = self.config.oauth_redirect_uri();
        Ok(begun.then(|| {
            self.zoom
                .authorize_url(&redirect_uri, &state, &pkce::s256_challenge(&verifier))
        }))
    }

    async fn session_of_attempt(&self, id_hash: &str) -> Result<Option<String>, ServiceError> {
        let id_hash = id_hash.to_owned();
        Ok(self
            .store
            .read(move |mut db| {
                Box::pin(
                    async move { store::zoom_app::session_of_attempt(&mut db, &id_hash).await },
                )
            })
            .await?)
    }

    /// Finishes an external attempt from our OAuth callback (in the system browser): exchange,
    /// store, then a deeplink whose action is the attempt's opaque result id, so the Zoom
    /// client re-opens the app with it as `act` (paced, followed only on Zoom's web origin, as
    /// an install's). Returns where the browser goes and the outcome.
    pub async fn complete_external(
        &self,
        state: &str,
        code: &str,
    ) -> Result<Result<(AppLanding, AuthOutcome), AuthRefused>, ServiceError> {
        let state_hash = sha256_hex(state);
        let found = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let Some(session) =
                        store::zoom_app::session_of_state(&mut db, &state_hash).await?
                    else {
                        return Ok(None);
                    };
                    let user = store::zoom_app::find_session(&mut db, &session, store::now())
                        .await?
                        .map(|s| s.zoom_user_id);
                    Ok(user.map(|u| (session, u)))
                })
            })
            .await?;
        let Some((session, uid)) = found else {
            return Ok(Err(AuthRefused::UnknownAttempt));
        };
        let Some(claimed) = self.consume(state, &session).await? else {
            return Ok(Err(AuthRefused::UnknownAttempt));
        };
        let redirect_uri = self.config.oauth_redirect_uri();
        let authorized = match self.exchange(&claimed, code, &redirect_uri, &uid).await? {
            Ok(done) => done,
            Err(refused) => return Ok(Err(refused)),
        };
        let outcome = authorized.outcome;
        let act = random_token("");
        let (id_hash, act_hash, label) =
            (claimed.id_hash.clone(), sha256_hex(&act), outcome.label());
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    store::zoom_app::record_outcome(&mut db, &id_hash, label, Some(&act_hash)).await
                })
            })
            .await?;
        let action = serde_json::json!({ "attempt": act }).to_string();
        let landing = self
            .install
            .open_app(&authorized.account, &authorized.access_token, &action)
            .await;
        Ok(Ok((landing, outcome)))
    }

    /// The outcome of the external attempt a context's `act` names, if it was started by this
    /// session (once).
    pub async fn finish_act(
        &self,
        session: &AppSession,
        act: &str,
    ) -> Result<Option<String>, ServiceError> {
        let Some(id) = serde_json::from_str::<serde_json::Value>(act)
            .ok()
            .and_then(|v| v["attempt"].as_str().map(str::to_owned))
        else {
            return Ok(None);
        };
        let (act_hash, session_hash) = (sha256_hex(&id), session.session_hash.clone());
        Ok(self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::zoom_app::finish_by_act(&mut db, &act_hash, &session_hash, store::now())
                        .await
                })
            })
            .await?)
    }
}

/// OAuth states of external Zoom App attempts start with this, so the one callback can tell
/// them from the panel's Connect.
pub const EXTERNAL_STATE_PREFIX: &str = "za.";

impl AuthOutcome {
    pub fn label(&self) -> &'static str {
        match self {
            AuthOutcome::Linked => "linked",
            AuthOutcome::Parked { .. } => "parked",
        }
    }
}

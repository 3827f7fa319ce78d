//! Visitor registration: the one visitor action that waits on Zoom.
//!
//! Order of checks: the abuse limits ([`Registrations::admit`], which the HTTP layer runs first
//! on both registration routes so every answer can say how much is left), the honeypot (cheap,
//! before any I/O), the site and meeting as a visitor sees them (hidden = not found), the
//! owner's and Zoom's registration switches, the form against the meeting's questions, an
//! existing registration of the same visitor (answered from the store, no Zoom call), and only
//! then Zoom's registrant API. The row is written only after Zoom accepted, so a Zoom failure
//! leaves nothing behind; a concurrent twin that wins the UNIQUE race is read back and returned.
//! A repeated `Idempotency-Key` never gets here: `s.idempotency()` replays the first answer.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::{StateInformationMiddleware, StateSnapshot};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{NotUntil, Quota, RateLimiter};
use serde_json::{Value, json};

use crate::config::RegistrationLimitConfig;
use crate::domain::cursor::ListKey;
use crate::domain::public::{
    FieldError, MeetingDetail, RegistrantAction, Registration, RegistrationForm,
    RegistrationQuestions, RegistrationStatus, ValidRegistration,
};
use crate::domain::rate_limit::RateLimitState;
use crate::domain::status::MeetingKind;
use crate::domain::{Principal, Scope, TenantId};
pub use crate::store::registration::RegistrationFilter;
use crate::store::{self, Store, StoreError};
use crate::zoom::client::RegistrantStatusChange;
use crate::zoom::models::AddedRegistrant;
use crate::zoom::{ZoomClient, ZoomError};

use super::access::require;
use super::paging::{self, CursorPage};
use super::public::{Public, Seen};
use super::tokens::Tokens;
use super::{ServiceError, Services};

/// Forget idle limiter keys once this many are tracked.
const MAX_TRACKED_KEYS: usize = 50_000;

/// A keyed limiter that reports its state with every decision.
type Limiter<K> =
    RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// Abuse limits of the registration endpoint. In memory, per instance (documented in
/// docs/decisions.md): with N instances a client gets at most N times the limit, which is
/// enough to stop floods; correctness never depends on them.
#[derive(Clone)]
pub struct RegistrationLimits {
    per_ip: Arc<Limiter<IpAddr>>,
    per_site: Arc<Limiter<TenantId>>,
}

impl RegistrationLimits {
    /// Per client address: the minute's worth at once, then evenly spread. Per site: half of
    /// the minute's worth at once.
    pub fn new(limits: &RegistrationLimitConfig) -> Self {
        let per_ip = Quota::per_minute(non_zero(limits.per_ip_per_minute));
        let per_site = Quota::per_minute(non_zero(limits.per_site_per_minute))
            .allow_burst(non_zero(limits.per_site_per_minute / 2));
        Self {
            per_ip: Arc::new(RateLimiter::keyed(per_ip).with_middleware()),
            per_site: Arc::new(RateLimiter::keyed(per_site).with_middleware()),
        }
    }

    fn check_ip(&self, ip: IpAddr) -> Result<RateLimitState, ServiceError> {
        check(&self.per_ip, &ip)
    }

    fn check_site(&self, tenant_id: &TenantId) -> Result<RateLimitState, ServiceError> {
        check(&self.per_site, tenant_id)
    }
}

/// The configuration's ranges keep every limit at 1 or more.
fn non_zero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// Counts one attempt against `key`'s limit: its state after the attempt, or the refusal.
fn check<K: Clone + Eq + std::hash::Hash>(
    limiter: &Limiter<K>,
    key: &K,
) -> Result<RateLimitState, ServiceError> {
    if limiter.len() > MAX_TRACKED_KEYS {
        limiter.retain_recent();
    }
    limiter.check_key(key).map(|s| allowed(&s)).map_err(refused)
}

/// A limit with `remaining` attempts left (the draft's reset: until the whole burst is back).
fn allowed(snapshot: &StateSnapshot) -> RateLimitState {
    let quota = snapshot.quota();
    let remaining = snapshot.remaining_burst_capacity();
    let limit = quota.burst_size().get();
    RateLimitState {
        limit,
        remaining,
        reset: quota.replenish_interval() * limit.saturating_sub(remaining),
    }
}

/// The refusal of an attempt over the limit: wait for the next attempt, and the limit's state.
fn refused(not_until: NotUntil<<DefaultClock as Clock>::Instant>) -> ServiceError {
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    let quota = not_until.quota();
    let limit = quota.burst_size().get();
    ServiceError::TooManyRequests {
        code: "rate_limited",
        message: "Too many registration attempts; please wait a moment and try again.".into(),
        retry_after: wait.max(Duration::from_secs(1)),
        limit: Some(RateLimitState {
            limit,
            remaining: 0,
            reset: wait + quota.replenish_interval() * (limit - 1),
        }),
    }
}

/// A visitor's registration request as the HTTP layer hands it over.
#[derive(Clone, Debug)]
pub struct RegisterRequest {
    pub site: String,
    pub meeting_id: i64,
    pub form: RegistrationForm,
}

/// The visitor's registration and whether this request created it.
#[derive(Clone, Debug)]
pub struct RegisterOutcome {
    pub registration: Registration,
    pub created: bool,
}

/// The code of [`unavailable`].
const UNAVAILABLE: &str = "registration_unavailable";

/// What a visitor is told while the site's Zoom connection cannot serve: the owner's panel
/// and the operator's health view say why, the visitor only that it is temporary.
fn unavailable() -> ServiceError {
    ServiceError::Refused {
        code: UNAVAILABLE,
        message: "Registration is temporarily unavailable. Please try again later.".into(),
    }
}

/// A lost Zoom connection found while registering (Zoom refused the refresh just now) is
/// told to the visitor as [`unavailable`], never in the operator's words.
fn in_visitor_words(err: ServiceError) -> ServiceError {
    match err {
        ServiceError::NotConnected(_) => unavailable(),
        other => other,
    }
}

fn closed() -> ServiceError {
    ServiceError::Refused {
        code: "registration_closed",
        message: "Registration is not open for this meeting.".into(),
    }
}

/// Visitors' registrations: taking them at Zoom, following Zoom's word on them, listing them.
#[derive(Clone, Copy)]
pub struct Registrations<'a> {
    store: &'a Store,
    zoom: &'a ZoomClient,
    tokens: Tokens<'a>,
    public: Public<'a>,
    limits: &'a RegistrationLimits,
}

impl Services {
    /// Visitor registrations (`service/registration.rs`).
    pub fn registrations(&self) -> Registrations<'_> {
        Registrations {
            store: &self.store,
            zoom: &self.zoom,
            tokens: self.tokens(),
            public: self.public(),
            limits: &self.limits,
        }
    }
}

impl Registrations<'_> {
    /// Counts a registration attempt against the abuse limits of the client's address and of
    /// the site (an unknown site has none; registering then answers 404): the state of the
    /// limit closest to running out, or `TooManyRequests`. Runs before [`Self::register`].
    pub async fn admit(
        &self,
        client_ip: Option<IpAddr>,
        site: &str,
    ) -> Result<Option<RateLimitState>, ServiceError> {
        let by_ip = client_ip.map(|ip| self.limits.check_ip(ip)).transpose()?;
        let by_site = match self.public.site(site).await {
            Ok(site) => Some(self.limits.check_site(&site.tenant.id)?),
            Err(ServiceError::NotFound(_)) => None,
            Err(other) => return Err(other),
        };
        Ok(RateLimitState::tightest(by_ip.into_iter().chain(by_site)))
    }

    /// Registers a visitor for a meeting (see the module docs for the order of checks): the
    /// visitor's rules (honeypot, what the site shows, the owner's registration switch), then
    /// [`Self::take`].
    pub async fn register(&self, req: RegisterRequest) -> Result<RegisterOutcome, ServiceError> {
        if !req.form.honeypot.trim().is_empty() {
            // Same words as any other refusal: a bot learns nothing about the trap.
            return Err(ServiceError::Form(FieldError {
                field: "form".into(),
                message: "The registration could not be accepted.".into(),
            }));
        }
        let site = self.public.site(&req.site).await?;
        let detail = self.public.visitor_meeting(&site, req.meeting_id).await?;
        if site.connection_lost {
            crate::telemetry::metrics::registration("unavailable");
            return Err(unavailable());
        }
        let taken = self
            .take(&site.tenant.id, &detail, req.form)
            .await
            .map_err(in_visitor_words);
        crate::telemetry::metrics::registration(match &taken {
            Ok(outcome) if outcome.created => "created",
            Ok(_) => "existing",
            Err(ServiceError::Refused {
                code: UNAVAILABLE, ..
            }) => "unavailable",
            Err(_) => "refused",
        });
        let mut outcome = taken?;
        if !outcome.created {
            // Matched by e-mail alone: whoever typed the address may not own it, so the personal
            // join link is not shown again (Zoom sent it to the address). A retry with the same
            // Idempotency-Key (the same client) still gets it: the first answer is replayed.
            outcome.registration.join_url = None;
        }
        Ok(outcome)
    }

    /// Registers a named person on someone's behalf (scope `registrations:write`): the owner,
    /// or a platform booking a class. No visitor rules (hidden meetings and a closed public
    /// form do not stop it); Zoom's registration switch does. The same person (e-mail) for the
    /// same meeting occurrence again gets the same registration, join link included: the
    /// caller is the site's own.
    pub async fn register_on_behalf(
        &self,
        principal: &Principal,
        meeting_id: i64,
        form: RegistrationForm,
    ) -> Result<RegisterOutcome, ServiceError> {
        require(principal, Scope::RegistrationsWrite)?;
        let tenant_id = principal.tenant_id();
        let detail = self
            .public
            .stored_meeting(tenant_id, meeting_id, Seen::ByOwner)
            .await?;
        self.take(tenant_id, &detail, form).await
    }

    /// The core of registering, shared by visitors and on-behalf callers: open and not over,
    /// the form against the meeting's questions, an existing registration of the same person
    /// (answered from the store, no Zoom call), then Zoom's registrant API and the row.
    async fn take(
        &self,
        tenant_id: &TenantId,
        detail: &MeetingDetail,
        form: RegistrationForm,
    ) -> Result<RegisterOutcome, ServiceError> {
        if !detail.registration_open {
            return Err(closed());
        }
        if detail.has_ended(store::now()) {
            return Err(ServiceError::Refused {
                code: "meeting_ended",
                message: "This meeting has already taken place.".into(),
            });
        }
        let meeting_id = detail.meeting.zoom_meeting_id;
        let questions = match &detail.questions {
            Some(q) => q.clone(),
            None => {
                self.refresh_questions(tenant_id, detail.kind(), meeting_id)
                    .await?
            }
        };
        let valid = form
            .validate(&questions, &detail.occurrences)
            .map_err(ServiceError::Form)?;
        if let Some(existing) = self
            .registration_of_visitor(tenant_id, meeting_id, &valid)
            .await?
        {
            return Ok(RegisterOutcome {
                registration: existing,
                created: false,
            });
        }
        let added = self.add_at_zoom(tenant_id, detail, &valid).await?;
        self.record(tenant_id, meeting_id, valid, added).await
    }

    async fn registration_of_visitor(
        &self,
        tenant_id: &TenantId,
        meeting_id: i64,
        v: &ValidRegistration,
    ) -> Result<Option<Registration>, ServiceError> {
        let (id, occurrence, email) = (tenant_id.clone(), v.occurrence_id.clone(), v.email.clone());
        Ok(self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::registration::find_by_visitor(
                        &mut db,
                        &id,
                        meeting_id,
                        &occurrence,
                        &email,
                    )
                    .await
                })
            })
            .await?)
    }

    async fn add_at_zoom(
        &self,
        tenant_id: &TenantId,
        detail: &MeetingDetail,
        v: &ValidRegistration,
    ) -> Result<AddedRegistrant, ServiceError> {
        let body = registrant_body(v);
        let (zoom, kind, meeting_id, occurrence) = (
            &self.zoom,
            detail.kind(),
            detail.meeting.zoom_meeting_id,
            v.occurrence_id.as_str(),
        );
        self.tokens
            .with_zoom_token(tenant_id, |token| {
                let body = &body;
                async move {
                    match zoom
                        .add_registrant(&token, kind, meeting_id, occurrence, body)
                        .await
                    {
                        Ok(added) => Ok(Ok(added)),
                        Err(e) => match zoom_refusal(&e) {
                            Some(refusal) => Ok(Err(refusal)),
                            None => Err(e),
                        },
                    }
                }
            })
            .await?
    }

    async fn record(
        &self,
        tenant_id: &TenantId,
        meeting_id: i64,
        v: ValidRegistration,
        added: AddedRegistrant,
    ) -> Result<RegisterOutcome, ServiceError> {
        let status = match added.join_url {
            Some(_) => RegistrationStatus::Approved,
            None => RegistrationStatus::Pending,
        };
        let registration = Registration {
            id: uuid::Uuid::now_v7().to_string(),
            zoom_meeting_id: meeting_id,
            occurrence_id: v.occurrence_id.clone(),
            email: v.email.clone(),
            first_name: v.first_name.clone(),
            last_name: v.last_name.clone(),
            zoom_registrant_id: added.registrant_id,
            status,
            join_url: added.join_url,
            created_at: store::now(),
        };
        let (id, row) = (tenant_id.clone(), registration.clone());
        let inserted = self
            .store
            .write(move |mut db| {
                Box::pin(async move { store::registration::insert(&mut db, &id, &row).await })
            })
            .await;
        match inserted {
            Ok(()) => {
                tracing::info!(tenant.id = %tenant_id, zoom.meeting_id = meeting_id, registration.status = status.as_str(), "visitor registered");
                Ok(RegisterOutcome {
                    registration,
                    created: true,
                })
            }
            // A concurrent request of the same visitor stored first: answer with it.
            Err(StoreError::Conflict(_)) => {
                let existing = self
                    .registration_of_visitor(tenant_id, meeting_id, &v)
                    .await?
                    .ok_or_else(|| {
                        ServiceError::Conflict("registration changed concurrently; retry".into())
                    })?;
                Ok(RegisterOutcome {
                    registration: existing,
                    created: false,
                })
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Fetches a meeting's registration questions from Zoom and stores them (bumping the
    /// site's content version so pages show them). Called lazily by the public face; the sync
    /// engine may call it for meetings with registration on.
    pub async fn refresh_questions(
        &self,
        tenant_id: &TenantId,
        kind: MeetingKind,
        meeting_id: i64,
    ) -> Result<RegistrationQuestions, ServiceError> {
        let zoom = self.zoom;
        let questions = self
            .tokens
            .with_zoom_token(tenant_id, |token| async move {
                zoom.registration_questions(&token, kind, meeting_id).await
            })
            .await?;
        self.store_questions(tenant_id, meeting_id, &questions)
            .await?;
        Ok(questions)
    }

    /// Stores a meeting's registration questions as Zoom has them (bumping the site's
    /// content version so pages show them).
    pub(crate) async fn store_questions(
        &self,
        tenant_id: &TenantId,
        meeting_id: i64,
        questions: &RegistrationQuestions,
    ) -> Result<(), ServiceError> {
        let (id, stored) = (tenant_id.clone(), questions.clone());
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    store::public::put_questions(&mut db, &id, meeting_id, &stored, store::now())
                        .await?;
                    store::tenant::bump_content_version(&mut db, &id).await
                })
            })
            .await?;
        Ok(())
    }

    /// Applies Zoom's word on a registration (`meeting.registration_*` webhooks). Only
    /// registrations Marquee took are touched (returns `false` otherwise, without calling Zoom).
    /// Zoom's approval events carry no join link (docs/zoom.md §2.6), so on approval without
    /// `join_url` the visitor's personal link is fetched from Zoom.
    pub async fn status_changed(
        &self,
        tenant_id: &TenantId,
        meeting_id: i64,
        zoom_registrant_id: &str,
        status: RegistrationStatus,
        join_url: Option<&str>,
    ) -> Result<bool, ServiceError> {
        let fetched;
        let join_url = match join_url {
            Some(url) => Some(url),
            None if status == RegistrationStatus::Approved => {
                // Only for registrations Marquee took, and before writing, so the visitor never
                // sees "approved" without their link.
                if !self
                    .is_our_registrant(tenant_id, meeting_id, zoom_registrant_id)
                    .await?
                {
                    return Ok(false);
                }
                let (zoom, kind) = (self.zoom, self.kind_of(tenant_id, meeting_id).await?);
                fetched = self
                    .tokens
                    .with_zoom_token(tenant_id, |token| async move {
                        zoom.get_registrant(&token, kind, meeting_id, zoom_registrant_id)
                            .await
                    })
                    .await?
                    .join_url;
                fetched.as_deref()
            }
            None => None,
        };
        self.store_registration_status(tenant_id, meeting_id, zoom_registrant_id, status, join_url)
            .await
    }

    /// Whether `meeting_id` is one of the tenant's meetings or webinars (their registrants are
    /// under Zoom's `/meetings/…` or `/webinars/…`); a meeting unless stored as a webinar.
    async fn kind_of(
        &self,
        tenant_id: &TenantId,
        meeting_id: i64,
    ) -> Result<MeetingKind, ServiceError> {
        let id = tenant_id.clone();
        let found = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::meeting::find_any(&mut db, &id, meeting_id).await })
            })
            .await?;
        Ok(found.map_or(MeetingKind::Meeting, |(_, kind, _)| kind))
    }

    async fn is_our_registrant(
        &self,
        tenant_id: &TenantId,
        meeting_id: i64,
        zoom_registrant_id: &str,
    ) -> Result<bool, ServiceError> {
        let (id, rid) = (tenant_id.clone(), zoom_registrant_id.to_owned());
        Ok(self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::registration::exists_for_registrant(&mut db, &id, meeting_id, &rid).await
                })
            })
            .await?)
    }

    async fn store_registration_status(
        &self,
        tenant_id: &TenantId,
        meeting_id: i64,
        zoom_registrant_id: &str,
        status: RegistrationStatus,
        join_url: Option<&str>,
    ) -> Result<bool, ServiceError> {
        let (id, rid, url) = (
            tenant_id.clone(),
            zoom_registrant_id.to_owned(),
            join_url.map(str::to_owned),
        );
        Ok(self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    store::registration::update_status(
                        &mut db,
                        &id,
                        meeting_id,
                        &rid,
                        status,
                        url.as_deref(),
                        now,
                    )
                    .await
                })
            })
            .await?)
    }

    /// The site's registrations for the owner, newest first (scope `registrations:read`): at
    /// most `limit` after the cursor `after`, all or as `filter` says.
    pub async fn list(
        &self,
        principal: &Principal,
        filter: RegistrationFilter,
        after: Option<&str>,
        limit: i64,
    ) -> Result<CursorPage<Registration>, ServiceError> {
        require(principal, Scope::RegistrationsRead)?;
        let after = paging::parse_timed_after(after)?;
        let limit = paging::clamp_limit(limit);
        let id = principal.tenant_id().clone();
        let (items, more) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::registration::list(&mut db, &id, filter, after, limit).await
                })
            })
            .await?;
        Ok(paging::page_of(items, more, |r| {
            ListKey::new(Some(r.created_at), r.id.clone())
        }))
    }

    /// Approves, denies or cancels registration `registration_id` of meeting `meeting_id`
    /// (scope `registrations:write`): carried out at Zoom first (`PUT …/registrants/status`,
    /// for the registration's occurrence), then stored as Zoom's webhook would store it, so
    /// Zoom's later notice changes nothing. Already in the action's outcome: answered as it is,
    /// without a Zoom call. An action that does not apply (approving a cancelled one), or that
    /// Zoom refuses, is 409 `status_change_refused`; Zoom down is 503 and nothing changes.
    pub async fn change_status(
        &self,
        principal: &Principal,
        meeting_id: i64,
        registration_id: &str,
        action: RegistrantAction,
    ) -> Result<Registration, ServiceError> {
        require(principal, Scope::RegistrationsWrite)?;
        let tenant_id = principal.tenant_id();
        let found = self.find(tenant_id, meeting_id, registration_id).await?;
        if found.status == action.outcome() {
            return Ok(found);
        }
        if !action.applies_to(found.status) {
            return Err(status_change_refused(action, found.status));
        }
        self.act_at_zoom(tenant_id, &found, action).await?;
        self.status_changed(
            tenant_id,
            meeting_id,
            &found.zoom_registrant_id,
            action.outcome(),
            None,
        )
        .await?;
        let changed = self.find(tenant_id, meeting_id, registration_id).await?;
        tracing::info!(tenant.id = %tenant_id, zoom.meeting_id = meeting_id, registration.status = changed.status.as_str(), "registration status changed by the owner");
        Ok(changed)
    }

    /// The tenant's registration `registration_id` of meeting `meeting_id`, or `NotFound`.
    async fn find(
        &self,
        tenant_id: &TenantId,
        meeting_id: i64,
        registration_id: &str,
    ) -> Result<Registration, ServiceError> {
        let (id, rid) = (tenant_id.clone(), registration_id.to_owned());
        self.store
            .read(move |mut db| {
                Box::pin(async move { store::registration::find(&mut db, &id, &rid).await })
            })
            .await?
            .filter(|r| r.zoom_meeting_id == meeting_id)
            .ok_or(ServiceError::NotFound("registration"))
    }

    async fn act_at_zoom(
        &self,
        tenant_id: &TenantId,
        r: &Registration,
        action: RegistrantAction,
    ) -> Result<(), ServiceError> {
        let zoom = self.zoom;
        let occurrence = Some(r.occurrence_id.as_str()).filter(|o| !o.is_empty());
        let change = RegistrantStatusChange {
            kind: self.kind_of(tenant_id, r.zoom_meeting_id).await?,
            meeting_id: r.zoom_meeting_id,
            occurrence_id: occurrence,
            registrant_id: &r.zoom_registrant_id,
            action: action.as_str(),
        };
        self.tokens
            .with_zoom_token(tenant_id, |token| async move {
                match zoom.update_registrant_status(&token, change).await {
                    Ok(()) => Ok(Ok(())),
                    // 4711: the grant lacks the scope; the owner's Zoom app must add it (a 502).
                    Err(ZoomError::Api { status, code, .. }) if status < 500 && code != 4711 => {
                        Ok(Err(status_change_refused(action, r.status)))
                    }
                    Err(e) => Err(e),
                }
            })
            .await?
    }
}

/// The refusal of an action that does not apply to a registration's status (or that Zoom
/// refused).
fn status_change_refused(action: RegistrantAction, status: RegistrationStatus) -> ServiceError {
    ServiceError::Refused {
        code: "status_change_refused",
        message: format!("This registration is {status}: `{action}` does not apply to it."),
    }
}

/// Zoom's add-registrant body: names, e-mail, the standard fields and custom answers.
fn registrant_body(v: &ValidRegistration) -> Value {
    let mut body = json!({
        "email": v.email,
        "first_name": v.first_name,
        "last_name": v.last_name,
    });
    for (field, value) in &v.fields {
        body[field] = json!(value);
    }
    if !v.answers.is_empty() {
        body["custom_questions"] = v
            .answers
            .iter()
            .map(|(title, value)| json!({"title": title, "value": value}))
            .collect();
    }
    body
}

/// Zoom answers that mean "no" for a reason the visitor should read (docs/zoom.md §4.4, §5.2);
/// everything else stays a Zoom error (5xx and 429 → 503 with `Retry-After`).
fn zoom_refusal(err: &ZoomError) -> Option<ServiceError> {
    match err {
        // The per-registrant limit may come without X-RateLimit-Type; its message says "daily".
        ZoomError::RateLimited {
            retry_after,
            daily,
            message,
            ..
        } if *daily || message.contains("daily") => Some(ServiceError::TooManyRequests {
            code: "daily_limit",
            message:
                "Zoom limits how often one address can register per day; please try again tomorrow."
                    .into(),
            retry_after: retry_after.unwrap_or(Duration::from_secs(3600)),
            limit: None,
        }),
        ZoomError::Api { code: 3043, .. } => Some(ServiceError::Refused {
            code: "meeting_full",
            message: "This meeting is full.".into(),
        }),
        // 404 in the body: registration disabled; 3000: a webinar without registration.
        ZoomError::Api {
            code: 404 | 3000, ..
        } => Some(closed()),
        ZoomError::Api { code: 3001, .. } => Some(ServiceError::NotFound("meeting")),
        ZoomError::Api { code: 300, .. } => Some(ServiceError::Form(FieldError {
            field: "form".into(),
            message: "Zoom did not accept these answers; please check them.".into(),
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64) -> ZoomError {
        ZoomError::Api {
            status: 400,
            code,
            message: "x".into(),
        }
    }

    #[test]
    fn limits_say_what_is_left_and_when_the_burst_is_back() {
        let quota = Quota::per_minute(NonZeroU32::new(2).expect("non-zero"));
        let limiter: Limiter<u8> = RateLimiter::keyed(quota).with_middleware();
        let first = check(&limiter, &1).unwrap();
        assert_eq!(
            (first.limit, first.remaining, first.reset_secs()),
            (2, 1, 30)
        );
        let second = check(&limiter, &1).unwrap();
        assert_eq!((second.remaining, second.reset_secs()), (0, 60));
        let refused = check(&limiter, &1).unwrap_err();
        let state = refused.rate_limit().expect("the limit's state");
        assert_eq!(
            (state.limit, state.remaining, state.reset_secs()),
            (2, 0, 60)
        );
        assert!(matches!(
            refused,
            ServiceError::TooManyRequests { retry_after, .. } if retry_after <= Duration::from_secs(30)
        ));
        assert_eq!(check(&limiter, &2).unwrap().remaining, 1, "keys are apart");
    }

    #[test]
    fn zoom_refusals_become_visitor_messages() {
        let code = |e: &ZoomError| match zoom_refusal(e) {
            Some(
                ServiceError::Refused { code, .. } | ServiceError::TooManyRequests { code, .. },
            ) => code,
            Some(ServiceError::NotFound(_)) => "not_found",
            Some(ServiceError::Form(_)) => "form",
            _ => "passed on",
        };
        assert_eq!(code(&api(3043)), "meeting_full");
        assert_eq!(code(&api(404)), "registration_closed");
        assert_eq!(code(&api(3000)), "registration_closed");
        assert_eq!(code(&api(3001)), "not_found");
        assert_eq!(code(&api(300)), "form");
        let daily = ZoomError::RateLimited {
            retry_after: None,
            daily: false,
            limit: None,
            message: "You have exceeded the daily rate limit of \"3\"".into(),
        };
        assert_eq!(code(&daily), "daily_limit");
        let qps = ZoomError::RateLimited {
            retry_after: Some(Duration::from_secs(1)),
            daily: false,
            limit: Some(30),
            message: "Too many requests".into(),
        };
        assert_eq!(code(&qps), "passed on", "QPS limits are a 503");
        assert_eq!(code(&ZoomError::Unavailable("down".into())), "passed on");
    }
}

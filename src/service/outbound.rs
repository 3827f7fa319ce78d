//! Outbound events (docs/events.md): the platform's endpoints, their delivery log, test-send
//! and replay. The events themselves are written by the store, in the transaction of the
//! change they report (`store::outbox::emit`); `delivery.rs` signs and sends them.

use chrono::{NaiveDateTime, TimeDelta};
use zeroize::Zeroizing;

use crate::config::EventsConfig;
use crate::crypto::{KeyRing, random_token};
use crate::domain::cursor::ListKey;
use crate::domain::event::{
    DeliveryStatus, EventType, MAX_ENDPOINT_EVENTS, MAX_REPLAY_IDS, UrlRefusal, check_url_shape,
};
use crate::domain::{Principal, Scope, Slug, TenantId};
use crate::store::outbox::{EndpointScope, LoggedDelivery, ReplaySelection, StoredEndpoint};
use crate::store::{self, Store};

use super::access::require;
use super::paging::{self, CursorPage};
use super::{ServiceError, Services};

pub mod delivery;

pub use delivery::EventClient;

/// How long the secret before a rotation keeps signing beside the new one.
pub const ROTATION_GRACE: TimeDelta = TimeDelta::hours(24);
/// Outbox events older than this are pruned once no delivery of theirs is pending.
pub const OUTBOX_RETENTION: TimeDelta = TimeDelta::days(30);

/// An endpoint as its owner sees it (never its secret).
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub events: Vec<EventType>,
    /// The one site whose events it gets (its slug); `None`: every site's.
    pub site: Option<String>,
    pub created_at: NaiveDateTime,
    /// Until when the secret before the last rotation still signs too.
    pub previous_secret_until: Option<NaiveDateTime>,
}

/// An endpoint with its signing secret, shown this once (on create and rotate).
pub struct EndpointWithSecret {
    pub endpoint: Endpoint,
    pub secret: String,
}

/// Who manages endpoints: the hosting platform (every endpoint, every site), or a site
/// builder or owner through the admin API (only the endpoints that site registered itself,
/// with `events:read` / `events:write`).
#[derive(Clone, Copy)]
pub enum Caller<'a> {
    Platform,
    Site(&'a Principal),
}

impl Caller<'_> {
    /// Which endpoints this caller may see, once it holds `scope` (a site caller's).
    fn scope(&self, scope: Scope) -> Result<EndpointScope, ServiceError> {
        match self {
            Caller::Platform => Ok(EndpointScope::Platform),
            Caller::Site(principal) => {
                require(principal, scope)?;
                Ok(EndpointScope::Site(principal.tenant_id().clone()))
            }
        }
    }
}

/// What the caller asks to register. A site caller's `site` is its own, whatever this says
/// (the admin API has no such field).
pub struct NewEndpoint {
    pub url: String,
    pub events: Vec<String>,
    pub site: Option<String>,
}

/// One event's delivery to an endpoint, as the delivery log shows it.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl From<LoggedDelivery> for Delivery {
    fn from((d, event_type): LoggedDelivery) -> Self {
        Self {
            next_attempt_at: (d.status == DeliveryStatus::Pending).then_some(d.next_attempt_at),
            id: d.id,
            event_id: d.event_id,
            event_type,
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
        }
    }
}

/// Which past events to send again: those named by `ids`, those created from `from`
/// (inclusive) to `to` (exclusive, RFC 3339 times), or, with both, the named ones in the window.
#[derive(Default)]
pub struct Replay {
    pub ids: Option<Vec<String>>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Replay {
    fn selection(self) -> Result<ReplaySelection, ServiceError> {
        if let Some(ids) = &self.ids
            && (ids.is_empty() || ids.len() > MAX_REPLAY_IDS)
        {
            return Err(ServiceError::invalid(
                "event_ids",
                format!("name 1 to {MAX_REPLAY_IDS} event ids"),
            ));
        }
        let range = match (self.from.as_deref(), self.to.as_deref()) {
            (Some(from), Some(to)) => {
                let (from, to) = (time("from", from)?, time("to", to)?);
                if from >= to {
                    return Err(ServiceError::invalid("to", "must be later than `from`"));
                }
                Some((from, to))
            }
            (None, None) => None,
            (Some(_), None) => return Err(ServiceError::invalid("to", "give `to` with `from`")),
            (None, Some(_)) => return Err(ServiceError::invalid("from", "give `from` with `to`")),
        };
        if self.ids.is_none() && range.is_none() {
            return Err(ServiceError::invalid(
                "event_ids",
                "give event_ids, or from and to",
            ));
        }
        Ok(ReplaySelection {
            ids: self.ids,
            range,
        })
    }
}

/// An RFC 3339 time, e.g. `2026-12-01T09:00:00Z`, as UTC.
fn time(field: &'static str, text: &str) -> Result<NaiveDateTime, ServiceError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .map_err(|_| ServiceError::invalid(field, "is not an RFC 3339 time"))
}

/// The platform's event endpoints.
#[derive(Clone, Copy)]
pub struct Outbound<'a> {
    store: &'a Store,
    keys: &'a KeyRing,
    config: &'a EventsConfig,
    client: &'a EventClient,
}

impl Services {
    /// Outbound events: endpoints, delivery log, test-send, replay (`service/outbound.rs`).
    pub fn outbound(&self) -> Outbound<'_> {
        Outbound {
            store: &self.store,
            keys: &self.keys,
            config: &self.config.events,
            client: &self.event_client,
        }
    }
}

impl Outbound<'_> {
    /// Registers an endpoint; its secret is sealed at rest and returned this once.
    pub async fn create(
        &self,
        caller: Caller<'_>,
        new: NewEndpoint,
    ) -> Result<EndpointWithSecret, ServiceError> {
        let scope = caller.scope(Scope::EventsWrite)?;
        let events = parse_events(&new.events)?;
        check_endpoint_url(&new.url, self.config.allow_private_urls).await?;
        let tenant_id = match (&scope, &new.site) {
            (EndpointScope::Site(own), _) => Some(own.clone()),
            (EndpointScope::Platform, Some(slug)) => Some(self.site_id(slug).await?),
            (EndpointScope::Platform, None) => None,
        };
        let id = uuid::Uuid::now_v7().to_string();
        let secret = Zeroizing::new(random_token("whsec_"));
        let sealed = self.keys.seal(&secret, &id);
        let row = StoredEndpoint {
            id,
            tenant_id: tenant_id.map(|t| t.as_str().to_owned()),
            url: new.url,
            events: events
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            secret_sealed: sealed.ciphertext,
            key_id: sealed.key_id,
            previous_secret_sealed: None,
            previous_key_id: None,
            previous_secret_until: None,
            created_at: store::now(),
            site_owned: matches!(scope, EndpointScope::Site(_)),
        };
        let stored = row.clone();
        self.store
            .write(move |mut db| {
                Box::pin(async move { store::outbox::insert_endpoint(&mut db, row).await })
            })
            .await?;
        Ok(EndpointWithSecret {
            endpoint: self.describe(stored).await?,
            secret: secret.to_string(),
        })
    }

    /// One page of endpoints, oldest first.
    pub async fn list(
        &self,
        caller: Caller<'_>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<CursorPage<Endpoint>, ServiceError> {
        let scope = caller.scope(Scope::EventsRead)?;
        let after = paging::parse_timed_after(after)?;
        let limit = paging::clamp_limit(limit);
        let (rows, more) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::outbox::list_endpoints(&mut db, &scope, after, limit).await
                })
            })
            .await?;
        let mut endpoints = Vec::with_capacity(rows.len());
        for row in rows {
            endpoints.push(self.describe(row).await?);
        }
        Ok(paging::page_of(endpoints, more, |e| {
            ListKey::new(Some(e.created_at), e.id.clone())
        }))
    }

    pub async fn get(&self, caller: Caller<'_>, id: &str) -> Result<Endpoint, ServiceError> {
        let row = self.find(caller.scope(Scope::EventsRead)?, id).await?;
        self.describe(row).await
    }

    /// Deletes the endpoint and its delivery log; nothing more is sent to it.
    pub async fn delete(&self, caller: Caller<'_>, id: &str) -> Result<(), ServiceError> {
        let scope = caller.scope(Scope::EventsWrite)?;
        let id = id.to_owned();
        let deleted = self
            .store
            .write(move |mut db| {
                Box::pin(async move { store::outbox::delete_endpoint(&mut db, &scope, &id).await })
            })
            .await?;
        deleted
            .then_some(())
            .ok_or(ServiceError::NotFound("event endpoint"))
    }

    /// A new signing secret, returned this once. The previous one keeps signing beside it
    /// (a second `v1` in the signature header) for [`ROTATION_GRACE`], so the receiver can
    /// switch without losing deliveries.
    pub async fn rotate_secret(
        &self,
        caller: Caller<'_>,
        id: &str,
    ) -> Result<EndpointWithSecret, ServiceError> {
        let endpoint = self.find(caller.scope(Scope::EventsWrite)?, id).await?;
        let secret = Zeroizing::new(random_token("whsec_"));
        let sealed = self.keys.seal(&secret, &endpoint.id);
        let until = store::now() + ROTATION_GRACE;
        let row = endpoint.clone();
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    store::outbox::rotate_secret(&mut db, &row, &sealed, until).await
                })
            })
            .await?;
        let mut shown = self.describe(endpoint).await?;
        shown.previous_secret_until = Some(until);
        Ok(EndpointWithSecret {
            endpoint: shown,
            secret: secret.to_string(),
        })
    }

    /// The endpoint's delivery log, newest event first.
    pub async fn deliveries(
        &self,
        caller: Caller<'_>,
        id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<CursorPage<Delivery>, ServiceError> {
        let endpoint = self.find(caller.scope(Scope::EventsRead)?, id).await?;
        let after = paging::parse_timed_after(after)?;
        let limit = paging::clamp_limit(limit);
        let (rows, more) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::outbox::list_deliveries(&mut db, &endpoint.id, after, limit).await
                })
            })
            .await?;
        let deliveries: Vec<Delivery> = rows.into_iter().map(Delivery::from).collect();
        Ok(paging::page_of(deliveries, more, |d| {
            ListKey::new(Some(d.created_at), d.event_id.clone())
        }))
    }

    /// Sends a `ping` to the endpoint now and answers how that went (a failed ping is retried
    /// like any delivery).
    pub async fn test(&self, caller: Caller<'_>, id: &str) -> Result<Delivery, ServiceError> {
        let endpoint = self.find(caller.scope(Scope::EventsWrite)?, id).await?;
        let lease = store::now() + delivery::lease_for(self.config);
        let row = endpoint.clone();
        // Queued and leased in one transaction: no worker takes it before this request does.
        let due = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let delivery_id = store::outbox::emit_ping(&mut db, &row, now).await?;
                    store::outbox::take_lease(&mut db, &delivery_id, now, lease).await
                })
            })
            .await?
            .ok_or(ServiceError::NotFound("event delivery"))?;
        let delivery_id = due.delivery_id.clone();
        self.sender().attempt(due).await?;
        let endpoint_id = endpoint.id;
        self.store
            .read(move |mut db| {
                Box::pin(async move {
                    store::outbox::find_delivery(&mut db, &endpoint_id, &delivery_id).await
                })
            })
            .await?
            .map(Delivery::from)
            .ok_or(ServiceError::NotFound("event delivery"))
    }

    /// Queues the selected past events for the endpoint again (those it subscribes to and may
    /// see), in their original order. Returns how many were queued.
    pub async fn replay(
        &self,
        caller: Caller<'_>,
        id: &str,
        replay: Replay,
    ) -> Result<usize, ServiceError> {
        let scope = caller.scope(Scope::EventsWrite)?;
        let selection = replay.selection()?;
        let endpoint = self.find(scope, id).await?;
        Ok(self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::outbox::replay(&mut db, &endpoint, &selection, store::now()).await
                })
            })
            .await?)
    }

    /// The signer and sender of deliveries (`outbound/delivery.rs`).
    pub(crate) fn sender(&self) -> delivery::Sender<'_> {
        delivery::Sender {
            store: self.store,
            keys: self.keys,
            config: self.config,
            client: self.client,
        }
    }

    async fn find(&self, scope: EndpointScope, id: &str) -> Result<StoredEndpoint, ServiceError> {
        let id = id.to_owned();
        self.store
            .read(move |mut db| {
                Box::pin(async move { store::outbox::find_endpoint(&mut db, &scope, &id).await })
            })
            .await?
            .ok_or(ServiceError::NotFound("event endpoint"))
    }

    async fn site_id(&self, slug: &str) -> Result<TenantId, ServiceError> {
        let unknown = || ServiceError::invalid("site", "no site has this slug");
        Slug::parse(slug).map_err(|_| unknown())?;
        let slug = slug.to_owned();
        self.store
            .read(move |mut db| {
                Box::pin(async move { store::tenant::find_by_slug(&mut db, &slug).await })
            })
            .await?
            .map(|t| t.id)
            .ok_or_else(unknown)
    }

    async fn describe(&self, row: StoredEndpoint) -> Result<Endpoint, ServiceError> {
        let site = match row.tenant_id.clone() {
            Some(id) => {
                let id = TenantId::from_stored(id);
                self.store
                    .read(move |mut db| {
                        Box::pin(async move { store::tenant::find_by_id(&mut db, &id).await })
                    })
                    .await?
                    .map(|t| t.slug.to_string())
            }
            None => None,
        };
        Ok(Endpoint {
            events: row.events.split(' ').filter_map(EventType::parse).collect(),
            id: row.id,
            url: row.url,
            site,
            created_at: row.created_at,
            previous_secret_until: row
                .previous_secret_until
                .filter(|until| *until > store::now()),
        })
    }
}

/// The subscribed types: at least one, each known, `ping` not among them (every endpoint gets
/// its test pings), duplicates dropped.
fn parse_events(names: &[String]) -> Result<Vec<EventType>, ServiceError> {
    let mut events = Vec::new();
    for name in names {
        let event = EventType::parse(name)
            .filter(|e| *e != EventType::Ping)
            .ok_or_else(|| {
                ServiceError::invalid("events", format!("{name:?} is not an event type"))
            })?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    if events.is_empty() || events.len() > MAX_ENDPOINT_EVENTS {
        return Err(ServiceError::invalid(
            "events",
            "name at least one event type",
        ));
    }
    Ok(events)
}

/// Refuses a URL the deliveries could not go to: not `https`, or a host that is or resolves
/// to a private, loopback or link-local address (both allowed with
/// `MARQUEE_EVENTS_ALLOW_PRIVATE_URLS`). Every delivery checks the addresses again.
async fn check_endpoint_url(raw: &str, allow_private: bool) -> Result<(), ServiceError> {
    let refused = |e: UrlRefusal| ServiceError::invalid("url", e.to_string());
    let url = check_url_shape(raw, allow_private).map_err(refused)?;
    if allow_private {
        return Ok(());
    }
    delivery::resolve_allowed(&url, allow_private)
        .await
        .map(|_| ())
        .map_err(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_known_types_without_ping() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_events(&names(&["meeting.created", "meeting.created"])).unwrap(),
            vec![EventType::MeetingCreated]
        );
        assert!(parse_events(&names(&["ping"])).is_err());
        assert!(parse_events(&names(&["meeting.exploded"])).is_err());
        assert!(parse_events(&[]).is_err());
    }

    #[tokio::test]
    async fn private_and_plain_http_urls_are_refused_in_production() {
        for url in [
            "http://hooks.example/in",
            "https://127.0.0.1/in",
            "https://10.0.0.8/in",
            "https://[::1]/in",
            "https://169.254.169.254/latest",
            "https://localhost/in",
        ] {
            let err = check_endpoint_url(url, false).await.unwrap_err();
            assert!(
                matches!(&err, ServiceError::Invalid { field, .. } if field == "url"),
                "{url}: {err}"
            );
        }
        assert!(
            check_endpoint_url("http://127.0.0.1:9/in", true)
                .await
                .is_ok()
        );
    }
}

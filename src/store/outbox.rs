//! Outbound events (docs/events.md): the platform's endpoints, the outbox and each event's
//! delivery to each endpoint.
//!
//! [`emit`] is called inside the transaction of the change it reports, so an event exists
//! exactly when its change committed. It numbers the site's events (`event_sequences`), stores
//! the body that will be signed and sent, and queues one delivery per endpoint that wants it.
//! Deliveries of one site to one endpoint go out in `seq` order: only the lowest pending one
//! of its group is ever due ([`due`]); a worker takes it with a lease row ([`take_lease`]),
//! which works alike on both backends and with several instances.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use super::schema::{event_deliveries, event_endpoints, event_sequences, outbox_events, tenants};
use super::{Db, StoreError, with_db};
use crate::crypto::Sealed;
use crate::domain::TenantId;
use crate::domain::event::{DeliveryStatus, EventType};

/// An endpoint row. The secret stays sealed here; only the events service opens it.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = event_endpoints)]
pub struct StoredEndpoint {
    pub id: String,
    /// The one site whose events it gets; `None`: every site's.
    pub tenant_id: Option<String>,
    pub url: String,
    /// Space-separated event types.
    pub events: String,
    pub secret_sealed: String,
    pub key_id: String,
    pub previous_secret_sealed: Option<String>,
    pub previous_key_id: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// Registered by the site itself (a tenant key or the owner), not by the platform.
    pub site_owned: bool,
}

impl StoredEndpoint {
    pub fn secret(&self) -> Sealed {
        Sealed {
            key_id: self.key_id.clone(),
            ciphertext: self.secret_sealed.clone(),
        }
    }

    /// The secret before the last rotation, while it still signs (until `previous_secret_until`).
    pub fn previous_secret(&self, now: NaiveDateTime) -> Option<Sealed> {
        let live = self.previous_secret_until.is_some_and(|until| until > now);
        match (&self.previous_secret_sealed, &self.previous_key_id) {
            (Some(ciphertext), Some(key_id)) if live => Some(Sealed {
                key_id: key_id.clone(),
                ciphertext: ciphertext.clone(),
            }),
            _ => None,
        }
    }

    pub fn wants(&self, event_type: EventType) -> bool {
        self.events.split(' ').any(|e| e == event_type.as_str())
    }
}

/// One event's delivery to one endpoint, as the delivery log shows it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = event_deliveries)]
pub struct StoredDelivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub seq: i64,
    #[diesel(deserialize_as = String)]
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// An outbox row: the exact body that is signed and sent.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = outbox_events)]
pub struct StoredEvent {
    pub id: String,
    pub tenant_id: Option<String>,
    pub seq: i64,
    pub event_type: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// A delivery row with its event's type, for the delivery log.
pub type LoggedDelivery = (StoredDelivery, String);

/// Who may see an endpoint: the platform sees every endpoint; a site only those it registered
/// itself (never the platform's, not even one the platform limited to that site).
#[derive(Clone, Debug)]
pub enum EndpointScope {
    Platform,
    Site(TenantId),
}

/// Records `event_type` about the site with its `data` in the outbox and queues its delivery
/// to every endpoint that wants it. Call it inside the transaction of the change it reports.
/// Returns the event id.
pub async fn emit(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    event_type: EventType,
    data: Value,
    now: NaiveDateTime,
) -> Result<String, StoreError> {
    let seq = next_seq(db, tenant_id).await?;
    let slug: String = with_db!(db, |c| tenants::table
        .find(tenant_id.as_str())
        .select(tenants::slug)
        .first(c)
        .await)?;
    let id = uuid::Uuid::now_v7().to_string();
    let body = event_body(&id, event_type, Some(&slug), now, data);
    insert_event(
        db,
        &id,
        Some(tenant_id.as_str()),
        seq,
        event_type,
        &body,
        now,
    )
    .await?;
    let endpoints = endpoints_for(db, tenant_id).await?;
    for endpoint in endpoints.iter().filter(|e| e.wants(event_type)) {
        queue(db, &endpoint.id, &id, tenant_id.as_str(), seq, now).await?;
    }
    Ok(id)
}

/// A `ping` to one endpoint, outside any site's order. Returns the delivery id.
pub async fn emit_ping(
    db: &mut Db<'_>,
    endpoint: &StoredEndpoint,
    now: NaiveDateTime,
) -> Result<String, StoreError> {
    let slug: Option<String> = match &endpoint.tenant_id {
        Some(tid) => Some(with_db!(db, |c| tenants::table
            .find(tid.as_str())
            .select(tenants::slug)
            .first(c)
            .await)?),
        None => None,
    };
    let id = uuid::Uuid::now_v7().to_string();
    let data = json!({"endpoint_id": endpoint.id});
    let body = event_body(&id, EventType::Ping, slug.as_deref(), now, data);
    let tenant = endpoint.tenant_id.as_deref();
    insert_event(db, &id, tenant, 0, EventType::Ping, &body, now).await?;
    queue(db, &endpoint.id, &id, &id, 0, now).await
}

/// The JSON body of an event (docs/events.md "Body"). Serialized once, stored, signed as is.
fn event_body(
    id: &str,
    event_type: EventType,
    site: Option<&str>,
    created: NaiveDateTime,
    data: Value,
) -> String {
    json!({
        "id": id,
        "type": event_type.as_str(),
        "site": site,
        "created": created.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": data,
    })
    .to_string()
}

/// The next number of the site's events. The upsert locks the site's counter row until the
/// transaction ends, so numbers follow commit order (SQLite has one writer anyway).
async fn next_seq(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<i64, StoreError> {
    with_db!(db, |c| diesel::insert_into(event_sequences::table)
        .values((
            event_sequences::tenant_id.eq(tenant_id.as_str()),
            event_sequences::last_seq.eq(1_i64),
        ))
        .on_conflict(event_sequences::tenant_id)
        .do_update()
        .set(event_sequences::last_seq.eq(event_sequences::last_seq + 1_i64))
        .execute(c)
        .await)?;
    Ok(with_db!(db, |c| event_sequences::table
        .find(tenant_id.as_str())
        .select(event_sequences::last_seq)
        .first(c)
        .await)?)
}

async fn insert_event(
    db: &mut Db<'_>,
    id: &str,
    tenant_id: Option<&str>,
    seq: i64,
    event_type: EventType,
    body: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let row = (
        outbox_events::id.eq(id),
        outbox_events::tenant_id.eq(tenant_id),
        outbox_events::seq.eq(seq),
        outbox_events::event_type.eq(event_type.as_str()),
        outbox_events::body.eq(body),
        outbox_events::created_at.eq(now),
    );
    with_db!(db, |c| diesel::insert_into(outbox_events::table)
        .values(row)
        .execute(c)
        .await)?;
    Ok(())
}

/// Queues (or, for a replay, queues again) the event's delivery to the endpoint. Returns the
/// delivery id.
async fn queue(
    db: &mut Db<'_>,
    endpoint_id: &str,
    event_id: &str,
    order_key: &str,
    seq: i64,
    now: NaiveDateTime,
) -> Result<String, StoreError> {
    let row = (
        event_deliveries::id.eq(uuid::Uuid::now_v7().to_string()),
        event_deliveries::endpoint_id.eq(endpoint_id),
        event_deliveries::event_id.eq(event_id),
        event_deliveries::order_key.eq(order_key),
        event_deliveries::seq.eq(seq),
        event_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
        event_deliveries::attempts.eq(0_i64),
        event_deliveries::next_attempt_at.eq(now),
        event_deliveries::created_at.eq(now),
    );
    with_db!(db, |c| diesel::insert_into(event_deliveries::table)
        .values(row)
        .on_conflict((event_deliveries::endpoint_id, event_deliveries::event_id))
        .do_update()
        .set((
            event_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            event_deliveries::attempts.eq(0_i64),
            event_deliveries::next_attempt_at.eq(now),
            event_deliveries::lease_until.eq(None::<NaiveDateTime>),
            event_deliveries::created_at.eq(now),
        ))
        .execute(c)
        .await)?;
    Ok(with_db!(db, |c| event_deliveries::table
        .filter(event_deliveries::endpoint_id.eq(endpoint_id))
        .filter(event_deliveries::event_id.eq(event_id))
        .select(event_deliveries::id)
        .first(c)
        .await)?)
}

/// The endpoints that get the site's events: the platform's for every site and the site's own.
async fn endpoints_for(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
) -> Result<Vec<StoredEndpoint>, StoreError> {
    Ok(with_db!(db, |c| event_endpoints::table
        .filter(
            event_endpoints::tenant_id
                .is_null()
                .or(event_endpoints::tenant_id.eq(tenant_id.as_str()))
        )
        .select(StoredEndpoint::as_select())
        .load(c)
        .await)?)
}

// ---- endpoints ----

pub async fn insert_endpoint(db: &mut Db<'_>, row: StoredEndpoint) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::insert_into(event_endpoints::table)
        .values(row)
        .execute(c)
        .await)?;
    Ok(())
}

/// The endpoint if `scope` may see it.
pub async fn find_endpoint(
    db: &mut Db<'_>,
    scope: &EndpointScope,
    id: &str,
) -> Result<Option<StoredEndpoint>, StoreError> {
    Ok(with_db!(db, |c| {
        let mut query = event_endpoints::table
            .filter(event_endpoints::id.eq(id))
            .select(StoredEndpoint::as_select())
            .into_boxed();
        if let EndpointScope::Site(tid) = scope {
            query = query
                .filter(event_endpoints::tenant_id.eq(tid.as_str()))
                .filter(event_endpoints::site_owned.eq(true));
        }
        query.first(c).await.optional()
    })?)
}

/// At most `limit` endpoints `scope` may see, oldest first, after the cursor; and whether
/// more follow.
pub async fn list_endpoints(
    db: &mut Db<'_>,
    scope: &EndpointScope,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<(Vec<StoredEndpoint>, bool), StoreError> {
    let mut rows: Vec<StoredEndpoint> = with_db!(db, |c| {
        let mut query = event_endpoints::table
            .order((event_endpoints::created_at.asc(), event_endpoints::id.asc()))
            .limit(limit + 1)
            .select(StoredEndpoint::as_select())
            .into_boxed();
        if let EndpointScope::Site(tid) = scope {
            query = query
                .filter(event_endpoints::tenant_id.eq(tid.as_str()))
                .filter(event_endpoints::site_owned.eq(true));
        }
        if let Some((created, id)) = &after {
            query = query.filter(
                event_endpoints::created_at
                    .gt(*created)
                    .or(event_endpoints::created_at
                        .eq(*created)
                        .and(event_endpoints::id.gt(id.as_str()))),
            );
        }
        query.load(c).await
    })?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// Deletes the endpoint (and, through the foreign key, its deliveries). Whether it existed.
pub async fn delete_endpoint(
    db: &mut Db<'_>,
    scope: &EndpointScope,
    id: &str,
) -> Result<bool, StoreError> {
    if find_endpoint(db, scope, id).await?.is_none() {
        return Ok(false);
    }
    let n = with_db!(db, |c| diesel::delete(event_endpoints::table.find(id))
        .execute(c)
        .await)?;
    Ok(n > 0)
}

/// Replaces the signing secret; the old one keeps signing beside it until `previous_until`.
pub async fn rotate_secret(
    db: &mut Db<'_>,
    endpoint: &StoredEndpoint,
    new: &Sealed,
    previous_until: NaiveDateTime,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(
        event_endpoints::table.find(&endpoint.id)
    )
    .set((
        event_endpoints::secret_sealed.eq(&new.ciphertext),
        event_endpoints::key_id.eq(&new.key_id),
        event_endpoints::previous_secret_sealed.eq(&endpoint.secret_sealed),
        event_endpoints::previous_key_id.eq(&endpoint.key_id),
        event_endpoints::previous_secret_until.eq(previous_until),
    ))
    .execute(c)
    .await)?;
    Ok(())
}

/// Every endpoint with its sealed secrets (for key rotation).
pub async fn all_endpoints(db: &mut Db<'_>) -> Result<Vec<StoredEndpoint>, StoreError> {
    Ok(with_db!(db, |c| event_endpoints::table
        .select(StoredEndpoint::as_select())
        .load(c)
        .await)?)
}

/// Stores the endpoint's secrets re-sealed under the current key, unless a rotation replaced
/// them meanwhile. A previous secret past its grace period is dropped.
pub async fn reseal_endpoint(
    db: &mut Db<'_>,
    endpoint: &StoredEndpoint,
    secret: &Sealed,
    previous: Option<&Sealed>,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(
        event_endpoints::table
            .filter(event_endpoints::id.eq(&endpoint.id))
            .filter(event_endpoints::secret_sealed.eq(&endpoint.secret_sealed))
    )
    .set((
        event_endpoints::secret_sealed.eq(&secret.ciphertext),
        event_endpoints::key_id.eq(&secret.key_id),
        event_endpoints::previous_secret_sealed.eq(previous.map(|p| p.ciphertext.as_str())),
        event_endpoints::previous_key_id.eq(previous.map(|p| p.key_id.as_str())),
    ))
    .execute(c)
    .await)?;
    Ok(())
}

// ---- the delivery log and replay ----

/// The endpoint's deliveries, newest first, after the cursor; and whether more follow.
pub async fn list_deliveries(
    db: &mut Db<'_>,
    endpoint_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<(Vec<LoggedDelivery>, bool), StoreError> {
    let mut rows: Vec<LoggedDelivery> = with_db!(db, |c| {
        let mut query = event_deliveries::table
            .inner_join(outbox_events::table)
            .filter(event_deliveries::endpoint_id.eq(endpoint_id))
            .order((
                outbox_events::created_at.desc(),
                event_deliveries::event_id.desc(),
            ))
            .limit(limit + 1)
            .select((StoredDelivery::as_select(), outbox_events::event_type))
            .into_boxed();
        if let Some((created, id)) = &after {
            query = query.filter(
                outbox_events::created_at
                    .lt(*created)
                    .or(outbox_events::created_at
                        .eq(*created)
                        .and(event_deliveries::event_id.lt(id.as_str()))),
            );
        }
        query.load(c).await
    })?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// One delivery of the endpoint with its event's type.
pub async fn find_delivery(
    db: &mut Db<'_>,
    endpoint_id: &str,
    delivery_id: &str,
) -> Result<Option<LoggedDelivery>, StoreError> {
    Ok(with_db!(db, |c| event_deliveries::table
        .inner_join(outbox_events::table)
        .filter(event_deliveries::endpoint_id.eq(endpoint_id))
        .filter(event_deliveries::id.eq(delivery_id))
        .select((StoredDelivery::as_select(), outbox_events::event_type))
        .first(c)
        .await
        .optional())?)
}

/// Which past events a replay sends again: those with the given ids, those created in
/// `[from, to)`, or (both given) those with the ids created in the window.
#[derive(Clone, Debug)]
pub struct ReplaySelection {
    pub ids: Option<Vec<String>>,
    pub range: Option<(NaiveDateTime, NaiveDateTime)>,
}

/// Queues again (or for the first time) the endpoint's delivery of each selected event it
/// may see and wants (pings are not replayed). Returns how many were queued.
pub async fn replay(
    db: &mut Db<'_>,
    endpoint: &StoredEndpoint,
    selection: &ReplaySelection,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    let events: Vec<StoredEvent> = with_db!(db, |c| {
        let mut query = outbox_events::table
            .filter(outbox_events::tenant_id.is_not_null())
            .filter(outbox_events::event_type.ne(EventType::Ping.as_str()))
            .order(outbox_events::seq.asc())
            .select(StoredEvent::as_select())
            .into_boxed();
        if let Some(tid) = &endpoint.tenant_id {
            query = query.filter(outbox_events::tenant_id.eq(tid.as_str()));
        }
        if let Some(ids) = &selection.ids {
            query = query.filter(outbox_events::id.eq_any(ids));
        }
        if let Some((from, to)) = selection.range {
            query = query
                .filter(outbox_events::created_at.ge(from))
                .filter(outbox_events::created_at.lt(to));
        }
        query.load(c).await
    })?;
    let mut queued = 0;
    for event in events {
        let wanted = EventType::parse(&event.event_type).is_some_and(|t| endpoint.wants(t));
        if let (true, Some(tid)) = (wanted, &event.tenant_id) {
            queue(db, &endpoint.id, &event.id, tid, event.seq, now).await?;
            queued += 1;
        }
    }
    Ok(queued)
}

// ---- the delivery worker ----

/// What one delivery attempt needs: the delivery, its endpoint and the body to sign.
pub struct DueDelivery {
    pub delivery_id: String,
    pub event_id: String,
    pub event_type: String,
    pub body: String,
    pub endpoint: StoredEndpoint,
    pub created_at: NaiveDateTime,
    pub attempts: i64,
}

diesel::alias!(event_deliveries as earlier: EarlierDeliveries);

/// Deliveries due at `now`: pending, their time come, not leased, and the first pending one
/// of their (endpoint, site) group, so no event overtakes an earlier one of its site.
pub async fn due(
    db: &mut Db<'_>,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    let pending = DeliveryStatus::Pending.as_str();
    Ok(with_db!(db, |c| event_deliveries::table
        .filter(event_deliveries::status.eq(pending))
        .filter(event_deliveries::next_attempt_at.le(now))
        .filter(
            event_deliveries::lease_until
                .is_null()
                .or(event_deliveries::lease_until.lt(now))
        )
        .filter(diesel::dsl::not(diesel::dsl::exists(
            earlier
                .filter(
                    earlier
                        .field(event_deliveries::endpoint_id)
                        .eq(event_deliveries::endpoint_id)
                )
                .filter(
                    earlier
                        .field(event_deliveries::order_key)
                        .eq(event_deliveries::order_key)
                )
                .filter(earlier.field(event_deliveries::status).eq(pending))
                .filter(
                    earlier
                        .field(event_deliveries::seq)
                        .lt(event_deliveries::seq)
                )
        )))
        .order(event_deliveries::next_attempt_at.asc())
        .limit(limit)
        .select(event_deliveries::id)
        .load(c)
        .await)?)
}

/// Takes the delivery for one attempt if it is still pending and nobody holds a live lease;
/// counts the attempt. `None`: someone else has it (or it is done).
pub async fn take_lease(
    db: &mut Db<'_>,
    delivery_id: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<Option<DueDelivery>, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        event_deliveries::table
            .filter(event_deliveries::id.eq(delivery_id))
            .filter(event_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(
                event_deliveries::lease_until
                    .is_null()
                    .or(event_deliveries::lease_until.lt(now))
            )
    )
    .set((
        event_deliveries::lease_until.eq(until),
        event_deliveries::attempts.eq(event_deliveries::attempts + 1_i64),
    ))
    .execute(c)
    .await)?;
    if n == 0 {
        return Ok(None);
    }
    let (delivery, event, endpoint): (StoredDelivery, StoredEvent, StoredEndpoint) =
        with_db!(db, |c| event_deliveries::table
            .inner_join(outbox_events::table)
            .inner_join(event_endpoints::table)
            .filter(event_deliveries::id.eq(delivery_id))
            .select((
                StoredDelivery::as_select(),
                StoredEvent::as_select(),
                StoredEndpoint::as_select(),
            ))
            .first(c)
            .await)?;
    Ok(Some(DueDelivery {
        delivery_id: delivery.id,
        event_id: event.id,
        event_type: event.event_type,
        body: event.body,
        endpoint,
        created_at: delivery.created_at,
        attempts: delivery.attempts,
    }))
}

/// How an attempt ended.
pub struct AttemptOutcome<'a> {
    /// The endpoint's HTTP status, if it answered.
    pub http_status: Option<i64>,
    pub error: Option<&'a str>,
    /// `Delivered`, `Failed` (given up), or `Pending` to retry at `next_attempt_at`.
    pub status: DeliveryStatus,
    pub next_attempt_at: NaiveDateTime,
    pub now: NaiveDateTime,
}

/// Records an attempt and releases the lease.
pub async fn record_attempt(
    db: &mut Db<'_>,
    delivery_id: &str,
    o: &AttemptOutcome<'_>,
) -> Result<(), StoreError> {
    let delivered_at = (o.status == DeliveryStatus::Delivered).then_some(o.now);
    with_db!(db, |c| diesel::update(
        event_deliveries::table.find(delivery_id)
    )
    .set((
        event_deliveries::status.eq(o.status.as_str()),
        event_deliveries::last_status.eq(o.http_status),
        event_deliveries::last_error.eq(o.error),
        event_deliveries::next_attempt_at.eq(o.next_attempt_at),
        event_deliveries::lease_until.eq(None::<NaiveDateTime>),
        event_deliveries::delivered_at.eq(delivered_at),
    ))
    .execute(c)
    .await)?;
    Ok(())
}

/// Deletes events older than `before` whose every delivery is done (delivered or failed), or
/// that no endpoint wanted. Returns how many went.
pub async fn prune(db: &mut Db<'_>, before: NaiveDateTime) -> Result<usize, StoreError> {
    Ok(with_db!(db, |c| diesel::delete(
        outbox_events::table
            .filter(outbox_events::created_at.lt(before))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                event_deliveries::table
                    .filter(event_deliveries::event_id.eq(outbox_events::id))
                    .filter(event_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
            )))
    )
    .execute(c)
    .await)?)
}

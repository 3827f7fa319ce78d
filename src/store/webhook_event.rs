//! Zoom webhook deliveries, stored before Zoom gets its 200 and applied later by a worker.
//!
//! Not tenant-owned: an event names a Zoom account, and the worker resolves the sites bound to
//! it when it applies the event. Workers claim due events with a row lease (conditional UPDATE,
//! atomic on both backends and across instances); a crashed worker's lease expires and the event
//! is claimed again.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::webhook_events;
use super::{Db, StoreError, with_db};
use crate::domain::status::WebhookEventStatus;

/// A verified delivery to store.
pub struct NewEvent<'a> {
    pub id: &'a str,
    pub dedup_key: &'a str,
    pub event: &'a str,
    pub zoom_account_id: &'a str,
    pub event_ts: i64,
    pub body: &'a str,
    pub request_timestamp: &'a str,
    pub tracking_id: Option<&'a str>,
    pub received_at: NaiveDateTime,
}

/// A stored event as the worker and the operator see it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_events)]
pub struct StoredEvent {
    pub id: String,
    pub event: String,
    pub zoom_account_id: String,
    pub event_ts: i64,
    pub body: String,
    pub received_at: NaiveDateTime,
    #[diesel(deserialize_as = String)]
    pub status: WebhookEventStatus,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub outcome: Option<String>,
    pub processed_at: Option<NaiveDateTime>,
}

/// Stores the event unless the same body was stored before. Returns false for a duplicate.
pub async fn insert_new(db: &mut Db<'_>, e: &NewEvent<'_>) -> Result<bool, StoreError> {
    let row = (
        webhook_events::id.eq(e.id),
        webhook_events::dedup_key.eq(e.dedup_key),
        webhook_events::event.eq(e.event),
        webhook_events::zoom_account_id.eq(e.zoom_account_id),
        webhook_events::event_ts.eq(e.event_ts),
        webhook_events::body.eq(e.body),
        webhook_events::request_timestamp.eq(e.request_timestamp),
        webhook_events::tracking_id.eq(e.tracking_id),
        webhook_events::received_at.eq(e.received_at),
        webhook_events::status.eq(WebhookEventStatus::Pending.as_str()),
        webhook_events::attempts.eq(0_i64),
        webhook_events::next_attempt_at.eq(e.received_at),
    );
    let n = with_db!(db, |c| diesel::insert_into(webhook_events::table)
        .values(row)
        .on_conflict(webhook_events::dedup_key)
        .do_nothing()
        .execute(c)
        .await)?;
    Ok(n == 1)
}

/// Claims up to `limit` due events (oldest Zoom time first) until `lease_until`, counting an
/// attempt on each. Events another worker holds a live lease on are skipped.
pub async fn claim_due(
    db: &mut Db<'_>,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let candidates: Vec<String> = with_db!(db, |c| webhook_events::table
        .filter(webhook_events::status.eq(WebhookEventStatus::Pending.as_str()))
        .filter(webhook_events::next_attempt_at.le(now))
        .filter(
            webhook_events::lease_until
                .is_null()
                .or(webhook_events::lease_until.lt(now))
        )
        .order((webhook_events::event_ts.asc(), webhook_events::id.asc()))
        .limit(limit)
        .select(webhook_events::id)
        .load(c)
        .await)?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for id in candidates {
        let taken = with_db!(db, |c| diesel::update(
            webhook_events::table
                .filter(webhook_events::id.eq(&id))
                .filter(webhook_events::status.eq(WebhookEventStatus::Pending.as_str()))
                .filter(
                    webhook_events::lease_until
                        .is_null()
                        .or(webhook_events::lease_until.lt(now))
                )
        )
        .set((
            webhook_events::lease_until.eq(lease_until),
            webhook_events::attempts.eq(webhook_events::attempts + 1),
        ))
        .returning(StoredEvent::as_returning())
        .get_result(c)
        .await
        .optional())?;
        claimed.extend(taken);
    }
    Ok(claimed)
}

/// Records the final outcome (`applied`, `unknown_account`, `ignored`) and releases the lease.
pub async fn finish(
    db: &mut Db<'_>,
    id: &str,
    status: WebhookEventStatus,
    outcome: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(webhook_events::table.find(id))
        .set((
            webhook_events::status.eq(status.as_str()),
            webhook_events::outcome.eq(outcome),
            webhook_events::processed_at.eq(now),
            webhook_events::lease_until.eq(None::<NaiveDateTime>),
            webhook_events::last_error.eq(None::<String>),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// The attempt failed: try again at `next_attempt_at`.
pub async fn retry_later(
    db: &mut Db<'_>,
    id: &str,
    error: &str,
    next_attempt_at: NaiveDateTime,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(webhook_events::table.find(id))
        .set((
            webhook_events::last_error.eq(error),
            webhook_events::next_attempt_at.eq(next_attempt_at),
            webhook_events::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Too many failed attempts: park the event for the operator (`marquee webhooks replay`).
pub async fn park_failed(
    db: &mut Db<'_>,
    id: &str,
    error: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(webhook_events::table.find(id))
        .set((
            webhook_events::status.eq(WebhookEventStatus::Failed.as_str()),
            webhook_events::last_error.eq(error),
            webhook_events::processed_at.eq(now),
            webhook_events::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Puts events back in the queue: the given ids (any status), or every failed one. Returns how
/// many. Applying twice is harmless: writes are versioned.
pub async fn requeue(
    db: &mut Db<'_>,
    ids: Option<&[String]>,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    let changes = (
        webhook_events::status.eq(WebhookEventStatus::Pending.as_str()),
        webhook_events::attempts.eq(0_i64),
        webhook_events::next_attempt_at.eq(now),
        webhook_events::lease_until.eq(None::<NaiveDateTime>),
    );
    Ok(match ids {
        Some(ids) => with_db!(db, |c| diesel::update(
            webhook_events::table.filter(webhook_events::id.eq_any(ids))
        )
        .set(changes)
        .execute(c)
        .await)?,
        None => with_db!(db, |c| diesel::update(
            webhook_events::table
                .filter(webhook_events::status.eq(WebhookEventStatus::Failed.as_str()))
        )
        .set(changes)
        .execute(c)
        .await)?,
    })
}

/// Stored events, newest first, optionally of one status.
pub async fn list(
    db: &mut Db<'_>,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    Ok(with_db!(db, |c| {
        let mut query = webhook_events::table.into_boxed();
        if let Some(status) = status {
            query = query.filter(webhook_events::status.eq(status));
        }
        query
            .order((
                webhook_events::received_at.desc(),
                webhook_events::id.desc(),
            ))
            .limit(limit)
            .select(StoredEvent::as_select())
            .load(c)
            .await
    })?)
}

//! `Idempotency-Key` rows (migration `2026-11-24-000010_idempotency_keys`): a reservation,
//! then the stored answer. Inserting the row is the reservation, so the PRIMARY KEY decides
//! between racing requests on both backends and across instances; every later change is a
//! conditional UPDATE or DELETE by the reservation's holder (`lease_owner`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::idempotency_keys;
use super::{Db, StoreError, with_db};
use crate::crypto::Sealed;

/// A reservation to insert, or to take over a stale or expired row with.
pub struct Reservation<'a> {
    pub id: &'a str,
    pub owner: &'a str,
    pub fingerprint: &'a str,
    pub lease_owner: &'a str,
    pub lease_until: NaiveDateTime,
    pub now: NaiveDateTime,
}

/// A row as found: the first request's fingerprint, its reservation, and the answer once
/// stored.
#[derive(Clone, Debug)]
pub struct StoredKey {
    pub fingerprint: String,
    pub lease_owner: String,
    pub lease_until: Option<NaiveDateTime>,
    pub answer: Option<(i64, Sealed)>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
struct KeyRow {
    fingerprint: String,
    lease_owner: String,
    lease_until: Option<NaiveDateTime>,
    answer_status: Option<i64>,
    answer_sealed: Option<String>,
    answer_key_id: Option<String>,
    created_at: NaiveDateTime,
}

impl KeyRow {
    fn into_stored(self) -> StoredKey {
        let answer = match (self.answer_status, self.answer_sealed, self.answer_key_id) {
            (Some(status), Some(ciphertext), Some(key_id)) => {
                Some((status, Sealed { key_id, ciphertext }))
            }
            _ => None,
        };
        StoredKey {
            fingerprint: self.fingerprint,
            lease_owner: self.lease_owner,
            lease_until: self.lease_until,
            answer,
            created_at: self.created_at,
        }
    }
}

/// Inserts the reservation unless the row exists. Returns whether this call reserved it.
pub async fn reserve(db: &mut Db<'_>, r: &Reservation<'_>) -> Result<bool, StoreError> {
    let row = (
        idempotency_keys::id.eq(r.id),
        idempotency_keys::owner.eq(r.owner),
        idempotency_keys::fingerprint.eq(r.fingerprint),
        idempotency_keys::lease_owner.eq(r.lease_owner),
        idempotency_keys::lease_until.eq(Some(r.lease_until)),
        idempotency_keys::created_at.eq(r.now),
    );
    let n = with_db!(db, |c| diesel::insert_into(idempotency_keys::table)
        .values(row)
        .on_conflict(idempotency_keys::id)
        .do_nothing()
        .execute(c)
        .await)?;
    Ok(n == 1)
}

pub async fn find(db: &mut Db<'_>, id: &str) -> Result<Option<StoredKey>, StoreError> {
    let row: Option<KeyRow> = with_db!(db, |c| idempotency_keys::table
        .filter(idempotency_keys::id.eq(id))
        .select(KeyRow::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(row.map(KeyRow::into_stored))
}

/// Replaces the row held by `previous_lease_owner` (a stale reservation or an expired answer)
/// with a fresh reservation. Returns false when someone else changed the row first.
pub async fn take_over(
    db: &mut Db<'_>,
    r: &Reservation<'_>,
    previous_lease_owner: &str,
) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::id.eq(r.id))
            .filter(idempotency_keys::lease_owner.eq(previous_lease_owner))
    )
    .set((
        idempotency_keys::fingerprint.eq(r.fingerprint),
        idempotency_keys::lease_owner.eq(r.lease_owner),
        idempotency_keys::lease_until.eq(Some(r.lease_until)),
        idempotency_keys::answer_status.eq(None::<i64>),
        idempotency_keys::answer_sealed.eq(None::<String>),
        idempotency_keys::answer_key_id.eq(None::<String>),
        idempotency_keys::created_at.eq(r.now),
    ))
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// Stores the answer in the reservation `lease_owner` holds. Returns false if it no longer
/// holds it (it was taken over after its lease ran out).
pub async fn store_answer(
    db: &mut Db<'_>,
    id: &str,
    lease_owner: &str,
    status: i64,
    sealed: &Sealed,
) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::id.eq(id))
            .filter(idempotency_keys::lease_owner.eq(lease_owner))
    )
    .set((
        idempotency_keys::lease_until.eq(None::<NaiveDateTime>),
        idempotency_keys::answer_status.eq(Some(status)),
        idempotency_keys::answer_sealed.eq(Some(&sealed.ciphertext)),
        idempotency_keys::answer_key_id.eq(Some(&sealed.key_id)),
    ))
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// Deletes the reservation `lease_owner` holds, so the key can be used again.
pub async fn release(db: &mut Db<'_>, id: &str, lease_owner: &str) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::id.eq(id))
            .filter(idempotency_keys::lease_owner.eq(lease_owner))
    )
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// Deletes every row created before `before`; returns how many.
pub async fn purge_created_before(
    db: &mut Db<'_>,
    before: NaiveDateTime,
) -> Result<usize, StoreError> {
    Ok(with_db!(db, |c| diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.lt(before))
    )
    .execute(c)
    .await)?)
}

//! Zoom accounts that exhausted a daily quota (docs/zoom.md §5.3): no sync job of theirs runs
//! before `paused_until` (Zoom's `Retry-After`, or the next 00:00 UTC). Shared by all
//! instances through the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::zoom_account_pauses;
use super::{Db, StoreError, with_db};

/// Pauses the account until `until` (keeps a later pause if one is already recorded).
pub async fn pause(
    db: &mut Db<'_>,
    zoom_account_id: &str,
    until: NaiveDateTime,
    reason: &str,
) -> Result<(), StoreError> {
    let current = paused_until(db, zoom_account_id).await?;
    if current.is_some_and(|c| c >= until) {
        return Ok(());
    }
    let row = (
        zoom_account_pauses::zoom_account_id.eq(zoom_account_id),
        zoom_account_pauses::paused_until.eq(until),
        zoom_account_pauses::reason.eq(reason),
    );
    with_db!(db, |c| diesel::insert_into(zoom_account_pauses::table)
        .values(row)
        .on_conflict(zoom_account_pauses::zoom_account_id)
        .do_update()
        .set((
            zoom_account_pauses::paused_until.eq(until),
            zoom_account_pauses::reason.eq(reason)
        ))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn paused_until(
    db: &mut Db<'_>,
    zoom_account_id: &str,
) -> Result<Option<NaiveDateTime>, StoreError> {
    Ok(with_db!(db, |c| zoom_account_pauses::table
        .find(zoom_account_id)
        .select(zoom_account_pauses::paused_until)
        .first(c)
        .await
        .optional())?)
}

/// Accounts paused at `now`.
pub async fn paused_accounts(
    db: &mut Db<'_>,
    now: NaiveDateTime,
) -> Result<Vec<String>, StoreError> {
    Ok(with_db!(db, |c| zoom_account_pauses::table
        .filter(zoom_account_pauses::paused_until.gt(now))
        .select(zoom_account_pauses::zoom_account_id)
        .load(c)
        .await)?)
}

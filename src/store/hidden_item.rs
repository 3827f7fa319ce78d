//! What the owner hid from visitors (`hidden_items`): the owner's record, which purging a site's
//! Zoom data leaves alone. The synced rows' `hidden` column is its copy for the visitor reads:
//! [`set`] writes both in the caller's transaction, and the meeting and recording writes copy it
//! into every row they insert ([`is_hidden`]), so an item synced again after a reconnect is
//! hidden again. Scoped by tenant.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{hidden_items, meetings, recordings};
use super::{Db, StoreError, with_db};
use crate::domain::TenantId;
use crate::domain::site::HiddenItem;
use crate::domain::status::ItemKind;

/// Whether the owner hid this item.
pub async fn is_hidden(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    kind: ItemKind,
    zoom_id: &str,
) -> Result<bool, StoreError> {
    Ok(with_db!(db, |c| diesel::select(diesel::dsl::exists(
        hidden_items::table
            .filter(hidden_items::tenant_id.eq(tenant_id.as_str()))
            .filter(hidden_items::kind.eq(kind.as_str()))
            .filter(hidden_items::zoom_id.eq(zoom_id))
    ))
    .get_result(c)
    .await)?)
}

/// Records the owner's choice and copies it onto the synced row, if the item is stored. Hiding
/// an item that is hidden already keeps the time it was first hidden. Returns whether the item
/// is known: stored, or hidden before (it can be shown again while it is not synced).
pub async fn set(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    kind: ItemKind,
    zoom_id: &str,
    hidden: bool,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let was_hidden = if hidden {
        let row = (
            hidden_items::tenant_id.eq(tenant_id.as_str()),
            hidden_items::kind.eq(kind.as_str()),
            hidden_items::zoom_id.eq(zoom_id),
            hidden_items::hidden_at.eq(now),
        );
        let inserted = with_db!(db, |c| diesel::insert_into(hidden_items::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)
            .await)?;
        inserted == 0
    } else {
        let deleted = with_db!(db, |c| diesel::delete(
            hidden_items::table
                .filter(hidden_items::tenant_id.eq(tenant_id.as_str()))
                .filter(hidden_items::kind.eq(kind.as_str()))
                .filter(hidden_items::zoom_id.eq(zoom_id))
        )
        .execute(c)
        .await)?;
        deleted > 0
    };
    let stored = copy_to_synced_row(db, tenant_id, kind, zoom_id, hidden).await?;
    Ok(stored || was_hidden)
}

/// Writes `hidden` onto the stored meeting or recording; false when there is none.
async fn copy_to_synced_row(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    kind: ItemKind,
    zoom_id: &str,
    hidden: bool,
) -> Result<bool, StoreError> {
    let updated = match kind {
        ItemKind::Meeting => {
            // Not a meeting number: no meeting can have it.
            let Ok(meeting_id) = zoom_id.parse::<i64>() else {
                return Ok(false);
            };
            with_db!(db, |c| diesel::update(
                meetings::table
                    .filter(meetings::tenant_id.eq(tenant_id.as_str()))
                    .filter(meetings::zoom_meeting_id.eq(meeting_id))
            )
            .set(meetings::hidden.eq(hidden))
            .execute(c)
            .await)?
        }
        ItemKind::Recording => with_db!(db, |c| diesel::update(
            recordings::table
                .filter(recordings::tenant_id.eq(tenant_id.as_str()))
                .filter(recordings::zoom_meeting_uuid.eq(zoom_id))
        )
        .set(recordings::hidden.eq(hidden))
        .execute(c)
        .await)?,
    };
    Ok(updated > 0)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = hidden_items)]
struct HiddenItemRow {
    #[diesel(deserialize_as = String)]
    kind: ItemKind,
    zoom_id: String,
    hidden_at: NaiveDateTime,
}

/// The tenant's hidden items, most recently hidden first, after the cursor position `after`
/// (time hidden, Zoom id); one page and whether more follow.
pub async fn list(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<(Vec<HiddenItem>, bool), StoreError> {
    let rows: Vec<HiddenItemRow> = with_db!(db, |c| {
        let mut query = hidden_items::table
            .filter(hidden_items::tenant_id.eq(tenant_id.as_str()))
            .into_boxed();
        if let Some((time, id)) = &after {
            query = query.filter(
                hidden_items::hidden_at.lt(*time).or(hidden_items::hidden_at
                    .eq(*time)
                    .and(hidden_items::zoom_id.gt(id.as_str()))),
            );
        }
        query
            .order((hidden_items::hidden_at.desc(), hidden_items::zoom_id.asc()))
            .limit(limit + 1)
            .select(HiddenItemRow::as_select())
            .load(c)
            .await
    })?;
    let more = rows.len() as i64 > limit;
    let items = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| HiddenItem {
            kind: r.kind,
            zoom_id: r.zoom_id,
            hidden_at: r.hidden_at,
        })
        .collect();
    Ok((items, more))
}

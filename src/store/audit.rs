//! An append-only trail of connection events (connect, disconnect, deauthorization, dead grant).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::audit_events;
use super::{Db, StoreError, with_db};
use crate::domain::TenantId;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: String,
    pub tenant_id: Option<String>,
    pub zoom_account_id: Option<String>,
    pub action: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
}

/// The action recorded when Zoom refuses a grant for good (its sites must reconnect).
pub const GRANT_DEAD: &str = "grant_dead";
/// The owner unlinked the site from Zoom.
pub const DISCONNECTED: &str = "disconnected";
/// Zoom told Marquee the app was removed from the account (its sites are unlinked).
pub const DEAUTHORIZED: &str = "deauthorized";
/// The actions after which a site without a connection counts as disconnected rather than
/// never connected.
pub const UNLINKED: [&str; 2] = [DISCONNECTED, DEAUTHORIZED];

pub async fn record(
    db: &mut Db<'_>,
    tenant_id: Option<&TenantId>,
    zoom_account_id: Option<&str>,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let row = (
        audit_events::id.eq(uuid::Uuid::now_v7().to_string()),
        audit_events::tenant_id.eq(tenant_id.map(TenantId::as_str)),
        audit_events::zoom_account_id.eq(zoom_account_id),
        audit_events::action.eq(action),
        audit_events::detail.eq(detail),
        audit_events::created_at.eq(super::now()),
    );
    with_db!(db, |c| diesel::insert_into(audit_events::table)
        .values(row)
        .execute(c)
        .await)?;
    Ok(())
}

/// The site's events, newest first.
pub async fn list_for_tenant(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    Ok(with_db!(db, |c| audit_events::table
        .filter(audit_events::tenant_id.eq(tenant_id.as_str()))
        .order(audit_events::created_at.desc())
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(c)
        .await)?)
}

/// When the site's newest event of `action` happened, if it had one.
pub async fn latest_at(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    action: &str,
) -> Result<Option<NaiveDateTime>, StoreError> {
    Ok(with_db!(db, |c| audit_events::table
        .filter(audit_events::tenant_id.eq(tenant_id.as_str()))
        .filter(audit_events::action.eq(action))
        .select(diesel::dsl::max(audit_events::created_at))
        .first(c)
        .await)?)
}

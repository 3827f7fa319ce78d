//! The operator's health view across sites. One page is one joined query (site, its link,
//! the grant behind it, its sync bookkeeping) filtered by connection state in SQL, then three
//! grouped look-ups for the whole page (audit times, each account's newest webhook, each
//! site's newest successful sync) — a fixed number of queries, never one per site.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::{exists, max, not};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::audit::UNLINKED;
use super::schema::{
    audit_events, sync_jobs, sync_status, tenants, webhook_events, zoom_connections, zoom_grants,
};
use super::{Db, StoreError, with_db};
use crate::domain::status::{ConnectionState, GrantStatus, JobStatus, SyncKind};

/// One site's row of the joined query.
#[derive(Clone, Debug, Queryable)]
pub struct SiteHealthRow {
    pub tenant_id: String,
    pub slug: String,
    pub display_name: String,
    /// `zoom_connections.tenant_id`: present while the site is linked.
    pub linked: Option<String>,
    pub grant_status: Option<String>,
    pub grant_error: Option<String>,
    pub zoom_account_id: Option<String>,
    pub scopes: Option<String>,
    pub sync_finished_at: Option<NaiveDateTime>,
    pub sync_result: Option<String>,
    pub sync_error: Option<String>,
}

/// What the page's grouped look-ups found, by tenant id (and by Zoom account for webhooks).
#[derive(Debug, Default)]
pub struct PageDetails {
    /// `(tenant id, action)` → newest time of that audit action.
    pub audits: HashMap<(String, String), NaiveDateTime>,
    /// Zoom account id → newest webhook received for it.
    pub webhooks: HashMap<String, NaiveDateTime>,
    /// Tenant id → newest full sync (backfill or reconcile) that finished successfully.
    pub good_syncs: HashMap<String, NaiveDateTime>,
}

/// The joined tables of the health view.
macro_rules! health_join {
    () => {
        tenants::table
            .left_join(zoom_connections::table.on(zoom_connections::tenant_id.eq(tenants::id)))
            .left_join(zoom_grants::table.on(zoom_grants::id.eq(zoom_connections::grant_id)))
            .left_join(sync_status::table.on(sync_status::tenant_id.eq(tenants::id)))
    };
}

/// Narrows a boxed [`health_join`] query to the sites in `$state` (the SQL twin of
/// `service::health::state_of`).
macro_rules! in_state {
    ($query:expr, $state:expr) => {{
        let active = GrantStatus::Active.as_str();
        let was_unlinked = exists(
            audit_events::table
                .filter(audit_events::tenant_id.eq(tenants::id.nullable()))
                .filter(audit_events::action.eq_any(UNLINKED)),
        );
        match $state {
            None => $query,
            Some(ConnectionState::Connected) => $query
                .filter(zoom_connections::tenant_id.is_not_null())
                .filter(zoom_grants::status.eq(active)),
            Some(ConnectionState::NeedsReconnect) => $query
                .filter(zoom_connections::tenant_id.is_not_null())
                .filter(
                    zoom_grants::status
                        .nullable()
                        .ne(active)
                        .or(zoom_grants::status.nullable().is_null()),
                ),
            Some(ConnectionState::Disconnected) => $query
                .filter(zoom_connections::tenant_id.is_null())
                .filter(was_unlinked),
            Some(ConnectionState::NeverConnected) => $query
                .filter(zoom_connections::tenant_id.is_null())
                .filter(not(was_unlinked)),
        }
    }};
}

/// Sites ordered by slug after `after`, at most `limit`, only those in `state` when given.
pub async fn page(
    db: &mut Db<'_>,
    state: Option<ConnectionState>,
    after: &str,
    limit: i64,
) -> Result<Vec<SiteHealthRow>, StoreError> {
    Ok(with_db!(db, |c| {
        let query = health_join!().filter(tenants::slug.gt(after)).into_boxed();
        in_state!(query, state)
            .order(tenants::slug.asc())
            .limit(limit)
            .select((
                tenants::id,
                tenants::slug,
                tenants::display_name,
                zoom_connections::tenant_id.nullable(),
                zoom_grants::status.nullable(),
                zoom_grants::last_error.nullable(),
                zoom_grants::zoom_account_id.nullable(),
                zoom_grants::scopes.nullable(),
                sync_status::last_finished_at.nullable(),
                sync_status::last_result.nullable(),
                sync_status::last_error.nullable(),
            ))
            .load(c)
            .await
    })?)
}

/// How many sites are in `state` (for the `marquee_sites` gauge).
pub async fn count(db: &mut Db<'_>, state: ConnectionState) -> Result<i64, StoreError> {
    Ok(with_db!(db, |c| {
        let query = health_join!().into_boxed();
        in_state!(query, Some(state)).count().get_result(c).await
    })?)
}

/// The grouped look-ups for the sites of one page.
pub async fn details(
    db: &mut Db<'_>,
    rows: &[SiteHealthRow],
    actions: &[&str],
) -> Result<PageDetails, StoreError> {
    let tenant_ids: Vec<&str> = rows.iter().map(|r| r.tenant_id.as_str()).collect();
    let accounts: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.zoom_account_id.as_deref())
        .collect();
    let audits: Vec<(Option<String>, String, Option<NaiveDateTime>)> =
        with_db!(db, |c| audit_events::table
            .filter(audit_events::tenant_id.eq_any(&tenant_ids))
            .filter(audit_events::action.eq_any(actions))
            .group_by((audit_events::tenant_id, audit_events::action))
            .select((
                audit_events::tenant_id,
                audit_events::action,
                max(audit_events::created_at)
            ))
            .load(c)
            .await)?;
    let webhooks: Vec<(String, Option<NaiveDateTime>)> = with_db!(db, |c| webhook_events::table
        .filter(webhook_events::zoom_account_id.eq_any(&accounts))
        .group_by(webhook_events::zoom_account_id)
        .select((
            webhook_events::zoom_account_id,
            max(webhook_events::received_at)
        ))
        .load(c)
        .await)?;
    let full_syncs = [SyncKind::Backfill.as_str(), SyncKind::Reconcile.as_str()];
    let good_syncs: Vec<(String, Option<NaiveDateTime>)> = with_db!(db, |c| sync_jobs::table
        .filter(sync_jobs::tenant_id.eq_any(&tenant_ids))
        .filter(sync_jobs::kind.eq_any(full_syncs))
        .filter(sync_jobs::status.eq(JobStatus::Done.as_str()))
        .group_by(sync_jobs::tenant_id)
        .select((sync_jobs::tenant_id, max(sync_jobs::finished_at)))
        .load(c)
        .await)?;
    Ok(PageDetails {
        audits: audits
            .into_iter()
            .filter_map(|(tenant, action, at)| Some(((tenant?, action), at?)))
            .collect(),
        webhooks: webhooks
            .into_iter()
            .filter_map(|(account, at)| Some((account, at?)))
            .collect(),
        good_syncs: good_syncs
            .into_iter()
            .filter_map(|(tenant, at)| Some((tenant, at?)))
            .collect(),
    })
}

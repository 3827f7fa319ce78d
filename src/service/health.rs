//! The operator's view of every site's Zoom connection (`s.health()`): the platform API's
//! `GET /api/v1/platform/sites/health`, `marquee status` and the `marquee_sites` gauge.

use chrono::{NaiveDateTime, Utc};

use crate::domain::status::{ConnectionState, GrantStatus, SyncResult};
use crate::store::health::{PageDetails, SiteHealthRow};
use crate::store::{self, Store, audit};
use crate::zoom::scopes;

use super::paging::CursorPage;
use super::tenants::MAX_PAGE;
use super::{ServiceError, Services};

/// One site's health, as the operator sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteHealth {
    pub slug: String,
    pub display_name: String,
    pub state: ConnectionState,
    /// What failed last, and when: Zoom refusing the grant, else a failed sync.
    pub last_failure: Option<Failure>,
    /// When the last sync (of any kind) finished.
    pub last_sync_at: Option<NaiveDateTime>,
    /// When the site's Zoom account last sent a webhook.
    pub last_webhook_at: Option<NaiveDateTime>,
    /// Seconds since the last full sync that succeeded (`None`: never had one).
    pub sync_lag_secs: Option<i64>,
    /// Scopes Marquee needs that the grant lacks (empty when not linked).
    pub missing_scopes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub reason: String,
    pub at: Option<NaiveDateTime>,
}

/// The operator's health view.
#[derive(Clone, Copy)]
pub struct Health<'a> {
    store: &'a Store,
}

impl Services {
    /// Every site's connection health (`service/health.rs`).
    pub fn health(&self) -> Health<'_> {
        Health { store: &self.store }
    }
}

/// The audit actions the view reads times of.
const TIMED_ACTIONS: [&str; 3] = [audit::GRANT_DEAD, audit::DISCONNECTED, audit::DEAUTHORIZED];

impl Health<'_> {
    /// Sites ordered by slug after `after` (a slug), at most `limit`, only those in `state`
    /// when given; `next_after` is the last slug when more follow.
    pub async fn list(
        &self,
        state: Option<ConnectionState>,
        after: Option<String>,
        limit: i64,
    ) -> Result<CursorPage<SiteHealth>, ServiceError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (mut rows, details) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let after = after.unwrap_or_default();
                    let rows = store::health::page(&mut db, state, &after, limit + 1).await?;
                    let details = store::health::details(&mut db, &rows, &TIMED_ACTIONS).await?;
                    Ok((rows, details))
                })
            })
            .await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let now = Utc::now().naive_utc();
        let items: Vec<SiteHealth> = rows
            .into_iter()
            .map(|r| health_of(r, &details, now))
            .collect();
        let next_after = items.last().filter(|_| more).map(|h| h.slug.clone());
        Ok(CursorPage { items, next_after })
    }

    /// How many sites are in each state.
    pub async fn counts(&self) -> Result<Vec<(ConnectionState, i64)>, ServiceError> {
        Ok(self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let mut counts = Vec::new();
                    for state in ConnectionState::ALL {
                        counts.push((*state, store::health::count(&mut db, *state).await?));
                    }
                    Ok(counts)
                })
            })
            .await?)
    }

    /// Sets the `marquee_sites` gauge from [`Health::counts`] (at each scrape of `/metrics`);
    /// a database problem leaves the last values and is logged.
    pub async fn record_site_states(&self) {
        match self.counts().await {
            Ok(counts) => {
                for (state, n) in counts {
                    crate::telemetry::metrics::sites_in_state(
                        state.as_str(),
                        u64::try_from(n).unwrap_or(0),
                    );
                }
            }
            Err(err) => tracing::warn!(error = %err, "counting sites by state failed"),
        }
    }
}

fn health_of(row: SiteHealthRow, details: &PageDetails, now: NaiveDateTime) -> SiteHealth {
    let audit_at = |action: &str| {
        details
            .audits
            .get(&(row.tenant_id.clone(), action.to_owned()))
            .copied()
    };
    let state = state_of(
        &row,
        audit_at(audit::DISCONNECTED).or(audit_at(audit::DEAUTHORIZED)),
    );
    let last_failure = match state {
        ConnectionState::NeedsReconnect => Some(Failure {
            reason: row
                .grant_error
                .clone()
                .unwrap_or_else(|| "Zoom refused the connection".to_owned()),
            at: audit_at(audit::GRANT_DEAD),
        }),
        _ => row
            .sync_error
            .clone()
            .filter(|_| row.sync_result.as_deref() == Some(SyncResult::Failed.as_str()))
            .map(|reason| Failure {
                reason,
                at: row.sync_finished_at,
            }),
    };
    let granted: Vec<String> = row
        .scopes
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    SiteHealth {
        missing_scopes: if row.linked.is_some() {
            scopes::missing(&granted)
        } else {
            Vec::new()
        },
        last_webhook_at: row
            .zoom_account_id
            .as_ref()
            .and_then(|a| details.webhooks.get(a).copied()),
        sync_lag_secs: details
            .good_syncs
            .get(&row.tenant_id)
            .map(|at| (now - *at).num_seconds().max(0)),
        last_sync_at: row.sync_finished_at,
        last_failure,
        state,
        slug: row.slug,
        display_name: row.display_name,
    }
}

/// The state of a site (the Rust twin of `store::health`'s SQL filter).
fn state_of(row: &SiteHealthRow, unlinked_at: Option<NaiveDateTime>) -> ConnectionState {
    match (&row.linked, row.grant_status.as_deref()) {
        (Some(_), Some(status)) if status == GrantStatus::Active.as_str() => {
            ConnectionState::Connected
        }
        (Some(_), _) => ConnectionState::NeedsReconnect,
        (None, _) if unlinked_at.is_some() => ConnectionState::Disconnected,
        (None, _) => ConnectionState::NeverConnected,
    }
}

//! Periodic upkeep, run by every instance (each step is safe to run concurrently):
//!
//! * refresh grants nobody used for a week, so an idle site's grant does not die unnoticed
//!   (refresh tokens may expire when unused; docs/zoom.md §1.4) — through the usual lease;
//! * delete expired one-time credentials and sessions, and `Idempotency-Key`s older than a day;
//! * revoke and delete Marketplace installs that no site claimed within a day.

use chrono::TimeDelta;

use crate::store::{self, Store};

use super::disconnect::Disconnect;
use super::idempotency::Idempotency;
use super::tokens::Tokens;
use super::{ServiceError, Services};

/// Refresh grants not refreshed for this long.
pub const IDLE_REFRESH_AFTER: TimeDelta = TimeDelta::days(7);
/// Parked Marketplace installs are dropped after this long.
pub const PARKED_INSTALL_TTL: TimeDelta = TimeDelta::days(1);

/// What one upkeep run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UpkeepReport {
    pub grants_refreshed: usize,
    pub refresh_failures: usize,
    pub credentials_purged: usize,
    pub idempotency_keys_purged: usize,
    pub abandoned_installs_removed: usize,
}

/// The periodic chores of every instance.
#[derive(Clone, Copy)]
pub struct Upkeep<'a> {
    store: &'a Store,
    tokens: Tokens<'a>,
    disconnect: Disconnect<'a>,
    idempotency: Idempotency<'a>,
}

impl Services {
    /// Periodic upkeep (`service/upkeep.rs`).
    pub fn upkeep(&self) -> Upkeep<'_> {
        Upkeep {
            store: &self.store,
            tokens: self.tokens(),
            disconnect: self.disconnect(),
            idempotency: self.idempotency(),
        }
    }
}

impl Upkeep<'_> {
    /// One round of every chore (see the module docs).
    pub async fn run(&self) -> Result<UpkeepReport, ServiceError> {
        let mut report = UpkeepReport::default();
        let now = store::now();
        let idle_before = now - IDLE_REFRESH_AFTER;
        let idle = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::grant::idle_active(&mut db, idle_before).await })
            })
            .await?;
        for grant_id in idle {
            let id = grant_id.clone();
            let due = self
                .store
                .write(move |mut db| {
                    Box::pin(async move {
                        let long_ago = store::now() - TimeDelta::days(1);
                        store::grant::expire_if_idle(&mut db, &id, idle_before, long_ago).await
                    })
                })
                .await?;
            if !due {
                continue;
            }
            match self.tokens.grant_access_token(&grant_id).await {
                Ok(_) => report.grants_refreshed += 1,
                Err(e) => {
                    report.refresh_failures += 1;
                    tracing::warn!(zoom.grant_id = %grant_id, error = %e, "upkeep refresh failed");
                }
            }
        }
        report.credentials_purged = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let admin = store::admin::purge_expired(&mut db, now).await?;
                    Ok(admin + store::zoom_app::purge_expired(&mut db, now).await?)
                })
            })
            .await?;
        report.idempotency_keys_purged = self.idempotency.purge_expired(now).await?;
        let parked_before = now - PARKED_INSTALL_TTL;
        let abandoned = self
            .store
            .read(move |mut db| {
                Box::pin(
                    async move { store::grant::abandoned_parked(&mut db, parked_before).await },
                )
            })
            .await?;
        for grant in abandoned {
            self.disconnect.revoke_and_delete(&grant).await?;
            report.abandoned_installs_removed += 1;
        }
        Ok(report)
    }
}

//! One place that hands out a usable Zoom access token for a tenant.
//!
//! Zoom rotates the refresh token on every refresh (reference §1.4), so two refreshes racing
//! with the same refresh token lock the tenant out. A refresh therefore happens only under the
//! connection row's lease (`refresh_lease_until`), taken with a conditional UPDATE that works on
//! both backends and across instances. Everyone else waits and re-reads.

use std::time::Duration;

use chrono::TimeDelta;
use zeroize::Zeroizing;

use crate::domain::TenantId;
use crate::store::connection::{RefreshedTokens, STATUS_CONNECTED, StoredConnection};
use crate::store::{self};
use crate::zoom::ZoomError;

use super::{ServiceError, Services};

/// Refresh this long before expiry, so a token never expires mid-request.
const REFRESH_MARGIN: TimeDelta = TimeDelta::minutes(5);
/// Longer than one refresh call can take (the client times out after 15 s).
const LEASE: TimeDelta = TimeDelta::seconds(30);
const WAIT_STEP: Duration = Duration::from_millis(100);
const MAX_WAIT_STEPS: u32 = 400;

impl Services {
    /// A currently valid access token for the tenant's Zoom connection.
    pub async fn access_token(&self, tenant_id: &TenantId) -> Result<Zeroizing<String>, ServiceError> {
        for _ in 0..MAX_WAIT_STEPS {
            let conn = self.load_connection(tenant_id).await?;
            if conn.status != STATUS_CONNECTED {
                return Err(ServiceError::NotConnected("the Zoom connection needs to be reconnected".into()));
            }
            let now = store::now();
            if conn.access_expires_at - REFRESH_MARGIN > now {
                return Ok(self.keys.open(&conn.access_token(), tenant_id.as_str())?);
            }
            if self.take_refresh_lease(tenant_id).await? {
                return self.refresh_under_lease(tenant_id).await;
            }
            // Someone else (maybe another instance) is refreshing: wait for their result.
            tokio::time::sleep(WAIT_STEP).await;
        }
        Err(ServiceError::ZoomUnavailable { retry_after: Some(Duration::from_secs(5)) })
    }

    async fn load_connection(&self, tenant_id: &TenantId) -> Result<StoredConnection, ServiceError> {
        let id = tenant_id.clone();
        self.store
            .read(move |mut db| Box::pin(async move { store::connection::find(&mut db, &id).await }))
            .await?
            .ok_or_else(|| ServiceError::NotConnected("this site is not connected to Zoom".into()))
    }

    async fn take_refresh_lease(&self, tenant_id: &TenantId) -> Result<bool, ServiceError> {
        let id = tenant_id.clone();
        Ok(self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    store::connection::take_refresh_lease(&mut db, &id, now, now + LEASE).await
                })
            })
            .await?)
    }

    /// Holding the lease: re-read (a sibling may have refreshed just before), refresh, store.
    async fn refresh_under_lease(&self, tenant_id: &TenantId) -> Result<Zeroizing<String>, ServiceError> {
        let conn = self.load_connection(tenant_id).await?;
        let aad = tenant_id.as_str();
        if conn.access_expires_at - REFRESH_MARGIN > store::now() {
            self.release_refresh_lease(tenant_id).await?;
            return Ok(self.keys.open(&conn.access_token(), aad)?);
        }
        let refresh_token = self.keys.open(&conn.refresh_token(), aad)?;
        match self.zoom.refresh(&refresh_token).await {
            Ok(grant) => {
                let now = store::now();
                let tokens = RefreshedTokens {
                    access: self.keys.seal(&grant.access_token, aad),
                    refresh: self.keys.seal(&grant.refresh_token, aad),
                    access_expires_at: now + TimeDelta::seconds(grant.expires_in),
                    scopes: grant.scope.clone(),
                    refreshed_at: now,
                };
                let id = tenant_id.clone();
                self.store
                    .write(move |mut db| Box::pin(async move { store::connection::store_refreshed(&mut db, &id, &tokens).await }))
                    .await?;
                tracing::info!(tenant.id = %tenant_id, "Zoom access token refreshed");
                Ok(grant.access_token)
            }
            Err(ZoomError::InvalidGrant { reason }) => {
                let id = tenant_id.clone();
                let why = format!("Zoom refused the refresh token ({reason}); reconnect Zoom");
                self.store
                    .write(move |mut db| Box::pin(async move { store::connection::mark_needs_reconnect(&mut db, &id, &why).await }))
                    .await?;
                tracing::warn!(tenant.id = %tenant_id, "Zoom grant is dead; connection needs reconnect");
                Err(ServiceError::NotConnected("the Zoom connection needs to be reconnected".into()))
            }
            Err(other) => {
                // Network errors and 5xx never kill a grant: release and let the caller retry.
                self.release_refresh_lease(tenant_id).await?;
                Err(other.into())
            }
        }
    }

    async fn release_refresh_lease(&self, tenant_id: &TenantId) -> Result<(), ServiceError> {
        let id = tenant_id.clone();
        self.store.write(move |mut db| Box::pin(async move { store::connection::release_lease(&mut db, &id).await })).await?;
        Ok(())
    }
}

//! Zoom calls of sync jobs and webhook events, paced by the account's budget and retried within
//! reason.

use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use futures::StreamExt;
use zeroize::Zeroizing;

use crate::domain::TenantId;
use crate::domain::status::MeetingKind;
use crate::service::tokens::Tokens;
use crate::service::zoom_budget::{RateCategory, ZoomBudgets};
use crate::service::{ServiceError, Services};
use crate::zoom::models::{ZoomMeeting, ZoomRecording};
use crate::zoom::{ZoomClient, ZoomError};

use super::{MAX_CALL_RETRIES, MAX_OUTAGE_RETRIES, Run};

/// Zoom calls for a site, each taking a slot of its account's budget first.
#[derive(Clone, Copy)]
pub(crate) struct ZoomCalls<'a> {
    zoom: &'a ZoomClient,
    budgets: &'a ZoomBudgets,
    tokens: Tokens<'a>,
}

impl Services {
    /// Paced Zoom calls (`service/sync/calls.rs`).
    pub(crate) fn zoom_calls(&self) -> ZoomCalls<'_> {
        ZoomCalls {
            zoom: &self.zoom,
            budgets: &self.budgets,
            tokens: self.tokens(),
        }
    }
}

impl ZoomCalls<'_> {
    /// One Zoom call for the site, paced by its account's budget. QPS 429s and brief outages
    /// are waited out (honouring `Retry-After`); a daily quota ends the call with
    /// `ZoomRateLimited { daily: true }` so the job is postponed. `requests` counts the calls
    /// made, when given.
    pub(crate) async fn paced<T, F, Fut>(
        &self,
        tenant: &TenantId,
        account: &str,
        category: RateCategory,
        requests: Option<&AtomicI64>,
        call: F,
    ) -> Result<T, ServiceError>
    where
        F: Fn(Zeroizing<String>) -> Fut,
        Fut: Future<Output = Result<T, ZoomError>>,
    {
        let mut retries = 0;
        loop {
            self.budgets.acquire(account, category).await;
            if let Some(counter) = requests {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            match self.tokens.with_zoom_token(tenant, &call).await {
                Err(ServiceError::ZoomRateLimited {
                    retry_after,
                    daily,
                    limit,
                }) => {
                    self.budgets
                        .rate_limited(account, category, retry_after, limit);
                    if daily || retries >= MAX_CALL_RETRIES {
                        return Err(ServiceError::ZoomRateLimited {
                            retry_after,
                            daily,
                            limit,
                        });
                    }
                }
                Err(ServiceError::ZoomUnavailable { .. }) if retries < MAX_OUTAGE_RETRIES => {
                    tokio::time::sleep(Duration::from_millis(100 << retries)).await;
                }
                other => return other,
            }
            retries += 1;
        }
    }

    /// A paced call of a job, counted in its progress.
    pub(super) async fn in_run<T, F, Fut>(
        &self,
        run: &Run,
        category: RateCategory,
        call: F,
    ) -> Result<T, ServiceError>
    where
        F: Fn(Zeroizing<String>) -> Fut,
        Fut: Future<Output = Result<T, ZoomError>>,
    {
        self.paced(
            &run.tenant,
            &run.account,
            category,
            Some(&run.progress.requests),
            call,
        )
        .await
    }

    /// `GET /meetings/{id}` or `/webinars/{id}`, paced; `None` on Zoom's "not found".
    pub(crate) async fn fetch_meeting(
        &self,
        tenant: &TenantId,
        account: &str,
        id: i64,
        kind: MeetingKind,
        requests: Option<&AtomicI64>,
    ) -> Result<Option<ZoomMeeting>, ServiceError> {
        let zoom = self.zoom;
        let webinar = kind == MeetingKind::Webinar;
        self.fetch(tenant, account, requests, |t| async move {
            if webinar {
                zoom.get_webinar(&t, id).await
            } else {
                zoom.get_meeting(&t, id).await
            }
        })
        .await
    }

    /// `GET /meetings/{uuid}/recordings`, paced; `None` on Zoom's "not found".
    pub(crate) async fn fetch_recording(
        &self,
        tenant: &TenantId,
        account: &str,
        uuid: &str,
        requests: Option<&AtomicI64>,
    ) -> Result<Option<ZoomRecording>, ServiceError> {
        let zoom = self.zoom;
        self.fetch(tenant, account, requests, |t| async move {
            zoom.get_recording(&t, uuid).await
        })
        .await
    }

    /// One paced Light call reading one thing; Zoom's "not found" answers for meetings (3001),
    /// webinars and recordings (3301) become `None`.
    async fn fetch<T, F, Fut>(
        &self,
        tenant: &TenantId,
        account: &str,
        requests: Option<&AtomicI64>,
        call: F,
    ) -> Result<Option<T>, ServiceError>
    where
        F: Fn(Zeroizing<String>) -> Fut,
        Fut: Future<Output = Result<T, ZoomError>>,
    {
        match self
            .paced(tenant, account, RateCategory::Light, requests, call)
            .await
        {
            Ok(value) => Ok(Some(value)),
            Err(ServiceError::ZoomNotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Runs `futures` with at most `limit` in flight; stops at the first error. Takes a `Vec`:
/// a lazy iterator holding a borrowing closure across the awaits would make the future lose
/// `Send` (a known limit of higher-ranked lifetimes in async code).
pub(super) async fn bounded<T, Fut>(futures: Vec<Fut>, limit: usize) -> Result<Vec<T>, ServiceError>
where
    Fut: Future<Output = Result<T, ServiceError>>,
{
    let mut waiting = futures.into_iter();
    let mut running = futures::stream::FuturesUnordered::new();
    let mut out = Vec::new();
    loop {
        while running.len() < limit.max(1) {
            match waiting.next() {
                Some(f) => running.push(f),
                None => break,
            }
        }
        match running.next().await {
            Some(result) => out.push(result?),
            None => return Ok(out),
        }
    }
}

/// Time left until the next 00:00 UTC, when Zoom's daily quotas reset.
pub(super) fn until_next_utc_midnight() -> Duration {
    let now = Utc::now();
    let midnight = (now.date_naive() + TimeDelta::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    (midnight - now)
        .to_std()
        .unwrap_or(Duration::from_secs(3600))
}

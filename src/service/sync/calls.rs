//! Zoom calls of a sync run, paced by the account's budget and retried within reason.

use super::*;

impl Services {
    /// One Zoom call for the site, paced by its account's budget. QPS 429s and brief outages
    /// are waited out (honouring `Retry-After`); a daily quota ends the call with
    /// `ZoomRateLimited { daily: true }` so the job is postponed.
    pub(crate) async fn paced_call<T, F, Fut>(
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
            match self.with_zoom_token(tenant, &call).await {
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

    pub(super) async fn call<T, F, Fut>(
        &self,
        run: &Run,
        category: RateCategory,
        call: F,
    ) -> Result<T, ServiceError>
    where
        F: Fn(Zeroizing<String>) -> Fut,
        Fut: Future<Output = Result<T, ZoomError>>,
    {
        self.paced_call(
            &run.tenant,
            &run.account,
            category,
            Some(&run.progress.requests),
            call,
        )
        .await
    }

    // ---- backfill and reconcile -----------------------------------------------------------
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

/// Zoom's "not found" answers for meetings (3001), webinars and recordings (3301).
pub(crate) fn is_not_found(err: &ServiceError) -> bool {
    matches!(err, ServiceError::ZoomNotFound(_))
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

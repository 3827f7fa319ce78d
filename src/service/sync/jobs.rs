//! Running sync jobs: claiming, heartbeats, concluding, and scheduling reconciles.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};

use crate::config::SyncConfig;
use crate::domain::TenantId;
use crate::domain::status::{JobStatus, SyncKind};
use crate::service::public::PublicCache;
use crate::service::tokens::Tokens;
use crate::service::{ServiceError, Services};
use crate::store::sync_job::StoredJob;
use crate::store::sync_status::SyncCounts;
use crate::store::{self, Store};
use crate::zoom::ZoomClient;

use super::calls::{ZoomCalls, until_next_utc_midnight};
use super::{
    JOB_LEASE, Progress, RECONCILE_RECORDING_MONTHS, RETRY_JOB_AFTER, Run, SyncEngine, SyncWork,
    epoch_ms,
};

/// The job runner of this instance: claims jobs under a lease, runs them, records their end.
#[derive(Clone, Copy)]
pub struct SyncJobs<'a> {
    store: &'a Store,
    zoom: &'a ZoomClient,
    config: &'a SyncConfig,
    /// This instance's name in job leases.
    instance_id: &'a str,
    tokens: Tokens<'a>,
    calls: ZoomCalls<'a>,
    cache: &'a PublicCache,
    sync: SyncEngine<'a>,
}

impl Services {
    /// Running sync jobs (`service/sync/jobs.rs`).
    pub fn sync_jobs(&self) -> SyncJobs<'_> {
        SyncJobs {
            store: &self.store,
            zoom: &self.zoom,
            config: &self.config.sync,
            instance_id: &self.instance_id,
            tokens: self.tokens(),
            calls: self.zoom_calls(),
            cache: &self.public,
            sync: self.sync(),
        }
    }
}

/// How a job that ran to its end is recorded.
struct JobEnd {
    /// `Done` or `Failed`.
    status: JobStatus,
    /// What the job's row says.
    job_summary: String,
    /// What the site's connection shows as its last sync.
    site_summary: String,
    error: Option<String>,
    counts: SyncCounts,
    next_reconcile: NaiveDateTime,
}

/// How long a job postponed for a transient error waits: Zoom's `Retry-After`; without it, a
/// daily quota until it resets at 00:00 UTC (docs/zoom.md §5.2), anything else 30 seconds.
fn postponement(err: &ServiceError) -> Duration {
    let unsaid = Duration::from_secs(30);
    match err {
        ServiceError::ZoomRateLimited {
            retry_after,
            daily: true,
            ..
        } => retry_after.unwrap_or_else(until_next_utc_midnight),
        ServiceError::ZoomRateLimited { retry_after, .. }
        | ServiceError::ZoomUnavailable { retry_after } => retry_after.unwrap_or(unsaid),
        _ => unsaid,
    }
}

impl SyncJobs<'_> {
    /// Claims and runs job `id` here, if nobody else holds it. Returns whether it ran.
    pub async fn run_by_id(&self, id: &str) -> Result<bool, ServiceError> {
        let (id, owner) = (id.to_owned(), self.instance_id.to_owned());
        let job = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    store::sync_job::claim(&mut db, &id, &owner, now, now + JOB_LEASE).await
                })
            })
            .await?;
        match job {
            Some(job) => {
                self.run_claimed(job).await;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Claims the next due job (skipping paused and busy accounts) and runs it. Returns whether
    /// there was one.
    pub async fn run_next(&self) -> Result<bool, ServiceError> {
        let owner = self.instance_id.to_owned();
        let job = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let mut skip = store::account_pause::paused_accounts(&mut db, now).await?;
                    skip.extend(store::sync_job::busy_accounts(&mut db, now).await?);
                    store::sync_job::claim_next(&mut db, &owner, now, now + JOB_LEASE, &skip).await
                })
            })
            .await?;
        match job {
            Some(job) => {
                self.run_claimed(job).await;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Runs a job we hold, with a heartbeat that renews the lease and publishes progress; then
    /// finishes, reschedules (rate limit, Zoom unavailable) or fails it.
    async fn run_claimed(&self, job: StoredJob) {
        let tenant = TenantId::from_stored(job.tenant_id.clone());
        let progress = Arc::new(Progress::default());
        let started = store::now();
        let clock = std::time::Instant::now();
        let _ = self
            .record_sync_start(&tenant, &job.kind, started)
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "could not record the sync start"));
        let (lost_tx, mut lost_rx) = tokio::sync::watch::channel(false);
        let beating = {
            let (store, owner) = (self.store.clone(), self.instance_id.to_owned());
            let (id, progress) = (job.id.clone(), progress.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(PROGRESS_EVERY).await;
                    if !heartbeat(&store, &owner, &id, &progress).await {
                        let _ = lost_tx.send(true);
                        return;
                    }
                }
            })
        };
        let work = self.execute(&job, &tenant, progress.clone());
        let result = tokio::select! {
            r = work => r,
            _ = lost_rx.wait_for(|lost| *lost) => {
                Err(ServiceError::Conflict("the job's lease was lost to another worker".into()))
            }
        };
        beating.abort();
        // The last beat: the job's row keeps how far it got, for the owner's Sync page.
        heartbeat(self.store, self.instance_id, &job.id, &progress).await;
        let requests = progress.requests.load(Ordering::Relaxed);
        record_job_metrics(&job.kind, &result, clock.elapsed());
        if let Err(e) = self.conclude(&job, &tenant, result, requests).await {
            tracing::warn!(job.id = %job.id, error = %e, "could not record the job's end; its lease will expire");
        }
        self.cache.forget_all_sites();
    }

    async fn execute(
        &self,
        job: &StoredJob,
        tenant: &TenantId,
        progress: Arc<Progress>,
    ) -> Result<SyncCounts, ServiceError> {
        let grant = self.tokens.grant_of(tenant).await?;
        let run = Run {
            tenant: tenant.clone(),
            account: grant.zoom_account_id.clone(),
            grant,
            version: epoch_ms(store::now()),
            progress,
            writes: tokio::sync::Mutex::new(()),
        };
        let work = SyncWork {
            store: self.store,
            zoom: self.zoom,
            calls: self.calls,
            config: self.config,
        };
        let horizon = self.config.recordings_horizon_months;
        match SyncKind::parse(&job.kind) {
            Some(SyncKind::Backfill) => work.full_sync(&run, horizon).await,
            Some(SyncKind::Reconcile) => {
                work.full_sync(&run, horizon.min(RECONCILE_RECORDING_MONTHS))
                    .await
            }
            Some(SyncKind::OneMeeting) => work.sync_one_meeting(&run, &job.param).await,
            Some(SyncKind::Recordings) => work.sync_recording_window(&run, &job.param).await,
            None => Err(ServiceError::invalid(
                "kind",
                format!("unknown job kind {:?}", job.kind),
            )),
        }
    }

    /// Records the end of a job: done, rescheduled (transient), or failed.
    async fn conclude(
        &self,
        job: &StoredJob,
        tenant: &TenantId,
        result: Result<SyncCounts, ServiceError>,
        requests: i64,
    ) -> Result<(), ServiceError> {
        match result {
            Ok(counts) => self.finish_done(job, tenant, counts, requests).await,
            Err(e) if e.is_transient() => self.postpone(job, tenant, &e).await,
            Err(e) => self.finish_failed(job, tenant, &e, requests).await,
        }
    }

    async fn finish_done(
        &self,
        job: &StoredJob,
        tenant: &TenantId,
        mut counts: SyncCounts,
        requests: i64,
    ) -> Result<(), ServiceError> {
        counts.zoom_requests = requests;
        let summary = format!(
            "ok: {} meetings, {} webinars, {} recordings, {} removed",
            counts.meetings, counts.webinars, counts.recordings, counts.removed
        );
        tracing::info!(tenant.id = %tenant, job.kind = %job.kind, sync.requests = requests, "{summary}");
        let end = JobEnd {
            status: JobStatus::Done,
            job_summary: summary.clone(),
            site_summary: summary,
            error: None,
            counts,
            next_reconcile: self.next_reconcile_at(),
        };
        self.record_end(job, tenant, end).await
    }

    async fn finish_failed(
        &self,
        job: &StoredJob,
        tenant: &TenantId,
        err: &ServiceError,
        requests: i64,
    ) -> Result<(), ServiceError> {
        let message = err.to_string();
        tracing::warn!(tenant.id = %tenant, job.kind = %job.kind, error = %message, "sync job failed");
        let end = JobEnd {
            status: JobStatus::Failed,
            job_summary: "failed".to_owned(),
            site_summary: format!("failed: {message}"),
            error: Some(message),
            counts: SyncCounts {
                zoom_requests: requests,
                ..SyncCounts::default()
            },
            next_reconcile: store::now() + RETRY_JOB_AFTER,
        };
        self.record_end(job, tenant, end).await
    }

    /// Marks the job finished; a backfill or reconcile also records the site's sync state and
    /// when its next reconcile is due.
    async fn record_end(
        &self,
        job: &StoredJob,
        tenant: &TenantId,
        end: JobEnd,
    ) -> Result<(), ServiceError> {
        let (id, owner, tid) = (job.id.clone(), self.instance_id.to_owned(), tenant.clone());
        let periodic = SyncKind::parse(&job.kind).is_some_and(SyncKind::is_whole_site);
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let error = end.error.as_deref();
                    store::sync_job::finish(
                        &mut db,
                        &id,
                        &owner,
                        end.status,
                        &end.job_summary,
                        error,
                        now,
                    )
                    .await?;
                    if periodic {
                        store::sync_status::record_finish(&mut db, &tid, end.counts, error, now)
                            .await?;
                        store::sync_status::schedule_reconcile(&mut db, &tid, end.next_reconcile)
                            .await?;
                        store::connection::record_sync(&mut db, &tid, now, &end.site_summary)
                            .await?;
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(())
    }

    /// A transient failure: the job runs again after the wait Zoom asked for (see
    /// [`postponement`]); a daily quota also pauses every job of the account until then.
    async fn postpone(
        &self,
        job: &StoredJob,
        tenant: &TenantId,
        err: &ServiceError,
    ) -> Result<(), ServiceError> {
        let daily = matches!(err, ServiceError::ZoomRateLimited { daily: true, .. });
        let wait = postponement(err);
        let message = err.to_string();
        tracing::warn!(tenant.id = %tenant, job.kind = %job.kind, error = %message, wait_secs = wait.as_secs(), "sync job postponed");
        let (id, owner, account) = (
            job.id.clone(),
            self.instance_id.to_owned(),
            job.zoom_account_id.clone(),
        );
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let until =
                        store::now() + TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(1));
                    if daily {
                        // Shared by every instance: no job of this account before then.
                        store::account_pause::pause(&mut db, &account, until, &message).await?;
                    }
                    store::sync_job::reschedule(&mut db, &id, &owner, until, &message).await
                })
            })
            .await?;
        Ok(())
    }

    async fn record_sync_start(
        &self,
        tenant: &TenantId,
        kind: &str,
        at: NaiveDateTime,
    ) -> Result<(), ServiceError> {
        let (tid, kind) = (tenant.clone(), kind.to_owned());
        self.store
            .write(move |mut db| {
                Box::pin(
                    async move { store::sync_status::record_start(&mut db, &tid, &kind, at).await },
                )
            })
            .await?;
        Ok(())
    }

    /// Now + the reconcile interval, jittered ±10% so sites connected together spread out.
    fn next_reconcile_at(&self) -> NaiveDateTime {
        let base = self.config.reconcile_interval.as_secs_f64();
        let jitter = (rand::random::<f64>() - 0.5) * 0.2 * base;
        store::now() + TimeDelta::milliseconds(((base + jitter) * 1000.0) as i64)
    }

    /// Queues a reconcile for every site whose time has come. Returns how many.
    pub async fn enqueue_due_reconciles(&self) -> Result<usize, ServiceError> {
        let due = self
            .store
            .read(|mut db| {
                Box::pin(async move {
                    store::sync_status::due_for_reconcile(&mut db, store::now(), 100).await
                })
            })
            .await?;
        let mut queued = 0;
        for tenant in due {
            match self.sync.enqueue(&tenant, SyncKind::Reconcile, "").await {
                Ok(_) => queued += 1,
                // Disconnected since: nothing to reconcile until it connects again.
                Err(ServiceError::NotConnected(_)) => {}
                Err(e) => return Err(e),
            }
            let (tid, later) = (tenant.clone(), self.next_reconcile_at());
            self.store
                .write(move |mut db| {
                    Box::pin(async move {
                        store::sync_status::schedule_reconcile(&mut db, &tid, later).await
                    })
                })
                .await?;
        }
        Ok(queued)
    }
}

/// Counts the finished run in `marquee_sync_jobs_total` and its duration and items.
fn record_job_metrics(
    kind: &str,
    result: &Result<SyncCounts, ServiceError>,
    took: std::time::Duration,
) {
    let (outcome, items) = match result {
        Ok(c) => ("ok", c.meetings + c.webinars + c.recordings + c.removed),
        Err(e) if e.is_transient() => ("postponed", 0),
        Err(_) => ("failed", 0),
    };
    crate::telemetry::metrics::sync_job(kind, outcome, took, u64::try_from(items).unwrap_or(0));
}

/// How often a running job publishes its progress (and renews its lease, far inside
/// `JOB_LEASE`): often enough that `marquee sync` and the Sync page move while it runs.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Renews a running job's lease and publishes its progress. Returns false once the lease is
/// lost (another worker took the job).
async fn heartbeat(store: &Store, owner: &str, id: &str, progress: &Progress) -> bool {
    let (done, total, note) = progress.snapshot();
    let (id, owner) = (id.to_owned(), owner.to_owned());
    store
        .write(move |mut db| {
            Box::pin(async move {
                let until = store::now() + JOB_LEASE;
                store::sync_job::heartbeat(&mut db, &id, &owner, done, total, &note, until).await
            })
        })
        .await
        .unwrap_or(true) // a database hiccup is not a lost lease; the next beat tells
}

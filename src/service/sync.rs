//! The sync engine: bringing each site's Zoom meetings, webinars and cloud recordings into
//! Marquee's store, and keeping them true.
//!
//! Work is a database job (`store::sync_job`), claimed with a row lease so several instances
//! share it and a crashed worker's job is picked up again. Kinds:
//! * `backfill` — on connect and on demand: every user of the account (account-level grants) or
//!   the connected user; each user's scheduled meetings and webinars (all pages); cloud
//!   recordings walked back month by month (Zoom's one-month window) to the configured horizon;
//!   upsert, then remove what Zoom no longer lists.
//! * `reconcile` — the same, periodically (jittered), with a two-month recordings window, to
//!   catch events Zoom dropped.
//! * `meeting` — one meeting or webinar (`meeting:<id>` / `webinar:<id>`).
//! * `recordings` — one window of recordings (`YYYY-MM-DD..YYYY-MM-DD`).
//!
//! Lists are cheap (300 per page) but omit registration settings, occurrences and agendas past
//! 250 characters (reference §4.3). So a meeting's detail is fetched only when the site may need
//! it: it is upcoming (or recurring) and new or changed since the stored copy. Past meetings
//! keep list data; registration changes without a visible list change arrive by webhook
//! (`meeting.updated`). This keeps a 10,000-meeting backfill near its list cost.
//!
//! Every Zoom call takes a slot from the account's pacer (`zoom_budget`) first. Writes carry the
//! version "when this run started" (epoch ms): a webhook applied meanwhile is newer and wins.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use futures::StreamExt;
use zeroize::Zeroizing;

use crate::domain::{Meeting, TenantId};
use crate::store::grant::StoredGrant;
use crate::store::occurrence::Occurrence;
use crate::store::recording::{RecordingData, STATUS_AVAILABLE};
use crate::store::sync_job::{STATUS_DONE, STATUS_FAILED, StoredJob};
use crate::store::sync_status::SyncCounts;
use crate::store::{self, meeting::KIND_MEETING, meeting::KIND_WEBINAR};
use crate::zoom::models::{ZoomMeeting, ZoomRecording};
use crate::zoom::{ZoomError, scopes};

use super::zoom_budget::RateCategory;
use super::{ServiceError, Services};

/// Job kinds.
pub const KIND_BACKFILL: &str = "backfill";
pub const KIND_RECONCILE: &str = "reconcile";
pub const KIND_ONE_MEETING: &str = "meeting";
pub const KIND_RECORDINGS: &str = "recordings";

/// Guards against a Zoom that never stops paging.
const MAX_PAGES: usize = 1000;
/// A worker owns a job this long without a heartbeat; heartbeats come every third of it.
const JOB_LEASE: TimeDelta = TimeDelta::seconds(60);
/// Rows written per transaction, so a huge account never holds SQLite's writer for long.
const WRITE_CHUNK: usize = 250;
/// A reconcile re-reads this many months of recordings.
const RECONCILE_RECORDING_MONTHS: u32 = 2;
/// QPS 429s one call waits out before the job gives up for now.
const MAX_CALL_RETRIES: u32 = 5;
/// Quick retries of a Zoom 5xx/timeout within one call (the job or event retries later anyway).
const MAX_OUTAGE_RETRIES: u32 = 2;
/// How long the OAuth callback waits for the first sync before letting it finish in the
/// background.
const FIRST_SYNC_WAIT: Duration = Duration::from_secs(10);
/// How long a refused (failed) job waits before it may be retried by the next reconcile.
const RETRY_JOB_AFTER: TimeDelta = TimeDelta::minutes(5);

/// What one sync run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncReport {
    pub meetings: usize,
    pub removed: usize,
}

/// A job as the CLI and the admin status show it.
#[derive(Clone, Debug)]
pub struct JobView {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub done: i64,
    pub total: i64,
    pub note: String,
    pub result: Option<String>,
    pub error: Option<String>,
    pub attempts: i64,
}

impl From<StoredJob> for JobView {
    fn from(j: StoredJob) -> Self {
        Self {
            id: j.id,
            kind: j.kind,
            status: j.status,
            done: j.progress_done,
            total: j.progress_total,
            note: j.progress_note,
            result: j.result,
            error: j.last_error,
            attempts: j.attempts,
        }
    }
}

/// A site's sync state, for the owner, the operator and the CLI.
#[derive(Clone, Debug, Default)]
pub struct SyncStatusView {
    pub last_kind: Option<String>,
    pub last_started_at: Option<NaiveDateTime>,
    pub last_finished_at: Option<NaiveDateTime>,
    /// `ok` or `failed`.
    pub last_result: Option<String>,
    pub last_error: Option<String>,
    pub meetings: i64,
    pub webinars: i64,
    pub recordings: i64,
    pub removed: i64,
    pub zoom_requests: i64,
    pub next_reconcile_at: Option<NaiveDateTime>,
    /// The newest job (queued, running or finished), with its progress.
    pub current_job: Option<JobView>,
}

/// Progress of a running job, shared with its heartbeat task.
#[derive(Default)]
struct Progress {
    done: AtomicI64,
    total: AtomicI64,
    requests: AtomicI64,
    note: std::sync::Mutex<String>,
}

impl Progress {
    fn add_total(&self, n: usize) {
        self.total.fetch_add(n as i64, Ordering::Relaxed);
    }

    fn advance(&self, n: usize) {
        self.done.fetch_add(n as i64, Ordering::Relaxed);
    }

    fn note(&self, note: &str) {
        *self.note.lock().unwrap_or_else(|p| p.into_inner()) = note.to_owned();
    }

    fn snapshot(&self) -> (i64, i64, String) {
        let note = self.note.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let done = self.done.load(Ordering::Relaxed);
        (done, self.total.load(Ordering::Relaxed).max(done), note)
    }
}

/// One job being run: whose token, whose budget, the version its writes carry.
struct Run {
    tenant: TenantId,
    account: String,
    grant: StoredGrant,
    version: i64,
    progress: Arc<Progress>,
}

/// A meeting or webinar as listed, with what kind it is.
struct Listed {
    meeting: ZoomMeeting,
    kind: &'static str,
}

/// A meeting ready to store, with its occurrences when its detail was read.
struct Fetched {
    meeting: Meeting,
    kind: &'static str,
    occurrences: Option<Vec<Occurrence>>,
}

fn epoch_ms(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

impl Services {
    // ---- queueing -------------------------------------------------------------------------

    /// Queues a job for the site (or finds the same one already queued) and wakes a worker;
    /// returns the job's id.
    pub async fn enqueue_sync(
        &self,
        tenant_id: &TenantId,
        kind: &str,
        param: &str,
    ) -> Result<String, ServiceError> {
        let id = self.enqueue_quietly(tenant_id, kind, param).await?;
        self.wake_job_workers();
        Ok(id)
    }

    /// Queues without waking a worker (the caller runs the job itself).
    async fn enqueue_quietly(
        &self,
        tenant_id: &TenantId,
        kind: &str,
        param: &str,
    ) -> Result<String, ServiceError> {
        let grant = self.grant_of(tenant_id).await?;
        let (tid, kind, param, account) = (
            tenant_id.clone(),
            kind.to_owned(),
            param.to_owned(),
            grant.zoom_account_id,
        );
        let id = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let job = store::sync_job::NewJob {
                        id: &uuid::Uuid::now_v7().to_string(),
                        tenant_id: &tid,
                        zoom_account_id: &account,
                        kind: &kind,
                        param: &param,
                        run_after: now,
                        now,
                    };
                    store::sync_job::enqueue(&mut db, &job).await
                })
            })
            .await?;
        Ok(id)
    }

    /// One job, as the CLI and status pages show it.
    pub async fn sync_job(&self, id: &str) -> Result<JobView, ServiceError> {
        let id = id.to_owned();
        self.store
            .read(move |mut db| Box::pin(async move { store::sync_job::find(&mut db, &id).await }))
            .await?
            .map(JobView::from)
            .ok_or(ServiceError::NotFound("sync job"))
    }

    /// The site's sync state (scope `settings:read`).
    pub async fn sync_status(
        &self,
        principal: &crate::domain::Principal,
    ) -> Result<SyncStatusView, ServiceError> {
        self.require(principal, crate::domain::Scope::SettingsRead)?;
        self.sync_status_of(principal.tenant_id()).await
    }

    /// The site's sync state (for the operator's CLI).
    pub async fn sync_status_of(
        &self,
        tenant_id: &TenantId,
    ) -> Result<SyncStatusView, ServiceError> {
        let tid = tenant_id.clone();
        let (status, jobs) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let status = store::sync_status::find(&mut db, &tid).await?;
                    let jobs = store::sync_job::list_for_tenant(&mut db, &tid, 1).await?;
                    Ok((status, jobs))
                })
            })
            .await?;
        let s = status.unwrap_or_default();
        Ok(SyncStatusView {
            last_kind: s.last_kind,
            last_started_at: s.last_started_at,
            last_finished_at: s.last_finished_at,
            last_result: s.last_result,
            last_error: s.last_error,
            meetings: s.meetings,
            webinars: s.webinars,
            recordings: s.recordings,
            removed: s.removed,
            zoom_requests: s.zoom_requests,
            next_reconcile_at: s.next_reconcile_at,
            current_job: jobs.into_iter().next().map(JobView::from),
        })
    }

    /// Queues a backfill of the site now (scope `settings:write`); returns the job's id.
    pub async fn request_sync(
        &self,
        principal: &crate::domain::Principal,
    ) -> Result<String, ServiceError> {
        self.require(principal, crate::domain::Scope::SettingsWrite)?;
        self.enqueue_sync(principal.tenant_id(), KIND_BACKFILL, "")
            .await
    }

    /// The first sync after connecting: a backfill, run here and now; if it takes longer than
    /// `wait`, it carries on in the background (its lease and heartbeat keep it ours).
    pub async fn sync_meetings(&self, tenant_id: &TenantId) -> Result<SyncReport, ServiceError> {
        let id = self.enqueue_quietly(tenant_id, KIND_BACKFILL, "").await?;
        let me = self.clone();
        let job_id = id.clone();
        // Spawned: if it outlasts the wait, it carries on after the owner's redirect.
        let running = tokio::spawn(async move { me.run_job_by_id(&job_id).await });
        let waited = tokio::time::timeout(FIRST_SYNC_WAIT, async {
            let _ = running.await;
            // Another worker may hold the job (it was queued already): wait for its end.
            loop {
                let job = self.sync_job(&id).await?;
                if matches!(job.status.as_str(), STATUS_DONE | STATUS_FAILED) {
                    return Ok::<_, ServiceError>(job);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        let Ok(job) = waited else {
            return Ok(SyncReport {
                meetings: self.meeting_count(tenant_id).await? as usize,
                removed: 0,
            });
        };
        let job = job?;
        if job.status == STATUS_FAILED {
            return Err(ServiceError::ZoomRefused(job.error.unwrap_or_default()));
        }
        let meetings = self.meeting_count(tenant_id).await? as usize;
        Ok(SyncReport {
            meetings,
            removed: 0,
        })
    }

    // ---- running --------------------------------------------------------------------------

    /// Claims and runs job `id` here, if nobody else holds it. Returns whether it ran.
    pub async fn run_job_by_id(&self, id: &str) -> Result<bool, ServiceError> {
        let (id, owner) = (id.to_owned(), self.instance_id.clone());
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
    pub async fn run_next_job(&self) -> Result<bool, ServiceError> {
        let owner = self.instance_id.clone();
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
        let _ = self
            .record_sync_start(&tenant, &job.kind, started)
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "could not record the sync start"));
        let (lost_tx, mut lost_rx) = tokio::sync::watch::channel(false);
        let heartbeat = {
            let me = self.clone();
            let (id, progress) = (job.id.clone(), progress.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep((JOB_LEASE / 3).to_std().unwrap_or_default()).await;
                    if !me.heartbeat(&id, &progress).await {
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
        heartbeat.abort();
        let requests = progress.requests.load(Ordering::Relaxed);
        if let Err(e) = self.conclude(&job, &tenant, result, requests).await {
            tracing::warn!(job.id = %job.id, error = %e, "could not record the job's end; its lease will expire");
        }
        self.content_changed();
    }

    async fn heartbeat(&self, id: &str, progress: &Progress) -> bool {
        let (done, total, note) = progress.snapshot();
        let (id, owner) = (id.to_owned(), self.instance_id.clone());
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let until = store::now() + JOB_LEASE;
                    store::sync_job::heartbeat(&mut db, &id, &owner, done, total, &note, until)
                        .await
                })
            })
            .await
            .unwrap_or(true) // a database hiccup is not a lost lease; the next beat tells
    }

    async fn execute(
        &self,
        job: &StoredJob,
        tenant: &TenantId,
        progress: Arc<Progress>,
    ) -> Result<SyncCounts, ServiceError> {
        let grant = self.grant_of(tenant).await?;
        let run = Run {
            tenant: tenant.clone(),
            account: grant.zoom_account_id.clone(),
            grant,
            version: epoch_ms(store::now()),
            progress,
        };
        let horizon = self.config.sync.recordings_horizon_months;
        match job.kind.as_str() {
            KIND_BACKFILL => self.full_sync(&run, horizon).await,
            KIND_RECONCILE => {
                self.full_sync(&run, horizon.min(RECONCILE_RECORDING_MONTHS))
                    .await
            }
            KIND_ONE_MEETING => self.sync_one_meeting(&run, &job.param).await,
            KIND_RECORDINGS => self.sync_recording_window(&run, &job.param).await,
            other => Err(ServiceError::invalid(
                "kind",
                format!("unknown job kind {other:?}"),
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
        let (id, owner, tid, kind) = (
            job.id.clone(),
            self.instance_id.clone(),
            tenant.clone(),
            job.kind.clone(),
        );
        let account = job.zoom_account_id.clone();
        let periodic = matches!(kind.as_str(), KIND_BACKFILL | KIND_RECONCILE);
        let next_reconcile = self.next_reconcile_at();
        match result {
            Ok(mut counts) => {
                counts.zoom_requests = requests;
                let summary = format!(
                    "ok: {} meetings, {} webinars, {} recordings, {} removed",
                    counts.meetings, counts.webinars, counts.recordings, counts.removed
                );
                tracing::info!(tenant.id = %tenant, job.kind = %kind, sync.requests = requests, "{summary}");
                self.store
                    .write(move |mut db| {
                        Box::pin(async move {
                            let now = store::now();
                            store::sync_job::finish(
                                &mut db,
                                &id,
                                &owner,
                                STATUS_DONE,
                                &summary,
                                None,
                                now,
                            )
                            .await?;
                            if periodic {
                                store::sync_status::record_finish(&mut db, &tid, counts, None, now)
                                    .await?;
                                store::sync_status::schedule_reconcile(
                                    &mut db,
                                    &tid,
                                    next_reconcile,
                                )
                                .await?;
                                store::connection::record_sync(&mut db, &tid, now, &summary)
                                    .await?;
                            }
                            Ok(())
                        })
                    })
                    .await?;
            }
            Err(e) if e.is_transient() => {
                let daily = matches!(e, ServiceError::ZoomRateLimited { daily: true, .. });
                let wait = match &e {
                    ServiceError::ZoomRateLimited { retry_after, .. }
                    | ServiceError::ZoomUnavailable { retry_after } => {
                        // A daily quota resets at 00:00 UTC (reference §5.2) if Zoom does not say.
                        retry_after.unwrap_or(if daily {
                            until_next_utc_midnight()
                        } else {
                            Duration::from_secs(30)
                        })
                    }
                    _ => Duration::from_secs(30),
                };
                let message = e.to_string();
                tracing::warn!(tenant.id = %tenant, job.kind = %kind, error = %message, wait_secs = wait.as_secs(), "sync job postponed");
                self.store
                    .write(move |mut db| {
                        Box::pin(async move {
                            let until = store::now()
                                + TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(1));
                            if daily {
                                // Shared by every instance: no job of this account before then.
                                store::account_pause::pause(&mut db, &account, until, &message)
                                    .await?;
                            }
                            store::sync_job::reschedule(&mut db, &id, &owner, until, &message).await
                        })
                    })
                    .await?;
            }
            Err(e) => {
                let message = e.to_string();
                tracing::warn!(tenant.id = %tenant, job.kind = %kind, error = %message, "sync job failed");
                self.store
                    .write(move |mut db| {
                        Box::pin(async move {
                            let now = store::now();
                            store::sync_job::finish(
                                &mut db,
                                &id,
                                &owner,
                                STATUS_FAILED,
                                "failed",
                                Some(&message),
                                now,
                            )
                            .await?;
                            if periodic {
                                let counts = SyncCounts {
                                    zoom_requests: requests,
                                    ..SyncCounts::default()
                                };
                                store::sync_status::record_finish(
                                    &mut db,
                                    &tid,
                                    counts,
                                    Some(&message),
                                    now,
                                )
                                .await?;
                                store::sync_status::schedule_reconcile(
                                    &mut db,
                                    &tid,
                                    now + RETRY_JOB_AFTER,
                                )
                                .await?;
                                store::connection::record_sync(
                                    &mut db,
                                    &tid,
                                    now,
                                    &format!("failed: {message}"),
                                )
                                .await?;
                            }
                            Ok(())
                        })
                    })
                    .await?;
            }
        }
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
        let base = self.config.sync.reconcile_interval.as_secs_f64();
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
            match self.enqueue_sync(&tenant, KIND_RECONCILE, "").await {
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

    // ---- Zoom calls -----------------------------------------------------------------------

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

    async fn call<T, F, Fut>(
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

    async fn full_sync(
        &self,
        run: &Run,
        recording_months: u32,
    ) -> Result<SyncCounts, ServiceError> {
        run.progress.note("listing users");
        let hosts = self.hosts(run).await?;
        let windows = if scopes::recordings_allowed(&run.grant.scopes) {
            month_windows(Utc::now().date_naive(), recording_months)
        } else {
            Vec::new()
        };
        // Meeting details are Light calls, recording lists Medium: Zoom budgets them apart, so
        // both phases run at once and the job takes as long as the busier category needs.
        let (mut counts, (recordings, removed)) =
            futures::try_join!(self.sync_meetings_of(run, &hosts), async {
                if windows.is_empty() {
                    return Ok((0, 0));
                }
                self.sync_recordings_of(run, &hosts, &windows).await
            })?;
        counts.recordings = recordings as i64;
        counts.removed += removed as i64;
        run.progress.note("done");
        Ok(counts)
    }

    /// Whose meetings the site shows: every active user of the account for account-level
    /// grants, else the connected user (`me`).
    async fn hosts(&self, run: &Run) -> Result<Vec<String>, ServiceError> {
        if !scopes::account_level(&run.grant.scopes) {
            return Ok(vec!["me".to_owned()]);
        }
        let zoom = &self.zoom;
        let mut hosts = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let current = page_token.clone();
            let page = self
                .call(run, RateCategory::Medium, |t| {
                    let current = current.clone();
                    async move { zoom.list_users(&t, current.as_deref()).await }
                })
                .await?;
            hosts.extend(page.users.into_iter().filter_map(|u| u.id));
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            if page_token.is_none() {
                break;
            }
        }
        Ok(hosts)
    }

    async fn sync_meetings_of(
        &self,
        run: &Run,
        hosts: &[String],
    ) -> Result<SyncCounts, ServiceError> {
        let webinars = scopes::webinars_allowed(&run.grant.scopes);
        run.progress
            .add_total(hosts.len() * if webinars { 2 } else { 1 });
        run.progress.note("listing meetings");
        let concurrency = self.config.sync.request_concurrency;
        let listed: Vec<Vec<Listed>> = bounded(
            hosts
                .iter()
                .map(|host| self.list_host_meetings(run, host, webinars))
                .collect::<Vec<_>>(),
            concurrency,
        )
        .await?;
        let listed: Vec<Listed> = listed.into_iter().flatten().collect();
        let tid = run.tenant.clone();
        let stored = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::meeting::all_by_id(&mut db, &tid).await })
            })
            .await?;
        let now = Utc::now().naive_utc();
        let (to_fetch, ready): (Vec<Listed>, Vec<Listed>) = listed
            .into_iter()
            .partition(|l| needs_detail(&l.meeting, stored.get(&l.meeting.id), now));
        run.progress.add_total(to_fetch.len());
        run.progress.note("reading meeting details");
        let mut keep: HashMap<&'static str, HashSet<i64>> = HashMap::new();
        let mut fetched: Vec<Fetched> = Vec::with_capacity(ready.len() + to_fetch.len());
        for l in ready {
            keep.entry(l.kind).or_default().insert(l.meeting.id);
            let unchanged = stored
                .get(&l.meeting.id)
                .is_some_and(|s| !list_differs(&l.meeting, s));
            if !unchanged {
                let id = l.meeting.id;
                let merged = merge_listed(to_domain(l.meeting), stored.get(&id));
                fetched.push(Fetched {
                    meeting: merged,
                    kind: l.kind,
                    occurrences: None,
                });
            }
        }
        let details: Vec<Option<Fetched>> = bounded(
            to_fetch
                .iter()
                .map(|l| self.meeting_detail(run, l.meeting.id, l.kind))
                .collect::<Vec<_>>(),
            concurrency,
        )
        .await?;
        for f in details.into_iter().flatten() {
            keep.entry(f.kind)
                .or_default()
                .insert(f.meeting.zoom_meeting_id);
            fetched.push(f);
        }
        let meetings = keep.get(KIND_MEETING).map_or(0, HashSet::len);
        let webinar_count = keep.get(KIND_WEBINAR).map_or(0, HashSet::len);
        run.progress.note("storing meetings");
        self.store_meetings(run, fetched).await?;
        let mut removed = 0;
        for kind in [KIND_MEETING, KIND_WEBINAR] {
            let keep = keep.remove(kind).unwrap_or_default();
            let (tid, version) = (run.tenant.clone(), run.version);
            removed += self
                .store
                .write(move |mut db| {
                    Box::pin(async move {
                        let n = store::meeting::delete_unlisted(
                            &mut db,
                            &tid,
                            kind,
                            &keep,
                            version,
                            store::now(),
                        )
                        .await?;
                        if n > 0 {
                            store::tenant::bump_content_version(&mut db, &tid).await?;
                        }
                        Ok(n)
                    })
                })
                .await?;
        }
        Ok(SyncCounts {
            meetings: meetings as i64,
            webinars: webinar_count as i64,
            removed: removed as i64,
            ..SyncCounts::default()
        })
    }

    /// All pages of one host's scheduled meetings (and webinars when allowed).
    async fn list_host_meetings(
        &self,
        run: &Run,
        host: &str,
        webinars: bool,
    ) -> Result<Vec<Listed>, ServiceError> {
        let zoom = &self.zoom;
        let mut out = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let current = page_token.clone();
            let page = self
                .call(run, RateCategory::Medium, |t| {
                    let current = current.clone();
                    async move {
                        zoom.list_meetings(&t, host, "scheduled", current.as_deref())
                            .await
                    }
                })
                .await?;
            out.extend(page.meetings.into_iter().map(|meeting| Listed {
                meeting,
                kind: KIND_MEETING,
            }));
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            if page_token.is_none() {
                break;
            }
        }
        run.progress.advance(1);
        if !webinars {
            return Ok(out);
        }
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let current = page_token.clone();
            let page = match self
                .call(run, RateCategory::Medium, |t| {
                    let current = current.clone();
                    async move { zoom.list_webinars(&t, host, current.as_deref()).await }
                })
                .await
            {
                Ok(page) => page,
                // No Webinar add-on for this user: Zoom refuses the list; there are none.
                Err(ServiceError::ZoomRefused(_)) => break,
                Err(e) => return Err(e),
            };
            out.extend(page.webinars.into_iter().map(|meeting| Listed {
                meeting,
                kind: KIND_WEBINAR,
            }));
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            if page_token.is_none() {
                break;
            }
        }
        run.progress.advance(1);
        Ok(out)
    }

    /// A meeting's (or webinar's) full detail; `None` if Zoom no longer has it.
    async fn meeting_detail(
        &self,
        run: &Run,
        id: i64,
        kind: &'static str,
    ) -> Result<Option<Fetched>, ServiceError> {
        let detail = self
            .fetch_meeting(
                &run.tenant,
                &run.account,
                id,
                kind,
                Some(&run.progress.requests),
            )
            .await?;
        run.progress.advance(1);
        Ok(detail.map(|m| Fetched {
            occurrences: Some(occurrences_of(&m)),
            meeting: to_domain(m),
            kind,
        }))
    }

    /// `GET /meetings/{id}` or `/webinars/{id}`, paced; `None` on Zoom's "not found".
    pub(crate) async fn fetch_meeting(
        &self,
        tenant: &TenantId,
        account: &str,
        id: i64,
        kind: &str,
        requests: Option<&AtomicI64>,
    ) -> Result<Option<ZoomMeeting>, ServiceError> {
        let zoom = &self.zoom;
        let webinar = kind == KIND_WEBINAR;
        let result = self
            .paced_call(
                tenant,
                account,
                RateCategory::Light,
                requests,
                |t| async move {
                    if webinar {
                        zoom.get_webinar(&t, id).await
                    } else {
                        zoom.get_meeting(&t, id).await
                    }
                },
            )
            .await;
        match result {
            Ok(m) => Ok(Some(m)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes meetings in chunks (one transaction each, each bumping the content version).
    async fn store_meetings(&self, run: &Run, fetched: Vec<Fetched>) -> Result<(), ServiceError> {
        let mut fetched = fetched.into_iter().peekable();
        while fetched.peek().is_some() {
            let chunk: Vec<Fetched> = fetched.by_ref().take(WRITE_CHUNK).collect();
            let (tid, version) = (run.tenant.clone(), run.version);
            self.store
                .write(move |mut db| {
                    Box::pin(async move {
                        let now = store::now();
                        for f in &chunk {
                            let written = store::meeting::upsert_versioned(
                                &mut db, &tid, &f.meeting, f.kind, version, now,
                            )
                            .await?;
                            if let (true, Some(occurrences)) = (written, &f.occurrences) {
                                store::occurrence::replace_for_meeting(
                                    &mut db,
                                    &tid,
                                    f.meeting.zoom_meeting_id,
                                    occurrences,
                                )
                                .await?;
                            }
                        }
                        store::tenant::bump_content_version(&mut db, &tid).await
                    })
                })
                .await?;
        }
        Ok(())
    }

    /// Recordings of every host in every window; then removes stored ones in those windows
    /// that Zoom no longer lists. Returns (recordings listed, removed).
    async fn sync_recordings_of(
        &self,
        run: &Run,
        hosts: &[String],
        windows: &[(NaiveDate, NaiveDate)],
    ) -> Result<(usize, usize), ServiceError> {
        run.progress.add_total(hosts.len() * windows.len());
        run.progress.note("listing recordings");
        let pairs: Vec<(&String, &(NaiveDate, NaiveDate))> = hosts
            .iter()
            .flat_map(|h| windows.iter().map(move |w| (h, w)))
            .collect();
        let listed: Vec<Vec<ZoomRecording>> = bounded(
            pairs
                .into_iter()
                .map(|(host, window)| self.list_host_recordings(run, host, *window))
                .collect::<Vec<_>>(),
            self.config.sync.request_concurrency,
        )
        .await?;
        let mut by_uuid: HashMap<String, ZoomRecording> = HashMap::new();
        for r in listed.into_iter().flatten() {
            by_uuid.insert(r.uuid.clone(), r);
        }
        let recordings = self
            .with_passcodes(run, by_uuid.into_values().collect())
            .await?;
        let count = recordings.len();
        let keep: HashSet<String> = recordings
            .iter()
            .map(|r| r.zoom_meeting_uuid.clone())
            .collect();
        run.progress.note("storing recordings");
        let mut rest = recordings.into_iter().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<RecordingData> = rest.by_ref().take(WRITE_CHUNK).collect();
            let (tid, version) = (run.tenant.clone(), run.version);
            self.store
                .write(move |mut db| {
                    Box::pin(async move {
                        let now = store::now();
                        for r in &chunk {
                            store::recording::upsert_versioned(&mut db, &tid, r, version, now)
                                .await?;
                        }
                        store::tenant::bump_content_version(&mut db, &tid).await
                    })
                })
                .await?;
        }
        let removed = match (windows.last(), windows.first()) {
            (Some((from, _)), Some((_, to))) => {
                let from = from.and_hms_opt(0, 0, 0).unwrap_or_default();
                let to = (*to + TimeDelta::days(1))
                    .and_hms_opt(0, 0, 0)
                    .unwrap_or_default();
                let (tid, version) = (run.tenant.clone(), run.version);
                self.store
                    .write(move |mut db| {
                        Box::pin(async move {
                            let n = store::recording::delete_unlisted(
                                &mut db,
                                &tid,
                                from,
                                to,
                                &keep,
                                version,
                                store::now(),
                            )
                            .await?;
                            if n > 0 {
                                store::tenant::bump_content_version(&mut db, &tid).await?;
                            }
                            Ok(n)
                        })
                    })
                    .await?
            }
            _ => 0,
        };
        Ok((count, removed))
    }

    async fn list_host_recordings(
        &self,
        run: &Run,
        host: &str,
        (from, to): (NaiveDate, NaiveDate),
    ) -> Result<Vec<ZoomRecording>, ServiceError> {
        let zoom = &self.zoom;
        let (from, to) = (from.to_string(), to.to_string());
        let mut out = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let current = page_token.clone();
            let (from, to) = (&from, &to);
            let page = self
                .call(run, RateCategory::Medium, |t| {
                    let current = current.clone();
                    async move {
                        zoom.list_recordings(&t, host, from, to, current.as_deref())
                            .await
                    }
                })
                .await?;
            out.extend(page.meetings);
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            if page_token.is_none() {
                break;
            }
        }
        run.progress.advance(1);
        Ok(out)
    }

    /// Completes play passcodes the list omitted (`GET /meetings/{uuid}/recordings`), unless a
    /// stored copy already has one.
    async fn with_passcodes(
        &self,
        run: &Run,
        listed: Vec<ZoomRecording>,
    ) -> Result<Vec<RecordingData>, ServiceError> {
        let tid = run.tenant.clone();
        let known = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::recording::uuids_with_passcode(&mut db, &tid).await })
            })
            .await?;
        let completed: Vec<Option<RecordingData>> = bounded(
            listed
                .into_iter()
                .map(|r| self.complete_passcode(run, r, &known))
                .collect::<Vec<_>>(),
            self.config.sync.request_concurrency,
        )
        .await?;
        Ok(completed.into_iter().flatten().collect())
    }

    /// The recording with its play passcode: from the list, or (when the list omitted it and
    /// no stored copy has one) from `GET /meetings/{uuid}/recordings`. `None` if it is gone.
    async fn complete_passcode(
        &self,
        run: &Run,
        r: ZoomRecording,
        known: &HashSet<String>,
    ) -> Result<Option<RecordingData>, ServiceError> {
        let missing = r
            .recording_play_passcode
            .as_deref()
            .unwrap_or("")
            .is_empty();
        if !missing || known.contains(&r.uuid) {
            return Ok(Some(recording_data(r, STATUS_AVAILABLE)));
        }
        let zoom = &self.zoom;
        let uuid = r.uuid.clone();
        let full = self
            .call(run, RateCategory::Light, |t| {
                let uuid = uuid.clone();
                async move { zoom.get_recording(&t, &uuid).await }
            })
            .await;
        match full {
            Ok(full) => Ok(Some(recording_data(full, STATUS_AVAILABLE))),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    // ---- small jobs -----------------------------------------------------------------------

    /// `meeting:<id>` or `webinar:<id>`: re-reads one meeting; removes it if Zoom has none.
    async fn sync_one_meeting(&self, run: &Run, param: &str) -> Result<SyncCounts, ServiceError> {
        let (kind, id) = match param.split_once(':') {
            Some((KIND_WEBINAR, id)) => (KIND_WEBINAR, id),
            Some((_, id)) => (KIND_MEETING, id),
            None => (KIND_MEETING, param),
        };
        let id: i64 = id
            .parse()
            .map_err(|_| ServiceError::invalid("param", "is not a meeting id"))?;
        run.progress.add_total(1);
        let detail = self.meeting_detail(run, id, kind).await?;
        run.progress.advance(1);
        let found = detail.is_some();
        match detail {
            Some(f) => self.store_meetings(run, vec![f]).await?,
            None => {
                let (tid, version) = (run.tenant.clone(), run.version);
                self.store
                    .write(move |mut db| {
                        Box::pin(async move {
                            store::meeting::delete_versioned(
                                &mut db,
                                &tid,
                                id,
                                version,
                                store::now(),
                            )
                            .await?;
                            store::tenant::bump_content_version(&mut db, &tid).await
                        })
                    })
                    .await?;
            }
        }
        Ok(SyncCounts {
            meetings: i64::from(found && kind == KIND_MEETING),
            webinars: i64::from(found && kind == KIND_WEBINAR),
            removed: i64::from(!found),
            ..SyncCounts::default()
        })
    }

    /// `YYYY-MM-DD..YYYY-MM-DD` (at most one month): the recordings of that window.
    async fn sync_recording_window(
        &self,
        run: &Run,
        param: &str,
    ) -> Result<SyncCounts, ServiceError> {
        let window = param
            .split_once("..")
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
            .filter(|(from, to): &(NaiveDate, NaiveDate)| {
                from <= to
                    && from
                        .checked_add_months(Months::new(1))
                        .is_some_and(|l| *to <= l)
            })
            .ok_or_else(|| {
                ServiceError::invalid("param", "must be YYYY-MM-DD..YYYY-MM-DD within a month")
            })?;
        let hosts = self.hosts(run).await?;
        let (recordings, removed) = self.sync_recordings_of(run, &hosts, &[window]).await?;
        Ok(SyncCounts {
            recordings: recordings as i64,
            removed: removed as i64,
            ..SyncCounts::default()
        })
    }
}

/// Runs `futures` with at most `limit` in flight; stops at the first error. Takes a `Vec`:
/// a lazy iterator holding a borrowing closure across the awaits would make the future lose
/// `Send` (a known limit of higher-ranked lifetimes in async code).
async fn bounded<T, Fut>(futures: Vec<Fut>, limit: usize) -> Result<Vec<T>, ServiceError>
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
    matches!(err, ServiceError::ZoomRefused(message) if message.contains("error 404/"))
}

/// Whether a listed meeting needs its detail: the site may show it (upcoming, or recurring)
/// and it is new or changed since the stored copy.
fn needs_detail(listed: &ZoomMeeting, stored: Option<&Meeting>, now: NaiveDateTime) -> bool {
    let recurring = matches!(listed.meeting_type, 3 | 8 | 6 | 9);
    let start = listed.start_time.as_deref().and_then(parse_zoom_time);
    let upcoming = start.is_none_or(|s| s + TimeDelta::minutes(listed.duration.into()) > now);
    if !(upcoming || recurring) {
        return false;
    }
    stored.is_none_or(|s| list_differs(listed, s) || recurring && s.start_time != start)
}

/// Whether what the list shows differs from the stored copy (lists cut agendas at 250
/// characters, so a stored agenda that begins with the listed one is the same).
fn list_differs(listed: &ZoomMeeting, stored: &Meeting) -> bool {
    let start = listed.start_time.as_deref().and_then(parse_zoom_time);
    let timezone = listed
        .timezone
        .as_deref()
        .filter(|t| !t.is_empty())
        .unwrap_or("UTC");
    let agenda_same = if listed.agenda.chars().count() >= 250 {
        stored.agenda.starts_with(&listed.agenda)
    } else {
        stored.agenda == listed.agenda
    };
    stored.topic != listed.topic
        || stored.start_time != start
        || stored.duration_minutes != listed.duration
        || stored.timezone != timezone
        || stored.join_url != listed.join_url
        || stored.meeting_type != listed.meeting_type
        || !agenda_same
}

/// A listed meeting without its detail: keeps what only the detail tells (registration,
/// the full agenda) from the stored copy.
fn merge_listed(mut listed: Meeting, stored: Option<&Meeting>) -> Meeting {
    if let Some(s) = stored {
        listed.approval_type = s.approval_type;
        if s.agenda.starts_with(&listed.agenda) {
            listed.agenda = s.agenda.clone();
        }
    }
    listed
}

/// Time left until the next 00:00 UTC, when Zoom's daily quotas reset.
fn until_next_utc_midnight() -> Duration {
    let now = Utc::now();
    let midnight = (now.date_naive() + TimeDelta::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    (midnight - now)
        .to_std()
        .unwrap_or(Duration::from_secs(3600))
}

/// Month-long windows (inclusive dates) from today back `months` months, newest first.
fn month_windows(today: NaiveDate, months: u32) -> Vec<(NaiveDate, NaiveDate)> {
    let mut windows = Vec::new();
    let mut to = today + TimeDelta::days(1);
    for _ in 0..months {
        let Some(from) = to.checked_sub_months(Months::new(1)) else {
            break;
        };
        let from = from + TimeDelta::days(1);
        windows.push((from, to));
        to = from - TimeDelta::days(1);
    }
    windows
}

/// Zoom's meeting → Marquee's. `start_url` is deliberately not carried over.
pub fn to_domain(m: ZoomMeeting) -> Meeting {
    Meeting {
        zoom_meeting_id: m.id,
        zoom_uuid: m.uuid,
        host_id: m.host_id,
        topic: m.topic,
        agenda: m.agenda,
        meeting_type: m.meeting_type,
        start_time: m.start_time.as_deref().and_then(parse_zoom_time),
        duration_minutes: m.duration,
        timezone: m
            .timezone
            .filter(|tz| !tz.is_empty())
            .unwrap_or_else(|| "UTC".to_owned()),
        approval_type: m.settings.map_or(2, |s| s.approval_type),
        join_url: m.join_url,
        hidden: false,
    }
}

/// The occurrences of a meeting's detail.
pub(crate) fn occurrences_of(m: &ZoomMeeting) -> Vec<Occurrence> {
    m.occurrences
        .iter()
        .filter_map(|o| {
            Some(Occurrence {
                occurrence_id: o.occurrence_id.clone(),
                start_time: parse_zoom_time(&o.start_time)?,
                duration_minutes: o.duration.unwrap_or(m.duration),
                status: o.status.clone().unwrap_or_else(|| "available".to_owned()),
            })
        })
        .collect()
}

/// Zoom's recording → what the store keeps (files reduced to what a viewer needs).
pub(crate) fn recording_data(r: ZoomRecording, status: &str) -> RecordingData {
    RecordingData {
        start_time: parse_zoom_time(&r.start_time).unwrap_or_default(),
        files_json: serde_json::to_string(&r.recording_files).unwrap_or_else(|_| "[]".into()),
        zoom_meeting_uuid: r.uuid,
        zoom_meeting_id: r.id,
        host_id: r.host_id,
        topic: r.topic,
        duration_minutes: r.duration,
        timezone: r
            .timezone
            .filter(|tz| !tz.is_empty())
            .unwrap_or_else(|| "UTC".to_owned()),
        share_url: r.share_url.unwrap_or_default(),
        play_passcode: r.recording_play_passcode.unwrap_or_default(),
        total_size: r.total_size,
        status: status.to_owned(),
    }
}

/// Zoom's times are UTC `yyyy-MM-ddTHH:mm:ssZ` in responses (reference §4.1).
pub(crate) fn parse_zoom_time(raw: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_times_parse_as_utc() {
        let t = parse_zoom_time("2026-03-29T01:30:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-03-29 01:30:00");
        assert_eq!(parse_zoom_time("2026-03-29T03:30:00+02:00"), Some(t));
        assert_eq!(parse_zoom_time("tomorrow"), None);
    }

    #[test]
    fn recording_windows_are_contiguous_months_within_zoom_s_limit() {
        let today: NaiveDate = "2026-03-31".parse().unwrap();
        let w = month_windows(today, 3);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].1.to_string(), "2026-04-01");
        for (from, to) in &w {
            assert!(from.checked_add_months(Months::new(1)).unwrap() >= *to);
        }
        for pair in w.windows(2) {
            assert_eq!(
                pair[1].1 + TimeDelta::days(1),
                pair[0].0,
                "no gap, no overlap"
            );
        }
    }

    fn listed(start: &str, agenda: &str) -> ZoomMeeting {
        serde_json::from_value(serde_json::json!({"id": 1, "topic": "T", "type": 2,
            "start_time": start, "duration": 30, "timezone": "UTC", "agenda": agenda, "join_url": "j"}))
        .unwrap()
    }

    #[test]
    fn details_only_for_new_or_changed_upcoming_meetings() {
        let now = parse_zoom_time("2026-01-10T00:00:00Z").unwrap();
        let future = listed("2026-02-01T10:00:00Z", "short");
        let past = listed("2026-01-01T10:00:00Z", "short");
        assert!(needs_detail(&future, None, now), "new and upcoming");
        assert!(!needs_detail(&past, None, now), "past: the list is enough");
        let stored = to_domain(future.clone());
        assert!(!needs_detail(&future, Some(&stored), now), "unchanged");
        let mut moved = future.clone();
        moved.start_time = Some("2026-02-02T10:00:00Z".into());
        assert!(needs_detail(&moved, Some(&stored), now));
        let long = "x".repeat(400);
        let mut full = stored.clone();
        full.agenda = long.clone();
        let truncated = listed("2026-02-01T10:00:00Z", &long[..250]);
        assert!(
            !needs_detail(&truncated, Some(&full), now),
            "a cut agenda is not a change"
        );
    }
}

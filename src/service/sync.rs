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
//! 250 characters (docs/zoom.md §4.3). So a meeting's detail is fetched only when the site may need
//! it: it is upcoming (or recurring) and new or changed since the stored copy. Past meetings
//! keep list data; registration changes without a visible list change arrive by webhook
//! (`meeting.updated`). This keeps a 10,000-meeting backfill near its list cost.
//!
//! Every Zoom call takes a slot from the account's pacer (`zoom_budget`) first. Writes carry the
//! version "when this run started" (epoch ms): a webhook applied meanwhile is newer and wins.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};

use crate::config::SyncConfig;
use crate::domain::status::{JobStatus, MeetingKind, SyncKind};
use crate::domain::{Meeting, Principal, Scope, TenantId};
use crate::store::grant::StoredGrant;
use crate::store::occurrence::Occurrence;
use crate::store::sync_job::StoredJob;
use crate::store::{self, Store};
use crate::zoom::ZoomClient;
use crate::zoom::models::ZoomMeeting;

mod calls;
mod jobs;
mod meetings;
mod recordings;

pub(crate) use calls::ZoomCalls;
pub use jobs::SyncJobs;

use super::access::require;
use super::meetings::Meetings;
use super::tokens::Tokens;
use super::workers::Wakeups;
use super::{Background, ServiceError, Services};

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

/// What stopped a sync, in terms an owner can act on. Jobs keep the service's message of the
/// error (`ServiceError`'s `Display`); this reads it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncProblem {
    ZoomUnavailable,
    RateLimited,
    NeedsReconnect,
    NotConnected,
    ZoomRefused,
    Other,
}

impl SyncProblem {
    pub fn of(message: &str) -> Self {
        let unavailable = ServiceError::ZoomUnavailable { retry_after: None }.to_string();
        let limited = ServiceError::ZoomRateLimited {
            retry_after: None,
            daily: false,
            limit: None,
        }
        .to_string();
        let refused = ServiceError::ZoomRefused(String::new()).to_string();
        match message {
            m if m == unavailable => Self::ZoomUnavailable,
            m if m == limited => Self::RateLimited,
            m if m.starts_with(&refused) => Self::ZoomRefused,
            m if m.contains("reconnect") => Self::NeedsReconnect,
            m if m.contains("not connected") => Self::NotConnected,
            _ => Self::Other,
        }
    }
}

/// A queued job: its id, and whether the same job was already queued or running (then no new
/// one was made).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    pub job_id: String,
    pub already_pending: bool,
}

/// A job as the CLI and the admin status show it.
#[derive(Clone, Debug)]
pub struct JobView {
    pub id: String,
    pub kind: String,
    pub status: JobStatus,
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
    /// One write of the job at a time: its parts store while others still read from Zoom, and
    /// queueing here keeps SQLite's single writer from timing them out.
    writes: tokio::sync::Mutex<()>,
}

/// A meeting or webinar as listed, with what kind it is.
struct Listed {
    meeting: ZoomMeeting,
    kind: MeetingKind,
}

/// A meeting ready to store, with its occurrences when its detail was read.
struct Fetched {
    meeting: Meeting,
    kind: MeetingKind,
    occurrences: Option<Vec<Occurrence>>,
}

fn epoch_ms(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

/// Sync jobs as callers see them: queueing, their state, and the first sync of a connect.
#[derive(Clone, Copy)]
pub struct SyncEngine<'a> {
    store: &'a Store,
    tokens: Tokens<'a>,
    meetings: Meetings<'a>,
    wakeups: &'a Wakeups,
    /// Runs the first sync, which may outlast the owner's wait.
    background: Background<'a>,
}

impl Services {
    /// Sync jobs as callers see them (`service/sync.rs`).
    pub fn sync(&self) -> SyncEngine<'_> {
        SyncEngine {
            store: &self.store,
            tokens: self.tokens(),
            meetings: self.meetings(),
            wakeups: &self.wakeups,
            background: self.background(),
        }
    }
}

/// What the work of a job reaches: the store, Zoom (through the account's pacer) and the sync
/// settings. Its methods, in `sync/meetings.rs` and `sync/recordings.rs`, each do one part of a
/// job for the `Run` they are given.
#[derive(Clone, Copy)]
struct SyncWork<'a> {
    store: &'a Store,
    zoom: &'a ZoomClient,
    calls: ZoomCalls<'a>,
    config: &'a SyncConfig,
}

impl SyncEngine<'_> {
    /// Queues a job for the site (or finds the same one already queued) and wakes a worker;
    /// returns the job's id.
    pub async fn enqueue(
        &self,
        tenant_id: &TenantId,
        kind: SyncKind,
        param: &str,
    ) -> Result<String, ServiceError> {
        Ok(self.queue(tenant_id, kind, param).await?.job_id)
    }

    /// Queues and wakes a worker, saying whether the job is new.
    async fn queue(
        &self,
        tenant_id: &TenantId,
        kind: SyncKind,
        param: &str,
    ) -> Result<Queued, ServiceError> {
        let queued = self.queue_quietly(tenant_id, kind, param).await?;
        self.wakeups.wake_job_workers();
        Ok(queued)
    }

    /// Queues without waking a worker (the caller runs the job itself).
    async fn enqueue_quietly(
        &self,
        tenant_id: &TenantId,
        kind: SyncKind,
        param: &str,
    ) -> Result<String, ServiceError> {
        Ok(self.queue_quietly(tenant_id, kind, param).await?.job_id)
    }

    async fn queue_quietly(
        &self,
        tenant_id: &TenantId,
        kind: SyncKind,
        param: &str,
    ) -> Result<Queued, ServiceError> {
        let grant = self.tokens.grant_of(tenant_id).await?;
        let (tid, param, account) = (tenant_id.clone(), param.to_owned(), grant.zoom_account_id);
        let fresh_id = uuid::Uuid::now_v7().to_string();
        let new_id = fresh_id.clone();
        let job_id = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let job = store::sync_job::NewJob {
                        id: &new_id,
                        tenant_id: &tid,
                        zoom_account_id: &account,
                        kind,
                        param: &param,
                        run_after: now,
                        now,
                    };
                    store::sync_job::enqueue(&mut db, &job).await
                })
            })
            .await?;
        Ok(Queued {
            already_pending: job_id != fresh_id,
            job_id,
        })
    }

    /// One job, as the CLI and status pages show it.
    pub async fn job(&self, id: &str) -> Result<JobView, ServiceError> {
        let id = id.to_owned();
        self.store
            .read(move |mut db| Box::pin(async move { store::sync_job::find(&mut db, &id).await }))
            .await?
            .map(JobView::from)
            .ok_or(ServiceError::NotFound("sync job"))
    }

    /// The site's sync state (scope `settings:read`).
    pub async fn status(&self, principal: &Principal) -> Result<SyncStatusView, ServiceError> {
        require(principal, Scope::SettingsRead)?;
        self.status_of(principal.tenant_id()).await
    }

    /// The site's sync state (for the operator's CLI).
    pub async fn status_of(&self, tenant_id: &TenantId) -> Result<SyncStatusView, ServiceError> {
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

    /// Queues a backfill of the site now (scope `settings:write`), or finds the one already
    /// queued or running: never two.
    pub async fn request(&self, principal: &Principal) -> Result<Queued, ServiceError> {
        require(principal, Scope::SettingsWrite)?;
        self.queue(principal.tenant_id(), SyncKind::Backfill, "")
            .await
    }

    /// The first sync after connecting: a backfill, run here and now; if it takes longer than
    /// `wait`, it carries on in the background (its lease and heartbeat keep it ours).
    pub async fn first_sync(&self, tenant_id: &TenantId) -> Result<SyncReport, ServiceError> {
        let id = self
            .enqueue_quietly(tenant_id, SyncKind::Backfill, "")
            .await?;
        let job_id = id.clone();
        // Spawned: if it outlasts the wait, it carries on after the owner's redirect.
        let running = self
            .background
            .spawn(move |services| async move { services.sync_jobs().run_by_id(&job_id).await });
        let waited = tokio::time::timeout(FIRST_SYNC_WAIT, async {
            let _ = running.await;
            // Another worker may hold the job (it was queued already): wait for its end.
            loop {
                let job = self.job(&id).await?;
                if job.status.is_finished() {
                    return Ok::<_, ServiceError>(job);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        let Ok(job) = waited else {
            return Ok(SyncReport {
                meetings: self.meetings.count(tenant_id).await? as usize,
                removed: 0,
            });
        };
        let job = job?;
        if job.status == JobStatus::Failed {
            return Err(ServiceError::ZoomRefused(job.error.unwrap_or_default()));
        }
        let meetings = self.meetings.count(tenant_id).await? as usize;
        Ok(SyncReport {
            meetings,
            removed: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_sync_errors_read_back_as_problems_an_owner_can_act_on() {
        let cases = [
            (
                ServiceError::ZoomUnavailable {
                    retry_after: Some(Duration::from_secs(3)),
                },
                SyncProblem::ZoomUnavailable,
            ),
            (
                ServiceError::ZoomRateLimited {
                    retry_after: None,
                    daily: true,
                    limit: Some(100),
                },
                SyncProblem::RateLimited,
            ),
            (
                ServiceError::ZoomRefused("403 scope missing".into()),
                SyncProblem::ZoomRefused,
            ),
            (
                ServiceError::ZoomNotFound("404 no such user".into()),
                SyncProblem::ZoomRefused,
            ),
            (
                ServiceError::NotConnected("the Zoom connection needs to be reconnected".into()),
                SyncProblem::NeedsReconnect,
            ),
            (
                ServiceError::NotConnected("this site is not connected to Zoom".into()),
                SyncProblem::NotConnected,
            ),
            (
                ServiceError::Conflict("lease lost".into()),
                SyncProblem::Other,
            ),
        ];
        for (err, problem) in cases {
            assert_eq!(SyncProblem::of(&err.to_string()), problem, "{err}");
        }
    }
}

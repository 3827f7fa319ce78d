//! Sync jobs: work for the sync engine, claimed with row leases so several instances share it.
//!
//! A job is queued once per tenant/kind/param (`pending_key`, cleared when it finishes). A
//! worker claims a due job with a conditional UPDATE (atomic on both backends and across
//! instances), renews the lease while it works, and finishes or reschedules it; a crashed
//! worker's lease expires and another worker picks the job up again. Scoped by tenant.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::sync_jobs;
use super::{Db, StoreError, with_db};
use crate::domain::TenantId;
use crate::domain::status::{JobStatus, SyncKind};

/// A stored job. `kind` stays text: the sync engine reads it, and a kind it does not know
/// fails that one job instead of every read of the queue.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sync_jobs)]
pub struct StoredJob {
    pub id: String,
    pub tenant_id: String,
    pub zoom_account_id: String,
    pub kind: String,
    pub param: String,
    #[diesel(deserialize_as = String)]
    pub status: JobStatus,
    pub run_after: NaiveDateTime,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub attempts: i64,
    pub progress_done: i64,
    pub progress_total: i64,
    pub progress_note: String,
    pub created_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub result: Option<String>,
    pub last_error: Option<String>,
}

/// A job to queue.
pub struct NewJob<'a> {
    pub id: &'a str,
    pub tenant_id: &'a TenantId,
    pub zoom_account_id: &'a str,
    pub kind: SyncKind,
    pub param: &'a str,
    pub run_after: NaiveDateTime,
    pub now: NaiveDateTime,
}

fn pending_key(tenant_id: &TenantId, kind: SyncKind, param: &str) -> String {
    format!("{tenant_id}:{kind}:{param}")
}

/// Queues the job unless the same one is already queued or running. Returns the id of the job
/// that will do the work (the new one or the existing one).
pub async fn enqueue(db: &mut Db<'_>, job: &NewJob<'_>) -> Result<String, StoreError> {
    let key = pending_key(job.tenant_id, job.kind, job.param);
    let row = (
        sync_jobs::id.eq(job.id),
        sync_jobs::tenant_id.eq(job.tenant_id.as_str()),
        sync_jobs::zoom_account_id.eq(job.zoom_account_id),
        sync_jobs::kind.eq(job.kind.as_str()),
        sync_jobs::param.eq(job.param),
        sync_jobs::pending_key.eq(&key),
        sync_jobs::status.eq(JobStatus::Queued.as_str()),
        sync_jobs::run_after.eq(job.run_after),
        sync_jobs::attempts.eq(0_i64),
        sync_jobs::progress_done.eq(0_i64),
        sync_jobs::progress_total.eq(0_i64),
        sync_jobs::progress_note.eq(""),
        sync_jobs::created_at.eq(job.now),
    );
    with_db!(db, |c| diesel::insert_into(sync_jobs::table)
        .values(row)
        .on_conflict(sync_jobs::pending_key)
        .do_nothing()
        .execute(c)
        .await)?;
    Ok(with_db!(db, |c| sync_jobs::table
        .filter(sync_jobs::pending_key.eq(&key))
        .select(sync_jobs::id)
        .first(c)
        .await)?)
}

/// Claims the next due job for `owner` until `lease_until`: queued jobs whose time has come,
/// and running jobs whose worker's lease expired (it crashed). Jobs of `skip_accounts` (paused
/// or already busy on this account) are left for later, so one account never holds every
/// worker.
pub async fn claim_next(
    db: &mut Db<'_>,
    owner: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    skip_accounts: &[String],
) -> Result<Option<StoredJob>, StoreError> {
    let candidates: Vec<String> = with_db!(db, |c| sync_jobs::table
        .filter(
            sync_jobs::status
                .eq(JobStatus::Queued.as_str())
                .and(sync_jobs::run_after.le(now))
                .or(sync_jobs::status
                    .eq(JobStatus::Running.as_str())
                    .and(sync_jobs::lease_until.lt(now)))
        )
        .filter(sync_jobs::zoom_account_id.ne_all(skip_accounts))
        .order((sync_jobs::run_after.asc(), sync_jobs::created_at.asc()))
        .limit(16)
        .select(sync_jobs::id)
        .load(c)
        .await)?;
    for id in candidates {
        if let Some(job) = claim(db, &id, owner, now, lease_until).await? {
            return Ok(Some(job));
        }
    }
    Ok(None)
}

/// Claims job `id` if it is due (queued and its time has come, or running under an expired
/// lease). Returns `None` if another worker holds it or it already finished.
pub async fn claim(
    db: &mut Db<'_>,
    id: &str,
    owner: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> Result<Option<StoredJob>, StoreError> {
    Ok(with_db!(db, |c| diesel::update(
        sync_jobs::table.filter(sync_jobs::id.eq(id)).filter(
            sync_jobs::status
                .eq(JobStatus::Queued.as_str())
                .and(sync_jobs::run_after.le(now))
                .or(sync_jobs::status
                    .eq(JobStatus::Running.as_str())
                    .and(sync_jobs::lease_until.lt(now)))
        )
    )
    .set((
        sync_jobs::status.eq(JobStatus::Running.as_str()),
        sync_jobs::lease_owner.eq(owner),
        sync_jobs::lease_until.eq(lease_until),
        sync_jobs::attempts.eq(sync_jobs::attempts + 1),
        sync_jobs::started_at.eq(now),
    ))
    .returning(StoredJob::as_returning())
    .get_result(c)
    .await
    .optional())?)
}

/// Accounts with a job running under a live lease.
pub async fn busy_accounts(db: &mut Db<'_>, now: NaiveDateTime) -> Result<Vec<String>, StoreError> {
    Ok(with_db!(db, |c| sync_jobs::table
        .filter(sync_jobs::status.eq(JobStatus::Running.as_str()))
        .filter(sync_jobs::lease_until.ge(now))
        .select(sync_jobs::zoom_account_id)
        .distinct()
        .load(c)
        .await)?)
}

/// Records progress and renews the lease. Returns false if the job is no longer ours (our lease
/// expired and another worker took it): the caller must stop.
pub async fn heartbeat(
    db: &mut Db<'_>,
    id: &str,
    owner: &str,
    done: i64,
    total: i64,
    note: &str,
    lease_until: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        sync_jobs::table
            .filter(sync_jobs::id.eq(id))
            .filter(sync_jobs::lease_owner.eq(owner))
            .filter(sync_jobs::status.eq(JobStatus::Running.as_str()))
    )
    .set((
        sync_jobs::progress_done.eq(done),
        sync_jobs::progress_total.eq(total),
        sync_jobs::progress_note.eq(note),
        sync_jobs::lease_until.eq(lease_until),
    ))
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// Ends the job (`done` or `failed`) if `owner` still holds it; frees its pending key.
pub async fn finish(
    db: &mut Db<'_>,
    id: &str,
    owner: &str,
    status: JobStatus,
    result: &str,
    error: Option<&str>,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        sync_jobs::table
            .filter(sync_jobs::id.eq(id))
            .filter(sync_jobs::lease_owner.eq(owner))
    )
    .set((
        sync_jobs::status.eq(status.as_str()),
        sync_jobs::result.eq(result),
        sync_jobs::last_error.eq(error),
        sync_jobs::finished_at.eq(now),
        sync_jobs::pending_key.eq(None::<String>),
        sync_jobs::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// Puts the job back in the queue until `run_after` (rate limit, Zoom unavailable).
pub async fn reschedule(
    db: &mut Db<'_>,
    id: &str,
    owner: &str,
    run_after: NaiveDateTime,
    error: &str,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(
        sync_jobs::table
            .filter(sync_jobs::id.eq(id))
            .filter(sync_jobs::lease_owner.eq(owner))
    )
    .set((
        sync_jobs::status.eq(JobStatus::Queued.as_str()),
        sync_jobs::run_after.eq(run_after),
        sync_jobs::last_error.eq(error),
        sync_jobs::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn find(db: &mut Db<'_>, id: &str) -> Result<Option<StoredJob>, StoreError> {
    Ok(with_db!(db, |c| sync_jobs::table
        .find(id)
        .select(StoredJob::as_select())
        .first(c)
        .await
        .optional())?)
}

/// The tenant's most recent jobs, newest first.
pub async fn list_for_tenant(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    limit: i64,
) -> Result<Vec<StoredJob>, StoreError> {
    Ok(with_db!(db, |c| sync_jobs::table
        .filter(sync_jobs::tenant_id.eq(tenant_id.as_str()))
        .order((sync_jobs::created_at.desc(), sync_jobs::id.desc()))
        .limit(limit)
        .select(StoredJob::as_select())
        .load(c)
        .await)?)
}

/// Every job (for tests and the operator), oldest first.
pub async fn list_all(db: &mut Db<'_>, limit: i64) -> Result<Vec<StoredJob>, StoreError> {
    Ok(with_db!(db, |c| sync_jobs::table
        .order((sync_jobs::created_at.asc(), sync_jobs::id.asc()))
        .limit(limit)
        .select(StoredJob::as_select())
        .load(c)
        .await)?)
}

/// Drops the tenant's jobs that have not started (disconnect, deauthorization).
pub async fn cancel_queued(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<usize, StoreError> {
    Ok(with_db!(db, |c| diesel::delete(
        sync_jobs::table
            .filter(sync_jobs::tenant_id.eq(tenant_id.as_str()))
            .filter(sync_jobs::status.eq(JobStatus::Queued.as_str()))
    )
    .execute(c)
    .await)?)
}

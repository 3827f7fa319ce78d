//! Background workers: the webhook event applier, the outbound event sender, the sync job slots, the reconcile
//! scheduler and the upkeep loop (`service::upkeep`). Started by `App` when it serves (unless
//! `MARQUEE_WORKERS=false`), stopped with the server. Every loop polls the database at a
//! bounded interval, so work queued by another instance is found too; a local wake-up (an event
//! just stored, a job just queued) skips the wait. Nothing here holds state that another instance would need: a stopped or crashed
//! worker's leases expire and the work is claimed again.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::store;

use super::Services;

/// Events one claim takes.
const EVENT_BATCH: i64 = 50;
/// The scheduler runs this many poll intervals apart.
const SCHEDULER_EVERY: u32 = 5;
/// Tombstones outlive Zoom's last retry (about 85 minutes) by a wide margin.
const TOMBSTONE_TTL: chrono::TimeDelta = chrono::TimeDelta::days(2);
/// How long `stop` waits for a loop to finish its current piece of work.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Local wake-ups (an optimisation only: the poll interval bounds every wait anyway).
#[derive(Clone, Default)]
pub(crate) struct Wakeups {
    events: Arc<Notify>,
    jobs: Arc<Notify>,
}

impl Wakeups {
    /// An event was stored: the event worker need not wait for its next poll.
    pub(crate) fn wake_event_worker(&self) {
        self.events.notify_one();
    }

    /// A job was queued: a job worker need not wait for its next poll.
    pub(crate) fn wake_job_workers(&self) {
        self.jobs.notify_one();
    }
}

/// Starting this process's background loops. Each loop owns a copy of the container and runs
/// one area's work: webhook events, sync jobs, the reconcile scheduler, upkeep.
#[derive(Clone, Copy)]
pub struct Workers<'a> {
    services: &'a Services,
}

impl Services {
    /// The background loops of this process (`service/workers.rs`).
    pub fn workers(&self) -> Workers<'_> {
        Workers { services: self }
    }
}

/// The running workers of this process.
pub struct RunningWorkers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningWorkers {
    /// Asks every loop to stop and waits (briefly) for them; a job cut short keeps its lease
    /// until it expires, then another worker picks it up.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let abort = task.abort_handle();
            if tokio::time::timeout(STOP_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Workers<'_> {
    /// Starts the event applier, `job_slots` sync job runners, the scheduler and upkeep.
    pub fn start(&self) -> RunningWorkers {
        let s = self.services;
        let (stop, stopped) = watch::channel(false);
        let mut tasks = vec![
            tokio::spawn(event_loop(s.clone(), stopped.clone())),
            tokio::spawn(outbound_loop(s.clone(), stopped.clone())),
        ];
        for _ in 0..s.config.sync.job_slots {
            tasks.push(tokio::spawn(job_loop(s.clone(), stopped.clone())));
        }
        tasks.push(tokio::spawn(scheduler_loop(s.clone(), stopped.clone())));
        tasks.push(tokio::spawn(upkeep_loop(s.clone(), stopped)));
        tracing::info!(instance = %s.instance_id, job_slots = s.config.sync.job_slots, "background workers started");
        RunningWorkers { stop, tasks }
    }
}

/// Waits for `notify`, the poll interval or the stop signal. Returns false when stopping.
async fn idle(s: &Services, notify: &Notify, stopped: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(s.config.sync.poll_interval) => {}
        _ = notify.notified() => {}
        _ = stopped.wait_for(|s| *s) => {}
    }
    !*stopped.borrow()
}

async fn event_loop(s: Services, mut stopped: watch::Receiver<bool>) {
    let notify = s.wakeups.events.clone();
    while !*stopped.borrow() {
        match s.events().process_due(EVENT_BATCH).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook worker: will try again"),
        }
        if !idle(&s, &notify, &mut stopped).await {
            break;
        }
    }
}

/// Sends due outbound events (`service/outbound/delivery.rs`). Events are written by other
/// transactions, on any instance, so the poll interval is the only wake-up.
async fn outbound_loop(s: Services, mut stopped: watch::Receiver<bool>) {
    let never = Notify::new();
    while !*stopped.borrow() {
        match s.outbound().sender().deliver_due().await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "event delivery worker: will try again"),
        }
        if !idle(&s, &never, &mut stopped).await {
            break;
        }
    }
}

async fn job_loop(s: Services, mut stopped: watch::Receiver<bool>) {
    let notify = s.wakeups.jobs.clone();
    while !*stopped.borrow() {
        match s.sync_jobs().run_next().await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "sync worker: will try again"),
        }
        if !idle(&s, &notify, &mut stopped).await {
            break;
        }
    }
}

/// Runs upkeep every `MARQUEE_UPKEEP_INTERVAL_SECS` (first run one interval after start).
async fn upkeep_loop(s: Services, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(s.config.upkeep_interval) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
        match s.upkeep().run().await {
            Ok(report) => tracing::info!(?report, "upkeep done"),
            Err(e) => tracing::warn!(error = %e, "upkeep failed; retrying next round"),
        }
    }
}

async fn scheduler_loop(s: Services, mut stopped: watch::Receiver<bool>) {
    let every = s.config.sync.poll_interval * SCHEDULER_EVERY;
    let mut ticks: u64 = 0;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
        if let Err(e) = s.sync_jobs().enqueue_due_reconciles().await {
            tracing::warn!(error = %e, "scheduler: reconciles not queued");
        }
        ticks += 1;
        if ticks % 100 == 1 {
            let before = store::now() - TOMBSTONE_TTL;
            let pruned = s
                .store
                .write(move |mut db| {
                    Box::pin(async move { store::tombstone::prune(&mut db, before).await })
                })
                .await;
            if let Err(e) = pruned {
                tracing::warn!(error = %e, "scheduler: tombstones not pruned");
            }
            let before = store::now() - super::outbound::OUTBOX_RETENTION;
            let pruned = s
                .store
                .write(move |mut db| {
                    Box::pin(async move { store::outbox::prune(&mut db, before).await })
                })
                .await;
            if let Err(e) = pruned {
                tracing::warn!(error = %e, "scheduler: outbox not pruned");
            }
        }
    }
}

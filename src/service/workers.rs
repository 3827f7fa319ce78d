//! Background workers: the webhook event applier, the sync job slots, the reconcile
//! scheduler and the upkeep loop (`service::upkeep`). Started by `App` when it serves (unless `MARQUEE_WORKERS=false`), stopped with the
//! server. Every loop polls the database at a bounded interval, so work queued by another
//! instance is found too; a local wake-up (an event just stored, a job just queued) skips the
//! wait. Nothing here holds state that another instance would need: a stopped or crashed
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

/// The running workers of this process.
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
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

impl Services {
    pub(crate) fn wake_event_worker(&self) {
        self.wakeups.events.notify_one();
    }

    pub(crate) fn wake_job_workers(&self) {
        self.wakeups.jobs.notify_one();
    }

    /// Starts the event applier, `job_slots` sync job runners and the scheduler.
    pub fn start_workers(&self) -> Workers {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = vec![tokio::spawn(self.clone().event_loop(stopped.clone()))];
        for _ in 0..self.config.sync.job_slots {
            tasks.push(tokio::spawn(self.clone().job_loop(stopped.clone())));
        }
        tasks.push(tokio::spawn(self.clone().scheduler_loop(stopped.clone())));
        tasks.push(tokio::spawn(self.clone().upkeep_loop(stopped)));
        tracing::info!(instance = %self.instance_id, job_slots = self.config.sync.job_slots, "background workers started");
        Workers { stop, tasks }
    }

    /// Waits for `notify`, the poll interval or the stop signal. Returns false when stopping.
    async fn idle(&self, notify: &Notify, stopped: &mut watch::Receiver<bool>) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(self.config.sync.poll_interval) => {}
            _ = notify.notified() => {}
            _ = stopped.wait_for(|s| *s) => {}
        }
        !*stopped.borrow()
    }

    async fn event_loop(self, mut stopped: watch::Receiver<bool>) {
        let notify = self.wakeups.events.clone();
        while !*stopped.borrow() {
            match self.process_webhook_events(EVENT_BATCH).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook worker: will try again"),
            }
            if !self.idle(&notify, &mut stopped).await {
                break;
            }
        }
    }

    async fn job_loop(self, mut stopped: watch::Receiver<bool>) {
        let notify = self.wakeups.jobs.clone();
        while !*stopped.borrow() {
            match self.run_next_job().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "sync worker: will try again"),
            }
            if !self.idle(&notify, &mut stopped).await {
                break;
            }
        }
    }

    /// Runs upkeep every `MARQUEE_UPKEEP_INTERVAL_SECS` (first run one interval after start).
    async fn upkeep_loop(self, mut stopped: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(self.config.upkeep_interval) => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
            match self.run_upkeep().await {
                Ok(report) => tracing::info!(?report, "upkeep done"),
                Err(e) => tracing::warn!(error = %e, "upkeep failed; retrying next round"),
            }
        }
    }

    async fn scheduler_loop(self, mut stopped: watch::Receiver<bool>) {
        let every = self.config.sync.poll_interval * SCHEDULER_EVERY;
        let mut ticks: u64 = 0;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
            if let Err(e) = self.enqueue_due_reconciles().await {
                tracing::warn!(error = %e, "scheduler: reconciles not queued");
            }
            ticks += 1;
            if ticks % 100 == 1 {
                let before = store::now() - TOMBSTONE_TTL;
                let pruned = self
                    .store
                    .write(move |mut db| {
                        Box::pin(async move { store::tombstone::prune(&mut db, before).await })
                    })
                    .await;
                if let Err(e) = pruned {
                    tracing::warn!(error = %e, "scheduler: tombstones not pruned");
                }
            }
        }
    }
}

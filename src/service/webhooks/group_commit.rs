//! Group commit of webhook intake: concurrent deliveries share one transaction, so one fsync
//! makes a whole batch durable (docs/database.md, "Durability").
//!
//! Each request hands its verified event to one committer task per instance and waits for the
//! answer, which comes only after the transaction holding the event has committed. The
//! committer takes whatever is queued (at most [`MAX_BATCH`]), lets the other runtime tasks run
//! once so requests being parsed right now join too, and commits them together. Nothing waits on
//! a timer: under light load a batch is a single event and is committed at once; under heavy
//! load the queue fills while the previous commit is in flight, and batches grow by themselves.
//!
//! A batch that fails as a whole (a bad row, a lost connection, PostgreSQL aborting one side of
//! a deadlock) is retried one event per transaction, so one event never fails its neighbours.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{mpsc, oneshot};

use crate::store::{self, Db, Store, StoreError, webhook_event::NewEvent};

/// Most events one transaction commits (SQLite binds stay far below its variable limit).
const MAX_BATCH: usize = 256;
/// Deliveries waiting for the committer; a full queue makes new ones wait (back-pressure).
const QUEUE_DEPTH: usize = 4096;

/// A verified delivery, owned, on its way to the database.
#[derive(Clone)]
pub(crate) struct PendingEvent {
    pub id: String,
    pub dedup_key: String,
    pub event: String,
    pub zoom_account_id: String,
    pub event_ts: i64,
    pub body: String,
    pub request_timestamp: String,
    pub tracking_id: Option<String>,
}

impl PendingEvent {
    fn as_new(&self, received_at: chrono::NaiveDateTime) -> NewEvent<'_> {
        NewEvent {
            id: &self.id,
            dedup_key: &self.dedup_key,
            event: &self.event,
            zoom_account_id: &self.zoom_account_id,
            event_ts: self.event_ts,
            body: &self.body,
            request_timestamp: &self.request_timestamp,
            tracking_id: self.tracking_id.as_deref(),
            received_at,
        }
    }
}

/// `Ok(true)`: stored now; `Ok(false)`: the same body was stored before.
type Outcome = Result<bool, StoreError>;
type Queued = (PendingEvent, oneshot::Sender<Outcome>);

/// The way into this instance's committer. Cheap to clone; clones share the committer.
#[derive(Clone, Default)]
pub(crate) struct IntakeQueue {
    sender: Arc<Mutex<Option<mpsc::Sender<Queued>>>>,
}

impl IntakeQueue {
    /// Stores `event` unless its body was stored before, answering once that is committed.
    pub(crate) async fn commit(&self, store: &Store, event: PendingEvent) -> Outcome {
        let (reply, answer) = oneshot::channel();
        match self.sender(store).send((event, reply)).await {
            Ok(()) => answer.await.unwrap_or_else(|_| {
                // The committer went away with the event (its runtime is shutting down): not
                // stored as far as we know, so Zoom must not get a 200 and will retry.
                Err(StoreError::Unavailable("webhook intake stopped".into()))
            }),
            Err(mpsc::error::SendError((event, _))) => commit_one(store, &event).await,
        }
    }

    /// The committer's queue, started on first use (and again if its runtime ended, as happens
    /// between tests), so it always runs on a live runtime.
    fn sender(&self, store: &Store) -> mpsc::Sender<Queued> {
        let mut slot = self.sender.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = slot.as_ref().filter(|s| !s.is_closed()) {
            return sender.clone();
        }
        let (sender, queue) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(run_committer(store.clone(), queue));
        *slot = Some(sender.clone());
        sender
    }
}

/// Commits batches until every sender is gone (the services were dropped).
async fn run_committer(store: Store, mut queue: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Requests on the other worker threads may be a few microseconds from enqueuing.
        tokio::task::yield_now().await;
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(queued) => batch.push(queued),
                Err(_) => break,
            }
        }
        commit_batch(&store, std::mem::take(&mut batch)).await;
    }
}

async fn commit_batch(store: &Store, batch: Vec<Queued>) {
    let (events, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
    let events = Arc::new(events);
    let count = events.len();
    match store.write(insert_all(events.clone())).await {
        Ok(stored) => {
            let new = stored.iter().filter(|s| **s).count();
            tracing::debug!(
                events = count,
                stored = new,
                "webhook intake batch committed"
            );
            for (reply, stored) in replies.into_iter().zip(stored) {
                let _ = reply.send(Ok(stored));
            }
        }
        Err(error) if count == 1 => {
            let _ = replies.into_iter().next().map(|r| r.send(Err(error)));
        }
        Err(error) => {
            tracing::warn!(%error, events = count, "webhook intake batch failed; committing one by one");
            for (event, reply) in events.iter().zip(replies) {
                let _ = reply.send(commit_one(store, event).await);
            }
        }
    }
}

/// One transaction inserting every event of the batch; says, in batch order, which were new.
/// Rows go in dedup-key order, so two instances committing overlapping batches on PostgreSQL
/// wait for each other instead of deadlocking. A body twice in the batch is stored once: the
/// second insert sees the first inside the same transaction.
fn insert_all(
    events: Arc<Vec<PendingEvent>>,
) -> impl for<'c> FnOnce(Db<'c>) -> futures::future::BoxFuture<'c, Result<Vec<bool>, StoreError>>
+ Send
+ 'static {
    move |mut db| {
        Box::pin(async move {
            let mut order: Vec<usize> = (0..events.len()).collect();
            order.sort_by(|&a, &b| events[a].dedup_key.cmp(&events[b].dedup_key));
            let received_at = store::now();
            let mut stored = vec![false; events.len()];
            for i in order {
                let new = events[i].as_new(received_at);
                stored[i] = store::webhook_event::insert_new(&mut db, &new).await?;
            }
            Ok(stored)
        })
    }
}

async fn commit_one(store: &Store, event: &PendingEvent) -> Outcome {
    let single = Arc::new(vec![event.clone()]);
    Ok(store.write(insert_all(single)).await?[0])
}

//! The webhook outbox: a bounded queue of events waiting for delivery, the log of delivery
//! attempts (`GET /_sim/webhooks/deliveries`), and the switch that stops delivery at shutdown.
//! Handlers put events in through [`crate::sim::Sim::emit`]; [`crate::delivery`] takes them out.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};

use crate::events::Event;

const QUEUE: usize = 1024;
const MAX_RETRY_TASKS: usize = 256;
const LOG_LEN: usize = 200;

/// One delivery attempt as `GET /_sim/webhooks/deliveries` reports it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Delivery {
    pub event: String,
    pub attempt: u32,
    pub status: Option<u16>,
    pub ok: bool,
    pub error: Option<String>,
    pub at: String,
}

/// The sending side of the event queue, plus the delivery log.
pub(crate) struct Outbox {
    tx: Mutex<Option<mpsc::Sender<Event>>>,
    rx: Mutex<Option<mpsc::Receiver<Event>>>,
    closed: watch::Sender<bool>,
    log: Mutex<VecDeque<Delivery>>,
    retries: Arc<Semaphore>,
}

impl Outbox {
    /// An open, empty outbox.
    pub(crate) fn new() -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        Self {
            tx: Mutex::new(Some(tx)),
            rx: Mutex::new(Some(rx)),
            closed: watch::Sender::new(false),
            log: Mutex::new(VecDeque::new()),
            retries: Arc::new(Semaphore::new(MAX_RETRY_TASKS)),
        }
    }

    /// Queues an event without waiting; false when the queue is full or closed.
    pub(crate) fn try_send(&self, event: Event) -> bool {
        let sender = self.tx.lock().unwrap_or_else(|e| e.into_inner()).clone();
        sender.is_some_and(|tx| tx.try_send(event).is_ok())
    }

    /// The receiving end, handed out once (to the dispatcher).
    pub(crate) fn take_receiver(&self) -> Option<mpsc::Receiver<Event>> {
        self.rx.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// A slot for one retry task; None when too many retries are already waiting.
    pub(crate) fn retry_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.retries.clone().try_acquire_owned().ok()
    }

    /// Stops delivery: the dispatcher drains nothing more and retry tasks end.
    pub(crate) fn close(&self) {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.closed.send_replace(true);
    }

    /// Resolves once `close` was called.
    pub(crate) async fn wait_closed(&self) {
        let mut rx = self.closed.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }

    /// Appends to the delivery log, forgetting the oldest entries past its length.
    pub(crate) fn record(&self, d: Delivery) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() >= LOG_LEN {
            log.pop_front();
        }
        log.push_back(d);
    }

    /// The delivery log, oldest first.
    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

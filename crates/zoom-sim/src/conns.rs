//! Live connections by peer address, each with a kill switch, so a fault (`drop`, `timeout`,
//! `drop_after_commit`) can make the server close a connection without answering.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Live connections by peer address, each with a kill switch.
#[derive(Clone, Default)]
pub(crate) struct ConnRegistry(Arc<Mutex<HashMap<SocketAddr, Arc<AtomicBool>>>>);

impl ConnRegistry {
    /// Tracks a new connection; the returned flag turns true when it is to be killed.
    pub(crate) fn register(&self, addr: SocketAddr) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        self.lock().insert(addr, flag.clone());
        flag
    }

    /// Forgets a closed connection.
    pub(crate) fn unregister(&self, addr: &SocketAddr) {
        self.lock().remove(addr);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SocketAddr, Arc<AtomicBool>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the connection fail its next read/write, so hyper closes it without answering.
    pub(crate) fn kill(&self, addr: Option<SocketAddr>) {
        if let Some(flag) = addr.and_then(|a| self.lock().get(&a).cloned()) {
            flag.store(true, Ordering::SeqCst);
        }
    }
}

//! Background loops started by `serve` and `dev`. Each loop only schedules; the work lives in
//! services and is safe to run on several instances at once (leases, idempotent deletes).

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::service::Services;

/// Runs `Services::run_upkeep` every `every`, forever (abort the handle to stop).
pub fn spawn_upkeep(services: Services, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match services.run_upkeep().await {
                Ok(report) => tracing::info!(?report, "upkeep done"),
                Err(e) => tracing::warn!(error = %e, "upkeep failed; retrying next round"),
            }
        }
    })
}

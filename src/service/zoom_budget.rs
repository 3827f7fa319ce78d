//! Per-Zoom-account request pacing (docs/zoom.md §5): Zoom's rate limits belong to the customer's
//! account and are shared by every app and every site connected to it, per category (Light,
//! Medium, …). Every sync and webhook call for an account takes a slot from that account's
//! pacer first, so Marquee never bursts past the configured rate; a 429 pushes the account's
//! next slot past `Retry-After` and, when Zoom names its limit, lowers the pace below it.
//!
//! Each pacer is a GCRA (the virtual-clock form of a token bucket): slots are spaced by the rate,
//! but a slot nobody used in the last half second is not lost: up to half a second of the rate
//! may go at once. Zoom's own buckets hold a full second of its (higher or equal) rate, so this
//! never exceeds Zoom's limit, and a backfill whose callers were briefly late (a page still
//! arriving, a write) catches up instead of leaving the budget idle.
//!
//! Slots are handed out in request order, so sites sharing an account take turns, and each
//! account has its own pacer, so a huge account never slows the others. The pacer is
//! per-instance; across instances only one sync job per account runs at a time (see
//! `store::sync_job::claim_next`), and daily quotas are shared through the database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// Zoom's rate-limit label of an endpoint (docs/zoom.md §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateCategory {
    /// get/update/delete meeting, get recording, get webinar, …
    Light,
    /// list users, meetings, webinars, recordings, …
    Medium,
}

/// Below Zoom's stated limit by this factor, to leave room for the customer's other apps.
const SAFETY: f64 = 0.8;
/// Unused slots of this long a time may be used at once (a burst well inside Zoom's
/// one-second buckets, docs/zoom.md §5.1).
const BURST: Duration = Duration::from_millis(500);

struct Pacer {
    /// The virtual clock: when the next slot is due if no earlier one was skipped.
    next_slot: Instant,
    interval: Duration,
    /// How far before `next_slot` a caller may go (skipped slots it may catch up).
    tolerance: Duration,
}

impl Pacer {
    fn new(now: Instant, interval: Duration) -> Self {
        let burst = (BURST.as_secs_f64() / interval.as_secs_f64())
            .floor()
            .max(1.0);
        Self {
            next_slot: now,
            interval,
            tolerance: interval.mul_f64(burst - 1.0),
        }
    }
}

/// Pacers of every account in use. Cheap to clone.
#[derive(Clone)]
pub struct ZoomBudgets {
    pacers: Arc<Mutex<HashMap<(String, RateCategory), Pacer>>>,
    light_per_second: f64,
    medium_per_second: f64,
}

impl ZoomBudgets {
    pub fn new(light_per_second: f64, medium_per_second: f64) -> Self {
        Self {
            pacers: Arc::default(),
            light_per_second,
            medium_per_second,
        }
    }

    fn interval(&self, category: RateCategory) -> Duration {
        let rate = match category {
            RateCategory::Light => self.light_per_second,
            RateCategory::Medium => self.medium_per_second,
        };
        Duration::from_secs_f64(1.0 / rate)
    }

    /// Reserves the account's next slot in `category` and returns when it comes.
    fn reserve(&self, account: &str, category: RateCategory) -> Instant {
        let now = Instant::now();
        let mut pacers = self.pacers.lock().unwrap_or_else(|p| p.into_inner());
        let pacer = pacers
            .entry((account.to_owned(), category))
            .or_insert_with(|| Pacer::new(now, self.interval(category)));
        let due = pacer.next_slot.max(now);
        let slot = due.checked_sub(pacer.tolerance).unwrap_or(now).max(now);
        pacer.next_slot = due + pacer.interval;
        slot
    }

    /// Waits for the account's next slot in `category`.
    pub async fn acquire(&self, account: &str, category: RateCategory) {
        let slot = self.reserve(account, category);
        tokio::time::sleep_until(slot).await;
    }

    /// Zoom answered 429: nobody calls this category for the account before `retry_after`
    /// (one second if Zoom did not say), and if Zoom named its limit, pace below it from now on.
    pub fn rate_limited(
        &self,
        account: &str,
        category: RateCategory,
        retry_after: Option<Duration>,
        limit: Option<u32>,
    ) {
        let now = Instant::now();
        let mut pacers = self.pacers.lock().unwrap_or_else(|p| p.into_inner());
        let pacer = pacers
            .entry((account.to_owned(), category))
            .or_insert_with(|| Pacer::new(now, self.interval(category)));
        // Zoom's bucket is empty now: no catching up, one slot per interval from here.
        pacer.tolerance = Duration::ZERO;
        if let Some(limit) = limit.filter(|l| *l > 0) {
            let floor = Duration::from_secs_f64(1.0 / (f64::from(limit) * SAFETY));
            pacer.interval = pacer.interval.max(floor);
        }
        let resume = now + retry_after.unwrap_or(Duration::from_secs(1));
        pacer.next_slot = pacer.next_slot.max(resume);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_spaced_by_the_rate_and_accounts_are_independent() {
        let budgets = ZoomBudgets::new(10.0, 2.0);
        let start = Instant::now();
        for _ in 0..5 {
            budgets.acquire("a", RateCategory::Medium).await;
        }
        // 5 slots at 2/s: the first at once, the fifth 2 s later.
        assert_eq!(Instant::now() - start, Duration::from_secs(2));
        let other = Instant::now();
        budgets.acquire("b", RateCategory::Medium).await;
        budgets.acquire("a", RateCategory::Light).await;
        assert_eq!(
            Instant::now(),
            other,
            "other account and category wait for nobody"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn skipped_slots_are_caught_up_within_half_a_second_of_the_rate() {
        let budgets = ZoomBudgets::new(10.0, 10.0);
        let start = Instant::now();
        // Idle for a while: at most 5 slots (half a second at 10/s) go at once, then 10/s.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let idle_end = Instant::now();
        for _ in 0..5 {
            budgets.acquire("a", RateCategory::Light).await;
        }
        assert_eq!(Instant::now(), idle_end, "a burst of five");
        budgets.acquire("a", RateCategory::Light).await;
        assert_eq!(Instant::now() - idle_end, Duration::from_millis(100));
        // Any window holds at most 5 + 10 × its length slots.
        for _ in 0..10 {
            budgets.acquire("a", RateCategory::Light).await;
        }
        assert_eq!(Instant::now() - idle_end, Duration::from_millis(1100));
        assert!(Instant::now() - start > Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_delays_the_account_and_lowers_the_pace_below_zoom_s_limit() {
        let budgets = ZoomBudgets::new(100.0, 100.0);
        budgets.acquire("a", RateCategory::Light).await;
        budgets.rate_limited(
            "a",
            RateCategory::Light,
            Some(Duration::from_secs(3)),
            Some(10),
        );
        let start = Instant::now();
        budgets.acquire("a", RateCategory::Light).await;
        assert_eq!(Instant::now() - start, Duration::from_secs(3));
        let next = Instant::now();
        budgets.acquire("a", RateCategory::Light).await;
        assert_eq!(
            Instant::now() - next,
            Duration::from_millis(125),
            "10/s × 0.8"
        );
    }
}

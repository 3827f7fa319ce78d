//! What a client is told about a limit that applies to it (the `RateLimit-*` headers of the
//! IETF httpapi draft, in seconds).

use std::time::Duration;

/// One limit's state after a request was counted against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitState {
    /// Requests the limit allows in a burst.
    pub limit: u32,
    /// Requests still allowed right now.
    pub remaining: u32,
    /// Until the whole burst is available again.
    pub reset: Duration,
}

impl RateLimitState {
    /// Of the limits that apply, the one a client will hit first (fewest remaining; on a tie
    /// the one that takes longer to recover), as the draft asks when several apply.
    pub fn tightest(states: impl IntoIterator<Item = Self>) -> Option<Self> {
        states
            .into_iter()
            .min_by(|a, b| a.remaining.cmp(&b.remaining).then(b.reset.cmp(&a.reset)))
    }

    /// `RateLimit-Reset`: whole seconds, rounded up so a client never retries too early.
    pub fn reset_secs(&self) -> u64 {
        self.reset.as_secs() + u64::from(self.reset.subsec_nanos() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(remaining: u32, reset_ms: u64) -> RateLimitState {
        RateLimitState {
            limit: 10,
            remaining,
            reset: Duration::from_millis(reset_ms),
        }
    }

    #[test]
    fn the_limit_closest_to_running_out_is_reported() {
        let ip = state(3, 42_000);
        let site = state(59, 500);
        assert_eq!(RateLimitState::tightest([site, ip]), Some(ip));
        let slower = state(3, 60_000);
        assert_eq!(RateLimitState::tightest([ip, slower]), Some(slower));
        assert_eq!(RateLimitState::tightest([]), None);
    }

    #[test]
    fn reset_rounds_up_to_whole_seconds() {
        assert_eq!(state(0, 5_001).reset_secs(), 6);
        assert_eq!(state(0, 6_000).reset_secs(), 6);
        assert_eq!(state(10, 0).reset_secs(), 0);
    }
}

//! Fault injection (`POST /_sim/faults`): the next N calls matching a method and path fail in a
//! chosen way. Paths match either the raw request path (`/oauth/token`) or the route template
//! (`/v2/users/{userId}/meetings`).

use serde::{Deserialize, Serialize};

/// Longest delay a fault may impose, so every test stays bounded.
pub(crate) const MAX_DELAY_MS: u64 = 60_000;
/// How long `timeout` waits before dropping the connection when no `delay_ms` is given.
pub(crate) const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// How an armed fault fails a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FaultKind {
    /// Answer `status` (default 500) with a Zoom-style error body.
    Status,
    /// Say nothing for `delay_ms` (default 30 s), then drop the connection.
    Timeout,
    /// Drop the connection without answering, before doing anything.
    Drop,
    /// Wait `delay_ms`, then handle the call normally.
    Slow,
    /// Handle the call (e.g. rotate the refresh token), then drop the connection unanswered.
    DropAfterCommit,
}

/// One armed fault: which calls it matches, how they fail, and how many more it takes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Fault {
    #[serde(default)]
    pub method: Option<String>,
    pub path: String,
    pub kind: FaultKind,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// How long `timeout` and `slow` wait, bounded by [`MAX_DELAY_MS`].
    pub(crate) fn delay(&self) -> std::time::Duration {
        let default = match self.kind {
            FaultKind::Timeout => DEFAULT_TIMEOUT_MS,
            _ => 1_000,
        };
        std::time::Duration::from_millis(self.delay_ms.unwrap_or(default).min(MAX_DELAY_MS))
    }

    fn matches(&self, method: &str, path: &str, template: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        method_ok && (self.path == path || self.path == template)
    }

    /// Rejects faults that could not be served sensibly.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !self.path.starts_with('/') {
            return Err("path must start with /".into());
        }
        if self.count == 0 || self.count > 10_000 {
            return Err("count must be 1..=10000".into());
        }
        if let Some(s) = self.status
            && !(400..=599).contains(&s)
        {
            return Err("status must be 400..=599".into());
        }
        Ok(())
    }
}

/// Armed faults, first match wins.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    pub armed: Vec<Fault>,
}

impl Faults {
    /// Consumes one use of the first fault matching this call.
    pub(crate) fn take(&mut self, method: &str, path: &str, template: &str) -> Option<Fault> {
        let idx = self
            .armed
            .iter()
            .position(|f| f.matches(method, path, template))?;
        let fault = self.armed[idx].clone();
        self.armed[idx].count -= 1;
        if self.armed[idx].count == 0 {
            self.armed.remove(idx);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_consumed_in_order_and_match_template_or_path() {
        let mut f = Faults::default();
        f.armed.push(Fault {
            method: Some("post".into()),
            path: "/oauth/token".into(),
            kind: FaultKind::Status,
            status: Some(503),
            count: 2,
            delay_ms: None,
        });
        f.armed.push(Fault {
            method: None,
            path: "/v2/users/{userId}/meetings".into(),
            kind: FaultKind::Drop,
            status: None,
            count: 1,
            delay_ms: None,
        });
        assert!(f.take("GET", "/oauth/token", "/oauth/token").is_none());
        assert_eq!(
            f.take("POST", "/oauth/token", "/oauth/token")
                .unwrap()
                .status,
            Some(503)
        );
        assert!(f.take("POST", "/oauth/token", "/oauth/token").is_some());
        assert!(f.take("POST", "/oauth/token", "/oauth/token").is_none());
        let hit = f.take(
            "GET",
            "/v2/users/me/meetings",
            "/v2/users/{userId}/meetings",
        );
        assert_eq!(hit.unwrap().kind, FaultKind::Drop);
        assert!(f.armed.is_empty());
    }
}

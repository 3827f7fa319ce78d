//! The Zoom client's error type: Zoom's answers classified by what the caller must do next.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ZoomError {
    /// The grant is dead (refresh token rotated away, revoked, app removed): the owner must
    /// reconnect. Never retried. (docs/zoom.md §1.5)
    #[error("Zoom refused the grant (invalid_grant): {reason}")]
    InvalidGrant { reason: String },
    /// Any other OAuth endpoint refusal (bad code, redirect mismatch, bad client).
    #[error("Zoom OAuth error {error}: {reason}")]
    OAuth {
        status: u16,
        error: String,
        reason: String,
    },
    /// 401 code 124: the access token is expired or invalid; refresh once and retry.
    /// (docs/zoom.md §1.7)
    #[error("Zoom rejected the access token: {message}")]
    AccessTokenRejected { message: String },
    /// 429: wait before the next call. (docs/zoom.md §5.3)
    #[error("Zoom rate limit reached ({message})")]
    RateLimited {
        retry_after: Option<Duration>,
        /// `X-RateLimit-Type: Daily-limit`: nothing more today (until `retry_after`).
        daily: bool,
        /// `X-RateLimit-Limit`: the allowed rate of this category, when Zoom says it.
        limit: Option<u32>,
        message: String,
    },
    /// A Zoom API error with its body code, e.g. 3001 meeting not found. (docs/zoom.md §4.7)
    #[error("Zoom API error {status}/{code}: {message}")]
    Api {
        status: u16,
        code: i64,
        message: String,
    },
    /// Zoom answered 5xx or not at all: retry later, never a reason to drop tokens.
    #[error("Zoom is unavailable: {0}")]
    Unavailable(String),
    /// Zoom answered 2xx with a body we could not read.
    #[error("unexpected answer from Zoom: {0}")]
    Decode(String),
}

impl ZoomError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::RateLimited { .. })
    }
}

//! The service layer's error: what went wrong in terms a caller can act on.

use std::time::Duration;

use crate::crypto::CryptoError;
use crate::domain::public::FieldError;
use crate::domain::rate_limit::RateLimitState;
use crate::store::StoreError;
use crate::zoom::ZoomError;

/// Why a use case failed. How each one is answered over HTTP (status, code, message,
/// `Retry-After`) is decided in one place: `http::error::classify`.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The named thing does not exist (or is not visible to this caller: same answer).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Input failed validation; `field` names what to fix.
    #[error("{field}: {message}")]
    Invalid {
        field: std::borrow::Cow<'static, str>,
        message: String,
    },
    /// A visitor's form input failed validation; the message is meant for the visitor.
    #[error("{}", .0.message)]
    Form(FieldError),
    #[error("{0}")]
    Conflict(String),
    /// The request is valid but cannot be done in the current state (registration closed,
    /// meeting ended or full); `code` is stable, the message is meant for visitors.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    /// Too many requests from this client or for this site, or a Zoom daily limit; `limit`
    /// is the state of Marquee's own limit that refused it (none for Zoom's).
    #[error("{message}")]
    TooManyRequests {
        code: &'static str,
        message: String,
        retry_after: Duration,
        limit: Option<RateLimitState>,
    },
    /// The `Idempotency-Key` was used before with a different request (method, path or body).
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    /// The first request with this `Idempotency-Key` is still running.
    #[error("a request with this Idempotency-Key is still being processed; retry in a moment")]
    IdempotencyKeyInFlight,
    /// The caller is authenticated but lacks the scope.
    #[error("this API key lacks the {0} scope")]
    MissingScope(&'static str),
    /// The tenant has no usable Zoom connection.
    #[error("{0}")]
    NotConnected(String),
    /// Zoom could not be reached or is rate limiting us: try again later.
    #[error("Zoom is unavailable right now")]
    ZoomUnavailable { retry_after: Option<Duration> },
    /// Zoom answered 429 (docs/zoom.md §5.3): `daily` quotas last until `retry_after` (00:00 UTC).
    #[error("Zoom's rate limit was reached")]
    ZoomRateLimited {
        retry_after: Option<Duration>,
        daily: bool,
        limit: Option<u32>,
    },
    /// A webhook delivery failed verification (signature, headers or timestamp).
    #[error("webhook refused: {0}")]
    BadSignature(&'static str),
    /// Zoom refused the request for a reason the caller cannot fix by retrying.
    #[error("Zoom refused the request: {0}")]
    ZoomRefused(String),
    /// Zoom answered 404: it has no such meeting, webinar, recording or user (any more).
    #[error("Zoom refused the request: {0}")]
    ZoomNotFound(String),
    #[error(transparent)]
    Store(StoreFailure),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl ServiceError {
    /// Whether trying the same thing later may succeed (Zoom or the database was unavailable,
    /// or a rate limit applied).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::ZoomUnavailable { .. } | Self::ZoomRateLimited { .. }
        ) || matches!(self, Self::Store(failure) if failure.kind() == StoreFailureKind::Unavailable)
    }

    /// The state of Marquee's own limit that refused the request, if one did.
    pub fn rate_limit(&self) -> Option<RateLimitState> {
        match self {
            Self::TooManyRequests { limit, .. } => *limit,
            _ => None,
        }
    }

    pub fn invalid(
        field: impl Into<std::borrow::Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A failure of Marquee's database as the callers of the services see it: what it means for
/// them ([`StoreFailure::kind`]), with the cause kept for the log.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct StoreFailure(StoreError);

/// What a database failure means to a caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreFailureKind {
    /// The database could not be reached or its pool is exhausted: worth trying again soon.
    Unavailable,
    /// A fault on our side (a broken uniqueness rule, unreadable data, a failed query).
    Internal,
}

impl StoreFailure {
    pub fn kind(&self) -> StoreFailureKind {
        match self.0 {
            StoreError::Unavailable(_) => StoreFailureKind::Unavailable,
            StoreError::NotFound
            | StoreError::Conflict(_)
            | StoreError::Migration(_)
            | StoreError::Corrupt(_)
            | StoreError::Query(_) => StoreFailureKind::Internal,
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        Self::Store(StoreFailure(err))
    }
}

/// Database failures for the tests of how callers answer them.
#[cfg(test)]
impl ServiceError {
    pub(crate) fn database_unavailable(cause: &str) -> Self {
        StoreError::Unavailable(cause.to_owned()).into()
    }

    pub(crate) fn unreadable_data(cause: &str) -> Self {
        StoreError::Corrupt(cause.to_owned()).into()
    }
}

impl From<ZoomError> for ServiceError {
    fn from(err: ZoomError) -> Self {
        match err {
            ZoomError::RateLimited {
                retry_after,
                daily,
                limit,
                ..
            } => Self::ZoomRateLimited {
                retry_after,
                daily,
                limit,
            },
            ZoomError::Unavailable(_) => Self::ZoomUnavailable { retry_after: None },
            ZoomError::InvalidGrant { .. } | ZoomError::AccessTokenRejected { .. } => {
                Self::NotConnected("the Zoom connection needs to be reconnected".into())
            }
            err @ ZoomError::Api { status: 404, .. } => Self::ZoomNotFound(err.to_string()),
            err @ (ZoomError::Api { .. } | ZoomError::OAuth { .. } | ZoomError::Decode(_)) => {
                Self::ZoomRefused(err.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{ServiceError, ZoomError};

    fn api(status: u16) -> ZoomError {
        ZoomError::Api {
            status,
            code: 1001,
            message: "x".into(),
        }
    }

    #[test]
    fn every_zoom_error_has_its_service_meaning() {
        let rate_limited = ZoomError::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
            daily: true,
            limit: Some(3),
            message: "daily".into(),
        };
        assert!(matches!(
            ServiceError::from(rate_limited),
            ServiceError::ZoomRateLimited {
                daily: true,
                limit: Some(3),
                ..
            }
        ));
        assert!(matches!(
            ServiceError::from(ZoomError::Unavailable("down".into())),
            ServiceError::ZoomUnavailable { retry_after: None }
        ));
        for dead in [
            ZoomError::InvalidGrant { reason: "x".into() },
            ZoomError::AccessTokenRejected {
                message: "x".into(),
            },
        ] {
            assert!(matches!(
                ServiceError::from(dead),
                ServiceError::NotConnected(_)
            ));
        }
        assert!(matches!(
            ServiceError::from(api(404)),
            ServiceError::ZoomNotFound(_)
        ));
        let refused = [
            api(400),
            ZoomError::OAuth {
                status: 400,
                error: "invalid_request".into(),
                reason: "x".into(),
            },
            ZoomError::Decode("x".into()),
        ];
        for err in refused {
            assert!(matches!(
                ServiceError::from(err),
                ServiceError::ZoomRefused(_)
            ));
        }
    }
}

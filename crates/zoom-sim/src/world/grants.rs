//! What the OAuth and paging endpoints hand out and later look up: authorization codes, access
//! and refresh tokens (docs/zoom.md §1.2–1.4) and `next_page_token` cursors (§4.1).

use chrono::{DateTime, Utc};

/// A single-use authorization code, bound to its redirect URI and PKCE challenge
/// (docs/zoom.md §1.2).
#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub user_id: String,
    pub redirect_uri: String,
    pub challenge: Option<String>,
    pub method: Option<String>,
    pub issued_at: DateTime<Utc>,
}

/// A live access token and what it may do.
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub user_id: String,
    pub account_id: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// A refresh token; presenting it retires it (rotation, docs/zoom.md §1.4).
#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub user_id: String,
    pub scopes: Vec<String>,
}

/// Where a `next_page_token` continues a list, valid for one query and 15 minutes.
#[derive(Debug, Clone)]
pub(crate) struct PageCursor {
    pub scope: String,
    pub offset: usize,
    pub expires_at: DateTime<Utc>,
}

//! Who is in the simulated Zoom: accounts with their plan, and users with their role
//! (docs/zoom.md §4.2).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Zoom plan of an account; decides rate limits (docs/zoom.md §5.1) and the user `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Plan {
    Free,
    Pro,
    Business,
}

/// A user's role in the account; members cannot add an app with `:admin` scopes
/// (docs/zoom.md §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    /// Zoom's `role_id`/`role_name` pair (docs/zoom.md §4.2).
    pub(crate) fn zoom(self) -> (&'static str, &'static str) {
        match self {
            Role::Owner => ("0", "Owner"),
            Role::Admin => ("1", "Admin"),
            Role::Member => ("2", "Member"),
        }
    }
}

/// A Zoom account: the unit of rate limits and of a user's visibility (docs/zoom.md §1.8).
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: String,
    pub number: i64,
    pub plan: Plan,
}

/// A Zoom user; a host of meetings and the one who consents to the app.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub timezone: String,
    pub role: Role,
    pub pmi: i64,
    pub created_at: DateTime<Utc>,
}

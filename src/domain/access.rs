//! Who is calling, and what they may do.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDateTime;

use super::TenantId;

/// What a tenant API key may do. Site owners signed in through an admin link hold every scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    MeetingsRead,
    MeetingsWrite,
    RecordingsRead,
    RegistrationsRead,
    RegistrationsWrite,
    SettingsRead,
    SettingsWrite,
    /// The site's own event endpoints and their delivery logs (docs/events.md).
    EventsRead,
    /// Registering, changing, test-sending to and replaying the site's own event endpoints.
    EventsWrite,
}

impl Scope {
    pub const ALL: [Scope; 9] = [
        Scope::MeetingsRead,
        Scope::MeetingsWrite,
        Scope::RecordingsRead,
        Scope::RegistrationsRead,
        Scope::RegistrationsWrite,
        Scope::SettingsRead,
        Scope::SettingsWrite,
        Scope::EventsRead,
        Scope::EventsWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::MeetingsRead => "meetings:read",
            Scope::MeetingsWrite => "meetings:write",
            Scope::RecordingsRead => "recordings:read",
            Scope::RegistrationsRead => "registrations:read",
            Scope::RegistrationsWrite => "registrations:write",
            Scope::SettingsRead => "settings:read",
            Scope::SettingsWrite => "settings:write",
            Scope::EventsRead => "events:read",
            Scope::EventsWrite => "events:write",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                format!(
                    "unknown scope {raw:?}; known scopes: {}",
                    Self::names().join(", ")
                )
            })
    }

    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|s| s.as_str()).collect()
    }
}

/// A set of scopes, stored space-separated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<Scope>);

impl ScopeSet {
    pub fn all() -> Self {
        Self(Scope::ALL.into_iter().collect())
    }

    pub fn parse_list<S: AsRef<str>>(items: &[S]) -> Result<Self, String> {
        if items.is_empty() {
            return Err("at least one scope is required".into());
        }
        items
            .iter()
            .map(|s| Scope::parse(s.as_ref()))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Reads the stored form; unknown names (from a newer version) are ignored, never widened.
    pub fn from_stored(stored: &str) -> Self {
        Self(
            stored
                .split_whitespace()
                .filter_map(|s| Scope::parse(s).ok())
                .collect(),
        )
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// The scopes, in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|s| s.as_str().to_owned()).collect()
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(" "))
    }
}

/// The longest name (a label for people) of an API key, in characters.
pub const MAX_KEY_NAME_CHARS: usize = 200;
/// An API key's id is a hyphenated UUID.
pub const KEY_ID_CHARS: usize = 36;

/// A tenant API key's metadata (never the key itself, which Marquee keeps only as a hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub tenant_id: TenantId,
    pub name: String,
    pub key_prefix: String,
    pub scopes: ScopeSet,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// An authenticated caller of the tenant admin API.
#[derive(Clone, Debug)]
pub enum Principal {
    /// A site owner signed in through an admin link.
    Owner {
        tenant_id: TenantId,
        session_hash: String,
    },
    /// A third party with a tenant API key.
    ApiKey {
        tenant_id: TenantId,
        key_id: String,
        scopes: ScopeSet,
    },
    /// A Zoom user inside the Zoom App acting for a site they host for (docs/zoom-app.md):
    /// their meetings and recordings, never the site's settings or keys.
    ZoomHost {
        tenant_id: TenantId,
        session_hash: String,
    },
}

/// What a [`Principal::ZoomHost`] may do.
pub const ZOOM_HOST_SCOPES: [Scope; 4] = [
    Scope::MeetingsRead,
    Scope::MeetingsWrite,
    Scope::RecordingsRead,
    Scope::RegistrationsRead,
];

impl Principal {
    pub fn tenant_id(&self) -> &TenantId {
        match self {
            Principal::Owner { tenant_id, .. }
            | Principal::ApiKey { tenant_id, .. }
            | Principal::ZoomHost { tenant_id, .. } => tenant_id,
        }
    }

    /// Which credential this is (a session or a key), without the secret itself.
    pub fn credential_id(&self) -> String {
        match self {
            Principal::Owner { session_hash, .. } => format!("session:{session_hash}"),
            Principal::ApiKey { key_id, .. } => format!("key:{key_id}"),
            Principal::ZoomHost { session_hash, .. } => format!("zoomapp:{session_hash}"),
        }
    }

    pub fn allows(&self, scope: Scope) -> bool {
        match self {
            Principal::Owner { .. } => true,
            Principal::ApiKey { scopes, .. } => scopes.contains(scope),
            Principal::ZoomHost { .. } => ZOOM_HOST_SCOPES.contains(&scope),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_reject_unknown() {
        let set = ScopeSet::parse_list(&["meetings:read", "settings:write"]).unwrap();
        assert_eq!(set.to_string(), "meetings:read settings:write");
        assert_eq!(ScopeSet::from_stored(&set.to_string()), set);
        assert!(ScopeSet::parse_list(&["meetings:admin"]).is_err());
        assert!(ScopeSet::parse_list::<&str>(&[]).is_err());
        assert!(!ScopeSet::from_stored("future:scope").contains(Scope::MeetingsRead));
    }
}

//! Tenants (hosted sites) and their public identifier, the slug.

use std::fmt;

use super::origin::Origin;

/// Internal tenant id (UUIDv7 text): stable even if a site is renamed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TenantId(String);

impl TenantId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// Wraps an id read back from storage.
    pub fn from_stored(id: String) -> Self {
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A site's public name in URLs: 3–63 characters of `a-z`, `0-9` and `-`, not starting or
/// ending with `-` (so it is also a valid DNS label).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 63;
    /// The rule of [`Slug::parse`] as a regular expression, for the API document.
    pub const PATTERN: &'static str = "^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&raw.len()) {
            return Err(format!(
                "slug must be {} to {} characters long",
                Self::MIN_LEN,
                Self::MAX_LEN
            ));
        }
        if !valid_chars {
            return Err("slug may contain only lowercase letters, digits and hyphens".into());
        }
        if raw.starts_with('-') || raw.ends_with('-') {
            return Err("slug must not start or end with a hyphen".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest display name of a site, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 200;

/// A hosted site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: Slug,
    pub display_name: String,
    pub created_at: chrono::NaiveDateTime,
    /// The site's web addresses as the hosting platform gave them: always allowed to embed
    /// its widgets, beside the origins the owner adds.
    pub origins: Vec<Origin>,
}

/// At most this many platform origins per site (they go into one CSP header with the owner's).
pub const MAX_PLATFORM_ORIGINS: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["abc", "my-site-2", &"a".repeat(63)] {
            assert!(Slug::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "Abc",
            "a_b",
            "-abc",
            "abc-",
            "ab c",
            "ümlaut",
            &"a".repeat(64),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }
}

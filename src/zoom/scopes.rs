//! Which Zoom scopes Marquee needs (docs/zoom.md §1.9). Each need is met by the granular scope at
//! user or admin level, or by the classic scope that covers it.

/// (what Marquee needs, the scope names that satisfy it). The first name is the one reported.
const NEEDS: &[(&str, &[&str])] = &[
    (
        "user:read:user",
        &[
            "user:read:user",
            "user:read:user:admin",
            "user:read",
            "user:read:admin",
        ],
    ),
    (
        "meeting:read:list_meetings",
        &[
            "meeting:read:list_meetings",
            "meeting:read:list_meetings:admin",
            "meeting:read",
            "meeting:read:admin",
        ],
    ),
    (
        "meeting:read:meeting",
        &[
            "meeting:read:meeting",
            "meeting:read:meeting:admin",
            "meeting:read",
            "meeting:read:admin",
        ],
    ),
];

/// What Marquee needs, by the scope names it reports.
pub fn needed() -> Vec<String> {
    NEEDS.iter().map(|(need, _)| (*need).to_owned()).collect()
}

/// The needed scopes that `granted` does not satisfy.
pub fn missing(granted: &[String]) -> Vec<String> {
    NEEDS
        .iter()
        .filter(|(_, satisfied_by)| !satisfied_by.iter().any(|s| granted.iter().any(|g| g == s)))
        .map(|(need, _)| (*need).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn admin_granular_and_classic_scopes_satisfy_needs() {
        let admin = v(&[
            "user:read:user:admin",
            "meeting:read:list_meetings:admin",
            "meeting:read:meeting:admin",
        ]);
        assert!(missing(&admin).is_empty());
        assert!(missing(&v(&["user:read", "meeting:read"])).is_empty());
        assert_eq!(
            missing(&v(&["user:read:user"])),
            ["meeting:read:list_meetings", "meeting:read:meeting"]
        );
    }
}

/// Whether the grant reads the whole account (lists its users: an admin-managed app) rather
/// than only the user who authorized it (docs/zoom.md §1.1, §1.8).
pub fn account_level(granted: &str) -> bool {
    granted
        .split_whitespace()
        .any(|s| matches!(s, "user:read:list_users:admin" | "user:read:admin"))
}

/// Whether the grant may list webinars (the Webinar add-on needs its own scopes,
/// docs/zoom.md §1.9).
pub fn webinars_allowed(granted: &str) -> bool {
    granted.split_whitespace().any(|s| {
        matches!(
            s,
            "webinar:read:list_webinars"
                | "webinar:read:list_webinars:admin"
                | "webinar:read"
                | "webinar:read:admin"
        )
    })
}

/// A change of webinars, each with a scope of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebinarWrite {
    Create = 0,
    Update = 1,
    Delete = 2,
}

/// What each [`WebinarWrite`] needs (the Webinar add-on, docs/zoom.md §1.9, §4.6): the
/// granular scope reported when missing, and every name that grants it.
const WEBINAR_WRITES: [(&str, &[&str]); 3] = [
    (
        "webinar:write:webinar",
        &[
            "webinar:write:webinar",
            "webinar:write:webinar:admin",
            "webinar:write",
            "webinar:write:admin",
        ],
    ),
    (
        "webinar:update:webinar",
        &[
            "webinar:update:webinar",
            "webinar:update:webinar:admin",
            "webinar:write",
            "webinar:write:admin",
        ],
    ),
    (
        "webinar:delete:webinar",
        &[
            "webinar:delete:webinar",
            "webinar:delete:webinar:admin",
            "webinar:write",
            "webinar:write:admin",
        ],
    ),
];

/// The Zoom scope `write` needs when the grant lacks it.
pub fn missing_for_webinar(granted: &str, write: WebinarWrite) -> Option<&'static str> {
    let (need, by) = WEBINAR_WRITES[write as usize];
    (!granted.split_whitespace().any(|g| by.contains(&g))).then_some(need)
}

/// Whether the grant may list cloud recordings.
pub fn recordings_allowed(granted: &str) -> bool {
    granted.split_whitespace().any(|s| {
        matches!(
            s,
            "cloud_recording:read:list_user_recordings"
                | "cloud_recording:read:list_user_recordings:admin"
                | "recording:read"
                | "recording:read:admin"
        )
    })
}

#[cfg(test)]
mod level_tests {
    use super::*;

    #[test]
    fn account_level_and_optional_features_follow_the_scopes() {
        assert!(account_level(
            "meeting:read:meeting:admin user:read:list_users:admin"
        ));
        assert!(!account_level("meeting:read:meeting user:read:user"));
        assert!(webinars_allowed("webinar:read:list_webinars:admin"));
        assert!(!webinars_allowed("meeting:read"));
        assert!(recordings_allowed("recording:read"));
        let granted = "webinar:read:list_webinars:admin webinar:update:webinar:admin";
        assert_eq!(
            missing_for_webinar(granted, WebinarWrite::Create),
            Some("webinar:write:webinar")
        );
        assert_eq!(missing_for_webinar(granted, WebinarWrite::Update), None);
        assert_eq!(
            missing_for_webinar(granted, WebinarWrite::Delete),
            Some("webinar:delete:webinar")
        );
        assert_eq!(
            missing_for_webinar("webinar:write:admin", WebinarWrite::Delete),
            None
        );
        assert!(!recordings_allowed(""));
    }
}

//! The states and kinds Marquee stores in text columns, as enums. Each one's text is exactly
//! what the database holds (and what the APIs and the CLI show), so reading a row is parsing
//! that text and writing one is [`as_str`](JobStatus::as_str). The store converts at its edge.

/// A stored or given text that names no variant (a corrupt row, or a value this version does
/// not know).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a known {what}")]
pub struct UnknownText {
    pub what: &'static str,
    pub text: String,
}

/// Declares a field-less enum whose variants are stored as the given texts: `as_str`, `parse`,
/// `Display`, and the conversions to and from `String` that the store's rows use.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            /// The stored text.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            /// The variant stored as `text`.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::domain::status::UnknownText;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text).ok_or($crate::domain::status::UnknownText {
                    what: stringify!($name),
                    text,
                })
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.as_str().to_owned()
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// Whether a site's Zoom connection can serve (the operator's health view). Derived from
    /// the connection, its grant and the audit trail, never stored.
    pub enum ConnectionState {
        /// Linked to a grant Zoom accepts.
        Connected = "connected",
        /// Linked to a grant Zoom refused for good: only the owner reconnecting helps.
        NeedsReconnect = "needs_reconnect",
        /// Never linked to Zoom.
        NeverConnected = "never_connected",
        /// Linked once, unlinked since (by its owner, or Zoom deauthorized the app).
        Disconnected = "disconnected",
    }
}

impl ConnectionState {
    /// Whether visitors can register (and be served from Zoom) through this connection.
    pub fn can_serve(self) -> bool {
        self == Self::Connected
    }
}

text_enum! {
    /// What a sync job does (`sync_jobs.kind`, `sync_status.last_kind`).
    pub enum SyncKind {
        /// Everything, recordings back to the configured horizon.
        Backfill = "backfill",
        /// The same, with a short recordings window; runs periodically.
        Reconcile = "reconcile",
        /// One meeting or webinar (param `meeting:<id>` / `webinar:<id>`).
        OneMeeting = "meeting",
        /// One window of recordings (param `YYYY-MM-DD..YYYY-MM-DD`).
        Recordings = "recordings",
    }
}

impl SyncKind {
    /// Whether the job syncs the whole site (and so counts as the site's last sync).
    pub fn is_whole_site(self) -> bool {
        matches!(self, Self::Backfill | Self::Reconcile)
    }
}

text_enum! {
    /// Where a sync job stands (`sync_jobs.status`).
    pub enum JobStatus {
        Queued = "queued",
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
}

impl JobStatus {
    /// Whether the job has ended (successfully or not).
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Done | Self::Failed)
    }
}

text_enum! {
    /// How a whole-site sync ended (`sync_status.last_result`).
    pub enum SyncResult {
        Ok = "ok",
        Failed = "failed",
    }
}

text_enum! {
    /// Where a stored Zoom webhook delivery stands (`webhook_events.status`).
    pub enum WebhookEventStatus {
        /// Waiting to be applied (or retried).
        Pending = "pending",
        Applied = "applied",
        /// No site uses the event's Zoom account.
        UnknownAccount = "unknown_account",
        /// Nothing to do for Marquee (an event it does not use, or one already superseded).
        Ignored = "ignored",
        /// Parked after too many failed attempts, for the operator.
        Failed = "failed",
    }
}

text_enum! {
    /// Whether a Zoom grant's tokens still work (`zoom_grants.status`).
    pub enum GrantStatus {
        Active = "active",
        /// Zoom refused the refresh token (revoked, expired, reauthorized elsewhere).
        Dead = "dead",
    }
}

text_enum! {
    /// A cloud recording's state at Zoom (`recordings.status`).
    pub enum RecordingStatus {
        Available = "available",
        /// In Zoom's trash: hidden from visitors, may come back.
        Trashed = "trashed",
    }
}

text_enum! {
    /// An occurrence's state at Zoom (`meeting_occurrences.status`).
    pub enum OccurrenceStatus {
        Available = "available",
        Deleted = "deleted",
    }
}

impl OccurrenceStatus {
    /// Zoom's word for an occurrence: `deleted`, or else available (Zoom writes `available`;
    /// any other word is read the way the visitor lists always treated it).
    pub fn of(text: &str) -> Self {
        Self::parse(text).unwrap_or(Self::Available)
    }
}

text_enum! {
    /// Zoom meetings and webinars share one table (`meetings.kind`); their ids do not collide.
    pub enum MeetingKind {
        Meeting = "meeting",
        Webinar = "webinar",
    }
}

text_enum! {
    /// What an owner's choice about one synced item is about (`hidden_items.kind`).
    pub enum ItemKind {
        /// A meeting or webinar, keyed by Zoom's meeting number.
        Meeting = "meeting",
        /// A cloud recording, keyed by Zoom's meeting-instance uuid.
        Recording = "recording",
    }
}

#[cfg(test)]
mod tests {
    use super::{JobStatus, MeetingKind, OccurrenceStatus, SyncKind, UnknownText};

    #[test]
    fn texts_round_trip() {
        for kind in SyncKind::ALL {
            assert_eq!(SyncKind::parse(kind.as_str()), Some(*kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!(SyncKind::OneMeeting.as_str(), "meeting");
        assert_eq!(
            MeetingKind::try_from("webinar".to_owned()),
            Ok(MeetingKind::Webinar)
        );
    }

    #[test]
    fn unknown_texts_are_refused_by_name() {
        assert_eq!(
            JobStatus::try_from("paused".to_owned()),
            Err(UnknownText {
                what: "JobStatus",
                text: "paused".into()
            })
        );
        assert_eq!(OccurrenceStatus::of("deleted"), OccurrenceStatus::Deleted);
        assert_eq!(
            OccurrenceStatus::of("unavailable"),
            OccurrenceStatus::Available
        );
    }
}

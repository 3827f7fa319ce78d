//! Meetings as Marquee keeps them: what a site may show, never `start_url` (it logs anyone
//! in as the host), which is therefore not even stored.

use chrono::NaiveDateTime;

use super::public::Occurrence;

/// A synced Zoom meeting of one tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    /// Zoom's meeting number (int64, often 11 digits).
    pub zoom_meeting_id: i64,
    pub zoom_uuid: String,
    pub host_id: String,
    pub topic: String,
    pub agenda: String,
    /// Zoom's type: 1 instant, 2 scheduled, 3 recurring without fixed time, 8 recurring.
    pub meeting_type: i32,
    /// UTC; `None` for recurring meetings without a fixed time.
    pub start_time: Option<NaiveDateTime>,
    pub duration_minutes: i32,
    /// IANA zone the host scheduled in, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// Zoom's `settings.approval_type`: 0 auto-approve, 1 manual, 2 no registration.
    pub approval_type: i32,
    pub join_url: String,
    /// Hidden by the site owner.
    pub hidden: bool,
}

impl Meeting {
    pub fn registration_open(&self) -> bool {
        matches!(self.approval_type, 0 | 1)
    }
}

/// Which of the owner's lists of synced meetings: those not yet ended (or without a fixed
/// time), or those that have ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Schedule {
    #[default]
    Upcoming,
    Past,
}

/// A synced meeting or webinar as the owner's panel lists it: once, even when it recurs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncedMeeting {
    pub meeting: Meeting,
    pub webinar: bool,
    /// For a recurring meeting, its next occurrences that have not ended (a few).
    pub next_occurrences: Vec<Occurrence>,
    /// Registrations that are approved or pending.
    pub registrants: i64,
    /// Where it sorts: its first occurrence that may still be running, else its last
    /// occurrence, else its own start; `None` without a fixed time.
    pub list_time: Option<NaiveDateTime>,
}

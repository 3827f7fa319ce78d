//! Zoom's payloads as Marquee's records: a meeting (whole, or patched by `meeting.updated`),
//! its occurrences, a recording as the store keeps them, a registrant's status, the kind an
//! event names, and Zoom's times. The sync engine (REST lists and details) and webhook events (their objects) both
//! convert here, so the same Zoom data is always stored the same way.

use chrono::{DateTime, NaiveDateTime};

use crate::domain::Meeting;
use crate::domain::public::RegistrationStatus;
use crate::domain::status::{MeetingKind, OccurrenceStatus, RecordingStatus};
use crate::store::occurrence::Occurrence;
use crate::store::recording::RecordingData;
use crate::zoom::models::{ZoomMeeting, ZoomRecording};
use crate::zoom::webhook_event::{self, MeetingPatch, Registrant, RegistrationAction};

/// Fields of a `meeting.updated` patch that change nothing Marquee keeps (the patch's `id` and
/// `host_id` are read as such).
const UNKEPT_PATCH_FIELDS: [&str; 3] = ["uuid", "password", "registration_url"];

/// Zoom's times are UTC `yyyy-MM-ddTHH:mm:ssZ` in responses (docs/zoom.md §4.1).
pub fn parse_time(raw: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.naive_utc())
}

/// Zoom's recurring types: 3 and 8 for meetings, 6 and 9 for webinars (without and with a
/// fixed time).
pub fn is_recurring(meeting_type: i32) -> bool {
    matches!(meeting_type, 3 | 8 | 6 | 9)
}

/// Zoom leaves the time zone out (or empty) for some meetings; Marquee then shows UTC.
pub fn timezone_or_utc(timezone: Option<&str>) -> &str {
    timezone.filter(|tz| !tz.is_empty()).unwrap_or("UTC")
}

/// The kind a meeting or webinar event names, as the store keeps it.
pub fn meeting_kind(kind: webhook_event::MeetingKind) -> MeetingKind {
    match kind {
        webhook_event::MeetingKind::Meeting => MeetingKind::Meeting,
        webhook_event::MeetingKind::Webinar => MeetingKind::Webinar,
    }
}

/// Zoom's text without control characters (NUL included), which one database would store and
/// the other refuse.
fn one_line(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Like [`one_line`], but keeping the newlines and tabs of multi-line text (an agenda).
fn multi_line(text: &str) -> String {
    text.chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

/// Zoom's meeting → Marquee's. `start_url` is deliberately not carried over.
pub fn meeting(m: ZoomMeeting) -> Meeting {
    Meeting {
        timezone: one_line(timezone_or_utc(m.timezone.as_deref())),
        zoom_meeting_id: m.id,
        zoom_uuid: one_line(&m.uuid),
        host_id: one_line(&m.host_id),
        topic: one_line(&m.topic),
        agenda: multi_line(&m.agenda),
        meeting_type: m.meeting_type,
        start_time: m.start_time.as_deref().and_then(parse_time),
        duration_minutes: m.duration,
        approval_type: m.settings.map_or(2, |s| s.approval_type),
        join_url: one_line(&m.join_url),
        hidden: false,
    }
}

/// The occurrences of a meeting's detail.
pub fn occurrences(m: &ZoomMeeting) -> Vec<Occurrence> {
    m.occurrences
        .iter()
        .filter_map(|o| {
            Some(Occurrence {
                occurrence_id: o.occurrence_id.clone(),
                start_time: parse_time(&o.start_time)?,
                duration_minutes: o.duration.unwrap_or(m.duration),
                status: o
                    .status
                    .as_deref()
                    .map_or(OccurrenceStatus::Available, OccurrenceStatus::of),
            })
        })
        .collect()
}

/// Zoom's recording → what the store keeps (files reduced to what a viewer needs).
pub fn recording(r: ZoomRecording, status: RecordingStatus) -> RecordingData {
    RecordingData {
        start_time: parse_time(&r.start_time).unwrap_or_default(),
        files_json: serde_json::to_string(&r.recording_files).unwrap_or_else(|_| "[]".into()),
        timezone: one_line(timezone_or_utc(r.timezone.as_deref())),
        zoom_meeting_uuid: one_line(&r.uuid),
        zoom_meeting_id: r.id,
        host_id: one_line(&r.host_id),
        topic: one_line(&r.topic),
        duration_minutes: r.duration,
        share_url: one_line(&r.share_url.unwrap_or_default()),
        play_passcode: one_line(&r.recording_play_passcode.unwrap_or_default()),
        total_size: r.total_size,
        status,
    }
}

/// A `meeting.updated` patch applied to the stored copy, if the patch is enough: it touches
/// only fields Marquee keeps, and does not move a recurring meeting's occurrences. `None`
/// means the meeting must be read from Zoom again.
pub fn patched_meeting(mut m: Meeting, patch: &MeetingPatch) -> Option<Meeting> {
    let unkept = |field: &String| UNKEPT_PATCH_FIELDS.contains(&field.as_str());
    if !patch.others.keys().all(unkept) {
        // type, recurrence, occurrences, …
        return None;
    }
    if let Some(topic) = patch.topic.usable()? {
        m.topic = one_line(topic);
    }
    if let Some(agenda) = patch.agenda.usable()? {
        m.agenda = multi_line(agenda);
    }
    if let Some(duration) = patch.duration.usable()? {
        m.duration_minutes = *duration;
    }
    if let Some(timezone) = patch.timezone.usable()? {
        m.timezone = one_line(Some(timezone).filter(|tz| !tz.is_empty())?);
    }
    if let Some(join_url) = patch.join_url.usable()? {
        m.join_url = join_url.clone();
    }
    if let Some(start) = patch.start_time.usable()? {
        if is_recurring(m.meeting_type) {
            return None;
        }
        m.start_time = match start {
            None => None,
            Some(raw) => Some(parse_time(raw)?),
        };
    }
    if let Some(settings) = &patch.settings
        && let Some(approval_type) = settings.approval_type.usable()?
    {
        m.approval_type = *approval_type;
    }
    Some(m)
}

/// The status Zoom's registration event gives a registrant: a new registrant's own status
/// (approved if Zoom names none Marquee knows), otherwise what the event says.
pub fn registration_status(
    action: RegistrationAction,
    registrant: &Registrant,
) -> RegistrationStatus {
    match action {
        RegistrationAction::Created => {
            RegistrationStatus::parse(&registrant.status).unwrap_or(RegistrationStatus::Approved)
        }
        RegistrationAction::Approved => RegistrationStatus::Approved,
        RegistrationAction::Cancelled => RegistrationStatus::Cancelled,
        RegistrationAction::Denied => RegistrationStatus::Denied,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::domain::Meeting;
    use crate::zoom::webhook_event::MeetingPatch;

    use super::{multi_line, one_line, parse_time, patched_meeting};

    #[test]
    fn control_characters_from_zoom_are_dropped() {
        assert_eq!(one_line("Chess\u{0} club\n"), "Chess club");
        assert_eq!(multi_line("a\u{0}\n\tb\r"), "a\n\tb");
    }

    #[test]
    fn zoom_times_parse_as_utc() {
        let t = parse_time("2026-03-29T01:30:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-03-29 01:30:00");
        assert_eq!(parse_time("2026-03-29T03:30:00+02:00"), Some(t));
        assert_eq!(parse_time("tomorrow"), None);
    }

    fn stored() -> Meeting {
        Meeting {
            zoom_meeting_id: 1,
            zoom_uuid: "u".into(),
            host_id: "h".into(),
            topic: "Old".into(),
            agenda: "a".into(),
            meeting_type: 2,
            start_time: parse_time("2026-01-01T10:00:00Z"),
            duration_minutes: 30,
            timezone: "UTC".into(),
            approval_type: 2,
            join_url: "j".into(),
            hidden: false,
        }
    }

    /// The patch as a `meeting.updated` object carries it.
    fn apply_patch(m: Meeting, object: &Value) -> Option<Meeting> {
        let patch: MeetingPatch = serde_json::from_value(object.clone()).unwrap();
        patched_meeting(m, &patch)
    }

    #[test]
    fn simple_patches_apply_and_others_ask_for_a_reread() {
        let patched = apply_patch(
            stored(),
            &json!({"id": 1, "topic": "New", "start_time": "2026-02-01T09:00:00Z",
                    "settings": {"approval_type": 0, "host_video": true}}),
        )
        .unwrap();
        assert_eq!(patched.topic, "New");
        assert_eq!(patched.approval_type, 0);
        assert_eq!(patched.start_time, parse_time("2026-02-01T09:00:00Z"));
        assert!(apply_patch(stored(), &json!({"id": 1, "recurrence": {"type": 1}})).is_none());
        assert!(apply_patch(stored(), &json!({"id": 1, "type": 8})).is_none());
        let mut recurring = stored();
        recurring.meeting_type = 8;
        assert!(
            apply_patch(
                recurring,
                &json!({"id": 1, "start_time": "2026-02-01T09:00:00Z"})
            )
            .is_none()
        );
    }

    #[test]
    fn unkept_fields_are_skipped_and_odd_values_ask_for_a_reread() {
        let patched = apply_patch(
            stored(),
            &json!({"id": "1", "uuid": "x", "password": "p", "registration_url": "r",
                    "start_time": null, "duration": 45}),
        )
        .unwrap();
        assert_eq!(patched.start_time, None);
        assert_eq!(patched.duration_minutes, 45);
        assert!(apply_patch(stored(), &json!({"id": 1, "topic": 7})).is_none());
        assert!(apply_patch(stored(), &json!({"id": 1, "timezone": ""})).is_none());
        assert!(apply_patch(stored(), &json!({"id": 1, "duration": 1e12})).is_none());
        assert!(apply_patch(stored(), &json!({"id": 1, "start_time": "soon"})).is_none());
    }
}

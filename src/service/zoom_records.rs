//! Zoom's payloads as Marquee's records: a meeting, its occurrences and a recording as the
//! store keeps them, and Zoom's times. The sync engine (REST lists and details) and webhook
//! events (their objects) both convert here, so the same Zoom data is always stored the same way.

use chrono::{DateTime, NaiveDateTime};

use crate::domain::Meeting;
use crate::store::occurrence::Occurrence;
use crate::store::recording::RecordingData;
use crate::zoom::models::{ZoomMeeting, ZoomRecording};

/// Zoom's times are UTC `yyyy-MM-ddTHH:mm:ssZ` in responses (reference §4.1).
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

/// Zoom's meeting → Marquee's. `start_url` is deliberately not carried over.
pub fn meeting(m: ZoomMeeting) -> Meeting {
    Meeting {
        timezone: timezone_or_utc(m.timezone.as_deref()).to_owned(),
        zoom_meeting_id: m.id,
        zoom_uuid: m.uuid,
        host_id: m.host_id,
        topic: m.topic,
        agenda: m.agenda,
        meeting_type: m.meeting_type,
        start_time: m.start_time.as_deref().and_then(parse_time),
        duration_minutes: m.duration,
        approval_type: m.settings.map_or(2, |s| s.approval_type),
        join_url: m.join_url,
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
                status: o.status.clone().unwrap_or_else(|| "available".to_owned()),
            })
        })
        .collect()
}

/// Zoom's recording → what the store keeps (files reduced to what a viewer needs).
pub fn recording(r: ZoomRecording, status: &str) -> RecordingData {
    RecordingData {
        start_time: parse_time(&r.start_time).unwrap_or_default(),
        files_json: serde_json::to_string(&r.recording_files).unwrap_or_else(|_| "[]".into()),
        timezone: timezone_or_utc(r.timezone.as_deref()).to_owned(),
        zoom_meeting_uuid: r.uuid,
        zoom_meeting_id: r.id,
        host_id: r.host_id,
        topic: r.topic,
        duration_minutes: r.duration,
        share_url: r.share_url.unwrap_or_default(),
        play_passcode: r.recording_play_passcode.unwrap_or_default(),
        total_size: r.total_size,
        status: status.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_times_parse_as_utc() {
        let t = parse_time("2026-03-29T01:30:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-03-29 01:30:00");
        assert_eq!(parse_time("2026-03-29T03:30:00+02:00"), Some(t));
        assert_eq!(parse_time("tomorrow"), None);
    }
}

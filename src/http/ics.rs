//! "Add to calendar": a meeting's events, and a small iCalendar (RFC 5545) writer for them, one
//! VCALENDAR with one VEVENT per meeting or occurrence. Times are written in UTC (`…Z`), which every calendar converts
//! to the reader's zone and which cannot go wrong across daylight-saving changes. Text is
//! escaped (§3.3.11) and lines are folded at 75 octets without splitting a character (§3.1).

use chrono::NaiveDateTime;

use crate::domain::public::MeetingDetail;

/// One event of the calendar file.
pub struct Event<'a> {
    /// Globally unique and stable, so a second download updates instead of duplicating.
    pub uid: String,
    pub start: NaiveDateTime,
    pub duration_minutes: i32,
    pub summary: &'a str,
    pub description: &'a str,
    pub url: &'a str,
}

/// The events of a meeting's calendar file: its upcoming occurrences (only `chosen`, when
/// given), or else its one start; empty when there is nothing to put into a calendar. `url`
/// is the meeting's widget page.
pub fn meeting_events<'a>(
    detail: &'a MeetingDetail,
    slug: &str,
    url: &'a str,
    chosen: Option<&str>,
) -> Vec<Event<'a>> {
    let m = &detail.meeting;
    let id = m.zoom_meeting_id;
    let event = |uid: String, start: NaiveDateTime, duration_minutes: i32| Event {
        uid,
        start,
        duration_minutes,
        summary: &m.topic,
        description: &m.agenda,
        url,
    };
    let mut events: Vec<Event<'a>> = detail
        .occurrences
        .iter()
        .filter(|o| chosen.is_none_or(|c| c == o.occurrence_id))
        .map(|o| {
            let uid = format!("{id}-{}@{slug}.marquee", o.occurrence_id);
            event(uid, o.start_time, o.duration_minutes)
        })
        .collect();
    if detail.occurrences.is_empty()
        && let Some(start) = m.start_time
    {
        events.push(event(
            format!("{id}@{slug}.marquee"),
            start,
            m.duration_minutes,
        ));
    }
    events
}

/// The whole `.ics` file.
pub fn calendar(events: &[Event<'_>], stamp: NaiveDateTime) -> String {
    let mut out = String::new();
    let mut line = |s: &str| fold_into(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Marquee//Meetings//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    for e in events {
        let end = e.start + chrono::TimeDelta::minutes(e.duration_minutes.max(0).into());
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", escape(&e.uid)));
        line(&format!("DTSTAMP:{}", utc(stamp)));
        line(&format!("DTSTART:{}", utc(e.start)));
        line(&format!("DTEND:{}", utc(end)));
        line(&format!("SUMMARY:{}", escape(e.summary)));
        if !e.description.is_empty() {
            line(&format!("DESCRIPTION:{}", escape(e.description)));
        }
        if !e.url.is_empty() {
            line(&format!("URL:{}", e.url));
        }
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

fn utc(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping: backslash, semicolon, comma and line breaks; other control characters
/// cannot appear in a content line and are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let normalised = text.replace("\r\n", "\n");
    for c in normalised.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded to lines of at most 75 octets (continuations start with a space),
/// each ending in CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::{Event, calendar, meeting_events};
    use crate::domain::Meeting;
    use crate::domain::public::{MeetingDetail, Occurrence};
    use crate::domain::status::OccurrenceStatus;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn events_are_escaped_folded_and_in_utc() {
        let summary = format!("Yoga; breathe, relax \\ {} 🎉", "ü".repeat(40));
        let ics = calendar(
            &[Event {
                uid: "81234567890-1@marquee".into(),
                start: at("2026-03-29 17:00"),
                duration_minutes: 90,
                summary: &summary,
                description: "line 1\nline 2",
                url: "https://example.com/x",
            }],
            at("2026-01-01 00:00"),
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("DTSTART:20260329T170000Z\r\n"));
        assert!(ics.contains("DTEND:20260329T183000Z\r\n"));
        assert!(ics.contains("DESCRIPTION:line 1\\nline 2\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!(
            "SUMMARY:Yoga\\; breathe\\, relax \\\\ {} 🎉\r\n",
            "ü".repeat(40)
        )));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    fn detail(start: Option<&str>, occurrences: &[&str]) -> MeetingDetail {
        MeetingDetail {
            meeting: Meeting {
                zoom_meeting_id: 81,
                zoom_uuid: "u".into(),
                host_id: "h".into(),
                topic: "Yoga".into(),
                agenda: String::new(),
                meeting_type: if occurrences.is_empty() { 2 } else { 8 },
                start_time: start.map(at),
                duration_minutes: 60,
                timezone: "UTC".into(),
                approval_type: 2,
                join_url: String::new(),
                hidden: false,
            },
            webinar: false,
            occurrences: occurrences
                .iter()
                .enumerate()
                .map(|(i, id)| Occurrence {
                    occurrence_id: (*id).into(),
                    start_time: at(&format!("2026-03-2{i} 17:00")),
                    duration_minutes: 30,
                    status: OccurrenceStatus::Available,
                })
                .collect(),
            registration_open: false,
            questions: None,
        }
    }

    #[test]
    fn a_meeting_has_its_occurrences_or_its_one_start() {
        let recurring = detail(Some("2026-03-20 17:00"), &["100", "200"]);
        let uids = |events: Vec<Event<'_>>| events.into_iter().map(|e| e.uid).collect::<Vec<_>>();
        assert_eq!(
            uids(meeting_events(&recurring, "club", "u", None)),
            ["81-100@club.marquee", "81-200@club.marquee"]
        );
        assert_eq!(
            uids(meeting_events(&recurring, "club", "u", Some("200"))),
            ["81-200@club.marquee"]
        );
        assert!(meeting_events(&recurring, "club", "u", Some("300")).is_empty());
        let single = detail(Some("2026-03-20 17:00"), &[]);
        assert_eq!(
            uids(meeting_events(&single, "club", "u", None)),
            ["81@club.marquee"]
        );
        assert!(meeting_events(&detail(None, &[]), "club", "u", None).is_empty());
    }
}

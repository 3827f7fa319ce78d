//! "Add to calendar": a meeting's events, and a small iCalendar (RFC 5545) writer for them, one
//! VCALENDAR with one VEVENT per meeting or occurrence. Times are written in the meeting's own
//! zone (`DTSTART;TZID=Europe/Berlin:…`) with a VTIMEZONE block for it (its offsets and every
//! change of them around the events, from chrono-tz's IANA data), so a calendar shows the
//! host's zone and moves the event with the host's daylight-saving rules; a zone chrono-tz does
//! not know is written in UTC (`…Z`). `SEQUENCE` grows with the stored version, so a second
//! download updates the entry (same `UID`) instead of duplicating or ignoring it. Text is
//! escaped (§3.3.11) and lines are folded at 75 octets without splitting a character (§3.1).

use std::collections::BTreeSet;

use chrono::{NaiveDateTime, TimeDelta, TimeZone};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::domain::public::MeetingDetail;

/// One event of the calendar file.
pub struct Event<'a> {
    /// Globally unique and stable, so a second download updates instead of duplicating.
    pub uid: String,
    /// Grows whenever the meeting changes.
    pub sequence: i64,
    /// UTC.
    pub start: NaiveDateTime,
    pub duration_minutes: i32,
    /// The meeting's IANA zone.
    pub timezone: &'a str,
    pub summary: &'a str,
    pub description: &'a str,
    pub url: &'a str,
    pub organizer: Organizer<'a>,
}

/// Who the event is by: the site's name, with the site's widget page as its address (an
/// organizer needs a URI; the host's e-mail address is not made public).
#[derive(Clone, Copy)]
pub struct Organizer<'a> {
    pub name: &'a str,
    pub uri: &'a str,
}

/// Versions are Zoom's epoch milliseconds; `SEQUENCE` is an INTEGER (32 bits, §3.3.8), so it
/// counts seconds since 2025 (a change a second or more after the last one raises it).
const SEQUENCE_EPOCH_SECONDS: i64 = 1_735_689_600;

/// The `SEQUENCE` of a stored version.
pub fn sequence(version: i64) -> i64 {
    (version / 1000 - SEQUENCE_EPOCH_SECONDS).clamp(0, i64::from(i32::MAX))
}

/// The events of a meeting's calendar file: its upcoming occurrences (only `chosen`, when
/// given), or else its one start; empty when there is nothing to put into a calendar. `url`
/// is the meeting's widget page.
pub fn meeting_events<'a>(
    detail: &'a MeetingDetail,
    slug: &str,
    url: &'a str,
    organizer: Organizer<'a>,
    chosen: Option<&str>,
) -> Vec<Event<'a>> {
    let m = &detail.meeting;
    let id = m.zoom_meeting_id;
    let event = |uid: String, start: NaiveDateTime, duration_minutes: i32| Event {
        uid,
        sequence: sequence(detail.version),
        start,
        duration_minutes,
        timezone: &m.timezone,
        summary: &m.topic,
        description: &m.agenda,
        url,
        organizer,
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
    let zones: BTreeSet<&str> = events.iter().map(|e| e.timezone).collect();
    for name in zones {
        let Ok(zone) = name.parse::<Tz>() else {
            continue;
        };
        let starts = events
            .iter()
            .filter(|e| e.timezone == name)
            .map(|e| e.start);
        let (first, last) = (starts.clone().min(), starts.max());
        if let (Some(first), Some(last)) = (first, last) {
            vtimezone(&mut line, zone, first, last);
        }
    }
    for e in events {
        let end = e.start + TimeDelta::minutes(e.duration_minutes.max(0).into());
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", escape(&e.uid)));
        line(&format!("SEQUENCE:{}", e.sequence));
        line(&format!("DTSTAMP:{}", utc(stamp)));
        line(&format!("DTSTART{}", when(e.start, e.timezone)));
        line(&format!("DTEND{}", when(end, e.timezone)));
        line(&format!("SUMMARY:{}", escape(e.summary)));
        if !e.description.is_empty() {
            line(&format!("DESCRIPTION:{}", escape(e.description)));
        }
        if !e.url.is_empty() {
            line(&format!("URL:{}", e.url));
        }
        line(&format!(
            "ORGANIZER;CN={}:{}",
            param(e.organizer.name),
            e.organizer.uri
        ));
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// `;TZID=Zone:local` in a zone chrono-tz knows, else `:utcZ`.
fn when(t: NaiveDateTime, zone: &str) -> String {
    match zone.parse::<Tz>() {
        Ok(tz) => format!(
            ";TZID={}:{}",
            tz.name(),
            tz.from_utc_datetime(&t).format("%Y%m%dT%H%M%S")
        ),
        Err(_) => format!(":{}", utc(t)),
    }
}

/// The zone's VTIMEZONE: the observance in force a year before `first`, then each change of
/// offset until a year after `last`, each as its own STANDARD or DAYLIGHT block with its
/// onset (in the local time before it, §3.6.5), offsets and abbreviation.
fn vtimezone(line: &mut impl FnMut(&str), zone: Tz, first: NaiveDateTime, last: NaiveDateTime) {
    let from = first - TimeDelta::days(366);
    let until = last + TimeDelta::days(366);
    line("BEGIN:VTIMEZONE");
    line(&format!("TZID:{}", zone.name()));
    let mut before = zone.offset_from_utc_datetime(&from);
    observance(line, &before, &before, from);
    let mut hour = from;
    while hour < until {
        let next = hour + TimeDelta::hours(1);
        let after = zone.offset_from_utc_datetime(&next);
        if seconds(&after) != seconds(&before) || after.abbreviation() != before.abbreviation() {
            let onset = change_within(zone, hour, next);
            observance(line, &before, &after, onset);
            before = after;
        }
        hour = next;
    }
    line("END:VTIMEZONE");
}

/// The minute in `(from, to]` at which the zone's offset changes.
fn change_within(zone: Tz, from: NaiveDateTime, to: NaiveDateTime) -> NaiveDateTime {
    let at = |t: NaiveDateTime| seconds(&zone.offset_from_utc_datetime(&t));
    let (mut lo, mut hi) = (from, to);
    while hi - lo > TimeDelta::minutes(1) {
        let mid = lo + (hi - lo) / 2;
        if at(mid) == at(from) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

fn observance(
    line: &mut impl FnMut(&str),
    before: &chrono_tz::TzOffset,
    after: &chrono_tz::TzOffset,
    onset: NaiveDateTime,
) {
    let kind = if after.dst_offset().is_zero() {
        "STANDARD"
    } else {
        "DAYLIGHT"
    };
    let local = onset + TimeDelta::seconds(seconds(before).into());
    line(&format!("BEGIN:{kind}"));
    line(&format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")));
    line(&format!("TZOFFSETFROM:{}", offset(seconds(before))));
    line(&format!("TZOFFSETTO:{}", offset(seconds(after))));
    if let Some(name) = after.abbreviation() {
        line(&format!("TZNAME:{}", escape(name)));
    }
    line(&format!("END:{kind}"));
}

fn seconds(o: &chrono_tz::TzOffset) -> i32 {
    use chrono::Offset;
    o.fix().local_minus_utc()
}

/// `+hhmm` or `+hhmmss` (§3.3.14).
fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// A parameter value (§3.2): quoted, without the characters a quoted value cannot hold.
fn param(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    format!("\"{clean}\"")
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

    use super::{Event, Organizer, calendar, meeting_events, sequence};
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
                sequence: 7,
                start: at("2026-03-29 17:00"),
                duration_minutes: 90,
                timezone: "Mars/Olympus",
                summary: &summary,
                description: "line 1\nline 2",
                url: "https://example.com/x",
                organizer: ORGANIZER,
            }],
            at("2026-01-01 00:00"),
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        // A zone chrono-tz does not know: UTC, and no VTIMEZONE.
        assert!(ics.contains("DTSTART:20260329T170000Z\r\n"));
        assert!(ics.contains("DTEND:20260329T183000Z\r\n"));
        assert!(!ics.contains("VTIMEZONE"));
        assert!(ics.contains("SEQUENCE:7\r\n"));
        assert!(ics.contains("ORGANIZER;CN=\"Yoga Club\":https://example.com/club\r\n"));
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

    const ORGANIZER: Organizer<'static> = Organizer {
        name: "Yoga \"Club\"",
        uri: "https://example.com/club",
    };

    #[test]
    fn times_are_in_the_meetings_zone_with_its_daylight_saving_changes() {
        let mut recurring = detail(Some("2026-03-20 17:00"), &["100", "200"]);
        recurring.meeting.timezone = "Europe/Berlin".into();
        let events = meeting_events(&recurring, "club", "u", ORGANIZER, None);
        let ics = calendar(&events, at("2026-01-01 00:00"));
        // 17:00 UTC is 18:00 in Berlin in winter (the first occurrence is on 20 March).
        assert!(
            ics.contains("DTSTART;TZID=Europe/Berlin:20260320T180000\r\n"),
            "{ics}"
        );
        assert!(ics.contains("TZID:Europe/Berlin\r\n"));
        // Summer time starts on the last Sunday of March at 02:00 local (01:00 UTC).
        assert!(ics.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
        ), "{ics}");
        assert!(ics.contains(
            "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
        ), "{ics}");
        assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 1);
    }

    #[test]
    fn the_sequence_grows_with_the_version_and_fits_an_integer() {
        let (a, b) = (sequence(1_780_000_000_000), sequence(1_780_000_005_000));
        assert!(a > 0 && b > a, "{a} {b}");
        assert!(sequence(i64::MAX) <= i64::from(i32::MAX));
        assert_eq!(sequence(0), 0);
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
            version: 1_780_000_000_000,
        }
    }

    #[test]
    fn a_meeting_has_its_occurrences_or_its_one_start() {
        let recurring = detail(Some("2026-03-20 17:00"), &["100", "200"]);
        let uids = |events: Vec<Event<'_>>| events.into_iter().map(|e| e.uid).collect::<Vec<_>>();
        assert_eq!(
            uids(meeting_events(&recurring, "club", "u", ORGANIZER, None)),
            ["81-100@club.marquee", "81-200@club.marquee"]
        );
        assert_eq!(
            uids(meeting_events(
                &recurring,
                "club",
                "u",
                ORGANIZER,
                Some("200")
            )),
            ["81-200@club.marquee"]
        );
        assert!(meeting_events(&recurring, "club", "u", ORGANIZER, Some("300")).is_empty());
        let single = detail(Some("2026-03-20 17:00"), &[]);
        assert_eq!(
            uids(meeting_events(&single, "club", "u", ORGANIZER, None)),
            ["81@club.marquee"]
        );
        assert!(meeting_events(&detail(None, &[]), "club", "u", ORGANIZER, None).is_empty());
    }
}

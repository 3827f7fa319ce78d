//! What the server-rendered pages share, the owner's panel and the widgets: HTML answers,
//! times shown in a meeting's own zone, and links safe to put into an `href`.

use chrono::{Datelike, NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use poem::Response;
use poem::http::{StatusCode, header};
use serde::Serialize;

use crate::domain::site::Lang;
use crate::i18n;

/// An HTML response with its own Content-Security-Policy, never stored by caches.
pub fn response(status: StatusCode, body: String, csp: &str) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CONTENT_SECURITY_POLICY, csp)
        .header(header::CACHE_CONTROL, "no-store")
        .body(body)
}

/// A start formatted in the meeting's own time zone (DST-correct); UTC if the zone is unknown.
/// Every date a widget shows is `text` (one format per page; the browser's local time copies
/// it, see `base.html.j2`).
#[derive(Serialize)]
pub struct When {
    iso: String,
    /// The long date in the page's language.
    date: String,
    time: String,
    end_time: String,
    zone_abbr: String,
    zone: &'static str,
    /// `"{date}, {time}–{end_time} {zone_abbr}"`.
    text: String,
    /// "Every Tuesday, 14:30–15:00 EST", for the first of [`When::series`] when all its
    /// dates fall on the same weekday and time.
    every: Option<String>,
}

impl When {
    pub fn new(start_utc: NaiveDateTime, duration_minutes: i32, zone: &str, lang: Lang) -> Self {
        let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
        let start = start_utc.and_utc().with_timezone(&tz);
        let end = start + TimeDelta::minutes(duration_minutes.into());
        let (date, time, end_time, zone_abbr) = (
            i18n::strings(lang).long_date(&start, lang),
            start.format("%H:%M").to_string(),
            end.format("%H:%M").to_string(),
            start.format("%Z").to_string(),
        );
        Self {
            iso: start.to_rfc3339(),
            text: format!("{date}, {time}–{end_time} {zone_abbr}"),
            date,
            time,
            end_time,
            zone_abbr,
            zone: tz.name(),
            every: None,
        }
    }

    /// The dates of a series, the first saying "Every …" when they repeat weekly at one time.
    pub fn series(dates: &[(NaiveDateTime, i32)], zone: &str, lang: Lang) -> Vec<Self> {
        let mut all: Vec<Self> = dates
            .iter()
            .map(|&(start, minutes)| Self::new(start, minutes, zone, lang))
            .collect();
        let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
        let weekday = |s: &NaiveDateTime| s.and_utc().with_timezone(&tz).weekday();
        let weekly = dates.len() > 1
            && all.windows(2).all(|w| {
                (&w[0].time, &w[0].end_time, &w[0].zone_abbr)
                    == (&w[1].time, &w[1].end_time, &w[1].zone_abbr)
            })
            && dates
                .iter()
                .all(|(s, _)| weekday(s) == weekday(&dates[0].0));
        if let Some(first) = all.first_mut().filter(|_| weekly) {
            let day = i18n::strings(lang).every_weekday(weekday(&dates[0].0));
            first.every = Some(format!(
                "{day}, {}–{} {}",
                first.time, first.end_time, first.zone_abbr
            ));
        }
        all
    }
}

/// Only http(s) links reach an `href` (Zoom data is not trusted to be well-formed).
pub fn safe_link(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::{When, safe_link};
    use crate::domain::site::Lang;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn format_start(start_utc: NaiveDateTime, duration_minutes: i32, zone: &str) -> When {
        When::new(start_utc, duration_minutes, zone, Lang::En)
    }

    #[test]
    fn local_time_follows_daylight_saving() {
        // Berlin switches to CEST on 2026-03-29 at 01:00 UTC.
        let before = format_start(at("2026-03-28 17:00"), 60, "Europe/Berlin");
        let after = format_start(at("2026-03-29 17:00"), 60, "Europe/Berlin");
        assert_eq!(before.time, "18:00");
        assert_eq!(before.zone_abbr, "CET");
        assert_eq!(after.time, "19:00");
        assert_eq!(after.zone_abbr, "CEST");
    }

    #[test]
    fn unknown_zone_falls_back_to_utc() {
        let v = format_start(at("2026-01-01 10:00"), 30, "Mars/Olympus");
        assert_eq!(v.time, "10:00");
        assert_eq!(v.end_time, "10:30");
    }

    #[test]
    fn a_weekly_series_reads_every_weekday_across_daylight_saving() {
        // 14:30 in New York on Tuesdays, before and after the switch to EDT on 2026-03-08.
        let dates = [
            (at("2026-03-03 19:30"), 30),
            (at("2026-03-10 18:30"), 30),
            (at("2026-03-17 18:30"), 30),
        ];
        let zone = "America/New_York";
        let mixed = When::series(&dates, zone, Lang::En);
        assert_eq!(mixed.len(), 3);
        assert_eq!(mixed[0].every, None, "EST then EDT is not one time");
        let same = When::series(&dates[1..], zone, Lang::En);
        assert_eq!(
            same[0].every.as_deref(),
            Some("Every Tuesday, 14:30–15:00 EDT")
        );
        assert_eq!(same[0].text, "Tuesday, 10 March 2026, 14:30–15:00 EDT");
        assert!(same[1].every.is_none());
        let de = When::series(&dates[1..], zone, Lang::De);
        assert_eq!(
            de[0].every.as_deref(),
            Some("Jeden Dienstag, 14:30–15:00 EDT")
        );
        assert!(When::series(&dates[..1], zone, Lang::En)[0].every.is_none());
    }

    #[test]
    fn only_web_links_are_linked() {
        assert!(safe_link("javascript:alert(1)").is_none());
        assert_eq!(
            safe_link("https://zoom.us/rec/share/x").as_deref(),
            Some("https://zoom.us/rec/share/x")
        );
    }
}

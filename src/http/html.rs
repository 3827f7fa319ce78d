//! What the server-rendered pages share, the owner's panel and the widgets: HTML answers,
//! times shown in a meeting's own zone, and links safe to put into an `href`.

use chrono::{NaiveDateTime, TimeDelta};
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
#[derive(Serialize)]
pub struct When {
    iso: String,
    /// The long date in the page's language.
    date: String,
    time: String,
    end_time: String,
    zone_abbr: String,
    zone: &'static str,
}

impl When {
    pub fn new(start_utc: NaiveDateTime, duration_minutes: i32, zone: &str, lang: Lang) -> Self {
        let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
        let start = start_utc.and_utc().with_timezone(&tz);
        let end = start + TimeDelta::minutes(duration_minutes.into());
        Self {
            iso: start.to_rfc3339(),
            date: i18n::strings(lang).long_date(&start, lang),
            time: start.format("%H:%M").to_string(),
            end_time: end.format("%H:%M").to_string(),
            zone_abbr: start.format("%Z").to_string(),
            zone: tz.name(),
        }
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
    fn only_web_links_are_linked() {
        assert!(safe_link("javascript:alert(1)").is_none());
        assert_eq!(
            safe_link("https://zoom.us/rec/share/x").as_deref(),
            Some("https://zoom.us/rec/share/x")
        );
    }
}

//! Embeddable widgets (`/embed/{site}/…`): server-rendered HTML from Marquee's store.

use chrono::{NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use minijinja::Value;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{IntoResponse, Response, handler};

use super::pages::html;
use crate::domain::Meeting;
use crate::service::{ServiceError, Services};
use crate::templates::{Templates, strings_en};

/// Widgets load nothing from outside (inline styles only) and may be framed by any site until
/// owners can list their own origins.
const EMBED_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                         form-action 'self'; base-uri 'none'; frame-ancestors *";

/// `GET /embed/{site}/meetings`: the upcoming meetings widget.
#[handler]
pub async fn meetings(s: Data<&Services>, t: Data<&Templates>, site: Path<String>) -> Response {
    let (tenant, meetings) = match s.public_meetings(&site, 50).await {
        Ok(found) => found,
        Err(ServiceError::NotFound(_)) => {
            return (StatusCode::NOT_FOUND, "No such site").into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "meetings widget failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let ctx = minijinja::context! {
        lang => "en",
        t => strings_en(),
        site => minijinja::context! { slug => tenant.slug.as_str(), display_name => tenant.display_name },
        meetings => meetings.iter().map(meeting_view).collect::<Vec<_>>(),
    };
    match t.render("meetings.html.j2", ctx) {
        Ok(body) => {
            let mut resp = html(StatusCode::OK, body, EMBED_CSP);
            resp.headers_mut().insert(
                poem::http::header::CACHE_CONTROL,
                "public, max-age=30".parse().expect("static"),
            );
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "meetings widget failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Zoom allows 2,000-character agendas; a widget shows the start of it.
const AGENDA_PREVIEW_CHARS: usize = 280;

/// The first `max` characters of `text` (on a character boundary), with an ellipsis if cut.
fn clamp(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

fn meeting_view(m: &Meeting) -> Value {
    minijinja::context! {
        id => m.zoom_meeting_id,
        topic => &m.topic,
        agenda => clamp(&m.agenda, AGENDA_PREVIEW_CHARS),
        timezone => &m.timezone,
        duration_minutes => m.duration_minutes,
        registration_open => m.registration_open(),
        start => m.start_time.map(|start| start_view(start, m.duration_minutes, &m.timezone)),
    }
}

/// The start formatted in the meeting's own time zone (DST-correct); UTC if the zone is unknown.
fn start_view(start_utc: NaiveDateTime, duration_minutes: i32, zone: &str) -> Value {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    let start = start_utc.and_utc().with_timezone(&tz);
    let end = start + TimeDelta::minutes(duration_minutes.into());
    minijinja::context! {
        iso => start.to_rfc3339(),
        date => start.format("%A, %-d %B %Y").to_string(),
        time => start.format("%H:%M").to_string(),
        end_time => end.format("%H:%M").to_string(),
        zone_abbr => start.format("%Z").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn local_time_follows_daylight_saving() {
        // Berlin switches to CEST on 2026-03-29 at 01:00 UTC.
        let before = start_view(at("2026-03-28 17:00"), 60, "Europe/Berlin");
        let after = start_view(at("2026-03-29 17:00"), 60, "Europe/Berlin");
        assert_eq!(before.get_attr("time").unwrap().to_string(), "18:00");
        assert_eq!(before.get_attr("zone_abbr").unwrap().to_string(), "CET");
        assert_eq!(after.get_attr("time").unwrap().to_string(), "19:00");
        assert_eq!(after.get_attr("zone_abbr").unwrap().to_string(), "CEST");
    }

    #[test]
    fn long_agendas_are_clamped_on_character_boundaries() {
        assert_eq!(clamp("short", 10), "short");
        assert_eq!(clamp("äöüäöü", 3), "äöü…");
    }

    #[test]
    fn unknown_zone_falls_back_to_utc() {
        let v = start_view(at("2026-01-01 10:00"), 30, "Mars/Olympus");
        assert_eq!(v.get_attr("time").unwrap().to_string(), "10:00");
        assert_eq!(v.get_attr("end_time").unwrap().to_string(), "10:30");
    }
}

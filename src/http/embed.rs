//! Embeddable widgets (`/embed/{site}/…`), the registration form's plain POST, the
//! "Add to calendar" download, and the `/embed.js` loader.
//!
//! Pages are rendered from Marquee's store, cached per tenant and content version (and
//! language, theme and parent origin), and served with a fresh CSP nonce per response: the
//! cached body carries a placeholder that cannot come from data (auto-escaping turns `<` into
//! `&lt;`), replaced on the way out. Because the nonce changes per response, widget pages are
//! `Cache-Control: private, no-cache` and carry no ETag (a 304 would pair an old body with a new
//! nonce); the JSON API is the HTTP-cacheable surface.

use std::collections::HashMap;
use std::future::Future;

use chrono::{NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use minijinja::{HtmlEscape, Value};
use poem::http::{StatusCode, header};
use poem::web::{Data, Form, Path, Query, RemoteAddr};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::client::client_ip;
use super::error::{Problem, classify};
use super::ics;
use crate::crypto::random_token;
use crate::domain::public::{
    ListedMeeting, MeetingDetail, Recording, Registration, RegistrationForm, RegistrationStatus,
    STANDARD_FIELDS,
};
use crate::domain::site::{Accent, Feature, Font, Lang, Origin, PublicSite, Theme, ThemeMode};
use crate::i18n::{self, Strings};
use crate::service::public::{CachedPage, MeetingFilter};
use crate::service::registration::RegisterRequest;
use crate::service::{ServiceError, Services};
use crate::templates::Templates;

/// Cannot appear in rendered data (auto-escaping writes `<` as `&lt;`); replaced per response.
const NONCE_SLOT: &str = "<mq-nonce>";
/// Per-response idempotency key of the registration form (same trick).
const FORM_KEY_SLOT: &str = "<mq-form-key>";
/// Zoom allows 2,000-character agendas; a list shows the start of it.
const AGENDA_PREVIEW_CHARS: usize = 280;
const WIDGET_PAGE_SIZE: i64 = 20;

/// Widget options from the query string; anything invalid falls back to the site's setting.
#[derive(Debug, Default, Deserialize)]
pub struct WidgetParams {
    lang: Option<String>,
    theme: Option<String>,
    accent: Option<String>,
    font: Option<String>,
    /// The embedding page's origin (set by `/embed.js`), for resize messages.
    origin: Option<String>,
    page: Option<i64>,
}

/// The validated presentation of one widget request.
struct View {
    lang: Lang,
    theme: Theme,
    /// Only when it is one of the site's allowed origins.
    parent_origin: Option<Origin>,
    page: i64,
}

impl View {
    fn new(site: &PublicSite, p: &WidgetParams) -> Self {
        let s = &site.settings;
        Self {
            lang: p
                .lang
                .as_deref()
                .and_then(|l| Lang::parse(l).ok())
                .unwrap_or(s.language),
            theme: Theme {
                mode: p
                    .theme
                    .as_deref()
                    .and_then(|m| ThemeMode::parse(m).ok())
                    .unwrap_or(s.theme.mode),
                accent: p
                    .accent
                    .as_deref()
                    .and_then(|a| Accent::parse(a).ok())
                    .or(s.theme.accent),
                font: p
                    .font
                    .as_deref()
                    .and_then(|f| Font::parse(f).ok())
                    .unwrap_or(s.theme.font),
            },
            parent_origin: p
                .origin
                .as_deref()
                .and_then(|o| Origin::parse(o).ok())
                .filter(|o| s.allows_origin(o.as_str())),
            page: p.page.unwrap_or(1).clamp(1, 50),
        }
    }

    /// The query string that keeps these options on links between widget pages.
    fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("lang", self.lang.as_str())
            .append_pair("theme", self.theme.mode.as_str())
            .append_pair("font", self.theme.font.as_str());
        if let Some(accent) = self.theme.accent {
            q.append_pair("accent", &accent.to_string());
        }
        if let Some(origin) = &self.parent_origin {
            q.append_pair("origin", origin.as_str());
        }
        q.finish()
    }

    fn cache_key(&self, what: &str) -> String {
        format!("embed:{what}:{}:{}", self.query(), self.page)
    }

    fn context(&self, site: &PublicSite, extra: Value) -> Value {
        let accent = self.theme.accent;
        let base = minijinja::context! {
            lang => self.lang.as_str(),
            t => Value::from(minijinja::value::Serde(i18n::strings(self.lang))),
            site => minijinja::context! {
                slug => site.tenant.slug.as_str(),
                display_name => &site.tenant.display_name,
            },
            theme => minijinja::context! {
                mode => self.theme.mode.as_str(),
                accent => accent.map(|a| a.to_string()),
                accent_text => accent.map(|a| a.contrast_text()),
                // A fixed CSS font stack (with quotes), not data: not escaped.
                font => Value::from_safe_string(self.theme.font.css_stack().to_owned()),
            },
            nonce => Value::from_safe_string(NONCE_SLOT.to_owned()),
            form_key => Value::from_safe_string(FORM_KEY_SLOT.to_owned()),
            parent_origin => self.parent_origin.as_ref().map(Origin::as_str),
            query => self.query(),
            page => self.page,
        };
        minijinja::context! { ..extra, ..base }
    }
}

/// `frame-ancestors`: Marquee itself and the site's allowed origins.
fn widget_csp(site: &PublicSite, nonce: &str) -> String {
    let mut ancestors = String::from("'self'");
    for origin in &site.settings.allowed_origins {
        ancestors.push(' ');
        ancestors.push_str(origin.as_str());
    }
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
         frame-ancestors {ancestors}"
    )
}

/// Writes the per-response values into the cached body in one pass and one allocation (this
/// runs for every widget request; two `replace` calls would copy the page twice).
fn fill_slots(body: &str, nonce: &str, form_key: &str) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(at) = rest.find("<mq-") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (value, slot) = if tail.starts_with(NONCE_SLOT) {
            (nonce, NONCE_SLOT)
        } else if tail.starts_with(FORM_KEY_SLOT) {
            (form_key, FORM_KEY_SLOT)
        } else {
            ("<mq-", "<mq-")
        };
        out.push_str(value);
        rest = &tail[slot.len()..];
    }
    out.push_str(rest);
    out
}

/// The cached page with fresh per-response values and the widget headers.
fn widget_response(site: &PublicSite, status: StatusCode, page: &CachedPage) -> Response {
    let nonce = random_token("");
    let body = fill_slots(
        &String::from_utf8_lossy(&page.body),
        &nonce,
        &random_token(""),
    );
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CONTENT_SECURITY_POLICY, widget_csp(site, &nonce))
        .header(header::CACHE_CONTROL, "private, no-cache")
        .header(header::VARY, "Accept-Language")
        .body(body)
}

/// A widget's plain failure page, with the status and `Retry-After` of the error's
/// classification. Unknown and hidden things are one plain "Not found", whichever part was
/// unknown.
fn failure(err: impl Into<Problem>) -> Response {
    let problem = err.into();
    let (title, text) = if problem.status == StatusCode::NOT_FOUND {
        ("Not found", "Not found.")
    } else {
        let reason = problem.status.canonical_reason().unwrap_or("Error");
        (reason, problem.message.as_str())
    };
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>{}</title><p>{}</p>",
        HtmlEscape(title),
        HtmlEscape(text)
    );
    let mut resp = super::pages::html(
        problem.status,
        body,
        "default-src 'none'; frame-ancestors *; base-uri 'none'",
    );
    problem.set_retry_after(&mut resp);
    resp
}

/// Renders (or reuses) one widget page.
async fn widget<F, Fut>(
    s: &Services,
    t: &Templates,
    site: &PublicSite,
    view: &View,
    key: String,
    build: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(&'static str, Value), ServiceError>>,
{
    let rendered = s
        .public()
        .cached_page(site, key, || render(t, site, view, build))
        .await;
    match rendered {
        Ok(page) => widget_response(site, StatusCode::OK, &page),
        Err(problem) => failure(problem),
    }
}

async fn render<F, Fut>(
    t: &Templates,
    site: &PublicSite,
    view: &View,
    build: F,
) -> Result<Vec<u8>, Problem>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(&'static str, Value), ServiceError>>,
{
    let (template, extra) = build().await?;
    let ctx = view.context(site, extra);
    t.render_for(site.tenant.slug.as_str(), template, ctx)
        .map(String::into_bytes)
        .map_err(|e| {
            tracing::error!(error = %e, template, "widget failed to render");
            Problem::internal()
        })
}

/// `GET /embed/{site}/meetings`: the upcoming meetings widget.
#[handler]
pub async fn meetings(
    s: Data<&Services>,
    t: Data<&Templates>,
    Path(slug): Path<String>,
    Query(params): Query<WidgetParams>,
) -> Response {
    let site = match s.public().site_with(&slug, Feature::Meetings).await {
        Ok(site) => site,
        Err(e) => return failure(e),
    };
    let view = View::new(&site, &params);
    let key = view.cache_key("meetings");
    widget(&s, &t, &site, &view, key, || async {
        let filter = MeetingFilter {
            page: view.page,
            page_size: WIDGET_PAGE_SIZE,
            ..Default::default()
        };
        let found = s
            .public()
            .meetings(&site, Feature::Meetings, &filter)
            .await?;
        let strings = i18n::strings(view.lang);
        let items: Vec<Value> = found
            .items
            .iter()
            .map(|m| listed_view(m, &site, &view, strings))
            .collect();
        Ok((
            "meetings.html.j2",
            minijinja::context! { meetings => items, has_more => found.has_more },
        ))
    })
    .await
}

/// `GET /embed/{site}/meetings/{id}`: one meeting with the registration form.
#[handler]
pub async fn meeting(
    s: Data<&Services>,
    t: Data<&Templates>,
    Path((slug, id)): Path<(String, i64)>,
    Query(params): Query<WidgetParams>,
) -> Response {
    let site = match s.public().site(&slug).await {
        Ok(site) => site,
        Err(e) => return failure(e),
    };
    let view = View::new(&site, &params);
    let key = view.cache_key(&format!("meeting:{id}"));
    widget(&s, &t, &site, &view, key, || async {
        let detail = s.public().meeting(&site, id).await?;
        Ok((
            "meeting.html.j2",
            detail_view(&detail, &site, &view, i18n::strings(view.lang)),
        ))
    })
    .await
}

/// `GET /embed/{site}/recordings`: the recordings widget.
#[handler]
pub async fn recordings(
    s: Data<&Services>,
    t: Data<&Templates>,
    Path(slug): Path<String>,
    Query(params): Query<WidgetParams>,
) -> Response {
    let site = match s.public().site_with(&slug, Feature::Recordings).await {
        Ok(site) => site,
        Err(e) => return failure(e),
    };
    let view = View::new(&site, &params);
    let key = view.cache_key("recordings");
    widget(&s, &t, &site, &view, key, || async {
        let found = s
            .public()
            .recordings(&site, view.page, WIDGET_PAGE_SIZE)
            .await?;
        let strings = i18n::strings(view.lang);
        let show = site.settings.show_recording_passcode;
        let items: Vec<Value> = found
            .items
            .iter()
            .map(|r| recording_view(r, show, &view, strings))
            .collect();
        Ok((
            "recordings.html.j2",
            minijinja::context! { recordings => items, has_more => found.has_more },
        ))
    })
    .await
}

/// `POST /embed/{site}/meetings/{id}/register`: the form without JavaScript; answers with a
/// result page (the same outcomes as the JSON API).
#[handler]
pub async fn register(
    s: Data<&Services>,
    t: Data<&Templates>,
    remote: &RemoteAddr,
    Path((slug, id)): Path<(String, i64)>,
    Query(params): Query<WidgetParams>,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let site = match s.public().site(&slug).await {
        Ok(site) => site,
        Err(e) => return failure(e),
    };
    let view = View::new(&site, &params);
    // The meeting's questions map the form's `question_{i}` fields to their titles.
    let result = match s.public().meeting(&site, id).await {
        Ok(detail) => {
            s.registrations()
                .register(RegisterRequest {
                    site: slug.clone(),
                    meeting_id: id,
                    form: form_from_fields(&fields, &detail),
                    idempotency_key: fields
                        .get("idempotency_key")
                        .filter(|k| !k.is_empty())
                        .cloned(),
                    client_ip: client_ip(remote),
                })
                .await
        }
        Err(e) => Err(e),
    };
    let (outcome, refusal) = match result {
        Ok(done) => (outcome_view(&done.registration), None),
        Err(ServiceError::NotFound(_)) => return failure(ServiceError::NotFound("meeting")),
        Err(e) => {
            let problem = classify(e);
            (refusal_view(&problem), Some(problem))
        }
    };
    let back = format!("/embed/{slug}/meetings/{id}?{}", view.query());
    let ctx = view.context(
        &site,
        minijinja::context! { outcome => outcome, back_url => back },
    );
    match t.render_for(slug.as_str(), "registered.html.j2", ctx) {
        Ok(body) => {
            // A refusal answers with the same status and `Retry-After` as the JSON API.
            let status = refusal.as_ref().map_or(StatusCode::OK, |p| p.status);
            let mut resp = widget_response(&site, status, &CachedPage::new(body));
            if let Some(problem) = &refusal {
                problem.set_retry_after(&mut resp);
            }
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "registration result failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /embed/{site}/meetings/{id}/calendar.ics[?occurrence=]`: "Add to calendar".
#[handler]
pub async fn calendar(
    s: Data<&Services>,
    Path((slug, id)): Path<(String, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let site = match s.public().site(&slug).await {
        Ok(site) => site,
        Err(e) => return failure(e),
    };
    let detail = match s.public().meeting(&site, id).await {
        Ok(d) => d,
        Err(e) => return failure(e),
    };
    let url = format!("{}/embed/{slug}/meetings/{id}", s.config().public_url);
    let chosen = q.get("occurrence").map(String::as_str);
    let m = &detail.meeting;
    let mut events = Vec::new();
    for o in detail
        .occurrences
        .iter()
        .filter(|o| chosen.is_none_or(|c| c == o.occurrence_id))
    {
        events.push(ics::Event {
            uid: format!("{id}-{}@{slug}.marquee", o.occurrence_id),
            start: o.start_time,
            duration_minutes: o.duration_minutes,
            summary: &m.topic,
            description: &m.agenda,
            url: &url,
        });
    }
    if detail.occurrences.is_empty()
        && let Some(start) = m.start_time
    {
        events.push(ics::Event {
            uid: format!("{id}@{slug}.marquee"),
            start,
            duration_minutes: m.duration_minutes,
            summary: &m.topic,
            description: &m.agenda,
            url: &url,
        });
    }
    if events.is_empty() {
        return failure(ServiceError::NotFound("meeting"));
    }
    Response::builder()
        .content_type("text/calendar; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"meeting-{id}.ics\""),
        )
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .body(ics::calendar(&events, crate::store::now()))
}

/// The loader script, served as a static asset.
const EMBED_JS: &str = include_str!("embed.js");

/// `GET /embed.js`: mounts widgets in iframes and resizes them (see `src/http/embed.js`).
#[handler]
pub fn embed_js() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        // Loaded cross-origin by sites' pages.
        .header("cross-origin-resource-policy", "cross-origin")
        .body(EMBED_JS)
}

fn form_from_fields(fields: &HashMap<String, String>, detail: &MeetingDetail) -> RegistrationForm {
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let questions = detail.questions.clone().unwrap_or_default();
    RegistrationForm {
        first_name: get("first_name"),
        last_name: get("last_name"),
        email: get("email"),
        occurrence_id: fields.get("occurrence_id").cloned(),
        fields: STANDARD_FIELDS
            .iter()
            .filter_map(|f| {
                fields
                    .get(&format!("field_{f}"))
                    .map(|v| ((*f).to_owned(), v.clone()))
            })
            .collect(),
        answers: questions
            .custom_questions
            .iter()
            .enumerate()
            .filter_map(|(i, q)| {
                fields
                    .get(&format!("question_{i}"))
                    .map(|v| (q.title.clone(), v.clone()))
            })
            .collect(),
        honeypot: get("website"),
    }
}

fn outcome_view(r: &Registration) -> Value {
    minijinja::context! {
        ok => true,
        approved => r.status == RegistrationStatus::Approved,
        status => r.status.as_str(),
        join_url => &r.join_url,
    }
}

/// The result page's refusal: the classification's public message.
fn refusal_view(problem: &Problem) -> Value {
    minijinja::context! { ok => false, message => &problem.message }
}

/// The first `max` characters of `text` (on a character boundary), with an ellipsis if cut.
fn clamp(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

fn listed_view(m: &ListedMeeting, site: &PublicSite, view: &View, t: &Strings) -> Value {
    let mt = &m.meeting;
    let slug = site.tenant.slug.as_str();
    let occurrence = m.occurrence.as_ref().map(|o| o.occurrence_id.as_str());
    let ics = match occurrence {
        Some(o) => format!(
            "/embed/{slug}/meetings/{}/calendar.ics?occurrence={o}",
            mt.zoom_meeting_id
        ),
        None => format!("/embed/{slug}/meetings/{}/calendar.ics", mt.zoom_meeting_id),
    };
    minijinja::context! {
        id => mt.zoom_meeting_id,
        key => format!("{}-{}", mt.zoom_meeting_id, occurrence.unwrap_or("")),
        topic => &mt.topic,
        agenda => clamp(&mt.agenda, AGENDA_PREVIEW_CHARS),
        timezone => &mt.timezone,
        duration_minutes => m.duration_minutes(),
        registration_open => site.settings.registration_open && mt.registration_open(),
        start => m.start_time().map(|s| when_view(s, m.duration_minutes(), &mt.timezone, view.lang, t)),
        detail_url => format!("/embed/{slug}/meetings/{}?{}", mt.zoom_meeting_id, view.query()),
        ics_url => m.start_time().map(|_| ics),
    }
}

fn detail_view(d: &MeetingDetail, site: &PublicSite, view: &View, t: &Strings) -> Value {
    let m = &d.meeting;
    let slug = site.tenant.slug.as_str();
    let questions = d.questions.clone().unwrap_or_default();
    let standard: Vec<Value> = questions
        .questions
        .iter()
        .filter(|q| STANDARD_FIELDS.contains(&q.field_name.as_str()))
        .map(|q| {
            minijinja::context! {
                name => format!("field_{}", q.field_name),
                label => i18n::field_label(view.lang, &q.field_name),
                required => q.required,
                multiline => q.field_name == "comments" || q.field_name == "address",
            }
        })
        .collect();
    let custom: Vec<Value> = questions
        .custom_questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            minijinja::context! {
                name => format!("question_{i}"),
                title => &q.title,
                required => q.required,
                choice => q.kind != "short" && !q.answers.is_empty(),
                answers => &q.answers,
            }
        })
        .collect();
    let occurrences: Vec<Value> = d
        .occurrences
        .iter()
        .map(|o| {
            minijinja::context! {
                id => &o.occurrence_id,
                start => when_view(o.start_time, o.duration_minutes, &m.timezone, view.lang, t),
                ics_url => format!("/embed/{slug}/meetings/{}/calendar.ics?occurrence={}", m.zoom_meeting_id, o.occurrence_id),
            }
        })
        .collect();
    let ended = d.has_ended(crate::store::now());
    minijinja::context! {
        meeting => minijinja::context! {
            id => m.zoom_meeting_id,
            topic => &m.topic,
            agenda => &m.agenda,
            timezone => &m.timezone,
            duration_minutes => m.duration_minutes,
            start => m.start_time.filter(|_| d.occurrences.is_empty()).map(|s| when_view(s, m.duration_minutes, &m.timezone, view.lang, t)),
            ics_url => (m.start_time.is_some() && d.occurrences.is_empty()).then(|| format!("/embed/{slug}/meetings/{}/calendar.ics", m.zoom_meeting_id)),
        },
        occurrences => occurrences,
        registration_open => d.registration_open && !ended,
        questions => standard,
        custom_questions => custom,
        form_action => format!("/embed/{slug}/meetings/{}/register?{}", m.zoom_meeting_id, view.query()),
        api_url => format!("/api/v1/sites/{slug}/meetings/{}/registrations", m.zoom_meeting_id),
        back_url => format!("/embed/{slug}/meetings?{}", view.query()),
    }
}

fn recording_view(r: &Recording, show_passcode: bool, view: &View, t: &Strings) -> Value {
    minijinja::context! {
        id => &r.zoom_meeting_uuid,
        topic => &r.topic,
        timezone => &r.timezone,
        duration_minutes => r.duration_minutes,
        start => when_view(r.start_time, r.duration_minutes, &r.timezone, view.lang, t),
        share_url => safe_link(&r.share_url),
        passcode => (show_passcode && !r.play_passcode.is_empty()).then_some(&r.play_passcode),
    }
}

/// Only http(s) links reach an `href` (Zoom data is not trusted to be well-formed).
fn safe_link(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from)
}

/// A start formatted in the meeting's own time zone (DST-correct); UTC if the zone is unknown.
fn when_view(
    start_utc: NaiveDateTime,
    duration_minutes: i32,
    zone: &str,
    lang: Lang,
    t: &Strings,
) -> Value {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    let start = start_utc.and_utc().with_timezone(&tz);
    let end = start + TimeDelta::minutes(duration_minutes.into());
    minijinja::context! {
        iso => start.to_rfc3339(),
        date => t.long_date(&start, lang),
        time => start.format("%H:%M").to_string(),
        end_time => end.format("%H:%M").to_string(),
        zone_abbr => start.format("%Z").to_string(),
        zone => tz.name(),
    }
}

#[cfg(test)]
fn format_start(start_utc: NaiveDateTime, duration_minutes: i32, zone: &str) -> Value {
    when_view(
        start_utc,
        duration_minutes,
        zone,
        Lang::En,
        i18n::strings(Lang::En),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_filled_in_one_pass() {
        let body = "a<mq-nonce>b<mq-form-key>c<mq-nonce><mq-other>";
        assert_eq!(fill_slots(body, "N", "K"), "aNbKcN<mq-other>");
        assert_eq!(fill_slots("plain", "N", "K"), "plain");
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn local_time_follows_daylight_saving() {
        // Berlin switches to CEST on 2026-03-29 at 01:00 UTC.
        let before = format_start(at("2026-03-28 17:00"), 60, "Europe/Berlin");
        let after = format_start(at("2026-03-29 17:00"), 60, "Europe/Berlin");
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
        let v = format_start(at("2026-01-01 10:00"), 30, "Mars/Olympus");
        assert_eq!(v.get_attr("time").unwrap().to_string(), "10:00");
        assert_eq!(v.get_attr("end_time").unwrap().to_string(), "10:30");
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

#[cfg(test)]
mod render_tests;

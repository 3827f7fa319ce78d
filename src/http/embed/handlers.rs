//! The widget endpoints. Each reads the site, renders its page from the view models (through
//! the public service's page cache) and answers with fresh per-response values.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use poem::http::{HeaderMap, StatusCode, header};
use poem::web::{Data, Form, Path, Query};
use poem::{IntoResponse, Response, handler};

use super::form;
use super::models::{
    MeetingContent, MeetingsContent, Notice, RecordingsContent, RegisteredContent, SERIES_DATES,
    WidgetContent, render_page,
};
use super::presentation::{HostRef, Presentation, WidgetParams};
use super::response::{failure, html_response, notice, page_body, widget_response};
use crate::domain::site::{Feature, PublicSite};
use crate::http::error::{Problem, classify};
use crate::http::ics;
use crate::service::public::{MeetingFilter, PageBody, Public, RecordingFilter};
use crate::service::registration::{RegisterOutcome, RegisterRequest};
use crate::service::{ServiceError, Services};
use crate::templates::Templates;

/// The loader script, served as a static asset.
const EMBED_JS: &str = include_str!("../embed.js");

/// `GET /embed/{site}/meetings`: the upcoming meetings widget.
#[handler]
pub async fn meetings(
    s: Data<&Services>,
    t: Data<&Templates>,
    Path(slug): Path<String>,
    Query(params): Query<WidgetParams>,
    headers: &HeaderMap,
) -> Response {
    upcoming(&s, &t, headers, &slug, Feature::Meetings, &params).await
}

/// `GET /embed/{site}/webinars`: the upcoming webinars widget (the meetings list's template;
/// a webinar's page is `/embed/{site}/meetings/{id}` like a meeting's).
#[handler]
pub async fn webinars(
    s: Data<&Services>,
    t: Data<&Templates>,
    Path(slug): Path<String>,
    Query(params): Query<WidgetParams>,
    headers: &HeaderMap,
) -> Response {
    upcoming(&s, &t, headers, &slug, Feature::Webinars, &params).await
}

/// The list of upcoming meetings or webinars (`feature`), a recurring series as one card.
async fn upcoming(
    s: &Services,
    t: &Templates,
    headers: &HeaderMap,
    slug: &str,
    feature: Feature,
    params: &WidgetParams,
) -> Response {
    let what = match feature {
        Feature::Webinars => "webinars",
        _ => "meetings",
    };
    widget(
        s,
        t,
        headers,
        slug,
        Some(feature),
        params,
        what.to_owned(),
        async |public, site, view| {
            let filter = MeetingFilter {
                page: view.page,
                page_size: view.options.per_page,
                host_id: host_id(public, site, view).await?,
                ..Default::default()
            };
            let found = public.series(site, feature, &filter, SERIES_DATES).await?;
            let content = MeetingsContent::new(&found, site, view, feature == Feature::Webinars);
            render(t, site, view, content)
        },
    )
    .await
}

/// `GET /embed/{site}/meetings/{id}`: one meeting with the registration form.
#[handler]
pub async fn meeting(
    s: Data<&Services>,
    t: Data<&Templates>,
    Path((slug, id)): Path<(String, i64)>,
    Query(params): Query<WidgetParams>,
    headers: &HeaderMap,
) -> Response {
    let what = format!("meeting:{id}");
    widget(
        &s,
        &t,
        headers,
        &slug,
        None,
        &params,
        what,
        async |public, site, view| {
            let detail = public.meeting_with_questions(site, id).await?;
            render(
                &t,
                site,
                view,
                MeetingContent::new(&detail, site, view, now()),
            )
        },
    )
    .await
}

/// `GET /embed/{site}/recordings`: the recordings widget.
#[handler]
pub async fn recordings(
    s: Data<&Services>,
    t: Data<&Templates>,
    Path(slug): Path<String>,
    Query(params): Query<WidgetParams>,
    headers: &HeaderMap,
) -> Response {
    let feature = Some(Feature::Recordings);
    let what = "recordings".to_owned();
    widget(
        &s,
        &t,
        headers,
        &slug,
        feature,
        &params,
        what,
        async |public, site, view| {
            let filter = RecordingFilter {
                host_id: host_id(public, site, view).await?,
                since: view.options.months.and_then(|m| months_ago(now(), m)),
                page: view.page,
                page_size: view.options.per_page,
            };
            let found = public.recordings(site, &filter).await?;
            render(&t, site, view, RecordingsContent::new(&found, site, view))
        },
    )
    .await
}

/// `POST /embed/{site}/meetings/{id}/register`: the form without JavaScript; answers with a
/// result page (the same outcomes as the JSON API). Its abuse limits and its hidden
/// idempotency key are the route's (`http::rate_limit`, `http::idempotency`).
#[handler]
pub async fn register(
    s: Data<&Services>,
    t: Data<&Templates>,
    Path((slug, id)): Path<(String, i64)>,
    Query(params): Query<WidgetParams>,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let site = match s.public().site(&slug).await {
        Ok(site) => site,
        Err(e) => return failure(&t, None, &Presentation::without_site(&params), e),
    };
    let view = Presentation::new(&site, &params);
    let outcome = match send_registration(&s, &site, &slug, id, &fields).await {
        Ok(done) => Ok(done),
        Err(e @ ServiceError::NotFound(_)) => return failure(&t, Some(&site), &view, e),
        Err(e) => Err(classify(e)),
    };
    let back = format!("/embed/{slug}/meetings/{id}?{}", view.query());
    let content = RegisteredContent::new(outcome.as_ref(), back);
    match render_page(&t, &site, &view, content) {
        Ok(body) => result_response(&site, body, outcome.as_ref().err()),
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
    t: Data<&Templates>,
    Path((slug, id)): Path<(String, i64)>,
    Query(params): Query<WidgetParams>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let public = s.public();
    let site = match public.site(&slug).await {
        Ok(site) => site,
        Err(e) => return failure(&t, None, &Presentation::without_site(&params), e),
    };
    let view = Presentation::new(&site, &params);
    let detail = match public.meeting(&site, id).await {
        Ok(d) => d,
        Err(e) => return failure(&t, Some(&site), &view, e),
    };
    let base = &s.config().public_url;
    let url = format!("{base}/embed/{slug}/meetings/{id}");
    let list = format!("{base}/embed/{slug}/meetings");
    let organizer = ics::Organizer {
        name: &site.tenant.display_name,
        uri: &list,
    };
    let chosen = q.get("occurrence").map(String::as_str);
    let events = ics::meeting_events(&detail, &slug, &url, organizer, chosen);
    if events.is_empty() {
        return failure(&t, Some(&site), &view, ServiceError::NotFound("meeting"));
    }
    Response::builder()
        .content_type("text/calendar; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"meeting-{id}.ics\""),
        )
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .body(ics::calendar(&events, now()))
}

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

/// Registers the visitor for the meeting; its questions map the form's fields.
async fn send_registration(
    s: &Services,
    site: &PublicSite,
    slug: &str,
    id: i64,
    fields: &HashMap<String, String>,
) -> Result<RegisterOutcome, ServiceError> {
    let detail = s.public().meeting(site, id).await?;
    s.registrations()
        .register(RegisterRequest {
            site: slug.to_owned(),
            meeting_id: id,
            form: form::registration_form(fields, &detail),
        })
        .await
}

/// The registration's result page; a refusal answers with the same status and `Retry-After`
/// as the JSON API.
fn result_response(site: &PublicSite, body: String, refusal: Option<&Problem>) -> Response {
    let status = refusal.map_or(StatusCode::OK, |p| p.status);
    let mut resp = html_response(Some(site), status, body.as_bytes());
    if let Some(problem) = refusal {
        problem.set_retry_after(&mut resp);
    }
    resp
}

/// A widget page for the page cache (with its policy); a template that fails to render is
/// logged and answered as an internal error.
fn render<C: WidgetContent>(
    t: &Templates,
    site: &PublicSite,
    view: &Presentation,
    content: C,
) -> Result<PageBody, Problem> {
    render_page(t, site, view, content)
        .map(|html| page_body(Some(site), html))
        .map_err(|e| {
            tracing::error!(error = %e, template = C::TEMPLATE, "widget failed to render");
            Problem::internal()
        })
}

/// Serves the widget page `what` of the site (with `feature` public there, when the widget
/// shows one) from the page cache; on a miss `build` reads the page's data and renders it.
/// Every failure, of the site or of `build`, is the widget's notice page.
#[allow(clippy::too_many_arguments)]
async fn widget<B>(
    s: &Services,
    t: &Templates,
    headers: &HeaderMap,
    slug: &str,
    feature: Option<Feature>,
    params: &WidgetParams,
    what: String,
    build: B,
) -> Response
where
    B: AsyncFnOnce(Public<'_>, &PublicSite, &Presentation) -> Result<PageBody, Problem>,
{
    let public = s.public();
    let site = match public.site(slug).await {
        Ok(site) => site,
        Err(e) => return failure(t, None, &Presentation::without_site(params), e),
    };
    let view = Presentation::new(&site, params);
    if let Some(bad) = view.invalid {
        let refused = Problem::invalid(format!("widget option {} is invalid", bad.name()))
            .with_field(bad.name().to_owned());
        return notice(t, Some(&site), &view, Notice::BadOption(bad), &refused);
    }
    if feature.is_some_and(|f| !f.is_public(&site.settings)) {
        let off = Problem::from(ServiceError::NotFound("site"));
        return notice(t, Some(&site), &view, Notice::FeatureOff, &off);
    }
    let key = view.cache_key(&what);
    match public
        .cached_page(&site, key, || build(public, &site, &view))
        .await
    {
        Ok(page) => widget_response(headers, &site, StatusCode::OK, &page),
        Err(problem) => failure(t, Some(&site), &view, problem),
    }
}

/// The Zoom user id of the host the embed names, if it names one.
async fn host_id(
    public: Public<'_>,
    site: &PublicSite,
    view: &Presentation,
) -> Result<Option<String>, Problem> {
    Ok(match &view.options.host {
        None => None,
        Some(HostRef::UserId(id)) => Some(id.clone()),
        Some(HostRef::Email(email)) => Some(public.host_by_email(site, email).await?),
    })
}

/// `months` calendar months before `now` (recordings "from the last N months").
fn months_ago(now: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    now.checked_sub_months(chrono::Months::new(u32::try_from(months).ok()?))
}

/// The time a page is rendered for (the meeting has ended, the calendar file's stamp).
fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

//! The Zoom App's pages inside the Zoom client (docs/zoom-app.md): the home URL Zoom loads with
//! `x-zoom-app-context`, a site's dashboard (meetings, recordings, the current meeting's
//! registrants, New meeting, Start, the admin panel), and authorizing Marquee in the client or
//! in the system browser. Every page works without JavaScript (`app.js` and Zoom's SDK only
//! add the in-client authorization and `openUrl`); every form carries the session's CSRF token;
//! every refusal is a page in the user's language, logged with its reason.

use poem::http::{HeaderMap, StatusCode, header};
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem::web::{Form, Json, Path, Query};
use poem::{FromRequest, IntoResponse, Request, RequestBody, Response, handler};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::error::classify;
use super::html;
use crate::domain::meeting_plan::MeetingRequest;
use crate::domain::site::Lang;
use crate::domain::status::MeetingKind;
use crate::i18n::panel;
use crate::i18n::zoom_app::{AppStrings, strings};
use crate::service::access::{csrf_matches, csrf_token};
use crate::service::install::AppLanding;
use crate::service::zoom_app::{
    AppSession, AuthOutcome, AuthRefused, ContextRefused, HostRole, HostSite, SiteView,
    ZOOM_APP_SESSION_TTL,
};
use crate::service::{ServiceError, Services};
use crate::templates::Templates;

mod views;

use views::{DashboardView, HomeView, MessageView, SiteLink};

/// The app's session cookie: `SameSite=None; Secure` (the Zoom web view treats the app as a
/// third-party context), HttpOnly, only sent to `/zoomapp`.
pub const APP_COOKIE: &str = "marquee_zoomapp";
/// The header Zoom sends with the decrypted context (docs/zoom.md §3.1).
const CONTEXT_HEADER: &str = "x-zoom-app-context";
/// Zoom's SDK loader on its CDN: an enhancement only.
pub const SDK_URL: &str = "https://appssdk.zoom.us/sdk.min.js";
const APP_JS: &str = include_str!("zoomapp/app.js");

/// What every app page needs: services, templates, the user's language and whether the
/// request comes from the Zoom client (its user agent).
#[derive(Clone, Copy)]
pub struct AppUi<'a> {
    s: &'a Services,
    t: &'a Templates,
    lang: Lang,
    in_zoom: bool,
}

impl<'a> FromRequest<'a> for AppUi<'a> {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let missing = || poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR);
        let header_str = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
        Ok(Self {
            s: req.data::<Services>().ok_or_else(missing)?,
            t: req.data::<Templates>().ok_or_else(missing)?,
            lang: header_str(header::ACCEPT_LANGUAGE).map_or(Lang::En, panel::negotiate),
            in_zoom: header_str(header::USER_AGENT).is_some_and(is_zoom_client),
        })
    }
}

/// The Zoom client's web view says `ZoomApps/…` and `ZoomWebKit/…` (docs/zoom.md §3.1).
pub fn is_zoom_client(user_agent: &str) -> bool {
    user_agent.contains("ZoomApps/") || user_agent.contains("ZoomWebKit")
}

impl AppUi<'_> {
    fn strings(&self) -> &'static AppStrings {
        strings(self.lang)
    }

    /// The CSP Zoom's SDK needs (its loader from the CDN, calls back to us) and nothing more;
    /// forms post to us, and the external authorization leaves for Zoom's origin.
    fn csp(&self) -> String {
        let zoom_origin = url::Url::parse(&self.s.config().zoom.oauth_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        format!(
            "default-src 'none'; script-src 'self' https://appssdk.zoom.us; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self' https://appssdk.zoom.us; \
             form-action 'self' {zoom_origin}; frame-ancestors 'self'; base-uri 'none'"
        )
    }

    fn render(&self, status: StatusCode, template: &str, ctx: impl Serialize) -> Response {
        let ctx = minijinja::Value::from(minijinja::value::Serde(&ctx));
        match self.t.render(template, ctx) {
            Ok(body) => html::response(status, body, &self.csp()),
            Err(e) => {
                tracing::error!(error = %e, template, "Zoom App page failed to render");
                html::response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    String::new(),
                    &self.csp(),
                )
            }
        }
    }

    fn message(&self, status: StatusCode, title: &str, text: &str, back: bool) -> Response {
        let view = MessageView {
            t: self.strings(),
            title,
            text,
            back,
        };
        self.render(status, "zoomapp/message.html.j2", view)
    }

    /// A refused context: its page and status, logged with its reason.
    fn refused(&self, why: ContextRefused) -> Response {
        tracing::info!(
            reason = why.reason(),
            in_zoom = self.in_zoom,
            "Zoom App context refused"
        );
        let t = self.strings();
        let (status, title, text) = match why {
            ContextRefused::Missing if !self.in_zoom => (
                StatusCode::UNAUTHORIZED,
                t.missing_title,
                t.outside_zoom_text,
            ),
            ContextRefused::Missing => (StatusCode::UNAUTHORIZED, t.missing_title, t.missing_text),
            ContextRefused::Expired => (StatusCode::UNAUTHORIZED, t.expired_title, t.expired_text),
            ContextRefused::Undecryptable => (
                StatusCode::UNAUTHORIZED,
                t.undecryptable_title,
                t.undecryptable_text,
            ),
            ContextRefused::WrongAudience | ContextRefused::WrongIssuer => (
                StatusCode::FORBIDDEN,
                t.wrong_audience_title,
                t.wrong_audience_text,
            ),
            ContextRefused::Guest => (StatusCode::FORBIDDEN, t.guest_title, t.guest_text),
        };
        self.message(status, title, text, false)
    }

    /// A failed action: the status and public message of its classification (as everywhere).
    fn failure(&self, err: ServiceError) -> Response {
        let problem = classify(err);
        let t = self.strings();
        if problem.status == StatusCode::NOT_FOUND {
            return self.message(problem.status, t.not_found_title, t.not_found_text, true);
        }
        let mut resp = self.message(problem.status, t.failure_title, &problem.message, true);
        if let Some(secs) = problem.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, secs.to_string().parse().unwrap());
        }
        resp
    }

    fn session_ended(&self) -> Response {
        let t = self.strings();
        tracing::info!(reason = "no_session", "Zoom App request without a session");
        self.message(
            StatusCode::UNAUTHORIZED,
            t.session_ended_title,
            t.session_ended_text,
            false,
        )
    }

    fn form_expired(&self) -> Response {
        let t = self.strings();
        self.message(
            StatusCode::FORBIDDEN,
            t.form_expired_title,
            t.form_expired_text,
            true,
        )
    }

    fn cookie(&self, value: String) -> Cookie {
        let mut c = Cookie::new_with_str(APP_COOKIE, value);
        c.set_http_only(true);
        c.set_secure(true);
        c.set_same_site(SameSite::None);
        c.set_path("/zoomapp");
        c.set_max_age(ZOOM_APP_SESSION_TTL.to_std().unwrap_or_default());
        c
    }
}

/// The browser's app session, if its cookie names a live one.
async fn current_session(
    ui: &AppUi<'_>,
    jar: &CookieJar,
) -> Result<Option<(String, AppSession)>, Response> {
    let Some(cookie) = jar.get(APP_COOKIE).map(|c| c.value_str().to_owned()) else {
        return Ok(None);
    };
    match ui.s.zoom_app().session(&cookie).await {
        Ok(found) => Ok(found.map(|s| (cookie, s))),
        Err(e) => Err(ui.failure(e)),
    }
}

/// The session, or the page saying it ended.
async fn signed_in(ui: &AppUi<'_>, jar: &CookieJar) -> Result<(String, AppSession), Response> {
    current_session(ui, jar)
        .await?
        .ok_or_else(|| ui.session_ended())
}

/// The session, if `csrf` is its token; otherwise the page to show (nothing was done).
async fn checked(
    ui: &AppUi<'_>,
    jar: &CookieJar,
    csrf: Option<&str>,
) -> Result<AppSession, Response> {
    let (cookie, session) = signed_in(ui, jar).await?;
    if !csrf_matches(&cookie, csrf.unwrap_or("")) {
        tracing::info!(reason = "csrf", "Zoom App form refused");
        return Err(ui.form_expired());
    }
    Ok(session)
}

/// The session's site `slug` (any other is 404) if `csrf` is the session's token, or the page.
async fn checked_site(
    ui: &AppUi<'_>,
    jar: &CookieJar,
    csrf: Option<&str>,
    slug: &str,
) -> Result<HostSite, Response> {
    let session = checked(ui, jar, csrf).await?;
    match ui.s.zoom_app().site(&session, slug).await {
        Ok(site) => Ok(site),
        Err(e) => Err(ui.failure(e)),
    }
}

/// `GET /zoomapp/home`: Zoom's home URL. A context (re)opens the session; without one, a live
/// session (a reload, a link back) still shows the home; else a refusal.
#[handler]
pub async fn home(ui: AppUi<'_>, jar: &CookieJar, headers: &HeaderMap) -> Response {
    let header = headers.get(CONTEXT_HEADER).and_then(|v| v.to_str().ok());
    let app = ui.s.zoom_app();
    let ctx = match app.read_context(header) {
        Ok(ctx) => ctx,
        Err(ContextRefused::Missing) => {
            return match current_session(&ui, jar).await {
                Ok(Some((cookie, session))) => home_page(&ui, &cookie, &session, None).await,
                Ok(None) => ui.refused(ContextRefused::Missing),
                Err(page) => page,
            };
        }
        Err(why) => return ui.refused(why),
    };
    let existing = jar.get(APP_COOKIE).map(|c| c.value_str().to_owned());
    let (cookie, session) = match app.open(&ctx, existing.as_deref()).await {
        Ok(opened) => opened,
        Err(e) => return ui.failure(e),
    };
    jar.add(ui.cookie(cookie.clone()));
    let finished = match ctx.act.as_deref() {
        Some(act) => match app.finish_act(&session, act).await {
            Ok(outcome) => outcome,
            Err(e) => return ui.failure(e),
        },
        None => None,
    };
    home_page(&ui, &cookie, &session, finished.as_deref()).await
}

/// The home: the one site's dashboard, a picker of several, or the offer to authorize.
async fn home_page(
    ui: &AppUi<'_>,
    cookie: &str,
    session: &AppSession,
    finished: Option<&str>,
) -> Response {
    let app = ui.s.zoom_app();
    let sites = match app.sites(session).await {
        Ok(sites) => sites,
        Err(e) => return ui.failure(e),
    };
    let t = ui.strings();
    let notice = match finished {
        Some("linked") => Some(t.linked_text),
        Some(_) => Some(t.parked_text),
        None => None,
    };
    if let [site] = sites.as_slice() {
        return dashboard(ui, cookie, session, site, &sites, notice).await;
    }
    let attempt = match sites.is_empty() {
        true => match app.new_external_attempt(session).await {
            Ok(a) => Some(a),
            Err(e) => return ui.failure(e),
        },
        false => None,
    };
    let view = HomeView {
        t,
        csrf: csrf_token(cookie),
        sdk: SDK_URL,
        sites: sites.iter().map(SiteLink::of).collect(),
        external: attempt.map(|a| external_link(ui, &a)),
        notice,
    };
    ui.render(StatusCode::OK, "zoomapp/home.html.j2", view)
}

fn external_link(ui: &AppUi<'_>, attempt: &str) -> String {
    let mut url = url::Url::parse(&format!(
        "{}/zoomapp/authorize/external",
        ui.s.config().public_url
    ))
    .expect("public_url is a URL");
    url.query_pairs_mut().append_pair("attempt", attempt);
    url.into()
}

async fn dashboard(
    ui: &AppUi<'_>,
    cookie: &str,
    session: &AppSession,
    site: &HostSite,
    sites: &[HostSite],
    notice: Option<&str>,
) -> Response {
    let view: SiteView = match ui.s.zoom_app().view(site, session.mid.as_deref()).await {
        Ok(view) => view,
        Err(e) => return ui.failure(e),
    };
    let page = DashboardView::new(
        ui.strings(),
        ui.lang,
        csrf_token(cookie),
        site,
        sites,
        &view,
        notice,
    );
    ui.render(StatusCode::OK, "zoomapp/dashboard.html.j2", page)
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    created: Option<String>,
}

/// `GET /zoomapp/sites/{slug}`: one of the session's sites (any other is 404).
#[handler]
pub async fn site_page(
    ui: AppUi<'_>,
    jar: &CookieJar,
    Path(slug): Path<String>,
    q: Query<DashboardQuery>,
) -> Response {
    let (cookie, session) = match signed_in(&ui, jar).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let app = ui.s.zoom_app();
    let sites = match app.sites(&session).await {
        Ok(sites) => sites,
        Err(e) => return ui.failure(e),
    };
    let Some(site) = sites.iter().find(|s| s.tenant.slug.as_str() == slug) else {
        return ui.failure(ServiceError::NotFound("site"));
    };
    let notice = q.0.created.is_some().then_some(ui.strings().created);
    dashboard(&ui, &cookie, &session, site, &sites, notice).await
}

/// The New meeting form: a one-time meeting (the panel's form has the rest).
#[derive(Deserialize)]
pub struct NewMeetingForm {
    csrf_token: Option<String>,
    topic: String,
    start_time: String,
    duration: Option<String>,
    timezone: Option<String>,
}

/// `POST /zoomapp/sites/{slug}/meetings`: creates the meeting through `s.meetings().create`,
/// the same service the panel's New form uses.
#[handler]
pub async fn create_meeting(
    ui: AppUi<'_>,
    jar: &CookieJar,
    Path(slug): Path<String>,
    form: Form<NewMeetingForm>,
) -> Response {
    let site = match checked_site(&ui, jar, form.0.csrf_token.as_deref(), &slug).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let f = form.0;
    let request = MeetingRequest {
        topic: f.topic,
        agenda: None,
        start_time: with_seconds(f.start_time),
        timezone: f
            .timezone
            .filter(|z| !z.trim().is_empty())
            .unwrap_or_else(|| "UTC".into()),
        duration: f.duration.and_then(|d| d.trim().parse().ok()).unwrap_or(60),
        recurrence: None,
        registration: None,
        waiting_room: None,
        join_before_host: None,
        passcode: None,
        default_passcode: None,
        host: None,
        questions: None,
    };
    match ui
        .s
        .meetings()
        .create(&site.principal, MeetingKind::Meeting, request)
        .await
    {
        Ok(_) => see_other(&format!("/zoomapp/sites/{slug}?created=1")),
        Err(e) => ui.failure(e),
    }
}

/// `datetime-local` sends `2027-01-05T18:00`; the meeting plan reads seconds too.
fn with_seconds(local: String) -> String {
    match local.trim().len() {
        16 => format!("{}:00", local.trim()),
        _ => local,
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf_token: Option<String>,
}

/// `POST /zoomapp/sites/{slug}/meetings/{id}/start`: a fresh `start_url` (never stored, shown
/// or logged), the browser is sent there.
#[handler]
pub async fn start_meeting(
    ui: AppUi<'_>,
    jar: &CookieJar,
    Path((slug, id)): Path<(String, i64)>,
    form: Form<CsrfOnly>,
) -> Response {
    let site = match checked_site(&ui, jar, form.0.csrf_token.as_deref(), &slug).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match ui
        .s
        .meetings()
        .start_url(&site.principal, MeetingKind::Meeting, id)
        .await
    {
        Ok(url) => {
            let mut resp = see_other(url.as_str());
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, "no-store".parse().unwrap());
            resp
        }
        Err(e) => ui.failure(e),
    }
}

/// `POST /zoomapp/sites/{slug}/admin`: the site owner's one-time admin sign-in link.
#[handler]
pub async fn open_admin(
    ui: AppUi<'_>,
    jar: &CookieJar,
    Path(slug): Path<String>,
    form: Form<CsrfOnly>,
) -> Response {
    let session = match checked(&ui, jar, form.0.csrf_token.as_deref()).await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let app = ui.s.zoom_app();
    let link = match app.site(&session, &slug).await {
        Ok(site) => app.admin_link(&site).await,
        Err(e) => Err(e),
    };
    match link {
        Ok(url) => {
            let mut resp = see_other(&url);
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, "no-store".parse().unwrap());
            resp
        }
        Err(e) => ui.failure(e),
    }
}

fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .finish()
}

/// A JSON answer of the app's page-side endpoints (same origin, not part of the API).
fn json_answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut resp = Json(body).into_response();
    resp.set_status(status);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().unwrap());
    resp
}

/// The CSRF token of the page-side JSON endpoints (`X-CSRF-Token`, as the admin API).
fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

/// The session of a JSON call, if its `X-CSRF-Token` is the session's; else the JSON refusal.
async fn json_session(
    ui: &AppUi<'_>,
    jar: &CookieJar,
    headers: &HeaderMap,
) -> Result<AppSession, Response> {
    let found = match current_session(ui, jar).await {
        Ok(found) => found,
        Err(page) => return Err(page),
    };
    let Some((cookie, session)) = found else {
        return Err(json_answer(
            StatusCode::UNAUTHORIZED,
            json!({"code": "no_session"}),
        ));
    };
    if !csrf_matches(&cookie, csrf_header(headers).unwrap_or("")) {
        tracing::info!(reason = "csrf", "Zoom App call refused");
        return Err(json_answer(
            StatusCode::FORBIDDEN,
            json!({"code": "csrf_failed"}),
        ));
    }
    Ok(session)
}

/// `POST /zoomapp/authorize`: starts an in-client authorization bound to the session;
/// `{state, codeChallenge}` for `zoomSdk.authorize`.
#[handler]
pub async fn authorize_start(ui: AppUi<'_>, jar: &CookieJar, headers: &HeaderMap) -> Response {
    let session = match json_session(&ui, jar, headers).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    match ui.s.zoom_app().start_in_client(&session).await {
        Ok(start) => json_answer(
            StatusCode::OK,
            json!({"state": start.state, "codeChallenge": start.code_challenge}),
        ),
        Err(e) => json_error(e),
    }
}

fn json_error(e: ServiceError) -> Response {
    let problem = classify(e);
    json_answer(
        problem.status,
        json!({"code": problem.code, "message": problem.message}),
    )
}

#[derive(Deserialize)]
pub struct AuthorizedBody {
    code: String,
    state: String,
}

/// `POST /zoomapp/authorize/complete`: the code of `onAuthorized`, in the session that started.
#[handler]
pub async fn authorize_complete(
    ui: AppUi<'_>,
    jar: &CookieJar,
    headers: &HeaderMap,
    body: Json<AuthorizedBody>,
) -> Response {
    let session = match json_session(&ui, jar, headers).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let app = ui.s.zoom_app();
    match app
        .finish_in_client(&session, &body.0.state, &body.0.code)
        .await
    {
        Ok(Ok(outcome)) => {
            if let AuthOutcome::Parked { claim_token } = &outcome {
                jar.add(claim_cookie(claim_token.clone()));
            }
            json_answer(StatusCode::OK, json!({"outcome": outcome.label()}))
        }
        Ok(Err(refused)) => {
            tracing::info!(refusal = ?refused, "Zoom App authorization refused");
            json_answer(
                StatusCode::BAD_REQUEST,
                json!({"code": refusal_code(&refused)}),
            )
        }
        Err(e) => json_error(e),
    }
}

fn refusal_code(r: &AuthRefused) -> &'static str {
    match r {
        AuthRefused::UnknownAttempt => "attempt_unknown",
        AuthRefused::ExchangeFailed(_) => "exchange_failed",
        AuthRefused::OtherUser => "other_user",
    }
}

/// The claim cookie of a parked grant, as the panel's Marketplace installs set it.
fn claim_cookie(value: String) -> Cookie {
    let mut c = Cookie::new_with_str(super::pages::CLAIM_COOKIE, value);
    c.set_http_only(true);
    c.set_secure(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_max_age(std::time::Duration::from_secs(24 * 3600));
    c
}

#[derive(Deserialize)]
pub struct ExternalQuery {
    attempt: Option<String>,
}

/// `GET /zoomapp/authorize/external?attempt=…`: opened in the system browser; sends it to
/// Zoom's authorize page for the attempt (once).
#[handler]
pub async fn authorize_external(ui: AppUi<'_>, q: Query<ExternalQuery>) -> Response {
    let attempt = q.0.attempt.unwrap_or_default();
    match ui.s.zoom_app().begin_external(&attempt).await {
        Ok(Some(url)) => see_other(&url),
        Ok(None) => attempt_refused(&ui, &AuthRefused::UnknownAttempt),
        Err(e) => ui.failure(e),
    }
}

fn attempt_refused(ui: &AppUi<'_>, refused: &AuthRefused) -> Response {
    tracing::info!(refusal = ?refused, "Zoom App authorization refused");
    let t = ui.strings();
    let (title, text) = match refused {
        AuthRefused::UnknownAttempt => (t.attempt_unknown_title, t.attempt_unknown_text),
        AuthRefused::ExchangeFailed(_) => (t.exchange_failed_title, t.exchange_failed_text),
        AuthRefused::OtherUser => (t.other_user_title, t.other_user_text),
    };
    ui.message(StatusCode::BAD_REQUEST, title, text, false)
}

/// Our OAuth callback for an external attempt's state: exchange, then the deeplink back into
/// the Zoom client (called by `pages::oauth_callback`, which routes by the state's kind).
pub async fn external_callback(
    ui: AppUi<'_>,
    jar: &CookieJar,
    state: &str,
    code: &str,
) -> Response {
    match ui.s.zoom_app().complete_external(state, code).await {
        Ok(Ok((landing, outcome))) => {
            if let AuthOutcome::Parked { claim_token } = outcome {
                jar.add(claim_cookie(claim_token));
            }
            let status = match landing {
                AppLanding::Deeplink(link) => return see_other(&link),
                AppLanding::Unavailable => StatusCode::OK,
                AppLanding::ForeignLink => StatusCode::BAD_GATEWAY,
            };
            let t = ui.strings();
            ui.message(
                status,
                t.authorized_reopen_title,
                t.authorized_reopen_text,
                false,
            )
        }
        Ok(Err(refused)) => attempt_refused(&ui, &refused),
        Err(e) => ui.failure(e),
    }
}

/// The New meeting form's idempotency field (`http::idempotency::FormKey`).
pub const FORM_KEY_FIELD: &str = "idempotency_key";

/// A New meeting refused before it ran (a malformed or reused key): a plain page with the
/// app's headers (the idempotency layer has no request context to localize).
pub fn refusal_page(problem: super::error::Problem) -> Response {
    let t = strings(Lang::En);
    let body = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title><main><h1>{title}</h1><p>{}</p><p><a href=\"/zoomapp/home\">{}</a></p></main>",
        minijinja::HtmlEscape(&problem.message),
        t.back,
        title = t.failure_title,
    );
    html::response(
        problem.status,
        body,
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'",
    )
}

/// `GET /zoomapp/app.js`: the enhancements (in-client authorization, `openUrl`).
#[handler]
pub fn app_js() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(APP_JS)
}

impl HostRole {
    fn may_open_admin(self) -> bool {
        self == HostRole::Owner
    }
}

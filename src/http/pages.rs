//! Server-rendered pages of the owner flow: admin-link login, the admin panel, the Connect
//! button, and Zoom's OAuth callback. Every refusal lands on a clear page, never a stack trace.

use poem::http::{StatusCode, header};
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem::web::{Data, Form, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::auth::SESSION_COOKIE;
use super::error::classify;
use super::html;

/// Holds the claim token of a Marketplace install finished in this browser.
pub const CLAIM_COOKIE: &str = "marquee_claim";
use crate::domain::Principal;
use crate::service::access::{LoginRefused, csrf_matches, csrf_token};
use crate::service::connect::{CallbackParams, CallbackRefused, Connected};
use crate::service::{ADMIN_SESSION_TTL, ServiceError, Services};
use crate::templates::Templates;

/// A 303 redirect (after a form POST or a login, the browser GETs `location`).
fn see_other(location: impl AsRef<str>) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location.as_ref())
        .finish()
}

/// Admin pages: only our own inline styles; forms may post to us (and redirect to Zoom).
fn admin_csp(services: &Services) -> String {
    let zoom_origin = url::Url::parse(&services.config().zoom.oauth_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self' {zoom_origin}; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

/// A page that explains something (an error or a result) in one sentence or two.
fn message_page(
    services: &Services,
    templates: &Templates,
    status: StatusCode,
    title: &str,
    message: &str,
    next: Option<(&str, &str)>,
) -> Response {
    let (next_url, next_label) = next.unwrap_or(("", ""));
    let ctx = minijinja::context! { title, message, next_url, next_label };
    match templates.render("admin/message.html.j2", ctx) {
        Ok(body) => html::response(status, body, &admin_csp(services)),
        Err(e) => render_failed(e),
    }
}

/// A page that could not be rendered: logged, and a bare 500.
fn render_failed(err: minijinja::Error) -> Response {
    tracing::error!(error = %err, "owner page failed to render");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// The page of an owner action that failed: the status, `Retry-After` and public message of
/// the error's classification, as the JSON API would answer.
fn service_failure(s: &Services, t: &Templates, err: ServiceError) -> Response {
    let problem = classify(err);
    let title = match problem.retry_after {
        Some(_) => "Please try again in a minute",
        None => "Something went wrong",
    };
    let back = Some(("/admin", "Back to the admin panel"));
    let mut resp = message_page(s, t, problem.status, title, &problem.message, back);
    problem.set_retry_after(&mut resp);
    resp
}

fn session_cookie(s: &Services, value: String) -> Cookie {
    let mut cookie = Cookie::new_with_str(SESSION_COOKIE, value);
    cookie.set_http_only(true);
    // Lax, not Strict: Zoom's redirect back to the callback is a cross-site top-level
    // navigation and must carry the cookie to bind the OAuth state to this session.
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(s.config().public_url.starts_with("https://"));
    cookie.set_path("/");
    cookie.set_max_age(ADMIN_SESSION_TTL.to_std().unwrap_or_default());
    cookie
}

/// The owner behind the browser's session cookie, with the cookie value.
async fn current_owner(
    s: &Services,
    jar: &CookieJar,
) -> Result<Option<(Principal, String)>, ServiceError> {
    let Some(value) = jar.get(SESSION_COOKIE).map(|c| c.value_str().to_owned()) else {
        return Ok(None);
    };
    Ok(s.access()
        .authenticate_session(&value)
        .await?
        .map(|p| (p, value)))
}

fn session_expired(s: &Services, t: &Templates) -> Response {
    message_page(
        s,
        t,
        StatusCode::UNAUTHORIZED,
        "Please sign in again",
        "Your admin session has ended. Open the admin link from your hosting provider's control panel again.",
        None,
    )
}

#[derive(Deserialize)]
pub struct LoginQuery {
    token: Option<String>,
}

/// `GET /admin/login?token=…`: consumes a one-time admin link and opens a session.
#[handler]
pub async fn login(
    s: Data<&Services>,
    t: Data<&Templates>,
    jar: &CookieJar,
    q: Query<LoginQuery>,
) -> Response {
    let token = q.0.token.unwrap_or_default();
    let refused = |title: &str, message: &str| {
        message_page(&s, &t, StatusCode::BAD_REQUEST, title, message, None)
    };
    let refusal = match s.access().login_with_admin_link(&token).await {
        Ok(Ok(session)) => {
            jar.add(session_cookie(&s, session.cookie_value));
            return see_other("/admin");
        }
        Ok(Err(refusal)) => refusal,
        Err(e) => return service_failure(&s, &t, e),
    };
    // The platform's page for a fresh link, like Stripe's account links' `refresh_url`.
    if let Some(refresh_url) = refusal.refresh_url {
        return see_other(refresh_url);
    }
    match refusal.reason {
        LoginRefused::Expired => refused(
            "This link has expired",
            "Admin links work for 15 minutes. Request a new one.",
        ),
        LoginRefused::AlreadyUsed => refused(
            "This link was already used",
            "Admin links work once. Request a new one.",
        ),
        LoginRefused::Unknown => refused(
            "This link is not valid",
            "Check that you copied the whole link, or request a new one.",
        ),
    }
}

/// `GET /admin`: the site's admin panel.
#[handler]
pub async fn admin_home(s: Data<&Services>, t: Data<&Templates>, jar: &CookieJar) -> Response {
    match render_admin_home(&s, &t, jar).await {
        Ok(resp) => resp,
        Err(e) => service_failure(&s, &t, e),
    }
}

async fn render_admin_home(
    s: &Services,
    t: &Templates,
    jar: &CookieJar,
) -> Result<Response, ServiceError> {
    let Some((owner, cookie)) = current_owner(s, jar).await? else {
        return Ok(session_expired(s, t));
    };
    let tenant = s.tenants().get_by_id(owner.tenant_id()).await?;
    let zoom = s.connect().status(&owner).await?;
    let meeting_count = s.meetings().count(owner.tenant_id()).await?;
    let pending = match jar.get(CLAIM_COOKIE) {
        Some(c) => s.install().pending(c.value_str()).await?,
        None => None,
    };
    let back_url = s.access().return_url(&owner).await?;
    let widget_url = format!("{}/embed/{}/meetings", s.config().public_url, tenant.slug);
    let ctx = minijinja::context! {
        back_url,
        site => minijinja::context! { slug => tenant.slug.as_str(), display_name => tenant.display_name },
        zoom => minijinja::context! {
            connected => zoom.connected,
            needs_reconnect => zoom.needs_reconnect,
            email => zoom.zoom_email,
            display_name => zoom.zoom_display_name,
            last_error => zoom.last_error,
            missing_scopes => zoom.missing_scopes,
            last_sync_at => zoom.last_sync_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
            last_sync_result => zoom.last_sync_result,
        },
        meeting_count,
        pending_install => pending.map(|p| minijinja::context! { email => p.zoom_email, display_name => p.zoom_display_name }),
        csrf_token => csrf_token(&cookie),
        iframe_snippet => format!(
            r#"<iframe src="{widget_url}" title="Upcoming meetings" style="width:100%;border:0;min-height:480px" loading="lazy"></iframe>"#
        ),
        widget_url,
    };
    Ok(match t.render("admin/admin.html.j2", ctx) {
        Ok(body) => html::response(StatusCode::OK, body, &admin_csp(s)),
        Err(e) => render_failed(e),
    })
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf_token: Option<String>,
}

/// `POST /admin/zoom/connect`: the Connect button; redirects the browser to Zoom.
#[handler]
pub async fn connect(
    s: Data<&Services>,
    t: Data<&Templates>,
    jar: &CookieJar,
    form: Form<CsrfForm>,
) -> Response {
    let owner = match checked_owner(&s, &t, jar, form.0.csrf_token.as_deref()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    match s.connect().start(&owner).await {
        Ok(url) => see_other(url),
        Err(e) => service_failure(&s, &t, e),
    }
}

/// `POST /admin/zoom/disconnect`: the Disconnect button.
#[handler]
pub async fn disconnect(
    s: Data<&Services>,
    t: Data<&Templates>,
    jar: &CookieJar,
    form: Form<CsrfForm>,
) -> Response {
    let owner = match checked_owner(&s, &t, jar, form.0.csrf_token.as_deref()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    match s.disconnect().by_owner(&owner).await {
        Ok(_) | Err(ServiceError::NotFound(_)) => see_other("/admin"),
        Err(e) => service_failure(&s, &t, e),
    }
}

/// `POST /admin/logout`.
#[handler]
pub async fn logout(
    s: Data<&Services>,
    t: Data<&Templates>,
    jar: &CookieJar,
    form: Form<CsrfForm>,
) -> Response {
    if let Err(page) = checked_owner(&s, &t, jar, form.0.csrf_token.as_deref()).await {
        return page;
    }
    if let Some(cookie) = jar.get(SESSION_COOKIE)
        && let Err(e) = s.access().logout(cookie.value_str()).await
    {
        return service_failure(&s, &t, e);
    }
    jar.remove(SESSION_COOKIE);
    message_page(
        &s,
        &t,
        StatusCode::OK,
        "Signed out",
        "You are signed out of the admin panel.",
        None,
    )
}

/// The signed-in owner, if the form carries the session's CSRF token; otherwise the page to show.
async fn checked_owner(
    s: &Services,
    t: &Templates,
    jar: &CookieJar,
    csrf: Option<&str>,
) -> Result<Principal, Response> {
    let (owner, cookie) = match current_owner(s, jar).await {
        Ok(Some(found)) => found,
        Ok(None) => return Err(session_expired(s, t)),
        Err(e) => return Err(service_failure(s, t, e)),
    };
    if !csrf_matches(&cookie, csrf.unwrap_or("")) {
        return Err(message_page(
            s,
            t,
            StatusCode::FORBIDDEN,
            "Please try again",
            "This form expired or did not come from your admin panel. Reload the admin panel and try again.",
            Some(("/admin", "Back to the admin panel")),
        ));
    }
    Ok(owner)
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /oauth/zoom/callback`: Zoom's redirect after consent.
#[handler]
pub async fn oauth_callback(
    s: Data<&Services>,
    t: Data<&Templates>,
    jar: &CookieJar,
    q: Query<CallbackQuery>,
) -> Response {
    let cookie = jar.get(SESSION_COOKIE).map(|c| c.value_str().to_owned());
    let params = CallbackParams {
        code: q.0.code,
        state: q.0.state,
        error: q.0.error,
    };
    let stateless = params.error.is_none() && params.state.as_deref().unwrap_or("").is_empty();
    if let (true, Some(code)) = (stateless, params.code.as_deref().filter(|c| !c.is_empty())) {
        return marketplace_install(&s, &t, jar, code, cookie.is_some()).await;
    }
    match s.connect().complete(params, cookie.as_deref()).await {
        Ok(Ok(connected)) => connected_page(&s, &t, connected),
        Ok(Err(refused)) => refused_page(&s, &t, refused),
        Err(e) => service_failure(&s, &t, e),
    }
}

/// A code without our state: an install from the Zoom Marketplace. Park it for the owner to claim.
async fn marketplace_install(
    s: &Services,
    t: &Templates,
    jar: &CookieJar,
    code: &str,
    signed_in: bool,
) -> Response {
    let parked = match s.install().park(code).await {
        Ok(Ok(parked)) => parked,
        Ok(Err(refused)) => return refused_page(s, t, refused),
        Err(e) => return service_failure(s, t, e),
    };
    jar.add(claim_cookie(s, parked.claim_token));
    if signed_in {
        return see_other("/admin");
    }
    let message = format!(
        "Zoom account {} ({}) is ready. Now open your site's admin panel (the admin link from your hosting \
         provider) in this browser and choose \"Use this Zoom account\".",
        parked.zoom_display_name, parked.zoom_email
    );
    message_page(s, t, StatusCode::OK, "Almost done", &message, None)
}

fn claim_cookie(s: &Services, value: String) -> Cookie {
    let mut cookie = session_cookie(s, value);
    cookie.set_name(CLAIM_COOKIE);
    cookie.set_max_age(std::time::Duration::from_secs(24 * 3600));
    cookie
}

/// `POST /admin/zoom/claim`: attach the Marketplace install this browser finished to the site.
#[handler]
pub async fn claim(
    s: Data<&Services>,
    t: Data<&Templates>,
    jar: &CookieJar,
    form: Form<CsrfForm>,
) -> Response {
    let owner = match checked_owner(&s, &t, jar, form.0.csrf_token.as_deref()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    let Some(token) = jar.get(CLAIM_COOKIE).map(|c| c.value_str().to_owned()) else {
        return see_other("/admin");
    };
    match s.install().claim(&owner, &token).await {
        Ok(_) | Err(ServiceError::NotFound(_)) => {
            jar.remove(CLAIM_COOKIE);
            see_other("/admin")
        }
        Err(e) => service_failure(&s, &t, e),
    }
}

/// `GET /zoomapp/install`: the app's direct landing URL on the Marketplace ("Visit Site to Add").
/// A signed-in owner starts the normal flow with our state; anyone else is told how to sign in.
#[handler]
pub async fn zoomapp_install(s: Data<&Services>, t: Data<&Templates>, jar: &CookieJar) -> Response {
    match current_owner(&s, jar).await {
        Ok(Some((owner, _))) => match s.connect().start(&owner).await {
            Ok(url) => see_other(url),
            Err(e) => service_failure(&s, &t, e),
        },
        Ok(None) => message_page(
            &s,
            &t,
            StatusCode::OK,
            "Connect Zoom from your site",
            "Open your site's admin panel with the admin link from your hosting provider, then press Connect Zoom. \
             Zoom will ask you to allow access and bring you back.",
            None,
        ),
        Err(e) => service_failure(&s, &t, e),
    }
}

fn connected_page(s: &Services, t: &Templates, c: Connected) -> Response {
    if c.from_admin_session {
        return see_other("/admin");
    }
    let message = format!(
        "This site is now connected to Zoom as {} ({}). You can close this window.",
        c.zoom_display_name, c.zoom_email
    );
    message_page(s, t, StatusCode::OK, "Zoom connected", &message, None)
}

fn refused_page(s: &Services, t: &Templates, refused: CallbackRefused) -> Response {
    let back = Some(("/admin", "Back to the admin panel"));
    let (title, message) = match &refused {
        CallbackRefused::Denied => (
            "Zoom was not connected",
            "You declined access on Zoom's page, so nothing was connected.",
        ),
        CallbackRefused::MissingState | CallbackRefused::UnknownState => (
            "This sign-in did not start here",
            "Start connecting Zoom from your site's admin panel, using the Connect Zoom button.",
        ),
        CallbackRefused::ExpiredState => (
            "This attempt has expired",
            "Connecting must finish within 10 minutes. Press Connect Zoom again.",
        ),
        CallbackRefused::ReusedState => (
            "This attempt was already used",
            "Press Connect Zoom again to start a new one.",
        ),
        CallbackRefused::ForeignState => (
            "This attempt belongs to another session",
            "Finish connecting in the same browser session that pressed Connect Zoom.",
        ),
        CallbackRefused::MissingCode => ("Zoom sent no authorization", "Press Connect Zoom again."),
        CallbackRefused::ExchangeFailed(_) => (
            "Zoom did not confirm the connection",
            "Zoom refused the authorization. Press Connect Zoom again.",
        ),
    };
    tracing::info!(refusal = ?refused, "OAuth callback refused");
    message_page(s, t, StatusCode::BAD_REQUEST, title, message, back)
}

//! The owner's session: opening it from an admin link, telling who is signed in (with the CSRF
//! check of every form), and signing out.

use poem::http::StatusCode;
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem::web::{Form, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::{Ui, see_other};
use crate::domain::Principal;
use crate::http::auth::SESSION_COOKIE;
use crate::service::access::{LoginRefused, csrf_matches, csrf_token};
use crate::service::{ADMIN_SESSION_TTL, Services};

/// The signed-in owner and the CSRF token their forms carry.
pub(super) struct Owner {
    pub(super) principal: Principal,
    pub(super) csrf_token: String,
}

/// A form that only needs the CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    csrf_token: Option<String>,
}

impl CsrfForm {
    pub(super) fn token(&self) -> Option<&str> {
        self.csrf_token.as_deref()
    }
}

pub(super) fn session_cookie(s: &Services, value: String) -> Cookie {
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

/// The session cookie's value, if the browser sent one.
pub(super) fn cookie_value(jar: &CookieJar) -> Option<String> {
    jar.get(SESSION_COOKIE).map(|c| c.value_str().to_owned())
}

/// The signed-in owner, or `None` when there is no live session.
pub(super) async fn find_owner(ui: &Ui<'_>, jar: &CookieJar) -> Result<Option<Owner>, Response> {
    let Some(value) = cookie_value(jar) else {
        return Ok(None);
    };
    match ui.s.access().authenticate_session(&value).await {
        Ok(found) => Ok(found.map(|principal| Owner {
            principal,
            csrf_token: csrf_token(&value),
        })),
        Err(e) => Err(ui.failure(e)),
    }
}

/// The signed-in owner, or the page asking them to sign in again.
pub(super) async fn signed_in(ui: &Ui<'_>, jar: &CookieJar) -> Result<Owner, Response> {
    find_owner(ui, jar)
        .await?
        .ok_or_else(|| ui.notice(StatusCode::UNAUTHORIZED, ui.strings().session_ended, false))
}

/// The signed-in owner, if the form carries the session's CSRF token; otherwise the page to
/// show (nothing was done).
pub(super) async fn checked_owner(
    ui: &Ui<'_>,
    jar: &CookieJar,
    csrf: Option<&str>,
) -> Result<Principal, Response> {
    let owner = signed_in(ui, jar).await?;
    let cookie = cookie_value(jar).unwrap_or_default();
    if !csrf_matches(&cookie, csrf.unwrap_or("")) {
        return Err(ui.notice(StatusCode::FORBIDDEN, ui.strings().form_expired, true));
    }
    Ok(owner.principal)
}

#[derive(Deserialize)]
pub struct LoginQuery {
    token: Option<String>,
}

/// `GET /admin/login?token=…`: consumes a one-time admin link and opens a session.
#[handler]
pub async fn login(ui: Ui<'_>, jar: &CookieJar, q: Query<LoginQuery>) -> Response {
    let token = q.0.token.unwrap_or_default();
    let t = ui.strings();
    let refused = |notice| ui.notice(StatusCode::BAD_REQUEST, notice, false);
    let refusal = match ui.s.access().login_with_admin_link(&token).await {
        Ok(Ok(session)) => {
            jar.add(session_cookie(ui.s, session.cookie_value));
            return see_other("/admin");
        }
        Ok(Err(refusal)) => refusal,
        Err(e) => return ui.failure(e),
    };
    // The platform's page for a fresh link, like Stripe's account links' `refresh_url`.
    if let Some(refresh_url) = refusal.refresh_url {
        return see_other(refresh_url);
    }
    match refusal.reason {
        LoginRefused::Expired => refused(t.link_expired),
        LoginRefused::AlreadyUsed => refused(t.link_used),
        LoginRefused::Unknown => refused(t.link_unknown),
    }
}

/// `POST /admin/logout`.
#[handler]
pub async fn logout(ui: Ui<'_>, jar: &CookieJar, form: Form<CsrfForm>) -> Response {
    if let Err(page) = checked_owner(&ui, jar, form.0.token()).await {
        return page;
    }
    if let Some(value) = cookie_value(jar)
        && let Err(e) = ui.s.access().logout(&value).await
    {
        return ui.failure(e);
    }
    jar.remove(SESSION_COOKIE);
    ui.notice(StatusCode::OK, ui.strings().signed_out, false)
}

//! Connecting the site to Zoom from the panel: the Connect and Disconnect buttons, Zoom's OAuth
//! callback, Marketplace installs (parked until the owner claims them in this browser), and the
//! Zoom App's direct landing URL, which ends by opening the app in the Zoom client.

use poem::http::StatusCode;
use poem::web::cookie::{Cookie, CookieJar};
use poem::web::{Form, Query};
use poem::{Response, handler};
use serde::{Deserialize, Serialize};

use super::layout::{Panel, Section};
use super::session::{CsrfForm, checked_owner, cookie_value, find_owner, session_cookie};
use super::{Ui, see_other};
use crate::i18n::panel::{Notice, fill};
use crate::service::ServiceError;
use crate::service::connect::{
    CallbackBrowser, CallbackParams, CallbackRefused, Completed, Connected,
};
use crate::service::install::{AppInstalled, AppLanding};

/// Holds the claim token of a Marketplace install finished in this browser.
pub const CLAIM_COOKIE: &str = "marquee_claim";

/// Binds a Zoom App install started without an admin session to this browser, until Zoom's
/// redirect comes back (only the callback reads it).
const INSTALL_COOKIE: &str = "marquee_install";
const INSTALL_COOKIE_PATH: &str = "/oauth/zoom";

/// `POST /admin/zoom/connect`: the Connect button; redirects the browser to Zoom.
#[handler]
pub async fn connect(ui: Ui<'_>, jar: &CookieJar, form: Form<CsrfForm>) -> Response {
    let owner = match checked_owner(&ui, jar, form.0.token()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    match ui.s.connect().start(&owner).await {
        Ok(url) => see_other(url),
        Err(e) => ui.failure(e),
    }
}

/// The confirmation form: Confirm posts `confirm=yes` with the CSRF token.
#[derive(Deserialize)]
pub struct DisconnectForm {
    csrf_token: Option<String>,
    confirm: Option<String>,
}

/// `disconnect.html.j2`: what goes and what stays.
#[derive(Serialize)]
struct DisconnectView {
    connected: bool,
}

/// `GET /admin/zoom/disconnect`: asks before disconnecting, saying what will be removed (Zoom's
/// data as Marquee copied it, and the tokens) and what stays (the owner's choices).
#[handler]
pub async fn confirm_disconnect(ui: Ui<'_>, jar: &CookieJar) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    match ui.s.connect().status(panel.principal()).await {
        Ok(status) => disconnect_page(&panel, status.connected || status.needs_reconnect),
        Err(e) => ui.failure(e),
    }
}

fn disconnect_page(panel: &Panel<'_>, connected: bool) -> Response {
    let heading = panel.strings().tools.disconnect_title;
    let view = DisconnectView { connected };
    panel.render_titled(
        StatusCode::OK,
        Section::Overview,
        heading,
        "admin/disconnect.html.j2",
        view,
    )
}

/// `POST /admin/zoom/disconnect`: the confirmation's Confirm button. A form without the
/// confirmation (an old Disconnect button, a stale page) only shows the confirmation.
#[handler]
pub async fn disconnect(ui: Ui<'_>, jar: &CookieJar, form: Form<DisconnectForm>) -> Response {
    let owner = match checked_owner(&ui, jar, form.0.csrf_token.as_deref()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    if form.0.confirm.as_deref() != Some("yes") {
        return see_other("/admin/zoom/disconnect");
    }
    match ui.s.disconnect().by_owner(&owner).await {
        Ok(_) | Err(ServiceError::NotFound(_)) => see_other("/admin"),
        Err(e) => ui.failure(e),
    }
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
    ui: Ui<'_>,
    app: crate::http::zoomapp::AppUi<'_>,
    jar: &CookieJar,
    q: Query<CallbackQuery>,
) -> Response {
    // A Zoom App's authorization in the system browser: its state says so (docs/zoom-app.md).
    if let (Some(state), Some(code)) = (q.0.state.as_deref(), q.0.code.as_deref())
        && state.starts_with(crate::service::zoom_app::EXTERNAL_STATE_PREFIX)
    {
        return crate::http::zoomapp::external_callback(app, jar, state, code).await;
    }
    let cookie = cookie_value(jar);
    let install = jar.get(INSTALL_COOKIE).map(|c| c.value_str().to_owned());
    let params = CallbackParams {
        code: q.0.code,
        state: q.0.state,
        error: q.0.error,
    };
    let stateless = params.error.is_none() && params.state.as_deref().unwrap_or("").is_empty();
    if let (true, Some(code)) = (stateless, params.code.as_deref().filter(|c| !c.is_empty())) {
        return marketplace_install(&ui, jar, code, cookie.is_some()).await;
    }
    let browser = CallbackBrowser {
        session: cookie.as_deref(),
        install: install.as_deref(),
    };
    match ui.s.connect().complete(params, browser).await {
        Ok(Ok(Completed::Connected(connected))) => connected_page(&ui, connected),
        Ok(Ok(Completed::AppInstalled(installed))) => app_installed(&ui, jar, installed),
        Ok(Err(refused)) => refused_page(&ui, refused),
        Err(e) => ui.failure(e),
    }
}

/// The end of a Zoom App install: a parked install leaves its claim cookie, then the browser
/// goes to Zoom's deep link (checked to be on Zoom's origin by the service), or, without one,
/// learns that the app is installed and where to open it.
fn app_installed(ui: &Ui<'_>, jar: &CookieJar, installed: AppInstalled) -> Response {
    jar.remove(INSTALL_COOKIE);
    let parked = installed.claim_token.is_some();
    if let Some(token) = installed.claim_token {
        jar.add(claim_cookie(ui, token));
    }
    let t = ui.strings();
    let (status, notice) = match installed.landing {
        AppLanding::Deeplink(link) => return see_other(link),
        AppLanding::Unavailable => (StatusCode::OK, t.app_installed_open_in_zoom),
        AppLanding::ForeignLink => (StatusCode::BAD_GATEWAY, t.app_link_refused),
    };
    let who = [
        ("name", installed.zoom_display_name.as_str()),
        ("email", installed.zoom_email.as_str()),
    ];
    let mut text = fill(notice.text, &who);
    if parked {
        text = format!("{text} {}", fill(t.install_parked.text, &who));
    }
    ui.message(status, notice.title, &text, false)
}

/// A code without our state: an install from the Zoom Marketplace. Park it for the owner to claim.
async fn marketplace_install(
    ui: &Ui<'_>,
    jar: &CookieJar,
    code: &str,
    signed_in: bool,
) -> Response {
    let parked = match ui.s.install().park(code).await {
        Ok(Ok(parked)) => parked,
        Ok(Err(refused)) => return refused_page(ui, refused),
        Err(e) => return ui.failure(e),
    };
    jar.add(claim_cookie(ui, parked.claim_token));
    if signed_in {
        return see_other("/admin");
    }
    let notice = ui.strings().install_parked;
    let who = [
        ("name", parked.zoom_display_name.as_str()),
        ("email", parked.zoom_email.as_str()),
    ];
    ui.message(
        StatusCode::OK,
        notice.title,
        &fill(notice.text, &who),
        false,
    )
}

fn claim_cookie(ui: &Ui<'_>, value: String) -> Cookie {
    let mut cookie = session_cookie(ui.s, value);
    cookie.set_name(CLAIM_COOKIE);
    cookie.set_max_age(std::time::Duration::from_secs(24 * 3600));
    cookie
}

/// `POST /admin/zoom/claim`: attach the Marketplace install this browser finished to the site.
#[handler]
pub async fn claim(ui: Ui<'_>, jar: &CookieJar, form: Form<CsrfForm>) -> Response {
    let owner = match checked_owner(&ui, jar, form.0.token()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    let Some(token) = jar.get(CLAIM_COOKIE).map(|c| c.value_str().to_owned()) else {
        return see_other("/admin");
    };
    match ui.s.install().claim(&owner, &token).await {
        Ok(_) | Err(ServiceError::NotFound(_)) => {
            jar.remove(CLAIM_COOKIE);
            see_other("/admin")
        }
        Err(e) => ui.failure(e),
    }
}

/// `GET /zoomapp/install`: the app's direct landing URL on the Marketplace ("Visit Site to Add").
/// Sends the browser to Zoom's authorize page with our state and PKCE. A signed-in owner's
/// install attaches to their site; anyone else's is parked for the claim flow after Zoom's
/// redirect (bound to this browser by the install cookie).
#[handler]
pub async fn zoomapp_install(ui: Ui<'_>, jar: &CookieJar) -> Response {
    let owner = match find_owner(&ui, jar).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    let principal = owner.as_ref().map(|o| &o.principal);
    match ui.s.connect().start_app_install(principal).await {
        Ok(start) => {
            if let Some(token) = start.browser_token {
                jar.add(install_cookie(&ui, token));
            }
            see_other(start.authorize_url)
        }
        Err(e) => ui.failure(e),
    }
}

/// Lives as long as the OAuth state it binds, and only the callback's path sees it.
fn install_cookie(ui: &Ui<'_>, value: String) -> Cookie {
    let mut cookie = session_cookie(ui.s, value);
    cookie.set_name(INSTALL_COOKIE);
    cookie.set_path(INSTALL_COOKIE_PATH);
    let ttl = crate::service::OAUTH_STATE_TTL.to_std().unwrap_or_default();
    cookie.set_max_age(ttl);
    cookie
}

fn connected_page(ui: &Ui<'_>, c: Connected) -> Response {
    if c.from_admin_session {
        return see_other("/admin");
    }
    let notice = ui.strings().zoom_connected;
    let who = [
        ("name", c.zoom_display_name.as_str()),
        ("email", c.zoom_email.as_str()),
    ];
    ui.message(
        StatusCode::OK,
        notice.title,
        &fill(notice.text, &who),
        false,
    )
}

fn refused_page(ui: &Ui<'_>, refused: CallbackRefused) -> Response {
    let t = ui.strings();
    let notice: Notice = match &refused {
        CallbackRefused::Denied => t.consent_denied,
        CallbackRefused::MissingState | CallbackRefused::UnknownState => t.attempt_not_ours,
        CallbackRefused::ExpiredState => t.attempt_expired,
        CallbackRefused::ReusedState => t.attempt_used,
        CallbackRefused::ForeignState => t.attempt_foreign,
        CallbackRefused::MissingCode => t.no_authorization,
        CallbackRefused::ExchangeFailed(_) => t.exchange_refused,
    };
    tracing::info!(refusal = ?refused, "OAuth callback refused");
    ui.notice(StatusCode::BAD_REQUEST, notice, true)
}

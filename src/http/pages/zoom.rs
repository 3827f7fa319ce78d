//! Connecting the site to Zoom from the panel: the Connect and Disconnect buttons, Zoom's OAuth
//! callback, and Marketplace installs (parked until the owner claims them in this browser).

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
use crate::service::connect::{CallbackParams, CallbackRefused, Connected};

/// Holds the claim token of a Marketplace install finished in this browser.
pub const CLAIM_COOKIE: &str = "marquee_claim";

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
    let params = CallbackParams {
        code: q.0.code,
        state: q.0.state,
        error: q.0.error,
    };
    let stateless = params.error.is_none() && params.state.as_deref().unwrap_or("").is_empty();
    if let (true, Some(code)) = (stateless, params.code.as_deref().filter(|c| !c.is_empty())) {
        return marketplace_install(&ui, jar, code, cookie.is_some()).await;
    }
    match ui.s.connect().complete(params, cookie.as_deref()).await {
        Ok(Ok(connected)) => connected_page(&ui, connected),
        Ok(Err(refused)) => refused_page(&ui, refused),
        Err(e) => ui.failure(e),
    }
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
/// A signed-in owner starts the normal flow with our state; anyone else is told how to sign in.
#[handler]
pub async fn zoomapp_install(ui: Ui<'_>, jar: &CookieJar) -> Response {
    match find_owner(&ui, jar).await {
        Ok(Some(owner)) => match ui.s.connect().start(&owner.principal).await {
            Ok(url) => see_other(url),
            Err(e) => ui.failure(e),
        },
        Ok(None) => ui.notice(StatusCode::OK, ui.strings().connect_from_site, false),
        Err(page) => page,
    }
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

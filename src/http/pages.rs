//! The owner's server-rendered pages: admin-link sign-in, the admin panel (a layout with one
//! section per page: `panel.rs`), connecting Zoom and its OAuth callback. They work without
//! JavaScript; every form carries the session's CSRF token; every text comes from the panel's
//! catalogue (`i18n::panel`) in the owner's language; every refusal lands on a clear page,
//! never a stack trace.

use minijinja::value::Serde;
use poem::http::{StatusCode, header};
use poem::{FromRequest, IntoResponse, Request, RequestBody, Response, handler};
use serde::Serialize;

use super::error::classify;
use super::html;
use crate::domain::site::Lang;
use crate::i18n::panel::{self, Notice, PanelStrings};
use crate::service::{ServiceError, Services};
use crate::templates::Templates;

mod embed;
mod items;
mod layout;
mod meeting_form;
mod overview;
mod registrations;
mod session;
mod site;
mod sync;
mod zoom;

pub use embed::show as embed_snippets;
pub use items::{meetings, recordings, set_meeting_visibility, set_recording_visibility};
pub use meeting_form::{
    FORM_KEY_FIELD as MEETING_FORM_KEY_FIELD, confirm_delete as confirm_delete_meeting,
    create_meeting, delete_meeting, edit_meeting, new_meeting,
    refusal_page as meeting_form_refusal, start_meeting, start_webinar, update_meeting,
};
pub use overview::show as admin_home;
pub use registrations::{change_registration_status, registrations_csv, registrations_page};
pub use session::{login, logout};
pub use site::{save_site_settings, site_settings};
pub use sync::{show as sync_status, start as sync_now};
pub use zoom::{
    CLAIM_COOKIE, claim, confirm_disconnect, connect, disconnect, oauth_callback, zoomapp_install,
};

/// The panel's script: enhancements only (the live theme preview, copy buttons, the Sync page's
/// refresh while a sync runs); every page works without.
const PANEL_JS: &str = include_str!("pages/panel.js");

/// A 303 redirect (after a form POST or a login, the browser GETs `location`).
fn see_other(location: impl AsRef<str>) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location.as_ref())
        .finish()
}

/// What every owner page needs: the services, the templates and the owner's language (from
/// the browser's `Accept-Language`; English unless it prefers German).
#[derive(Clone, Copy)]
pub struct Ui<'a> {
    s: &'a Services,
    t: &'a Templates,
    lang: Lang,
}

impl<'a> FromRequest<'a> for Ui<'a> {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let missing = || poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR);
        let lang = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Lang::En, panel::negotiate);
        Ok(Self {
            s: req.data::<Services>().ok_or_else(missing)?,
            t: req.data::<Templates>().ok_or_else(missing)?,
            lang,
        })
    }
}

/// A message page's context.
#[derive(Serialize)]
struct MessagePage<'a> {
    lang: &'static str,
    title: &'a str,
    message: &'a str,
    back: Option<&'a str>,
}

impl Ui<'_> {
    fn strings(&self) -> &'static PanelStrings {
        panel::strings(self.lang)
    }

    /// Owner pages: only our own styles and scripts, frames of our own widgets (the preview),
    /// requests to us (the Sync page's refresh); forms post to us (and the Connect button
    /// redirects to Zoom).
    fn csp(&self) -> String {
        let zoom_origin = url::Url::parse(&self.s.config().zoom.oauth_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        format!(
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self'; \
             frame-src 'self'; connect-src 'self'; form-action 'self' {zoom_origin}; frame-ancestors 'none'; base-uri 'none'"
        )
    }

    /// Renders an owner page, or a bare 500 (logged) if it cannot be rendered.
    fn render(&self, status: StatusCode, template: &str, ctx: impl Serialize) -> Response {
        match self.t.render(template, minijinja::Value::from(Serde(&ctx))) {
            Ok(body) => html::response(status, body, &self.csp()),
            Err(e) => {
                tracing::error!(error = %e, template, "owner page failed to render");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }

    /// A page that explains something in a sentence or two, optionally with a way back.
    fn message(&self, status: StatusCode, title: &str, message: &str, back: bool) -> Response {
        let ctx = MessagePage {
            lang: self.lang.as_str(),
            title,
            message,
            back: back.then_some(self.strings().back_to_panel),
        };
        self.render(status, "admin/message.html.j2", ctx)
    }

    fn notice(&self, status: StatusCode, notice: Notice, back: bool) -> Response {
        self.message(status, notice.title, notice.text, back)
    }

    /// The page of an owner action that failed: the status, `Retry-After` and public message of
    /// the error's classification, as the JSON API would answer.
    fn failure(&self, err: ServiceError) -> Response {
        let problem = classify(err);
        let title = match problem.retry_after {
            Some(_) => self.strings().failed_try_later,
            None => self.strings().failed,
        };
        let mut resp = self.message(problem.status, title, &problem.message, true);
        problem.set_retry_after(&mut resp);
        resp
    }
}

/// `GET /admin/panel.js`: the panel's enhancements (see `src/http/pages/panel.js`).
#[handler]
pub fn panel_js() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .body(PANEL_JS)
}

//! `GET /admin`: the overview — the Zoom connection (and a banner when it needs a reconnect),
//! its permissions, the last and next sync, and what the site holds.

use poem::http::StatusCode;
use poem::web::cookie::CookieJar;
use poem::{Response, handler};
use serde::Serialize;

use super::Ui;
use super::layout::{Moment, Panel, Section};
use super::sync::problem_text;
use super::zoom::CLAIM_COOKIE;
use crate::domain::site::Lang;
use crate::i18n::panel::ToolStrings;
use crate::service::ServiceError;
use crate::service::connect::ConnectionStatus;
use crate::service::install::PendingInstall;
use crate::service::meetings::SiteCounts;
use crate::service::sync::SyncStatusView;

#[derive(Serialize)]
struct ScopeLine {
    name: String,
    granted: bool,
}

#[derive(Serialize)]
struct ZoomView {
    connected: bool,
    needs_reconnect: bool,
    display_name: Option<String>,
    email: Option<String>,
    last_error: Option<String>,
    since: Option<Moment>,
    /// What Marquee needs and whether Zoom granted it.
    scopes: Vec<ScopeLine>,
    missing: bool,
    granted: Vec<String>,
}

impl ZoomView {
    fn new(z: ConnectionStatus, lang: Lang) -> Self {
        let scopes = z
            .needed_scopes
            .iter()
            .map(|name| ScopeLine {
                granted: !z.missing_scopes.contains(name),
                name: name.clone(),
            })
            .collect();
        Self {
            connected: z.connected,
            needs_reconnect: z.needs_reconnect,
            display_name: z.zoom_display_name,
            email: z.zoom_email,
            last_error: z.last_error.filter(|_| z.needs_reconnect),
            since: z.needs_reconnect_since.map(|t| Moment::of(t, lang)),
            scopes,
            missing: !z.missing_scopes.is_empty(),
            granted: z.scopes,
        }
    }
}

#[derive(Serialize)]
struct SyncView {
    last: Option<Moment>,
    ok: bool,
    /// In plain words, as on the Sync page.
    error: Option<&'static str>,
    running: bool,
    next: Option<Moment>,
}

impl SyncView {
    fn new(s: SyncStatusView, t: &'static ToolStrings, lang: Lang) -> Self {
        let ok = s.last_result.as_deref() != Some("failed");
        Self {
            last: s.last_finished_at.map(|t| Moment::of(t, lang)),
            ok,
            error: s
                .last_error
                .as_deref()
                .filter(|_| !ok)
                .map(|e| problem_text(e, t)),
            running: s.current_job.is_some_and(|job| !job.status.is_finished()),
            next: s.next_reconcile_at.map(|t| Moment::of(t, lang)),
        }
    }
}

#[derive(Serialize)]
struct PendingView {
    display_name: String,
    email: String,
}

impl From<PendingInstall> for PendingView {
    fn from(p: PendingInstall) -> Self {
        Self {
            display_name: p.zoom_display_name,
            email: p.zoom_email,
        }
    }
}

#[derive(Serialize)]
struct CountsView {
    upcoming_meetings: i64,
    recordings: i64,
    recent_registrations: i64,
}

impl From<SiteCounts> for CountsView {
    fn from(c: SiteCounts) -> Self {
        Self {
            upcoming_meetings: c.upcoming_meetings,
            recordings: c.recordings,
            recent_registrations: c.recent_registrations,
        }
    }
}

/// `overview.html.j2`.
#[derive(Serialize)]
struct OverviewView {
    zoom: ZoomView,
    sync: SyncView,
    counts: CountsView,
    pending_install: Option<PendingView>,
}

/// `GET /admin`: the overview.
#[handler]
pub async fn show(ui: Ui<'_>, jar: &CookieJar) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    let claim = jar.get(CLAIM_COOKIE).map(|c| c.value_str().to_owned());
    match gather(&panel, claim).await {
        Ok(view) => panel.render(
            StatusCode::OK,
            Section::Overview,
            "admin/overview.html.j2",
            view,
        ),
        Err(e) => panel.ui.failure(e),
    }
}

async fn gather(panel: &Panel<'_>, claim: Option<String>) -> Result<OverviewView, ServiceError> {
    let (s, owner, lang) = (panel.ui.s, panel.principal(), panel.ui.lang);
    let pending = match claim {
        Some(token) => s.install().pending(&token).await?,
        None => None,
    };
    Ok(OverviewView {
        zoom: ZoomView::new(s.connect().status(owner).await?, lang),
        sync: SyncView::new(s.sync().status(owner).await?, panel.strings().tools, lang),
        counts: s.meetings().counts(owner).await?.into(),
        pending_install: pending.map(PendingView::from),
    })
}

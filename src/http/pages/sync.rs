//! `GET /admin/sync`: the site's sync with Zoom — the latest job and its progress (refreshed by
//! `panel.js` while it runs, or by the page's refresh link), the last full sync with its counts,
//! what went wrong in plain words, the next regular check — and the Sync now button
//! (`POST /admin/sync`), which queues one backfill and never a second while one waits or runs.

use poem::http::StatusCode;
use poem::web::cookie::CookieJar;
use poem::web::{Form, Query};
use poem::{Response, handler};
use serde::{Deserialize, Serialize};

use super::layout::{Moment, Panel, Section};
use super::session::{CsrfForm, checked_owner};
use super::{Ui, see_other};
use crate::domain::site::Lang;
use crate::domain::status::{JobStatus, SyncKind};
use crate::i18n::panel::{ToolStrings, fill};
use crate::service::ServiceError;
use crate::service::sync::{JobView, SyncProblem, SyncStatusView};

/// The latest job, as the owner reads it.
#[derive(Serialize)]
struct JobLine {
    state: &'static str,
    running: bool,
    failed: bool,
    kind: &'static str,
    done: i64,
    /// The `<progress>` element's `max` (at least 1: a job that has not counted yet).
    max: i64,
    progress: String,
    stage: Option<&'static str>,
    problem: Option<&'static str>,
}

impl JobLine {
    fn new(job: JobView, t: &'static ToolStrings) -> Self {
        let state = match job.status {
            JobStatus::Queued => t.job_queued,
            JobStatus::Running => t.job_running,
            JobStatus::Done => t.job_done,
            JobStatus::Failed => t.job_failed,
        };
        let done = job.done.to_string();
        let total = job.total.to_string();
        Self {
            state,
            running: !job.status.is_finished(),
            failed: job.status == JobStatus::Failed,
            kind: kind_label(&job.kind, t),
            done: job.done,
            max: job.total.max(1),
            progress: fill(t.progress_text, &[("done", &done), ("total", &total)]),
            stage: (job.status == JobStatus::Running).then(|| stage_label(&job.note, t)),
            problem: job.error.as_deref().map(|e| problem_text(e, t)),
        }
    }
}

/// The last full sync (backfill or regular check).
#[derive(Serialize)]
struct LastRun {
    kind: &'static str,
    started: Option<Moment>,
    finished: Option<Moment>,
    ok: bool,
    counts: Vec<(&'static str, i64)>,
    problem: Option<&'static str>,
}

impl LastRun {
    fn new(s: &SyncStatusView, t: &'static ToolStrings, lang: Lang) -> Option<Self> {
        let finished = s.last_finished_at?;
        let ok = s.last_result.as_deref() != Some("failed");
        Some(Self {
            kind: kind_label(s.last_kind.as_deref().unwrap_or_default(), t),
            started: s.last_started_at.map(|m| Moment::of(m, lang)),
            finished: Some(Moment::of(finished, lang)),
            ok,
            counts: vec![
                (t.count_meetings, s.meetings),
                (t.count_webinars, s.webinars),
                (t.count_recordings, s.recordings),
                (t.count_removed, s.removed),
            ],
            problem: s
                .last_error
                .as_deref()
                .filter(|_| !ok)
                .map(|e| problem_text(e, t)),
        })
    }
}

/// `sync.html.j2`.
#[derive(Serialize)]
struct SyncView {
    notice: Option<&'static str>,
    connected: bool,
    job: Option<JobLine>,
    last: Option<LastRun>,
    next: Option<Moment>,
}

fn kind_label(kind: &str, t: &'static ToolStrings) -> &'static str {
    match SyncKind::parse(kind) {
        Some(SyncKind::Backfill) | None => t.kind_backfill,
        Some(SyncKind::Reconcile) => t.kind_reconcile,
        Some(SyncKind::OneMeeting) => t.kind_meeting,
        Some(SyncKind::Recordings) => t.kind_recordings,
    }
}

/// The step a running job reported (its progress note, set by the sync engine).
fn stage_label(note: &str, t: &'static ToolStrings) -> &'static str {
    match note {
        "listing users" => t.stage_users,
        "listing meetings" => t.stage_meetings,
        "reading meeting details" => t.stage_details,
        "storing meetings" => t.stage_storing_meetings,
        "listing recordings" => t.stage_recordings,
        "storing recordings" => t.stage_storing_recordings,
        "done" => t.stage_done,
        _ => t.stage_working,
    }
}

/// A stored sync error in plain words (the Overview says it too).
pub(super) fn problem_text(message: &str, t: &'static ToolStrings) -> &'static str {
    match SyncProblem::of(message) {
        SyncProblem::ZoomUnavailable => t.problem_zoom_unavailable,
        SyncProblem::RateLimited => t.problem_rate_limited,
        SyncProblem::NeedsReconnect => t.problem_needs_reconnect,
        SyncProblem::NotConnected => t.problem_not_connected,
        SyncProblem::ZoomRefused => t.problem_zoom_refused,
        SyncProblem::Other => t.problem_other,
    }
}

#[derive(Deserialize)]
pub struct SyncQuery {
    queued: Option<String>,
}

/// `GET /admin/sync[?queued=new|already]`.
#[handler]
pub async fn show(ui: Ui<'_>, jar: &CookieJar, q: Query<SyncQuery>) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    let t = panel.strings().tools;
    let notice = match q.0.queued.as_deref() {
        Some("new") => Some(t.sync_queued),
        Some("already") => Some(t.sync_already),
        _ => None,
    };
    match gather(&panel, notice).await {
        Ok(view) => panel.render(StatusCode::OK, Section::Sync, "admin/sync.html.j2", view),
        Err(e) => ui.failure(e),
    }
}

async fn gather(panel: &Panel<'_>, notice: Option<&'static str>) -> Result<SyncView, ServiceError> {
    let (s, owner, lang) = (panel.ui.s, panel.principal(), panel.ui.lang);
    let t = panel.strings().tools;
    let connection = s.connect().status(owner).await?;
    let mut status = s.sync().status(owner).await?;
    Ok(SyncView {
        notice,
        connected: connection.connected,
        last: LastRun::new(&status, t, lang),
        next: status.next_reconcile_at.map(|m| Moment::of(m, lang)),
        job: status.current_job.take().map(|j| JobLine::new(j, t)),
    })
}

/// `POST /admin/sync`: the Sync now button. Back to the page, which says whether this press
/// queued the sync or found one already waiting or running.
#[handler]
pub async fn start(ui: Ui<'_>, jar: &CookieJar, form: Form<CsrfForm>) -> Response {
    let owner = match checked_owner(&ui, jar, form.0.token()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    match ui.s.sync().request(&owner).await {
        Ok(q) if q.already_pending => see_other("/admin/sync?queued=already"),
        Ok(_) => see_other("/admin/sync?queued=new"),
        Err(e) => ui.failure(e),
    }
}

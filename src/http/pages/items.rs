//! "Meetings" and "Recordings": paged lists (cursor `after`, `limit`) of everything Marquee
//! synced, hidden items included and marked, with a search by topic and a hide/show switch per
//! row (a small form: POST with the CSRF token, then back to the same page of the list).

use poem::http::StatusCode;
use poem::web::cookie::CookieJar;
use poem::web::{Form, Query};
use poem::{Response, handler};
use serde::{Deserialize, Serialize};

use super::layout::{Panel, Section};
use super::session::checked_owner;
use super::{Ui, see_other};
use crate::domain::Meeting;
use crate::domain::meeting::{Schedule, SyncedMeeting};
use crate::domain::public::Recording;
use crate::domain::site::Lang;
use crate::http::html::{When, safe_link};
use crate::i18n::panel::PanelStrings;
use crate::service::meetings::MeetingSearch;
use crate::service::settings::VisibleItem;
use crate::service::{ServiceError, paging};

/// Rows per page unless the address says `limit`.
const PAGE_SIZE: i64 = 25;

/// Which page of a list: `?when=upcoming|past&q=…&after=…&limit=…`.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    when: Option<String>,
    q: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
    /// Back from the New-meeting form: "Meeting created".
    created: Option<String>,
    /// Back from deleting one: "Meeting deleted".
    deleted: Option<String>,
    /// Back from the Edit form: "Meeting updated".
    updated: Option<String>,
}

impl ListQuery {
    fn schedule(&self) -> Schedule {
        match self.when.as_deref() {
            Some("past") => Schedule::Past,
            _ => Schedule::Upcoming,
        }
    }

    fn search(&self) -> MeetingSearch {
        MeetingSearch {
            schedule: self.schedule(),
            topic: self.q.clone().unwrap_or_default(),
            after: self.after.clone().filter(|a| !a.is_empty()),
            limit: self.limit.unwrap_or(PAGE_SIZE).clamp(1, paging::MAX_LIMIT),
        }
    }
}

fn schedule_name(schedule: Schedule) -> &'static str {
    match schedule {
        Schedule::Upcoming => "upcoming",
        Schedule::Past => "past",
    }
}

/// The address of a page of the list at `path`.
fn list_url(
    path: &str,
    schedule: Option<Schedule>,
    search: &MeetingSearch,
    after: Option<&str>,
) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if let Some(schedule) = schedule {
        q.append_pair("when", schedule_name(schedule));
    }
    if !search.topic.trim().is_empty() {
        q.append_pair("q", search.topic.trim());
    }
    if let Some(after) = after {
        q.append_pair("after", after);
    }
    if search.limit != PAGE_SIZE {
        q.append_pair("limit", &search.limit.to_string());
    }
    let query = q.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Where the list is: what the search form, the row forms and the pager keep.
#[derive(Serialize)]
struct ListState {
    path: &'static str,
    schedule: Option<&'static str>,
    topic: String,
    after: String,
    next_url: Option<String>,
    first_url: String,
}

impl ListState {
    fn new(
        section: Section,
        schedule: Option<Schedule>,
        search: &MeetingSearch,
        next_after: Option<&str>,
    ) -> Self {
        let path = section.path();
        Self {
            path,
            schedule: schedule.map(schedule_name),
            topic: search.topic.trim().to_owned(),
            after: search.after.clone().unwrap_or_default(),
            next_url: next_after.map(|next| list_url(path, schedule, search, Some(next))),
            first_url: list_url(path, schedule, search, None),
        }
    }
}

#[derive(Serialize)]
struct Tab {
    href: String,
    label: &'static str,
    current: bool,
}

#[derive(Serialize)]
struct MeetingLine {
    id: i64,
    topic: String,
    webinar: bool,
    hidden: bool,
    when: Option<When>,
    next: Vec<When>,
    registration: &'static str,
    registration_on: bool,
    registrants: i64,
}

impl MeetingLine {
    fn new(m: SyncedMeeting, site_registration: bool, t: &PanelStrings, lang: Lang) -> Self {
        let meeting = &m.meeting;
        let zone = meeting.timezone.as_str();
        let next: Vec<When> = m
            .next_occurrences
            .iter()
            .map(|o| When::new(o.start_time, o.duration_minutes, zone, lang))
            .collect();
        let when = m
            .list_time
            .filter(|_| next.is_empty())
            .map(|start| When::new(start, meeting.duration_minutes, zone, lang));
        Self {
            registration: registration_state(meeting, site_registration, t),
            registration_on: meeting.registration_open(),
            id: meeting.zoom_meeting_id,
            topic: meeting.topic.clone(),
            webinar: m.webinar,
            hidden: meeting.hidden,
            when,
            next,
            registrants: m.registrants,
        }
    }
}

fn registration_state(m: &Meeting, site_registration: bool, t: &PanelStrings) -> &'static str {
    match (m.registration_open(), site_registration, m.approval_type) {
        (false, _, _) => t.registration_none,
        (true, false, _) => t.registration_closed_here,
        (true, true, 1) => t.registration_manual,
        (true, true, _) => t.registration_automatic,
    }
}

/// `meetings.html.j2`.
#[derive(Serialize)]
struct MeetingsView {
    caption: &'static str,
    tabs: Vec<Tab>,
    list: ListState,
    items: Vec<MeetingLine>,
    created: bool,
    deleted: bool,
    updated: bool,
    /// Upcoming meetings can be started from their row.
    startable: bool,
}

/// Back from a meeting's form: what was done.
#[derive(Clone, Copy)]
struct Notices {
    created: bool,
    deleted: bool,
    updated: bool,
}

/// `GET /admin/meetings`: the site's meetings and webinars, upcoming or past.
#[handler]
pub async fn meetings(ui: Ui<'_>, jar: &CookieJar, q: Query<ListQuery>) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    let notices = Notices {
        created: q.0.created.is_some(),
        deleted: q.0.deleted.is_some(),
        updated: q.0.updated.is_some(),
    };
    match meetings_view(&panel, &q.0.search(), notices).await {
        Ok(view) => panel.render(
            StatusCode::OK,
            Section::Meetings,
            "admin/meetings.html.j2",
            view,
        ),
        Err(e) => ui.failure(e),
    }
}

async fn meetings_view(
    panel: &Panel<'_>,
    search: &MeetingSearch,
    notices: Notices,
) -> Result<MeetingsView, ServiceError> {
    let (s, owner, t) = (panel.ui.s, panel.principal(), panel.strings());
    let site_registration = s.settings().get(owner).await?.registration_open;
    let found = s.meetings().list(owner, search).await?;
    let schedule = Some(search.schedule);
    let tab = |which: Schedule, label| {
        let fresh = MeetingSearch {
            schedule: which,
            after: None,
            ..search.clone()
        };
        Tab {
            href: list_url(Section::Meetings.path(), Some(which), &fresh, None),
            label,
            current: which == search.schedule,
        }
    };
    Ok(MeetingsView {
        caption: t.meetings_caption,
        tabs: vec![
            tab(Schedule::Upcoming, t.upcoming),
            tab(Schedule::Past, t.past),
        ],
        list: ListState::new(
            Section::Meetings,
            schedule,
            search,
            found.next_after.as_deref(),
        ),
        items: found
            .items
            .into_iter()
            .map(|m| MeetingLine::new(m, site_registration, t, panel.ui.lang))
            .collect(),
        created: notices.created,
        deleted: notices.deleted,
        updated: notices.updated,
        startable: search.schedule == Schedule::Upcoming,
    })
}

#[derive(Serialize)]
struct RecordingLine {
    id: String,
    topic: String,
    hidden: bool,
    when: When,
    duration_minutes: i32,
    has_passcode: bool,
    share_url: Option<String>,
}

impl RecordingLine {
    fn new(r: Recording, lang: Lang) -> Self {
        Self {
            when: When::new(r.start_time, r.duration_minutes, &r.timezone, lang),
            share_url: safe_link(&r.share_url),
            has_passcode: !r.play_passcode.is_empty(),
            duration_minutes: r.duration_minutes,
            hidden: r.hidden,
            topic: r.topic,
            id: r.zoom_meeting_uuid,
        }
    }
}

/// `recordings.html.j2`.
#[derive(Serialize)]
struct RecordingsView {
    caption: &'static str,
    tabs: Vec<Tab>,
    list: ListState,
    items: Vec<RecordingLine>,
}

/// `GET /admin/recordings`: the site's recordings, newest first.
#[handler]
pub async fn recordings(ui: Ui<'_>, jar: &CookieJar, q: Query<ListQuery>) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    let search = q.0.search();
    match ui.s.meetings().recordings(panel.principal(), &search).await {
        Ok(found) => {
            let view = RecordingsView {
                caption: panel.strings().recordings_caption,
                tabs: Vec::new(),
                list: ListState::new(
                    Section::Recordings,
                    None,
                    &search,
                    found.next_after.as_deref(),
                ),
                items: found
                    .items
                    .into_iter()
                    .map(|r| RecordingLine::new(r, ui.lang))
                    .collect(),
            };
            panel.render(
                StatusCode::OK,
                Section::Recordings,
                "admin/recordings.html.j2",
                view,
            )
        }
        Err(e) => ui.failure(e),
    }
}

/// A row's hide/show switch, and where in the list it was pressed.
#[derive(Debug, Deserialize)]
pub struct VisibilityForm {
    csrf_token: Option<String>,
    meeting_id: Option<String>,
    recording_id: Option<String>,
    hidden: Option<String>,
    when: Option<String>,
    q: Option<String>,
    after: Option<String>,
}

impl VisibilityForm {
    /// The page of the list the switch was pressed on.
    /// `upcoming_or_past`: the list has those two tabs (meetings do, recordings do not).
    fn back_to(&self, section: Section, upcoming_or_past: bool) -> String {
        let list = ListQuery {
            when: self.when.clone(),
            q: self.q.clone(),
            after: self.after.clone(),
            limit: None,
            ..ListQuery::default()
        };
        let search = list.search();
        let schedule = upcoming_or_past.then(|| list.schedule());
        list_url(section.path(), schedule, &search, search.after.as_deref())
    }
}

/// `POST /admin/meetings/visibility`: hides or shows one meeting, then back to the list.
#[handler]
pub async fn set_meeting_visibility(
    ui: Ui<'_>,
    jar: &CookieJar,
    form: Form<VisibilityForm>,
) -> Response {
    let form = form.0;
    // Not a meeting number: no such meeting (the same 404 as another site's).
    let item = form
        .meeting_id
        .as_deref()
        .and_then(|id| id.trim().parse().ok())
        .map(VisibleItem::Meeting);
    let list = form.back_to(Section::Meetings, true);
    let back = match &item {
        Some(VisibleItem::Meeting(id)) => format!("{list}#m-{id}"),
        _ => list,
    };
    set_visibility(&ui, jar, &form, item, back).await
}

/// `POST /admin/recordings/visibility`: hides or shows one recording, then back to the list.
/// (Recording ids are Zoom's uuids, which may hold `/`: a form field, not a path segment.)
#[handler]
pub async fn set_recording_visibility(
    ui: Ui<'_>,
    jar: &CookieJar,
    form: Form<VisibilityForm>,
) -> Response {
    let form = form.0;
    let item = form.recording_id.clone().map(VisibleItem::Recording);
    let back = form.back_to(Section::Recordings, false);
    set_visibility(&ui, jar, &form, item, back).await
}

async fn set_visibility(
    ui: &Ui<'_>,
    jar: &CookieJar,
    form: &VisibilityForm,
    item: Option<VisibleItem>,
    back: String,
) -> Response {
    let owner = match checked_owner(ui, jar, form.csrf_token.as_deref()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    let Some(item) = item else {
        return ui.failure(ServiceError::NotFound("item"));
    };
    let hidden = form.hidden.as_deref() == Some("true");
    match ui.s.settings().set_hidden(&owner, item, hidden).await {
        Ok(()) => see_other(back),
        Err(e) => ui.failure(e),
    }
}

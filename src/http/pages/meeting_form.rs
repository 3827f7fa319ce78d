//! "New meeting", "Edit meeting" and "Start meeting": the owner schedules or changes a
//! meeting at Zoom from the panel through the same service and checks as the admin API's
//! `create_meeting` and `update_meeting` (the form is only turned into a `MeetingRequest` or
//! `ChangeRequest`), and starts one with a fresh `start_url` that is never rendered or logged.
//! A refused form is shown again as typed, the problem next to its field, and nothing is
//! created or changed; a double submit of New replays the first answer (the form's hidden
//! idempotency key, as on the visitors' registration form). The Edit form opens with the
//! meeting as Zoom has it now, and changes either the whole meeting or one of its dates.

use minijinja::HtmlEscape;
use poem::http::{StatusCode, header};
use poem::web::cookie::CookieJar;
use poem::web::{Form, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde::{Deserialize, Serialize};

use self::form::{MeetingForm, QuestionRow};
use super::layout::{Panel, Section};
use super::session::checked_owner;
use super::{Ui, see_other};
use crate::domain::Principal;
use crate::domain::public::STANDARD_FIELDS;
use crate::domain::status::MeetingKind;
use crate::http::error::Problem;
use crate::http::html::{self, When};
use crate::i18n::panel::{self, MeetingFormStrings};
use crate::service::ServiceError;
use crate::service::meetings::{EditableMeeting, HostChoice};

mod form;

/// The form's hidden idempotency key (see `http::idempotency::FormKey`).
pub const FORM_KEY_FIELD: &str = "idempotency_key";
/// Where the form is, and where it posts.
const FORM_PATH: &str = "/admin/meetings/new";

/// The form field a refused path of the request names; a custom question's path counts only
/// the questions sent (`rows`: the form row of each).
fn form_field(path: &str, rows: &[usize]) -> String {
    if let Some(rest) = path.strip_prefix("questions[") {
        let (index, what) = rest.split_once("].").unwrap_or((rest, ""));
        let row = index
            .parse::<usize>()
            .ok()
            .and_then(|i| rows.get(i).copied());
        let input = if what == "title" { "title" } else { "answers" };
        return format!("q{}_{input}", row.unwrap_or(0));
    }
    if path.starts_with("standard_questions") {
        return "questions".to_owned();
    }
    fixed_field(path).to_owned()
}

fn fixed_field(path: &str) -> &'static str {
    match path {
        "topic" => "topic",
        "agenda" => "agenda",
        "start_time" => "date",
        "timezone" => "timezone",
        "duration" => "duration",
        "recurrence.interval" => "interval",
        "recurrence.weekly_days" => "weekly_days",
        "recurrence.end_times" | "recurrence.end_date_time" => "end",
        p if p.starts_with("recurrence") => "repeat",
        "registration" => "registration",
        "questions" => "questions",
        "passcode" | "default_passcode" => "passcode",
        "host" => "host",
        "occurrence_id" => "date",
        _ => "waiting_room",
    }
}

/// The message next to `field`.
fn field_message(field: &str, t: &'static MeetingFormStrings) -> &'static str {
    if field.starts_with('q') && field.ends_with("_title") {
        return t.error_question_title;
    }
    if field.starts_with('q') && field.ends_with("_answers") {
        return t.error_question_answers;
    }
    match field {
        "topic" => t.error_topic,
        "agenda" => t.error_agenda,
        "date" => t.error_date,
        "timezone" => t.error_timezone,
        "duration" => t.error_duration,
        "interval" => t.error_interval,
        "weekly_days" => t.error_weekly_days,
        "end" => t.error_end,
        "repeat" => t.error_repeat,
        "registration" => t.error_registration,
        "passcode" => t.error_passcode,
        "host" => t.error_host,
        "questions" => t.error_questions,
        _ => t.error_waiting_room,
    }
}

/// A refused field: which, and what to do.
#[derive(Serialize)]
struct FieldError {
    field: String,
    message: &'static str,
}

impl FieldError {
    /// The form's field for the refused request path `path`.
    fn of(path: &str, form: &MeetingForm, t: &'static MeetingFormStrings) -> Self {
        let (_, rows) = form.typed_questions();
        let field = form_field(path, &rows);
        let message = field_message(&field, t);
        Self { field, message }
    }
}

/// A standard registration field and whether it is asked.
#[derive(Serialize)]
struct StandardRow {
    name: String,
    label: &'static str,
    value: String,
}

/// The hosts to choose from (New, account-level connections), or why there are none.
#[derive(Default, Serialize)]
struct HostsView {
    choices: Vec<HostChoiceView>,
    /// Zoom's list of users could not be read: the meeting is for the connected user.
    unavailable: bool,
}

#[derive(Serialize)]
struct HostChoiceView {
    value: String,
    label: String,
}

impl HostsView {
    fn of(found: Result<Vec<HostChoice>, ServiceError>) -> Self {
        match found {
            Ok(hosts) => Self {
                choices: hosts
                    .into_iter()
                    .map(|h| HostChoiceView {
                        label: format!("{} ({})", h.name, h.email),
                        value: h.id,
                    })
                    .collect(),
                unavailable: false,
            },
            Err(_) => Self {
                choices: Vec::new(),
                unavailable: true,
            },
        }
    }
}

/// A date of the series on the Edit page, with the link that changes only it.
#[derive(Serialize)]
struct OccurrenceLink {
    href: String,
    when: When,
}

/// Which form the page shows: New (with its hosts), Edit of the whole meeting (with its
/// dates), or Edit of one date.
enum FormKind {
    New(HostsView),
    Edit {
        id: i64,
        occurrences: Vec<OccurrenceLink>,
    },
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct Weekday {
    name: String,
    label: &'static str,
    on: bool,
}

/// `meeting_form.html.j2`.
#[derive(Serialize)]
struct MeetingFormView<'a> {
    form: &'a MeetingForm,
    /// Where the form posts.
    action: String,
    editing: bool,
    /// Only one date of the series: day, time and duration.
    occurrence: bool,
    hosts: Option<HostsView>,
    occurrences: Vec<OccurrenceLink>,
    error: Option<FieldError>,
    zones: Vec<&'static str>,
    repeats: [Choice; 4],
    registrations: [Choice; 3],
    weekdays: Vec<Weekday>,
    standard: Vec<StandardRow>,
    standard_choices: [Choice; 3],
    question_rows: Vec<QuestionRow>,
}

fn page(
    panel: &Panel<'_>,
    status: StatusCode,
    form: &MeetingForm,
    kind: FormKind,
    error: Option<&str>,
) -> Response {
    let t = panel.strings().meeting_form;
    let occurrence = form.for_occurrence().is_some();
    let (action, hosts, occurrences, title) = match kind {
        FormKind::New(hosts) => (FORM_PATH.to_owned(), Some(hosts), Vec::new(), t.heading),
        FormKind::Edit { id, occurrences } => (
            edit_path(id),
            None,
            occurrences,
            if occurrence {
                t.occurrence_heading
            } else {
                t.edit_heading
            },
        ),
    };
    let lang = panel.ui.lang;
    let view = MeetingFormView {
        form,
        editing: action != FORM_PATH,
        action,
        occurrence,
        hosts,
        occurrences,
        error: error.map(|path| FieldError::of(path, form, t)),
        standard: STANDARD_FIELDS
            .iter()
            .map(|field| StandardRow {
                name: format!("std_{field}"),
                label: crate::i18n::field_label(lang, field),
                value: form.asked(&format!("std_{field}")).to_owned(),
            })
            .collect(),
        standard_choices: [
            Choice {
                value: "",
                label: t.standard_not_asked,
            },
            Choice {
                value: "optional",
                label: t.standard_optional,
            },
            Choice {
                value: "required",
                label: t.standard_required,
            },
        ],
        question_rows: form.question_rows(),
        zones: chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect(),
        repeats: [
            Choice {
                value: "none",
                label: t.repeat_none,
            },
            Choice {
                value: "daily",
                label: t.repeat_daily,
            },
            Choice {
                value: "weekly",
                label: t.repeat_weekly,
            },
            Choice {
                value: "monthly",
                label: t.repeat_monthly,
            },
        ],
        registrations: [
            Choice {
                value: "none",
                label: t.registration_none,
            },
            Choice {
                value: "automatic",
                label: t.registration_automatic,
            },
            Choice {
                value: "manual",
                label: t.registration_manual,
            },
        ],
        weekdays: (1..)
            .zip(form.days().into_iter().zip(t.weekdays))
            .map(|(day, (ticked, label))| Weekday {
                name: format!("day_{day}"),
                label,
                on: ticked.is_some(),
            })
            .collect(),
    };
    panel.render_titled(
        status,
        Section::Meetings,
        title,
        "admin/meeting_form.html.j2",
        view,
    )
}

fn edit_path(id: i64) -> String {
    format!("{}/{id}/edit", Section::Meetings.path())
}

/// The New form's hosts: the account's users, or a note when Zoom cannot list them now.
async fn new_form(panel: &Panel<'_>) -> FormKind {
    let found = panel.ui.s.meetings().hosts(panel.principal()).await;
    FormKind::New(HostsView::of(found))
}

/// `GET /admin/meetings/new`: the empty form, with a fresh idempotency key.
#[handler]
pub async fn new_meeting(ui: Ui<'_>, jar: &CookieJar) -> Response {
    match Panel::open(ui, jar).await {
        Ok(panel) => {
            let kind = new_form(&panel).await;
            page(&panel, StatusCode::OK, &MeetingForm::fresh(), kind, None)
        }
        Err(page) => page,
    }
}

/// `POST /admin/meetings/new`: creates the meeting at Zoom, then back to the Meetings list
/// ("Meeting created"), or the form again with what to fix.
#[handler]
pub async fn create_meeting(ui: Ui<'_>, jar: &CookieJar, form: Form<MeetingForm>) -> Response {
    let form = form.0;
    let owner = match checked_owner(&ui, jar, form.csrf_token.as_deref()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    let created =
        ui.s.meetings()
            .create(&owner, MeetingKind::Meeting, form.request())
            .await;
    match created {
        Ok(_) => see_other(format!("{}?created=1", Section::Meetings.path())),
        Err(ServiceError::Invalid { field, .. }) => match Panel::open(ui, jar).await {
            Ok(panel) => {
                let kind = new_form(&panel).await;
                page(&panel, StatusCode::BAD_REQUEST, &form, kind, Some(&field))
            }
            Err(page) => page,
        },
        Err(e) => ui.failure(e),
    }
}

/// `?occurrence=…`: the Edit form of one date of the series.
#[derive(Debug, Default, Deserialize)]
pub struct EditQuery {
    occurrence: Option<String>,
}

/// `GET /admin/meetings/{id}/edit[?occurrence=…]`: the meeting (or one of its dates) as Zoom
/// has it now, ready to change; a recurring meeting's page lists its dates, each with a link
/// that changes only it.
#[handler]
pub async fn edit_meeting(
    ui: Ui<'_>,
    jar: &CookieJar,
    id: Path<String>,
    q: Query<EditQuery>,
) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    let found = match meeting_id(&id.0) {
        Ok(id) => {
            ui.s.meetings()
                .editable(panel.principal(), MeetingKind::Meeting, id)
                .await
        }
        Err(e) => Err(e),
    };
    let meeting = match found {
        Ok(meeting) => meeting,
        Err(e) => return ui.failure(e),
    };
    let form = match q.0.occurrence.as_deref().filter(|o| !o.is_empty()) {
        Some(occurrence) => match MeetingForm::of_occurrence(&meeting, occurrence) {
            Some(form) => form,
            None => return ui.failure(ServiceError::NotFound("occurrence")),
        },
        None => MeetingForm::of_meeting(&meeting),
    };
    let kind = FormKind::Edit {
        id: meeting.owned.meeting.zoom_meeting_id,
        occurrences: occurrence_links(&panel, &meeting, &form),
    };
    page(&panel, StatusCode::OK, &form, kind, None)
}

/// The dates of a recurring meeting, each with the link that changes only it (none on the
/// form of one date).
fn occurrence_links(
    panel: &Panel<'_>,
    m: &EditableMeeting,
    form: &MeetingForm,
) -> Vec<OccurrenceLink> {
    if form.for_occurrence().is_some() {
        return Vec::new();
    }
    let meeting = &m.owned.meeting;
    let path = edit_path(meeting.zoom_meeting_id);
    m.owned
        .occurrences
        .iter()
        .map(|o| OccurrenceLink {
            href: format!("{path}?occurrence={}", o.occurrence_id),
            when: When::new(
                o.start_time,
                o.duration_minutes,
                &meeting.timezone,
                panel.ui.lang,
            ),
        })
        .collect()
}

/// `POST /admin/meetings/{id}/edit`: changes the meeting (or the one date) at Zoom through
/// the admin API's update, then back to the list ("Meeting updated"), or the form again with
/// what to fix and nothing changed.
#[handler]
pub async fn update_meeting(
    ui: Ui<'_>,
    jar: &CookieJar,
    id: Path<String>,
    form: Form<MeetingForm>,
) -> Response {
    let form = form.0;
    let owner = match checked_owner(&ui, jar, form.csrf_token.as_deref()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    let id = match meeting_id(&id.0) {
        Ok(id) => id,
        Err(e) => return ui.failure(e),
    };
    let updated =
        ui.s.meetings()
            .update(
                &owner,
                MeetingKind::Meeting,
                id,
                form.for_occurrence(),
                form.change(),
            )
            .await;
    match updated {
        Ok(_) => see_other(format!("{}?updated=1", Section::Meetings.path())),
        Err(ServiceError::Invalid { field, .. }) => match Panel::open(ui, jar).await {
            Ok(panel) => {
                let kind = FormKind::Edit {
                    id,
                    occurrences: Vec::new(),
                };
                page(&panel, StatusCode::BAD_REQUEST, &form, kind, Some(&field))
            }
            Err(page) => page,
        },
        Err(e) => ui.failure(e),
    }
}

/// The Start button's form, and the Delete confirmation's (`confirm=yes`).
#[derive(Debug, Deserialize)]
pub struct MeetingAction {
    csrf_token: Option<String>,
    confirm: Option<String>,
}

/// A meeting number from the path; anything else is no such meeting (the same 404 as another
/// site's).
fn meeting_id(raw: &str) -> Result<i64, ServiceError> {
    raw.trim()
        .parse()
        .map_err(|_| ServiceError::NotFound(MeetingKind::Meeting.as_str()))
}

/// The owner of a meeting button's form (its CSRF token checked) and the meeting's number, or
/// the page to show instead.
async fn owner_and_meeting(
    ui: &Ui<'_>,
    jar: &CookieJar,
    form: &MeetingAction,
    id: &str,
) -> Result<(Principal, i64), Response> {
    let owner = checked_owner(ui, jar, form.csrf_token.as_deref()).await?;
    let id = meeting_id(id).map_err(|e| ui.failure(e))?;
    Ok((owner, id))
}

/// `POST /admin/meetings/{id}/start`: to Zoom as the host, with a `start_url` fetched now.
#[handler]
pub async fn start_meeting(
    ui: Ui<'_>,
    jar: &CookieJar,
    id: Path<String>,
    form: Form<MeetingAction>,
) -> Response {
    start(ui, jar, &id.0, &form.0, MeetingKind::Meeting).await
}

/// `POST /admin/webinars/{id}/start`: the same for a webinar.
#[handler]
pub async fn start_webinar(
    ui: Ui<'_>,
    jar: &CookieJar,
    id: Path<String>,
    form: Form<MeetingAction>,
) -> Response {
    start(ui, jar, &id.0, &form.0, MeetingKind::Webinar).await
}

/// `no-store`: the redirect logs anyone in as the host, so no cache keeps it.
async fn start(
    ui: Ui<'_>,
    jar: &CookieJar,
    id: &str,
    form: &MeetingAction,
    kind: MeetingKind,
) -> Response {
    let (owner, id) = match owner_and_meeting(&ui, jar, form, id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match ui.s.meetings().start_url(&owner, kind, id).await {
        Ok(url) => {
            let mut resp = see_other(url.as_str());
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            resp
        }
        Err(e) => ui.failure(e),
    }
}

/// `delete_meeting.html.j2`.
#[derive(Serialize)]
struct DeleteView {
    id: i64,
    topic: String,
}

/// `GET /admin/meetings/{id}/delete`: what deleting means, and the button that does it.
#[handler]
pub async fn confirm_delete(ui: Ui<'_>, jar: &CookieJar, id: Path<String>) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    let found = match meeting_id(&id.0) {
        Ok(id) => {
            ui.s.meetings()
                .get(panel.principal(), MeetingKind::Meeting, id)
                .await
        }
        Err(e) => Err(e),
    };
    match found {
        Ok(owned) => panel.render_titled(
            StatusCode::OK,
            Section::Meetings,
            panel.strings().meeting_form.delete_title,
            "admin/delete_meeting.html.j2",
            DeleteView {
                id: owned.meeting.zoom_meeting_id,
                topic: owned.meeting.topic,
            },
        ),
        Err(e) => ui.failure(e),
    }
}

/// `POST /admin/meetings/{id}/delete`: the confirmation's button deletes the meeting at Zoom,
/// then back to the list ("Meeting deleted"). Without `confirm=yes` it only asks.
#[handler]
pub async fn delete_meeting(
    ui: Ui<'_>,
    jar: &CookieJar,
    id: Path<String>,
    form: Form<MeetingAction>,
) -> Response {
    let (owner, id) = match owner_and_meeting(&ui, jar, &form.0, &id.0).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if form.0.confirm.as_deref() != Some("yes") {
        return see_other(format!("{}/{id}/delete", Section::Meetings.path()));
    }
    match ui
        .s
        .meetings()
        .delete(&owner, MeetingKind::Meeting, id, None)
        .await
    {
        Ok(()) => see_other(format!("{}?deleted=1", Section::Meetings.path())),
        Err(e) => ui.failure(e),
    }
}

/// A refusal of the form's idempotency key (reused with another form, or still running),
/// shown as a plain page in English: it comes before the owner's language is known.
pub fn refusal_page(problem: Problem) -> Response {
    let t = panel::strings(crate::domain::site::Lang::En);
    let title = match problem.retry_after {
        Some(_) => t.failed_try_later,
        None => t.failed,
    };
    let body = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title><main><h1>{title}</h1><p>{}</p><p><a href=\"{FORM_PATH}\">{}</a></p></main>",
        HtmlEscape(&problem.message),
        t.back_to_panel,
    );
    let mut resp = html::response(
        problem.status,
        body,
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
    problem.set_retry_after(&mut resp);
    resp.into_response()
}

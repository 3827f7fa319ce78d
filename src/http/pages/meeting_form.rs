//! "New meeting" and "Start meeting": the owner schedules a meeting at Zoom from the panel
//! through the same service and checks as the admin API's `create_meeting` (the form is only
//! turned into a `MeetingRequest`), and starts one with a fresh `start_url` that is never
//! rendered or logged. A refused form is shown again as typed, the problem next to its field,
//! and nothing is created; a double submit replays the first answer (the form's hidden
//! idempotency key, as on the visitors' registration form).

use chrono::NaiveDate;
use minijinja::HtmlEscape;
use poem::http::{StatusCode, header};
use poem::web::cookie::CookieJar;
use poem::web::{Form, Path};
use poem::{IntoResponse, Response, handler};
use serde::{Deserialize, Serialize};

use super::layout::{Panel, Section};
use super::session::checked_owner;
use super::{Ui, see_other};
use crate::crypto::random_token;
use crate::domain::Principal;
use crate::domain::meeting_plan::{Approval, MeetingRequest, RecurrenceRequest, Repeat};
use crate::domain::status::MeetingKind;
use crate::http::error::Problem;
use crate::http::html;
use crate::i18n::panel::{self, MeetingFormStrings};
use crate::service::ServiceError;

/// The form's hidden idempotency key (see `http::idempotency::FormKey`).
pub const FORM_KEY_FIELD: &str = "idempotency_key";
/// Where the form is, and where it posts.
const FORM_PATH: &str = "/admin/meetings/new";
const DEFAULT_ZONE: &str = "UTC";
const DEFAULT_DURATION: &str = "60";

/// The form as posted (unticked boxes are not sent at all; the weekdays are one box each,
/// `day_1` = Sunday … `day_7`, as Zoom counts).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MeetingForm {
    #[serde(skip_serializing)]
    csrf_token: Option<String>,
    idempotency_key: String,
    topic: String,
    agenda: String,
    date: String,
    time: String,
    timezone: String,
    duration: String,
    repeat: String,
    interval: String,
    day_1: Option<String>,
    day_2: Option<String>,
    day_3: Option<String>,
    day_4: Option<String>,
    day_5: Option<String>,
    day_6: Option<String>,
    day_7: Option<String>,
    end_times: String,
    end_date: String,
    registration: String,
    passcode: String,
    waiting_room: Option<String>,
}

/// A number as typed; anything else is sent as `0`, which the service refuses for that field.
fn number(raw: &str) -> i32 {
    raw.trim().parse().unwrap_or(0)
}

fn optional_number(raw: &str) -> Option<i32> {
    Some(raw.trim()).filter(|r| !r.is_empty()).map(number)
}

fn optional_text(raw: &str) -> Option<String> {
    Some(raw.trim())
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
}

impl MeetingForm {
    fn fresh() -> Self {
        Self {
            idempotency_key: random_token(""),
            timezone: DEFAULT_ZONE.to_owned(),
            duration: DEFAULT_DURATION.to_owned(),
            repeat: "none".to_owned(),
            interval: "1".to_owned(),
            registration: "none".to_owned(),
            ..Self::default()
        }
    }

    fn days(&self) -> [&Option<String>; 7] {
        [
            &self.day_1,
            &self.day_2,
            &self.day_3,
            &self.day_4,
            &self.day_5,
            &self.day_6,
            &self.day_7,
        ]
    }

    /// The admin API's request, as the form says it; the service checks it.
    fn request(&self) -> MeetingRequest {
        MeetingRequest {
            topic: self.topic.clone(),
            agenda: optional_text(&self.agenda),
            start_time: format!("{}T{}:00", self.date.trim(), self.time.trim()),
            timezone: self.timezone.trim().to_owned(),
            duration: number(&self.duration),
            recurrence: self.recurrence(),
            registration: match self.registration.as_str() {
                "automatic" => Some(Approval::Automatic),
                "manual" => Some(Approval::Manual),
                _ => None,
            },
            waiting_room: Some(self.waiting_room.is_some()),
            passcode: optional_text(&self.passcode),
            ..MeetingRequest::default()
        }
    }

    fn recurrence(&self) -> Option<RecurrenceRequest> {
        let repeat = match self.repeat.as_str() {
            "daily" => Repeat::Daily,
            "weekly" => Repeat::Weekly,
            "monthly" => Repeat::Monthly,
            _ => return None,
        };
        let weekly_days = (1..)
            .zip(self.days())
            .filter(|(_, ticked)| ticked.is_some())
            .map(|(day, _)| day)
            .collect();
        // Monthly on the start date's day of the month.
        let monthly_day = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d")
            .ok()
            .filter(|_| repeat == Repeat::Monthly)
            .map(|d| chrono::Datelike::day(&d) as i32);
        Some(RecurrenceRequest {
            repeat: Some(repeat),
            interval: optional_number(&self.interval),
            weekly_days,
            monthly_day,
            end_date_time: optional_text(&self.end_date).map(|d| format!("{d}T23:59:00")),
            end_times: optional_number(&self.end_times),
            ..RecurrenceRequest::default()
        })
    }
}

/// The form field a refused path of the request names.
fn form_field(path: &str) -> &'static str {
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
        "registration" | "questions" => "registration",
        "passcode" | "default_passcode" => "passcode",
        _ => "waiting_room",
    }
}

/// The message next to `field`.
fn field_message(field: &str, t: &'static MeetingFormStrings) -> &'static str {
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
        _ => t.error_waiting_room,
    }
}

/// A refused field: which, and what to do.
#[derive(Serialize)]
struct FieldError {
    field: &'static str,
    message: &'static str,
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
    error: Option<FieldError>,
    zones: Vec<&'static str>,
    repeats: [Choice; 4],
    registrations: [Choice; 3],
    weekdays: Vec<Weekday>,
}

fn page(
    panel: &Panel<'_>,
    status: StatusCode,
    form: &MeetingForm,
    error: Option<&str>,
) -> Response {
    let t = panel.strings().meeting_form;
    let view = MeetingFormView {
        form,
        error: error.map(|field| {
            let field = form_field(field);
            FieldError {
                field,
                message: field_message(field, t),
            }
        }),
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
        t.heading,
        "admin/meeting_form.html.j2",
        view,
    )
}

/// `GET /admin/meetings/new`: the empty form, with a fresh idempotency key.
#[handler]
pub async fn new_meeting(ui: Ui<'_>, jar: &CookieJar) -> Response {
    match Panel::open(ui, jar).await {
        Ok(panel) => page(&panel, StatusCode::OK, &MeetingForm::fresh(), None),
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
            Ok(panel) => page(&panel, StatusCode::BAD_REQUEST, &form, Some(&field)),
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
/// `no-store`: the redirect logs anyone in as the host, so no cache keeps it.
#[handler]
pub async fn start_meeting(
    ui: Ui<'_>,
    jar: &CookieJar,
    id: Path<String>,
    form: Form<MeetingAction>,
) -> Response {
    let (owner, id) = match owner_and_meeting(&ui, jar, &form.0, &id.0).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match ui
        .s
        .meetings()
        .start_url(&owner, MeetingKind::Meeting, id)
        .await
    {
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

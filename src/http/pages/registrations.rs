//! "Registrations": the site's registrations, newest first, all or one meeting's (the Meetings
//! list links here), filtered by status; approve / deny / cancel per row (a POST form with the
//! CSRF token, carried out at Zoom by `s.registrations().change_status`, then back to the same
//! page) and the same list as CSV. CSV cells that a spreadsheet would run as a formula are
//! defused with a leading `'` (OWASP "CSV injection").

use poem::http::StatusCode;
use poem::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use poem::web::cookie::CookieJar;
use poem::web::{Form, Query};
use poem::{IntoResponse, Response, handler};
use serde::{Deserialize, Serialize};

use super::layout::{Panel, Section};
use super::session::checked_owner;
use super::{Ui, see_other};
use crate::domain::Principal;
use crate::domain::public::{RegistrantAction, Registration, RegistrationStatus};
use crate::i18n::panel::PanelStrings;
use crate::service::paging;
use crate::service::registration::RegistrationFilter;
use crate::service::{ServiceError, Services};

/// Rows per page.
const PAGE_SIZE: i64 = 25;
/// The most rows one CSV export holds (pages of [`paging::MAX_LIMIT`]).
const MAX_EXPORT_PAGES: usize = 200;

/// Which registrations: `?meeting=…&status=…&after=…`. Unknown values mean "all".
#[derive(Debug, Default, Deserialize)]
pub struct RegistrationsQuery {
    meeting: Option<String>,
    status: Option<String>,
    after: Option<String>,
}

impl RegistrationsQuery {
    fn filter(&self) -> RegistrationFilter {
        RegistrationFilter {
            zoom_meeting_id: self.meeting.as_deref().and_then(|m| m.trim().parse().ok()),
            status: self.status.as_deref().and_then(RegistrationStatus::parse),
        }
    }

    fn after(&self) -> Option<&str> {
        self.after.as_deref().filter(|a| !a.is_empty())
    }
}

/// The query of a list page (or the export) for `filter`, starting after `after`.
fn query_of(filter: RegistrationFilter, after: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if let Some(id) = filter.zoom_meeting_id {
        q.append_pair("meeting", &id.to_string());
    }
    if let Some(status) = filter.status {
        q.append_pair("status", status.as_str());
    }
    if let Some(after) = after {
        q.append_pair("after", after);
    }
    let query = q.finish();
    if query.is_empty() {
        query
    } else {
        format!("?{query}")
    }
}

fn status_label(status: RegistrationStatus, t: &PanelStrings) -> &'static str {
    match status {
        RegistrationStatus::Approved => t.status_approved,
        RegistrationStatus::Pending => t.status_pending,
        RegistrationStatus::Denied => t.status_denied,
        RegistrationStatus::Cancelled => t.status_cancelled,
    }
}

fn action_label(action: RegistrantAction, t: &PanelStrings) -> &'static str {
    match action {
        RegistrantAction::Approve => t.approve,
        RegistrantAction::Deny => t.deny,
        RegistrantAction::Cancel => t.cancel_registration,
    }
}

#[derive(Serialize)]
struct ActionButton {
    action: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct RegistrationLine {
    id: String,
    meeting_id: i64,
    name: String,
    email: String,
    status: &'static str,
    status_label: &'static str,
    registered_iso: String,
    registered: String,
    actions: Vec<ActionButton>,
}

impl RegistrationLine {
    fn new(r: Registration, t: &PanelStrings) -> Self {
        // Buttons for pending and approved ones only: a denied or cancelled person registers
        // again if they still want to come.
        let open = matches!(
            r.status,
            RegistrationStatus::Pending | RegistrationStatus::Approved
        );
        let actions = RegistrantAction::ALL
            .iter()
            .filter(|a| open && a.applies_to(r.status))
            .map(|&a| ActionButton {
                action: a.as_str(),
                label: action_label(a, t),
            })
            .collect();
        let at = r.created_at.and_utc();
        Self {
            name: format!("{} {}", r.first_name, r.last_name),
            status: r.status.as_str(),
            status_label: status_label(r.status, t),
            registered_iso: at.to_rfc3339(),
            registered: at.format("%Y-%m-%d %H:%M UTC").to_string(),
            actions,
            id: r.id,
            meeting_id: r.zoom_meeting_id,
            email: r.email,
        }
    }
}

#[derive(Serialize)]
struct StatusChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// `registrations.html.j2`.
#[derive(Serialize)]
struct RegistrationsView {
    meeting: Option<i64>,
    statuses: Vec<StatusChoice>,
    /// The current page's query, kept by the row forms to come back here.
    status: &'static str,
    csv_url: String,
    list: Pager,
    items: Vec<RegistrationLine>,
}

/// What `pager.html.j2` needs.
#[derive(Serialize)]
struct Pager {
    after: String,
    next_url: Option<String>,
    first_url: String,
}

/// `GET /admin/registrations`: the site's registrations, newest first.
#[handler]
pub async fn registrations_page(
    ui: Ui<'_>,
    jar: &CookieJar,
    q: Query<RegistrationsQuery>,
) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    let filter = q.0.filter();
    let listed =
        ui.s.registrations()
            .list(panel.principal(), filter, q.0.after(), PAGE_SIZE)
            .await;
    let found = match listed {
        Ok(found) => found,
        Err(e) => return ui.failure(e),
    };
    let t = panel.strings();
    let path = Section::Registrations.path();
    let mut statuses = vec![StatusChoice {
        value: "",
        label: t.status_all,
        selected: filter.status.is_none(),
    }];
    statuses.extend(RegistrationStatus::ALL.iter().map(|&s| StatusChoice {
        value: s.as_str(),
        label: status_label(s, t),
        selected: filter.status == Some(s),
    }));
    let view = RegistrationsView {
        meeting: filter.zoom_meeting_id,
        statuses,
        status: filter.status.map_or("", RegistrationStatus::as_str),
        csv_url: format!("{path}.csv{}", query_of(filter, None)),
        list: Pager {
            after: q.0.after().unwrap_or_default().to_owned(),
            next_url: found
                .next_after
                .as_deref()
                .map(|next| format!("{path}{}", query_of(filter, Some(next)))),
            first_url: format!("{path}{}", query_of(filter, None)),
        },
        items: found
            .items
            .into_iter()
            .map(|r| RegistrationLine::new(r, t))
            .collect(),
    };
    panel.render(
        StatusCode::OK,
        Section::Registrations,
        "admin/registrations.html.j2",
        view,
    )
}

/// `GET /admin/registrations.csv`: the same registrations (every page, up to
/// [`MAX_EXPORT_PAGES`]) as a spreadsheet.
#[handler]
pub async fn registrations_csv(
    ui: Ui<'_>,
    jar: &CookieJar,
    q: Query<RegistrationsQuery>,
) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    let rows = match every_page(ui.s, panel.principal(), q.0.filter()).await {
        Ok(rows) => rows,
        Err(e) => return ui.failure(e),
    };
    match to_csv(&rows) {
        Ok(body) => Response::builder()
            .header(CONTENT_TYPE, "text/csv; charset=utf-8")
            .header(
                CONTENT_DISPOSITION,
                "attachment; filename=\"registrations.csv\"",
            )
            .header(CACHE_CONTROL, "no-store")
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "registrations CSV failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The registrations `filter` selects, page after page (at most [`MAX_EXPORT_PAGES`]).
async fn every_page(
    s: &Services,
    owner: &Principal,
    filter: RegistrationFilter,
) -> Result<Vec<Registration>, ServiceError> {
    let mut rows = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..MAX_EXPORT_PAGES {
        let found = s
            .registrations()
            .list(owner, filter, after.as_deref(), paging::MAX_LIMIT)
            .await?;
        rows.extend(found.items);
        match found.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(rows)
}

/// The CSV of `rows`: a header line, then one line per registration.
fn to_csv(rows: &[Registration]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "registered_at",
        "meeting_id",
        "occurrence_id",
        "first_name",
        "last_name",
        "email",
        "status",
    ])?;
    for r in rows {
        let registered = r.created_at.and_utc().to_rfc3339();
        let meeting = r.zoom_meeting_id.to_string();
        out.write_record(
            [
                registered.as_str(),
                &meeting,
                &r.occurrence_id,
                &r.first_name,
                &r.last_name,
                &r.email,
                r.status.as_str(),
            ]
            .map(defused),
        )?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// A cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return before one) starts with `'`, which shows as text.
fn defused(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// A row's action button, and which page of the list it was pressed on.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    csrf_token: Option<String>,
    meeting_id: Option<String>,
    registration_id: Option<String>,
    action: Option<String>,
    meeting: Option<String>,
    status: Option<String>,
    after: Option<String>,
}

/// `POST /admin/registrations/status`: approves, denies or cancels one registration at Zoom,
/// then back to the list, which shows the outcome.
#[handler]
pub async fn change_registration_status(
    ui: Ui<'_>,
    jar: &CookieJar,
    form: Form<StatusForm>,
) -> Response {
    let form = form.0;
    let owner = match checked_owner(&ui, jar, form.csrf_token.as_deref()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    let meeting_id = form
        .meeting_id
        .as_deref()
        .and_then(|m| m.trim().parse().ok());
    let action = form.action.as_deref().and_then(RegistrantAction::parse);
    let (Some(meeting_id), Some(rid), Some(action)) =
        (meeting_id, form.registration_id.as_deref(), action)
    else {
        return ui.failure(ServiceError::NotFound("registration"));
    };
    let back = RegistrationsQuery {
        meeting: form.meeting.clone(),
        status: form.status.clone(),
        after: form.after.clone(),
    };
    let mut back = format!(
        "{}{}",
        Section::Registrations.path(),
        query_of(back.filter(), back.after())
    );
    if rid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        back.push_str(&format!("#r-{rid}"));
    }
    match ui
        .s
        .registrations()
        .change_status(&owner, meeting_id, rid, action)
        .await
    {
        Ok(_) => see_other(back),
        Err(e) => ui.failure(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(defused("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(defused("+49 30"), "'+49 30");
        assert_eq!(defused("-1"), "'-1");
        assert_eq!(defused("@cmd"), "'@cmd");
        assert_eq!(defused("\t=1"), "'\t=1");
        assert_eq!(defused("Ada"), "Ada");
        assert_eq!(defused(""), "");
    }
}

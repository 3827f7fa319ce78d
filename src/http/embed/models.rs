//! The widget templates' contexts as typed view models: each template renders one
//! [`WidgetPage`] whose `content` is the page's own model, so a misspelt or missing key is a
//! compile error here, not an empty spot (or a strict-mode render failure) on a visitor's
//! page. The fields are documented for template authors in `tenant-templates/README.md`.

use chrono::NaiveDateTime;
use minijinja::Value;
use minijinja::value::Serde;
use poem::http::StatusCode;
use serde::{Serialize, Serializer};

use super::presentation::{BadOption, Presentation};
use crate::domain::public::{MeetingDetail, Recording, RegistrationStatus, STANDARD_FIELDS};
use crate::domain::site::{Lang, Origin, PublicSite};
use crate::http::error::Problem;
use crate::http::html::{When, safe_link};
use crate::i18n::{self, Strings};
use crate::service::public::{Page, SeriesEntry};
use crate::service::registration::RegisterOutcome;
use crate::templates::Templates;

/// Cannot appear in rendered data (auto-escaping writes `<` as `&lt;`); replaced per response.
pub(super) const NONCE_SLOT: &str = "<mq-nonce>";
/// Per-response idempotency key of the registration form (same trick).
pub(super) const FORM_KEY_SLOT: &str = "<mq-form-key>";

/// Zoom allows 2,000-character agendas; a list shows the start of it.
const AGENDA_PREVIEW_CHARS: usize = 280;

/// A page's own model and the template that renders it.
pub(super) trait WidgetContent: Serialize {
    const TEMPLATE: &'static str;
}

/// Text that is markup already (a fixed CSS font stack, a response slot), never data: written
/// into the page without escaping.
struct Safe(&'static str);

impl Serialize for Safe {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Value::from_safe_string(self.0.to_owned()).serialize(serializer)
    }
}

/// What every widget template gets, around the page's own `content`.
#[derive(Serialize)]
pub(super) struct WidgetPage<'a, C> {
    lang: &'static str,
    /// The strings of `crate::i18n` in the page's language.
    t: &'static Strings,
    site: SiteView<'a>,
    theme: ThemeView,
    nonce: Safe,
    form_key: Safe,
    parent_origin: Option<&'a str>,
    /// `compact` or `detailed`: how a list shows its items.
    layout: &'static str,
    /// The widget options to keep on links.
    query: String,
    page: i64,
    #[serde(flatten)]
    content: C,
}

#[derive(Serialize)]
struct SiteView<'a> {
    slug: &'a str,
    display_name: &'a str,
}

impl SiteView<'_> {
    const NONE: Self = SiteView {
        slug: "",
        display_name: "",
    };
}

#[derive(Serialize)]
struct ThemeView {
    mode: &'static str,
    accent: Option<String>,
    accent_text: Option<&'static str>,
    font: Safe,
}

impl<'a, C: WidgetContent> WidgetPage<'a, C> {
    /// `site` is `None` only on the notice that no site has the requested address.
    pub(super) fn new(site: Option<&'a PublicSite>, view: &'a Presentation, content: C) -> Self {
        let accent = view.theme.accent;
        Self {
            lang: view.lang.as_str(),
            t: i18n::strings(view.lang),
            site: site.map_or(SiteView::NONE, |site| SiteView {
                slug: site.tenant.slug.as_str(),
                display_name: &site.tenant.display_name,
            }),
            theme: ThemeView {
                mode: view.theme.mode.as_str(),
                accent: accent.map(|a| a.to_string()),
                accent_text: accent.map(|a| a.contrast_text()),
                font: Safe(view.theme.font.css_stack()),
            },
            nonce: Safe(NONCE_SLOT),
            form_key: Safe(FORM_KEY_SLOT),
            parent_origin: view.parent_origin.as_ref().map(Origin::as_str),
            layout: view.options.layout.as_str(),
            query: view.query(),
            page: view.page,
            content,
        }
    }
}

/// `meetings.html.j2`: one page of upcoming meetings.
#[derive(Serialize)]
pub(super) struct MeetingsContent<'a> {
    meetings: Vec<ListedItem<'a>>,
    has_more: bool,
    /// The list is of webinars: the template picks the heading and the empty message.
    webinars: bool,
}

impl WidgetContent for MeetingsContent<'_> {
    const TEMPLATE: &'static str = "meetings.html.j2";
}

impl<'a> MeetingsContent<'a> {
    pub(super) fn new(
        found: &'a Page<SeriesEntry>,
        site: &PublicSite,
        view: &Presentation,
        webinars: bool,
    ) -> Self {
        Self {
            webinars,
            meetings: found
                .items
                .iter()
                .map(|e| ListedItem::new(e, site, view))
                .collect(),
            has_more: found.has_more,
        }
    }
}

/// A meeting, or a recurring series at its next occurrence, in the list.
#[derive(Serialize)]
struct ListedItem<'a> {
    id: i64,
    /// Unique in the list (a meeting's occurrences share its id).
    key: String,
    topic: &'a str,
    /// The first [`AGENDA_PREVIEW_CHARS`] characters.
    agenda: String,
    timezone: &'a str,
    duration_minutes: i32,
    registration_open: bool,
    start: Option<When>,
    /// A series' next dates (the first is `start`; it says "Every …" when they repeat weekly).
    series: Vec<When>,
    detail_url: String,
    ics_url: Option<String>,
}

/// Dates a series' card shows.
pub(super) const SERIES_DATES: i64 = 4;

impl<'a> ListedItem<'a> {
    fn new(entry: &'a SeriesEntry, site: &PublicSite, view: &Presentation) -> Self {
        let m = &entry.listed;
        let mt = &m.meeting;
        let dates: Vec<_> = entry
            .upcoming
            .iter()
            .map(|o| (o.start_time, o.duration_minutes))
            .collect();
        let slug = site.tenant.slug.as_str();
        let occurrence = m.occurrence.as_ref().map(|o| o.occurrence_id.as_str());
        let ics = match occurrence {
            Some(o) => format!(
                "/embed/{slug}/meetings/{}/calendar.ics?occurrence={o}",
                mt.zoom_meeting_id
            ),
            None => format!("/embed/{slug}/meetings/{}/calendar.ics", mt.zoom_meeting_id),
        };
        Self {
            id: mt.zoom_meeting_id,
            key: format!("{}-{}", mt.zoom_meeting_id, occurrence.unwrap_or("")),
            topic: &mt.topic,
            agenda: clamp(&mt.agenda, AGENDA_PREVIEW_CHARS),
            timezone: &mt.timezone,
            duration_minutes: m.duration_minutes(),
            registration_open: site.registration_open() && mt.registration_open(),
            start: m
                .start_time()
                .map(|s| When::new(s, m.duration_minutes(), &mt.timezone, view.lang)),
            series: When::series(&dates, &mt.timezone, view.lang),
            detail_url: format!(
                "/embed/{slug}/meetings/{}?{}",
                mt.zoom_meeting_id,
                view.query()
            ),
            ics_url: m.start_time().map(|_| ics),
        }
    }
}

/// `meeting.html.j2`: one meeting with its dates and the registration form.
#[derive(Serialize)]
pub(super) struct MeetingContent<'a> {
    meeting: MeetingView<'a>,
    occurrences: Vec<OccurrenceItem<'a>>,
    /// Open, and the meeting has not ended.
    registration_open: bool,
    /// Closed only because the site's Zoom connection cannot serve right now.
    registration_unavailable: bool,
    /// Zoom's standard questions that the form asks.
    questions: Vec<FieldItem>,
    custom_questions: Vec<QuestionItem<'a>>,
    form_action: String,
    api_url: String,
    back_url: String,
}

impl WidgetContent for MeetingContent<'_> {
    const TEMPLATE: &'static str = "meeting.html.j2";
}

#[derive(Serialize)]
struct MeetingView<'a> {
    id: i64,
    topic: &'a str,
    agenda: &'a str,
    timezone: &'a str,
    duration_minutes: i32,
    /// The one start of a meeting without occurrences.
    start: Option<When>,
    ics_url: Option<String>,
}

#[derive(Serialize)]
struct OccurrenceItem<'a> {
    id: &'a str,
    start: When,
    ics_url: String,
}

/// A standard question as a form field (`field_{name}`).
#[derive(Serialize)]
struct FieldItem {
    name: String,
    label: &'static str,
    required: bool,
    multiline: bool,
}

/// A custom question as a form field (`question_{i}`).
#[derive(Serialize)]
struct QuestionItem<'a> {
    name: String,
    title: &'a str,
    required: bool,
    /// One of `answers` rather than free text.
    choice: bool,
    answers: &'a [String],
}

impl<'a> MeetingContent<'a> {
    pub(super) fn new(
        d: &'a MeetingDetail,
        site: &PublicSite,
        view: &Presentation,
        now: NaiveDateTime,
    ) -> Self {
        let m = &d.meeting;
        let slug = site.tenant.slug.as_str();
        let id = m.zoom_meeting_id;
        let single = d.occurrences.is_empty();
        let occurrences = d
            .occurrences
            .iter()
            .map(|o| OccurrenceItem {
                id: &o.occurrence_id,
                start: When::new(o.start_time, o.duration_minutes, &m.timezone, view.lang),
                ics_url: format!(
                    "/embed/{slug}/meetings/{id}/calendar.ics?occurrence={}",
                    o.occurrence_id
                ),
            })
            .collect();
        Self {
            meeting: MeetingView {
                id,
                topic: &m.topic,
                agenda: &m.agenda,
                timezone: &m.timezone,
                duration_minutes: m.duration_minutes,
                start: m
                    .start_time
                    .filter(|_| single)
                    .map(|s| When::new(s, m.duration_minutes, &m.timezone, view.lang)),
                ics_url: (m.start_time.is_some() && single)
                    .then(|| format!("/embed/{slug}/meetings/{id}/calendar.ics")),
            },
            occurrences,
            registration_open: d.registration_open && !d.has_ended(now),
            registration_unavailable: site.connection_lost,
            questions: standard_fields(d, view.lang),
            custom_questions: custom_questions(d),
            form_action: format!("/embed/{slug}/meetings/{id}/register?{}", view.query()),
            api_url: format!("/api/v1/sites/{slug}/meetings/{id}/registrations"),
            back_url: format!("/embed/{slug}/meetings?{}", view.query()),
        }
    }
}

fn standard_fields(d: &MeetingDetail, lang: Lang) -> Vec<FieldItem> {
    d.questions
        .iter()
        .flat_map(|q| &q.questions)
        .filter(|q| STANDARD_FIELDS.contains(&q.field_name.as_str()))
        .map(|q| FieldItem {
            name: format!("field_{}", q.field_name),
            label: i18n::field_label(lang, &q.field_name),
            required: q.required,
            multiline: q.field_name == "comments" || q.field_name == "address",
        })
        .collect()
}

fn custom_questions(d: &MeetingDetail) -> Vec<QuestionItem<'_>> {
    d.questions
        .iter()
        .flat_map(|q| &q.custom_questions)
        .enumerate()
        .map(|(i, q)| QuestionItem {
            name: format!("question_{i}"),
            title: &q.title,
            required: q.required,
            choice: q.kind != "short" && !q.answers.is_empty(),
            answers: &q.answers,
        })
        .collect()
}

/// `recordings.html.j2`: one page of recordings.
#[derive(Serialize)]
pub(super) struct RecordingsContent<'a> {
    recordings: Vec<RecordingItem<'a>>,
    has_more: bool,
}

impl WidgetContent for RecordingsContent<'_> {
    const TEMPLATE: &'static str = "recordings.html.j2";
}

#[derive(Serialize)]
struct RecordingItem<'a> {
    id: &'a str,
    topic: &'a str,
    timezone: &'a str,
    duration_minutes: i32,
    start: When,
    /// Only an http(s) link, and not when it leads to a passcode the visitor is not given.
    share_url: Option<String>,
    /// Only when the site shows passcodes.
    passcode: Option<&'a str>,
    /// Protected by a passcode the site does not share: said plainly instead of a dead link.
    passcode_withheld: bool,
}

impl<'a> RecordingsContent<'a> {
    pub(super) fn new(found: &'a Page<Recording>, site: &PublicSite, view: &Presentation) -> Self {
        let show_passcode = site.settings.show_recording_passcode;
        Self {
            recordings: found
                .items
                .iter()
                .map(|r| {
                    let withheld = !show_passcode && needs_passcode(r);
                    RecordingItem {
                        id: &r.zoom_meeting_uuid,
                        topic: &r.topic,
                        timezone: &r.timezone,
                        duration_minutes: r.duration_minutes,
                        start: When::new(r.start_time, r.duration_minutes, &r.timezone, view.lang),
                        share_url: safe_link(&r.share_url).filter(|_| !withheld),
                        passcode: (show_passcode && !r.play_passcode.is_empty())
                            .then_some(r.play_passcode.as_str()),
                        passcode_withheld: withheld,
                    }
                })
                .collect(),
            has_more: found.has_more,
        }
    }
}

/// The recording asks for its passcode: it has one, and its share link does not carry it
/// (Zoom's `pwd=` parameter lets the link open without asking).
fn needs_passcode(r: &Recording) -> bool {
    !r.play_passcode.is_empty()
        && url::Url::parse(&r.share_url).map_or(true, |u| !u.query_pairs().any(|(k, _)| k == "pwd"))
}

/// `registered.html.j2`: the answer to the form sent without JavaScript.
#[derive(Serialize)]
pub(super) struct RegisteredContent<'a> {
    outcome: Outcome<'a>,
    back_url: String,
}

impl WidgetContent for RegisteredContent<'_> {
    const TEMPLATE: &'static str = "registered.html.j2";
}

/// `ok` tells the template which of the two it got.
#[derive(Serialize)]
#[serde(untagged)]
enum Outcome<'a> {
    Registered {
        ok: bool,
        /// Registered before with this e-mail address: the link is not shown again.
        existing: bool,
        approved: bool,
        status: &'static str,
        join_url: Option<&'a str>,
    },
    /// The classification's code and public message (the template words some codes itself);
    /// `unavailable`: Zoom cannot be reached for now (503), said in the widget's language with
    /// "try again in a moment". A limit (429) keeps its own message: it says when to try again.
    Refused {
        ok: bool,
        code: &'a str,
        message: &'a str,
        unavailable: bool,
    },
}

impl<'a> RegisteredContent<'a> {
    /// The registration, or the refusal of it; `back_url` leads to the form again.
    pub(super) fn new(result: Result<&'a RegisterOutcome, &'a Problem>, back_url: String) -> Self {
        let outcome = match result {
            Ok(done) => {
                let r = &done.registration;
                Outcome::Registered {
                    ok: true,
                    existing: !done.created,
                    approved: r.status == RegistrationStatus::Approved,
                    status: r.status.as_str(),
                    join_url: r.join_url.as_deref(),
                }
            }
            Err(problem) => Outcome::Refused {
                ok: false,
                code: problem.code,
                message: &problem.message,
                unavailable: problem.status == StatusCode::SERVICE_UNAVAILABLE,
            },
        };
        Self { outcome, back_url }
    }
}

/// Why a widget shows a notice instead of its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Notice {
    /// No site has the address.
    NoSite,
    /// The site does not make the widget's feature public.
    FeatureOff,
    /// The meeting (or recording) is unknown, hidden or over: one notice for all three.
    Gone,
    /// Zoom or the database cannot be reached (or a limit is reached): try again later.
    Unavailable,
    /// Anything else (logged where it happened).
    Failed,
    /// An option of the embed (`per_page`, `host`, `months`, `layout`) has a bad value.
    BadOption(BadOption),
}

impl Notice {
    /// The notice for a failure of the classified `status`; `site_known` tells a missing site
    /// from a missing meeting.
    pub(super) fn for_status(status: StatusCode, site_known: bool) -> Self {
        match status {
            StatusCode::NOT_FOUND if site_known => Self::Gone,
            StatusCode::NOT_FOUND => Self::NoSite,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => Self::Unavailable,
            _ => Self::Failed,
        }
    }

    fn texts(self, t: &'static Strings) -> (&'static str, &'static str) {
        match self {
            Self::NoSite => (t.notice_no_site_title, t.notice_no_site_text),
            Self::FeatureOff => (t.notice_feature_off_title, t.notice_feature_off_text),
            Self::Gone => (t.notice_gone_title, t.notice_gone_text),
            Self::Unavailable => (t.notice_unavailable_title, t.notice_unavailable_text),
            Self::Failed => (t.notice_failed_title, t.notice_failed_text),
            Self::BadOption(bad) => (
                t.notice_bad_option_title,
                match bad {
                    BadOption::PerPage => t.notice_bad_per_page,
                    BadOption::Host => t.notice_bad_host,
                    BadOption::Months => t.notice_bad_months,
                    BadOption::Layout => t.notice_bad_layout,
                },
            ),
        }
    }
}

/// `notice.html.j2`: a friendly page instead of a widget that cannot be shown.
#[derive(Serialize)]
pub(super) struct NoticeContent {
    notice: NoticeView,
}

#[derive(Serialize)]
struct NoticeView {
    title: &'static str,
    text: &'static str,
    status: u16,
    /// Worth trying again soon (the answer carries `Retry-After`).
    retry: bool,
}

impl WidgetContent for NoticeContent {
    const TEMPLATE: &'static str = "notice.html.j2";
}

impl NoticeContent {
    pub(super) fn new(notice: Notice, status: StatusCode, lang: Lang) -> Self {
        let (title, text) = notice.texts(i18n::strings(lang));
        Self {
            notice: NoticeView {
                title,
                text,
                status: status.as_u16(),
                retry: notice == Notice::Unavailable,
            },
        }
    }
}

/// The first `max` characters of `text` (on a character boundary), with an ellipsis if cut.
fn clamp(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

/// Renders a page's model with the site's template for it.
pub(super) fn render_page<C: WidgetContent>(
    t: &Templates,
    site: &PublicSite,
    view: &Presentation,
    content: C,
) -> Result<String, minijinja::Error> {
    render_with(t, Some(site), view, content)
}

/// [`render_page`], or with the default template when no site is known.
pub(super) fn render_with<C: WidgetContent>(
    t: &Templates,
    site: Option<&PublicSite>,
    view: &Presentation,
    content: C,
) -> Result<String, minijinja::Error> {
    let page = Value::from(Serde(&WidgetPage::new(site, view, content)));
    match site {
        Some(site) => t.render_for(site.tenant.slug.as_str(), C::TEMPLATE, page),
        None => t.render(C::TEMPLATE, page),
    }
}

#[cfg(test)]
mod tests {
    use super::clamp;

    #[test]
    fn long_agendas_are_clamped_on_character_boundaries() {
        assert_eq!(clamp("short", 10), "short");
        assert_eq!(clamp("äöüäöü", 3), "äöü…");
    }
}

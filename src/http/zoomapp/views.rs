//! What the Zoom App's templates are given.

use serde::Serialize;

use crate::domain::site::Lang;
use crate::http::html::When;
use crate::i18n::zoom_app::AppStrings;
use crate::service::zoom_app::{HostSite, SiteView};

#[derive(Serialize)]
pub struct MessageView<'a> {
    pub t: &'static AppStrings,
    pub title: &'a str,
    pub text: &'a str,
    pub back: bool,
}

#[derive(Serialize)]
pub struct SiteLink {
    pub slug: String,
    pub name: String,
}

impl SiteLink {
    pub fn of(site: &HostSite) -> Self {
        Self {
            slug: site.tenant.slug.as_str().to_owned(),
            name: site.tenant.display_name.clone(),
        }
    }
}

/// The home without one site: the picker, or the offer to authorize.
#[derive(Serialize)]
pub struct HomeView<'a> {
    pub t: &'static AppStrings,
    pub csrf: String,
    pub sdk: &'static str,
    pub sites: Vec<SiteLink>,
    /// The external authorization's browser link (only while no site matches).
    pub external: Option<String>,
    pub notice: Option<&'a str>,
}

#[derive(Serialize)]
pub struct MeetingRow {
    id: i64,
    topic: String,
    when: Option<When>,
    webinar: bool,
    join_url: String,
}

#[derive(Serialize)]
pub struct RecordingRow {
    topic: String,
    when: When,
}

#[derive(Serialize)]
pub struct RegistrantRow {
    name: String,
    email: String,
    status: String,
}

#[derive(Serialize)]
pub struct CurrentView {
    topic: String,
    registrants: Vec<RegistrantRow>,
}

/// One site's dashboard.
#[derive(Serialize)]
pub struct DashboardView<'a> {
    t: &'static AppStrings,
    csrf: String,
    /// New meeting's one-time key: a double submit makes one meeting.
    form_key: String,
    sdk: &'static str,
    site: SiteLink,
    may_open_admin: bool,
    other_sites: Vec<SiteLink>,
    upcoming: Vec<MeetingRow>,
    recordings: Vec<RecordingRow>,
    current: Option<CurrentView>,
    notice: Option<&'a str>,
}

impl<'a> DashboardView<'a> {
    pub fn new(
        t: &'static AppStrings,
        lang: Lang,
        csrf: String,
        site: &HostSite,
        sites: &[HostSite],
        view: &SiteView,
        notice: Option<&'a str>,
    ) -> Self {
        let upcoming =
            view.upcoming
                .iter()
                .map(|m| MeetingRow {
                    id: m.meeting.zoom_meeting_id,
                    topic: m.meeting.topic.clone(),
                    when: m.list_time.or(m.meeting.start_time).map(|s| {
                        When::new(s, m.meeting.duration_minutes, &m.meeting.timezone, lang)
                    }),
                    webinar: m.webinar,
                    join_url: m.meeting.join_url.clone(),
                })
                .collect();
        let recordings = view
            .recordings
            .iter()
            .map(|r| RecordingRow {
                topic: r.topic.clone(),
                when: When::new(r.start_time, r.duration_minutes, &r.timezone, lang),
            })
            .collect();
        let current = view.current.as_ref().map(|(m, regs)| CurrentView {
            topic: m.topic.clone(),
            registrants: regs
                .iter()
                .map(|r| RegistrantRow {
                    name: format!("{} {}", r.first_name, r.last_name),
                    email: r.email.clone(),
                    status: r.status.as_str().to_owned(),
                })
                .collect(),
        });
        Self {
            t,
            csrf,
            form_key: crate::crypto::random_token(""),
            sdk: super::SDK_URL,
            site: SiteLink::of(site),
            may_open_admin: site.role.may_open_admin(),
            other_sites: sites
                .iter()
                .filter(|s| s.tenant.id != site.tenant.id)
                .map(SiteLink::of)
                .collect(),
            upcoming,
            recordings,
            current,
            notice,
        }
    }
}

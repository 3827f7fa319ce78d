//! The panel's frame: the header with the site's name, the navigation of its sections, the
//! "Back to my site" slot and the sign-out button. A section appears in the navigation only
//! once it has a page.

use chrono::NaiveDateTime;
use poem::Response;
use poem::http::StatusCode;
use poem::web::cookie::CookieJar;
use serde::Serialize;

use super::Ui;
use super::session::{Owner, signed_in};
use crate::domain::site::Lang;
use crate::domain::{Principal, Tenant};
use crate::i18n;
use crate::i18n::panel::PanelStrings;

/// A section of the panel: one page, one entry in the navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Section {
    Overview,
    Site,
    Meetings,
    Recordings,
    Registrations,
    Sync,
    Embed,
}

impl Section {
    /// The navigation, in order.
    const ALL: [Section; 7] = [
        Section::Overview,
        Section::Site,
        Section::Meetings,
        Section::Recordings,
        Section::Registrations,
        Section::Sync,
        Section::Embed,
    ];

    pub(super) fn path(self) -> &'static str {
        match self {
            Section::Overview => "/admin",
            Section::Site => "/admin/site",
            Section::Meetings => "/admin/meetings",
            Section::Recordings => "/admin/recordings",
            Section::Registrations => "/admin/registrations",
            Section::Sync => "/admin/sync",
            Section::Embed => "/admin/embed",
        }
    }

    fn label(self, t: &'static PanelStrings) -> &'static str {
        match self {
            Section::Overview => t.nav_overview,
            Section::Site => t.nav_site,
            Section::Meetings => t.nav_meetings,
            Section::Recordings => t.nav_recordings,
            Section::Registrations => t.nav_registrations,
            Section::Sync => t.tools.nav_sync,
            Section::Embed => t.tools.nav_embed,
        }
    }
}

#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    label: &'static str,
    current: bool,
}

#[derive(Serialize)]
struct SiteHeader<'a> {
    slug: &'a str,
    display_name: &'a str,
}

/// What `layout.html.j2` needs, with the page's own model beside it.
#[derive(Serialize)]
struct PanelPage<'a, C: Serialize> {
    lang: &'static str,
    t: &'static PanelStrings,
    site: SiteHeader<'a>,
    nav: Vec<NavItem>,
    /// Where "Back to my site" goes: absent unless the admin link named a `return_url`.
    back_to_site: Option<&'a str>,
    csrf_token: &'a str,
    heading: &'static str,
    #[serde(flatten)]
    content: C,
}

/// A signed-in owner looking at their site's panel.
pub(super) struct Panel<'a> {
    pub(super) ui: Ui<'a>,
    pub(super) owner: Owner,
    pub(super) tenant: Tenant,
    /// The `return_url` of the admin link that opened the session, if still allowed.
    back_to_site: Option<String>,
}

impl<'a> Panel<'a> {
    /// The panel of the browser's session, or the page to show instead.
    pub(super) async fn open(ui: Ui<'a>, jar: &CookieJar) -> Result<Self, Response> {
        let owner = signed_in(&ui, jar).await?;
        let tenant =
            ui.s.tenants()
                .get_by_id(owner.principal.tenant_id())
                .await
                .map_err(|e| ui.failure(e))?;
        let back_to_site =
            ui.s.access()
                .return_url(&owner.principal)
                .await
                .map_err(|e| ui.failure(e))?;
        Ok(Self {
            ui,
            owner,
            tenant,
            back_to_site,
        })
    }

    pub(super) fn principal(&self) -> &Principal {
        &self.owner.principal
    }

    pub(super) fn strings(&self) -> &'static PanelStrings {
        self.ui.strings()
    }

    /// Renders `template` (which extends the layout) for `section`, with `content` beside the
    /// layout's values.
    pub(super) fn render(
        &self,
        status: StatusCode,
        section: Section,
        template: &str,
        content: impl Serialize,
    ) -> Response {
        let heading = section.label(self.strings());
        self.render_titled(status, section, heading, template, content)
    }

    /// As [`Panel::render`], for a page of `section` with a heading of its own.
    pub(super) fn render_titled(
        &self,
        status: StatusCode,
        section: Section,
        heading: &'static str,
        template: &str,
        content: impl Serialize,
    ) -> Response {
        let t = self.strings();
        let page = PanelPage {
            lang: self.ui.lang.as_str(),
            t,
            site: SiteHeader {
                slug: self.tenant.slug.as_str(),
                display_name: &self.tenant.display_name,
            },
            nav: Section::ALL
                .iter()
                .map(|&s| NavItem {
                    href: s.path(),
                    label: s.label(t),
                    current: s == section,
                })
                .collect(),
            back_to_site: self.back_to_site.as_deref(),
            csrf_token: &self.owner.csrf_token,
            heading,
            content,
        };
        self.ui.render(status, template, page)
    }
}

/// A moment in UTC, for `<time>`.
#[derive(Serialize)]
pub(super) struct Moment {
    iso: String,
    text: String,
}

impl Moment {
    pub(super) fn of(t: NaiveDateTime, lang: Lang) -> Self {
        let utc = t.and_utc();
        let date = i18n::strings(lang).long_date(&utc.with_timezone(&chrono_tz::UTC), lang);
        Self {
            iso: utc.to_rfc3339(),
            text: format!("{date}, {} UTC", utc.format("%H:%M")),
        }
    }
}

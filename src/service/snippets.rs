//! What an owner pastes into their site to show a widget: for each widget its URL, a plain
//! `<iframe>` and the script loader (`/embed.js`, which resizes the frame to its content). Built
//! once here for the admin API and the panel's Embed page.

use crate::domain::site::Origin;
use crate::domain::{Principal, Slug};

use super::ServiceError;
use super::Services;
use super::settings::Settings;
use super::tenants::Tenants;

/// A widget to embed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedWidget {
    /// The upcoming meetings.
    Meetings,
    /// The upcoming webinars.
    Webinars,
    /// The recordings.
    Recordings,
    /// One meeting, with registration (`MEETING_ID` to replace).
    Meeting,
}

impl EmbedWidget {
    pub const ALL: [EmbedWidget; 4] = [
        EmbedWidget::Meetings,
        EmbedWidget::Webinars,
        EmbedWidget::Recordings,
        EmbedWidget::Meeting,
    ];

    /// The name `embed.js` takes as `data-widget`.
    pub fn as_str(self) -> &'static str {
        match self {
            EmbedWidget::Meetings => "meetings",
            EmbedWidget::Webinars => "webinars",
            EmbedWidget::Recordings => "recordings",
            EmbedWidget::Meeting => "meeting",
        }
    }

    /// The fallback link's text and the frame's title on the owner's page.
    fn label(self) -> &'static str {
        match self {
            EmbedWidget::Meetings => "Upcoming meetings",
            EmbedWidget::Webinars => "Upcoming webinars",
            EmbedWidget::Recordings => "Recordings",
            EmbedWidget::Meeting => "Meeting details and registration",
        }
    }
}

/// Ready-to-paste HTML for one widget.
#[derive(Clone, Debug)]
pub struct Snippet {
    pub widget: EmbedWidget,
    /// The widget's own URL.
    pub url: String,
    /// A plain `<iframe>` (fixed height).
    pub iframe: String,
    /// The one-line script loader, with a plain link for visitors without JavaScript.
    pub script: String,
}

impl Snippet {
    fn new(base: &str, slug: &Slug, widget: EmbedWidget) -> Self {
        let slug = slug.as_str();
        let (name, label) = (widget.as_str(), widget.label());
        let (path, extra) = match widget {
            EmbedWidget::Meeting => (
                format!("/embed/{slug}/meetings/MEETING_ID"),
                " data-meeting=\"MEETING_ID\"",
            ),
            _ => (format!("/embed/{slug}/{name}"), ""),
        };
        let url = format!("{base}{path}");
        Self {
            widget,
            iframe: format!(
                "<iframe src=\"{url}\" title=\"{label}\" style=\"width:100%;min-height:480px;border:0\" loading=\"lazy\"></iframe>"
            ),
            script: format!(
                "<a href=\"{url}\" data-marquee-fallback>{label}</a><script src=\"{base}/embed.js\" data-site=\"{slug}\" data-widget=\"{name}\"{extra} async></script>"
            ),
            url,
        }
    }
}

/// The site's snippets, and the web addresses they work on.
#[derive(Clone, Debug)]
pub struct EmbedKit {
    pub snippets: Vec<Snippet>,
    /// Where the widgets may be embedded: the platform's origins of the site, then the owner's.
    /// Empty: a pasted snippet shows nothing until the owner adds their site's address.
    pub origins: Vec<Origin>,
}

/// Embed snippets of a site.
#[derive(Clone, Copy)]
pub struct Snippets<'a> {
    public_url: &'a str,
    tenants: Tenants<'a>,
    settings: Settings<'a>,
}

impl Services {
    /// Embed snippets (`service/snippets.rs`).
    pub fn snippets(&self) -> Snippets<'_> {
        Snippets {
            public_url: &self.config.public_url,
            tenants: self.tenants(),
            settings: self.settings(),
        }
    }
}

impl Snippets<'_> {
    /// Every widget's snippets for the principal's site (scope `settings:read`).
    pub async fn for_site(&self, principal: &Principal) -> Result<EmbedKit, ServiceError> {
        let settings = self.settings.get(principal).await?;
        let tenant = self.tenants.get_by_id(principal.tenant_id()).await?;
        let snippets = EmbedWidget::ALL
            .iter()
            .map(|&w| Snippet::new(self.public_url, &tenant.slug, w))
            .collect();
        let mut origins = tenant.origins;
        origins.extend(settings.allowed_origins);
        Ok(EmbedKit { snippets, origins })
    }
}

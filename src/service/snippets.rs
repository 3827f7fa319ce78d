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

/// An option the widgets take: an attribute of the script loader (`embed.js` passes it on) and,
/// unless only the loader uses it, the same option as a query parameter of the widget's address.
/// One list for the admin API, the panel's Embed page and `docs/embedding.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedOption {
    Lang,
    Theme,
    Accent,
    Font,
    PerPage,
    Host,
    Months,
    Layout,
    Height,
    Title,
    Meeting,
}

const LISTS: &[EmbedWidget] = &[
    EmbedWidget::Meetings,
    EmbedWidget::Webinars,
    EmbedWidget::Recordings,
];

impl EmbedOption {
    pub const ALL: [EmbedOption; 11] = [
        EmbedOption::Lang,
        EmbedOption::Theme,
        EmbedOption::Accent,
        EmbedOption::Font,
        EmbedOption::PerPage,
        EmbedOption::Host,
        EmbedOption::Months,
        EmbedOption::Layout,
        EmbedOption::Height,
        EmbedOption::Title,
        EmbedOption::Meeting,
    ];

    /// The loader's attribute with an example value.
    pub fn attribute(self) -> &'static str {
        match self {
            Self::Lang => "data-lang=\"de\"",
            Self::Theme => "data-theme=\"dark\"",
            Self::Accent => "data-accent=\"#0b5cff\"",
            Self::Font => "data-font=\"serif\"",
            Self::PerPage => "data-per-page=\"10\"",
            Self::Host => "data-host=\"host@example.com\"",
            Self::Months => "data-months=\"6\"",
            Self::Layout => "data-layout=\"compact\"",
            Self::Height => "data-height=\"640\"",
            Self::Title => "data-title=\"…\"",
            Self::Meeting => "data-meeting=\"MEETING_ID\"",
        }
    }

    /// The query parameter of the widget's address with an example value; `None` when only
    /// the loader uses the option.
    pub fn query(self) -> Option<&'static str> {
        match self {
            Self::Lang => Some("?lang=de"),
            Self::Theme => Some("?theme=dark"),
            Self::Accent => Some("?accent=%230b5cff"),
            Self::Font => Some("?font=serif"),
            Self::PerPage => Some("?per_page=10"),
            Self::Host => Some("?host=host%40example.com"),
            Self::Months => Some("?months=6"),
            Self::Layout => Some("?layout=compact"),
            Self::Height | Self::Title | Self::Meeting => None,
        }
    }

    /// The values it takes.
    pub fn values(self) -> &'static str {
        match self {
            Self::Lang => "en | de",
            Self::Theme => "light | dark | auto",
            Self::Accent => "#rrggbb (readable on the theme's background, 4.5:1)",
            Self::Font => "system | serif | mono",
            Self::PerPage => "1–50 (default 20)",
            Self::Host => "the host's e-mail address or Zoom user id",
            Self::Months => "1–24",
            Self::Layout => "compact | detailed (default)",
            Self::Height => "the frame's starting height in pixels, 100–9999",
            Self::Title => "any text",
            Self::Meeting => "the meeting's number",
        }
    }

    /// The widgets that read it.
    pub fn widgets(self) -> &'static [EmbedWidget] {
        match self {
            Self::PerPage | Self::Host | Self::Layout => LISTS,
            Self::Months => &[EmbedWidget::Recordings],
            Self::Meeting => &[EmbedWidget::Meeting],
            _ => &EmbedWidget::ALL,
        }
    }
}

/// The height a widget's frame starts at (the snippet's `data-height` and `height`): about a
/// widget's usual size, so the host page does not jump when the widget reports its own.
pub fn height_hint(widget: EmbedWidget) -> u32 {
    match widget {
        EmbedWidget::Meetings | EmbedWidget::Webinars => 640,
        EmbedWidget::Recordings => 480,
        EmbedWidget::Meeting => 900,
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
    /// The one-line script loader, with a plain link for visitors without JavaScript. The link
    /// takes the widget's height before the loader runs (an `async` script runs after the
    /// page is drawn), so the frame that replaces it moves nothing below it.
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
        let height = height_hint(widget);
        Self {
            widget,
            iframe: format!(
                "<iframe src=\"{url}\" title=\"{label}\" height=\"{height}\" style=\"width:100%;border:0\" loading=\"lazy\"></iframe>"
            ),
            script: format!(
                "<a href=\"{url}\" data-marquee-fallback style=\"display:block;min-height:{height}px\">{label}</a><script src=\"{base}/embed.js\" data-site=\"{slug}\" data-widget=\"{name}\"{extra} data-height=\"{height}\" async></script>"
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

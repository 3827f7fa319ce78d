//! How one widget request wants the page to look: the options of its query string, checked
//! against the site's settings, and what they add to links and cache keys.

use serde::Deserialize;

use crate::domain::site::{Accent, Font, Lang, Origin, PublicSite, SiteSettings, Theme, ThemeMode};

/// Widget options from the query string; anything invalid falls back to the site's setting.
#[derive(Debug, Default, Deserialize)]
pub struct WidgetParams {
    pub(super) lang: Option<String>,
    pub(super) theme: Option<String>,
    pub(super) accent: Option<String>,
    pub(super) font: Option<String>,
    /// The embedding page's origin (set by `/embed.js`), for resize messages.
    pub(super) origin: Option<String>,
    pub(super) page: Option<i64>,
}

/// The validated presentation of one widget request.
pub(super) struct Presentation {
    pub(super) lang: Lang,
    pub(super) theme: Theme,
    /// Only when it is one of the site's allowed origins.
    pub(super) parent_origin: Option<Origin>,
    pub(super) page: i64,
}

impl Presentation {
    pub(super) fn new(site: &PublicSite, p: &WidgetParams) -> Self {
        Self::with(&site.settings, |o| site.allows_origin(o), p)
    }

    /// For a request whose site is unknown: the default settings, and no embedding page is
    /// told anything.
    pub(super) fn without_site(p: &WidgetParams) -> Self {
        Self::with(&SiteSettings::default(), |_| false, p)
    }

    fn with(s: &SiteSettings, allows_origin: impl Fn(&str) -> bool, p: &WidgetParams) -> Self {
        Self {
            lang: p
                .lang
                .as_deref()
                .and_then(|l| Lang::parse(l).ok())
                .unwrap_or(s.language),
            theme: readable(Theme {
                mode: p
                    .theme
                    .as_deref()
                    .and_then(|m| ThemeMode::parse(m).ok())
                    .unwrap_or(s.theme.mode),
                accent: p
                    .accent
                    .as_deref()
                    .and_then(|a| Accent::parse(a).ok())
                    .or(s.theme.accent),
                font: p
                    .font
                    .as_deref()
                    .and_then(|f| Font::parse(f).ok())
                    .unwrap_or(s.theme.font),
            }),
            parent_origin: p
                .origin
                .as_deref()
                .and_then(|o| Origin::parse(o).ok())
                .filter(|o| allows_origin(o.as_str())),
            page: p.page.unwrap_or(1).clamp(1, 50),
        }
    }

    /// The query string that keeps these options on links between widget pages.
    pub(super) fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("lang", self.lang.as_str())
            .append_pair("theme", self.theme.mode.as_str())
            .append_pair("font", self.theme.font.as_str());
        if let Some(accent) = self.theme.accent {
            q.append_pair("accent", &accent.to_string());
        }
        if let Some(origin) = &self.parent_origin {
            q.append_pair("origin", origin.as_str());
        }
        q.finish()
    }

    /// The key of the widget page `what` in the page cache, for these options.
    pub(super) fn cache_key(&self, what: &str) -> String {
        format!("embed:{what}:{}:{}", self.query(), self.page)
    }
}

/// The theme, without an accent that is unreadable in its mode (a query's accent, or the
/// site's under a query's other mode): the default accent then.
fn readable(theme: Theme) -> Theme {
    match theme.check_contrast() {
        Ok(()) => theme,
        Err(_) => Theme {
            accent: None,
            ..theme
        },
    }
}

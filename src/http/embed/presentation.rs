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
    /// Items per page of a list (`1`–`50`).
    pub(super) per_page: Option<String>,
    /// Only this host's items: the host's e-mail address or Zoom user id.
    pub(super) host: Option<String>,
    /// Recordings of the last N months only (`1`–`24`).
    pub(super) months: Option<String>,
    /// `compact` or `detailed` (the default).
    pub(super) layout: Option<String>,
}

/// The validated presentation of one widget request.
pub(super) struct Presentation {
    pub(super) lang: Lang,
    pub(super) theme: Theme,
    /// Only when it is one of the site's allowed origins.
    pub(super) parent_origin: Option<Origin>,
    pub(super) page: i64,
    /// What the lists show (per page, host, months, layout).
    pub(super) options: ListOptions,
    /// The first option given with a value it cannot have: the widget shows a notice naming it.
    pub(super) invalid: Option<BadOption>,
}

/// Items per page of a list when the embed does not say.
pub(super) const DEFAULT_PER_PAGE: i64 = 20;
const PER_PAGE: std::ops::RangeInclusive<i64> = 1..=50;
const MONTHS: std::ops::RangeInclusive<i64> = 1..=24;

/// The list options an owner sets on an embed (`data-*` of the loader, the iframe's query).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ListOptions {
    pub(super) per_page: i64,
    pub(super) host: Option<HostRef>,
    pub(super) months: Option<i64>,
    pub(super) layout: Layout,
}

impl Default for ListOptions {
    fn default() -> Self {
        Self {
            per_page: DEFAULT_PER_PAGE,
            host: None,
            months: None,
            layout: Layout::Detailed,
        }
    }
}

/// A host named by an embed: by e-mail (the site's connected Zoom user) or by Zoom user id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum HostRef {
    Email(String),
    UserId(String),
}

impl HostRef {
    fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let user_id = |s: &str| {
            (1..=64).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        match raw.split_once('@') {
            Some((local, domain))
                if raw.len() <= 128
                    && !local.is_empty()
                    && domain.contains('.')
                    && !raw.contains(char::is_whitespace) =>
            {
                Some(Self::Email(raw.to_lowercase()))
            }
            None if user_id(raw) => Some(Self::UserId(raw.to_owned())),
            _ => None,
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Self::Email(s) | Self::UserId(s) => s,
        }
    }
}

/// A list's layout: cards with agenda and dates, or one line per item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Layout {
    Compact,
    Detailed,
}

impl Layout {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Compact => "compact",
            Self::Detailed => "detailed",
        }
    }
}

/// A widget option with a value it cannot have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BadOption {
    PerPage,
    Host,
    Months,
    Layout,
}

impl BadOption {
    /// The option's name in the query string (`data-` + it for the loader).
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::PerPage => "per_page",
            Self::Host => "host",
            Self::Months => "months",
            Self::Layout => "layout",
        }
    }
}

/// An option's value, unless it is missing or blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl ListOptions {
    /// The options of the query, or the first one given with a value it cannot have. An empty
    /// value is as good as none (a loader attribute left blank).
    fn parse(p: &WidgetParams) -> Result<Self, BadOption> {
        let number = |v: &Option<String>, range: std::ops::RangeInclusive<i64>, bad| {
            given(v)
                .map(|raw| {
                    raw.parse::<i64>()
                        .ok()
                        .filter(|n| range.contains(n))
                        .ok_or(bad)
                })
                .transpose()
        };
        Ok(Self {
            per_page: number(&p.per_page, PER_PAGE, BadOption::PerPage)?
                .unwrap_or(DEFAULT_PER_PAGE),
            host: given(&p.host)
                .map(|h| HostRef::parse(h).ok_or(BadOption::Host))
                .transpose()?,
            months: number(&p.months, MONTHS, BadOption::Months)?,
            layout: match given(&p.layout) {
                None | Some("detailed") => Layout::Detailed,
                Some("compact") => Layout::Compact,
                Some(_) => return Err(BadOption::Layout),
            },
        })
    }
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
        let (options, invalid) = match ListOptions::parse(p) {
            Ok(options) => (options, None),
            Err(bad) => (ListOptions::default(), Some(bad)),
        };
        Self {
            options,
            invalid,
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
        let o = &self.options;
        if o.per_page != DEFAULT_PER_PAGE {
            q.append_pair("per_page", &o.per_page.to_string());
        }
        if let Some(host) = &o.host {
            q.append_pair("host", host.as_str());
        }
        if let Some(months) = o.months {
            q.append_pair("months", &months.to_string());
        }
        if o.layout != Layout::Detailed {
            q.append_pair("layout", o.layout.as_str());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn params(f: impl FnOnce(&mut WidgetParams)) -> WidgetParams {
        let mut p = WidgetParams::default();
        f(&mut p);
        p
    }

    #[test]
    fn list_options_parse_in_range_and_name_the_first_bad_one() {
        let ok = ListOptions::parse(&params(|p| {
            p.per_page = Some("5".into());
            p.host = Some("Host@Example.com".into());
            p.months = Some("24".into());
            p.layout = Some("compact".into());
        }))
        .unwrap();
        assert_eq!(ok.per_page, 5);
        assert_eq!(ok.host, Some(HostRef::Email("host@example.com".into())));
        assert_eq!((ok.months, ok.layout), (Some(24), Layout::Compact));
        assert_eq!(
            ListOptions::parse(&params(|_| {})).unwrap(),
            ListOptions::default()
        );
        let blank = params(|p| p.per_page = Some(" ".into()));
        assert_eq!(ListOptions::parse(&blank).unwrap(), ListOptions::default());
        let user = params(|p| p.host = Some("KDcuGIm1QgePTO8WbOqwIQ".into()));
        assert!(matches!(
            ListOptions::parse(&user).unwrap().host,
            Some(HostRef::UserId(_))
        ));
        for (bad, which) in [
            (
                params(|p| p.per_page = Some("0".into())),
                BadOption::PerPage,
            ),
            (
                params(|p| p.per_page = Some("51".into())),
                BadOption::PerPage,
            ),
            (
                params(|p| p.per_page = Some("ten".into())),
                BadOption::PerPage,
            ),
            (params(|p| p.months = Some("25".into())), BadOption::Months),
            (params(|p| p.host = Some("no one".into())), BadOption::Host),
            (params(|p| p.host = Some("a@b".into())), BadOption::Host),
            (
                params(|p| p.layout = Some("grid".into())),
                BadOption::Layout,
            ),
        ] {
            assert_eq!(ListOptions::parse(&bad), Err(which));
        }
    }
}

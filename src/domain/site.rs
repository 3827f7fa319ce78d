//! What a site shows its visitors and how: the owner's public-face settings (features, allowed
//! origins, language, theme) and the validated values they are made of. Parsing happens here,
//! at the edge, so every later layer can trust these values (e.g. put them into CSS or headers).

use std::fmt;

use super::Tenant;

/// A widget language. Strings live in one catalogue (`crate::i18n`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == raw)
            .ok_or_else(|| format!("unknown language {raw:?}; use one of: en, de"))
    }
}

/// Light, dark, or following the visitor's system preference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ThemeMode {
    #[default]
    Light,
    Dark,
    Auto,
}

impl ThemeMode {
    pub const ALL: [ThemeMode; 3] = [ThemeMode::Light, ThemeMode::Dark, ThemeMode::Auto];

    pub fn as_str(self) -> &'static str {
        match self {
            ThemeMode::Light => "light",
            ThemeMode::Dark => "dark",
            ThemeMode::Auto => "auto",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "light" => Ok(Self::Light),
            "dark" => Ok(Self::Dark),
            "auto" => Ok(Self::Auto),
            _ => Err(format!("unknown theme {raw:?}; use light, dark or auto")),
        }
    }
}

/// A font family from a fixed list: widgets load no external assets, so only system stacks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Font {
    #[default]
    System,
    Serif,
    Mono,
}

impl Font {
    pub const ALL: [Font; 3] = [Font::System, Font::Serif, Font::Mono];

    pub fn as_str(self) -> &'static str {
        match self {
            Font::System => "system",
            Font::Serif => "serif",
            Font::Mono => "mono",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "system" => Ok(Self::System),
            "serif" => Ok(Self::Serif),
            "mono" => Ok(Self::Mono),
            _ => Err(format!("unknown font {raw:?}; use system, serif or mono")),
        }
    }

    /// The CSS `font-family` value.
    pub fn css_stack(self) -> &'static str {
        match self {
            Font::System => "system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif",
            Font::Serif => "Georgia, \"Times New Roman\", serif",
            Font::Mono => "ui-monospace, \"SFMono-Regular\", Menlo, Consolas, monospace",
        }
    }
}

/// An accent colour `#rrggbb` (lower case); safe to put into CSS as is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Accent([u8; 3]);

impl Accent {
    /// The longest text [`Accent::parse`] takes (`#rrggbb`).
    pub const MAX_CHARS: usize = 7;
    /// [`Accent::parse`]'s rule as a regular expression, with the empty string that means "no
    /// accent" where a setting takes one.
    pub const OPTIONAL_PATTERN: &'static str = "^(#?[0-9a-fA-F]{6})?$";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let hex = raw.strip_prefix('#').unwrap_or(raw);
        let bytes = (hex.len() == 6)
            .then(|| hex::decode(hex).ok())
            .flatten()
            .ok_or_else(|| format!("accent {raw:?} is not a colour like #0b5cff"))?;
        Ok(Self([bytes[0], bytes[1], bytes[2]]))
    }

    /// Black or white, whichever reads better on this colour (WCAG relative luminance).
    pub fn contrast_text(self) -> &'static str {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        let l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
        // Contrast with white (1.05 / (l + 0.05)) vs with black ((l + 0.05) / 0.05).
        if 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 {
            "#ffffff"
        } else {
            "#000000"
        }
    }
}

impl fmt::Display for Accent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

/// How widgets look: mode, accent colour and font.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Theme {
    pub mode: ThemeMode,
    pub accent: Option<Accent>,
    pub font: Font,
}

/// A web origin `scheme://host[:port]` (http or https, no path), normalised.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin(String);

impl Origin {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = url::Url::parse(raw.trim())
            .map_err(|_| format!("{raw:?} is not an origin like https://example.com"))?;
        let bare = url.path() == "/" || url.path().is_empty();
        if !matches!(url.scheme(), "http" | "https")
            || url.host().is_none()
            || !bare
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
        {
            return Err(format!(
                "{raw:?} is not an origin like https://example.com (scheme and host only)"
            ));
        }
        Ok(Self(url.origin().ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// At most this many allowed origins per site (they all go into one CSP header).
pub const MAX_ALLOWED_ORIGINS: usize = 20;
/// Longer than any origin: a scheme, a host name (at most 253 characters) and a port.
pub const MAX_ORIGIN_CHARS: usize = 300;

/// What the owner made public, and how widgets look by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteSettings {
    pub meetings_public: bool,
    pub recordings_public: bool,
    pub webinars_public: bool,
    /// Visitors may register (for meetings where Zoom has registration on).
    pub registration_open: bool,
    pub show_recording_passcode: bool,
    /// Origins that may frame the widgets and call the public API from a browser.
    pub allowed_origins: Vec<Origin>,
    pub language: Lang,
    pub theme: Theme,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            meetings_public: true,
            recordings_public: true,
            webinars_public: true,
            registration_open: true,
            show_recording_passcode: false,
            allowed_origins: Vec::new(),
            language: Lang::En,
            theme: Theme::default(),
        }
    }
}

impl SiteSettings {
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o.as_str() == origin)
    }
}

/// A site as its visitors' requests see it: the tenant, its settings, and the content version
/// that the public face's caches are valid for.
#[derive(Clone, Debug)]
pub struct PublicSite {
    pub tenant: Tenant,
    /// Bumped by every write of visitor-visible data.
    pub content_version: i64,
    pub settings: SiteSettings,
}

/// A visible feature of a site; a feature the owner did not make public is "not found".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    Meetings,
    Webinars,
    Recordings,
}

impl Feature {
    pub fn is_public(self, s: &SiteSettings) -> bool {
        match self {
            Feature::Meetings => s.meetings_public,
            Feature::Webinars => s.webinars_public,
            Feature::Recordings => s.recordings_public,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_and_paths_refused() {
        assert_eq!(
            Origin::parse("HTTPS://Example.com:443").unwrap().as_str(),
            "https://example.com"
        );
        assert_eq!(
            Origin::parse("http://127.0.0.1:8080/").unwrap().as_str(),
            "http://127.0.0.1:8080"
        );
        assert!(Origin::parse("https://example.com/path").is_err());
        assert!(Origin::parse("javascript:alert(1)").is_err());
        assert!(Origin::parse("*").is_err());
        assert!(Origin::parse("https://a.com; script-src *").is_err());
    }

    #[test]
    fn accents_are_strict_and_pick_readable_text() {
        assert_eq!(Accent::parse("#0B5CFF").unwrap().to_string(), "#0b5cff");
        assert!(Accent::parse("red").is_err());
        assert!(Accent::parse("#12345g").is_err());
        assert!(Accent::parse("#fff;}").is_err());
        assert_eq!(Accent::parse("#0b5cff").unwrap().contrast_text(), "#ffffff");
        assert_eq!(Accent::parse("#ffe066").unwrap().contrast_text(), "#000000");
    }
}
